"""The VTIMEZONE of an invite, in the only shape every client reads right.

Outlook and Exchange read one STANDARD and one DAYLIGHT observance, each with a
yearly RRULE; the ``ical`` parser needs an RRULE even on a zone without daylight
saving time, or it reads the time as UTC once the TZID is renamed. So:

- a zone whose offset does not change around the meeting gets one STANDARD with
  ``RRULE:FREQ=YEARLY`` (Asia/Tokyo, Asia/Kolkata, Etc/GMT+5, Asia/Tehran today);
- a zone that changes twice in the meeting's year, there and back, gets one
  STANDARD and one DAYLIGHT whose ``BYMONTH``/``BYDAY`` rules give that year's two
  changes (Europe/Berlin, Australia/Sydney, America/Santiago, Australia/Lord_Howe);
- any other zone (a year with one change, or three, such as Africa/Casablanca in
  2029) gets the change before the meeting and the one after it, each as a yearly
  rule, which is exact for the meeting's own date.

All invites of one program carry the same VTIMEZONE when two yearly rules can say
the program's first 350 days (checked before use): Morocco's Ramadan change moves
by eleven days a year, and a client that keeps the first VTIMEZONE it saw for a
TZID (vobject does) would otherwise read next year's invites with this year's rules.

Every rule is derived from zoneinfo's transitions, never typed in, so the file
agrees with zoneinfo for the date of the meeting whatever the zone's rules are.
Observances start in 1970, so every date a client might ask about is covered.
"""

from __future__ import annotations

import calendar
import functools
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

_BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
# (first UTC instant of the new offset, offset before, offset after)
Transition = tuple[datetime, timedelta, timedelta]

# Two yearly rules are exact for an instant between their changes when the changes
# are less than a year apart: a rule's occurrence moves by up to a week a year.
_RULES_APART = timedelta(days=350)
# A change further ahead than this does not matter for a meeting that starts now.
_AHEAD = timedelta(days=330)


@dataclass(frozen=True)
class Observance:
    daylight: bool
    onset: datetime  # local wall time of the first change, in 1970
    offset_from: timedelta
    offset_to: timedelta
    name: str
    # BYMONTH and BYDAY; None for a zone that never changes (FREQ=YEARLY alone).
    rule: tuple[int, str] | None


def vtimezone(tzname: str, start: datetime, end: datetime | None = None, program_start: date | None = None) -> Timezone:
    """The VTIMEZONE for a meeting from ``start`` to ``end`` (aware instants).

    With ``program_start``, every meeting in the program's first 350 days gets one and
    the same VTIMEZONE (a client that keeps the first VTIMEZONE it saw for a TZID, as
    vobject does, then reads every invite of the program right), whenever two yearly
    rules can describe the whole window; else each meeting gets rules of its own."""
    return _component(tzname, _rules(tzname, start, end, program_start))


def vtimezone_ical(
    tzname: str, start: datetime, end: datetime | None = None, program_start: date | None = None
) -> bytes:
    """``vtimezone(...).to_ical()``, written once per zone and rules: a cohort's invites
    share a handful, and writing one is a third of building an invite."""
    return _component_ical(tzname, _rules(tzname, start, end, program_start))


def _rules(tzname: str, start: datetime, end: datetime | None, program_start: date | None) -> tuple[Observance, ...]:
    zone = ZoneInfo(tzname)
    start = start.astimezone(UTC)
    end = start if end is None else end.astimezone(UTC)
    parts = None
    if program_start is not None:
        begin, until = _window(program_start)
        if begin <= start and end < until:
            parts = _for_program(zone, program_start)
    return parts or observances(zone, start, end)


def observances(zone: ZoneInfo, start: datetime, end: datetime) -> tuple[Observance, ...]:
    """Rules that are exact for the meeting: its year's, or the changes around it."""
    year = start.astimezone(zone).year
    if end.astimezone(zone).year == year and (yearly := _yearly(zone, year)) is not None:
        return yearly
    return _around(zone, start)


def _yearly(zone: ZoneInfo, year: int) -> tuple[Observance, ...] | None:
    """The year's own rules: none (a constant offset), or its two changes there and back."""
    changes = _transitions(zone, year)
    if not changes:
        return (_constant(zone, datetime(year, 7, 1, tzinfo=UTC)),)
    if len(changes) == 2 and changes[0][1] == changes[1][2] and changes[0][2] == changes[1][1]:
        return _pair(zone, changes)
    return None


def _window(first: date) -> tuple[datetime, datetime]:
    begin = datetime.combine(first, time(0), UTC) - timedelta(days=1)
    return begin, begin + _RULES_APART


@functools.lru_cache(maxsize=256)
def _for_program(zone: ZoneInfo, first: date) -> tuple[Observance, ...] | None:
    """Rules exact for every instant of the program's window, or None when two yearly
    rules cannot say it (three changes within it)."""
    begin, until = _window(first)
    changes = [t for y in range(begin.year, until.year + 1) for t in _transitions(zone, y) if begin <= t[0] < until]
    offset = begin.astimezone(zone).utcoffset()
    assert offset is not None
    candidates = [
        # The start year's rules (the usual case: EU, US, Sydney), then the window's own.
        _yearly(zone, first.year),
        (_constant(zone, begin),) if not changes else None,
        _pair(zone, (_stand_in(begin, offset), changes[0])) if len(changes) == 1 else None,
        _pair(zone, tuple(changes)) if len(changes) == 2 and changes[0][2] != changes[1][2] else None,
    ]
    return next((c for c in candidates if c is not None and _says(c, changes, zone, begin, until)), None)


def _says(
    parts: tuple[Observance, ...], changes: list[Transition], zone: ZoneInfo, begin: datetime, until: datetime
) -> bool:
    """Whether ``parts`` give exactly the offset changes of [begin, until), and the offset at ``begin``."""
    onsets = sorted(
        (instant, part.offset_to)
        for part in parts
        if part.rule is not None
        for year in range(begin.year - 1, until.year + 1)
        if (instant := _onset(part, year)) < until
    )
    before = [to for instant, to in onsets if instant <= begin]
    current = before[-1] if before else parts[0].offset_to
    if current != begin.astimezone(zone).utcoffset():
        return False
    said = []
    for instant, to in onsets:
        # An onset that keeps the offset (a stand-in's next year) changes nothing.
        if instant > begin and to != current:
            said.append((instant, to))
            current = to
    return said == [(t[0], t[2]) for t in changes if t[0] > begin]


def _onset(part: Observance, year: int) -> datetime:
    """When ``part``'s yearly rule begins in ``year`` (UTC)."""
    assert part.rule is not None
    local = datetime.combine(_occurrence(datetime(year, part.rule[0], 1), part.rule[1]), part.onset.time())
    return (local - part.offset_from).replace(tzinfo=UTC)


def _stand_in(at: datetime, offset: timedelta) -> Transition:
    """A change to the offset already in force, a week before ``at``: where no real
    change comes close enough before, it keeps the offset until the next real one."""
    return (at - timedelta(days=7), offset, offset)


def _around(zone: ZoneInfo, start: datetime) -> tuple[Observance, ...]:
    """The change before ``start`` and the one after it, as two yearly rules."""
    year = start.astimezone(zone).year
    nearby = [t for y in (year - 1, year, year + 1) for t in _transitions(zone, y)]
    after = [t for t in nearby if start < t[0] <= start + _AHEAD]
    if not after:
        return (_constant(zone, start),)
    following = after[0]
    before = [t for t in nearby if t[0] <= start]
    if before and following[0] - before[-1][0] <= _RULES_APART:
        previous = before[-1]
    else:
        offset = start.astimezone(zone).utcoffset()
        assert offset is not None
        previous = _stand_in(start, offset)
    return _pair(zone, (previous, following))


@functools.lru_cache(maxsize=1024)
def _pair(zone: ZoneInfo, changes: tuple[Transition, ...]) -> tuple[Observance, ...]:
    """Cached: a pair's invites of one year share their two changes."""
    # The larger offset is daylight time, whatever tzdata calls it (Europe/Dublin
    # keeps summer time as standard and winter as a negative DST).
    daylight_to = max(t[2] for t in changes)
    made = [_observance(zone, t, t[2] == daylight_to) for t in changes]
    # STANDARD first, as Outlook writes it, whichever comes first in the year.
    return tuple(sorted(made, key=lambda o: o.daylight))


def _observance(zone: ZoneInfo, change: Transition, daylight: bool) -> Observance:
    instant, before, after = change
    local = (instant + before).replace(tzinfo=None)
    rule = (local.month, _byday(zone, local, after > before))
    return Observance(daylight, _in_1970(local, rule[1]), before, after, _name(zone, instant), rule)


def _constant(zone: ZoneInfo, at: datetime) -> Observance:
    offset = at.astimezone(zone).utcoffset()
    assert offset is not None
    return Observance(False, datetime(1970, 1, 1), offset, offset, _name(zone, at), None)


def _name(zone: ZoneInfo, instant: datetime) -> str:
    return instant.astimezone(zone).tzname() or "UTC"


def fixed_offset_name(offset: timedelta) -> str:
    """``UTC+01:00``, ``UTC-02:30``: the TZID of a clock that never changes. No IANA
    name, so a client that knows its own zones reads this VTIMEZONE, not its own rules."""
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{rest:02d}"


def fixed_offset(offset: timedelta) -> Timezone:
    """The VTIMEZONE of ``fixed_offset_name(offset)``: one STANDARD, ``RRULE:FREQ=YEARLY``,
    like a zone without daylight saving time (for a session a clock change touches:
    ``activities.invites.event_times``)."""
    name = fixed_offset_name(offset)
    return _component(name, (Observance(False, datetime(1970, 1, 1), offset, offset, name, None),))


@functools.lru_cache(maxsize=256)
def _component_ical(tzname: str, parts: tuple[Observance, ...]) -> bytes:
    return _component(tzname, parts).to_ical()


@functools.lru_cache(maxsize=256)
def _component(tzname: str, parts: tuple[Observance, ...]) -> Timezone:
    """Cached: every invite of a pair needs the same one, and callers only serialise it."""
    tz = Timezone()
    tz.add("tzid", tzname)
    for part in parts:
        observance = TimezoneDaylight() if part.daylight else TimezoneStandard()
        observance.add("dtstart", part.onset)
        observance.add("tzoffsetfrom", part.offset_from)
        observance.add("tzoffsetto", part.offset_to)
        observance.add("tzname", part.name)
        rule: dict[str, object] = {"freq": "yearly"}
        if part.rule is not None:
            rule |= {"bymonth": part.rule[0], "byday": part.rule[1]}
        observance.add("rrule", rule)
        tz.add_component(observance)
    return tz


@functools.lru_cache(maxsize=1024)
def _transitions(zone: ZoneInfo, year: int) -> tuple[Transition, ...]:
    """Every offset change in the local calendar ``year``.

    Cached: the hour-by-hour scan of a year is half the cost of composing an invite,
    and a cohort's invites share a handful of zones and years (ZoneInfo is hashable and
    cached per key by zoneinfo itself)."""
    found = []
    hour = timedelta(hours=1)
    instant = datetime(year, 1, 1, tzinfo=zone).astimezone(UTC)
    end = datetime(year + 1, 1, 1, tzinfo=zone).astimezone(UTC)
    offset = instant.astimezone(zone).utcoffset()
    while instant < end:
        following = instant + hour
        next_offset = following.astimezone(zone).utcoffset()
        if next_offset != offset:
            assert offset is not None and next_offset is not None
            found.append((_bisect(zone, instant, offset), offset, next_offset))
            offset = next_offset
        instant = following
    return tuple(found)


def _bisect(zone: ZoneInfo, lo: datetime, old: timedelta) -> datetime:
    """The first whole minute after ``lo`` (within the hour) that has a new offset."""
    low, high = 0, 60
    while high - low > 1:
        mid = (low + high) // 2
        if (lo + timedelta(minutes=mid)).astimezone(zone).utcoffset() == old:
            low = mid
        else:
            high = mid
    return lo + timedelta(minutes=high)


def _byday(zone: ZoneInfo, local: datetime, forward: bool) -> str:
    """``-1SU``, ``2SU`` and the like: the day of a change as a weekday of its month.

    A day in the month's 4th week that is also its last fits two rules. Either is
    exact for this year; the one that also fits the zone's neighbouring years is
    chosen, so that invites of the same zone in other years carry the same
    VTIMEZONE (a client that keeps the first one it sees per TZID stays right):
    ``-1SU`` for the EU's last Sunday, ``4FR`` for Israel's Friday before it."""
    weekday = _BYDAY[local.weekday()]
    candidates = []
    if local.day <= 28:
        candidates.append(f"{(local.day - 1) // 7 + 1}{weekday}")
    if local.day > calendar.monthrange(local.year, local.month)[1] - 7:
        candidates.append(f"-1{weekday}")
    if len(candidates) == 1:
        return candidates[0]

    def fits(byday: str) -> int:
        years = (local.year - 2, local.year - 1, local.year + 1, local.year + 2)
        days = [
            (instant + before).replace(tzinfo=None)
            for year in years
            for instant, before, after in _transitions(zone, year)
            if (after > before) == forward
        ]
        return sum(1 for day in days if day.month == local.month and _occurrence(day, byday) == day.date())

    # On a tie, the last weekday: tzdata's most common rule.
    return max(reversed(candidates), key=fits)


def _occurrence(day: datetime, byday: str) -> date:
    """The date ``byday`` names in ``day``'s month."""
    nth, weekday = int(byday[:-2]), _BYDAY.index(byday[-2:])
    matching = [
        d
        for d in range(1, calendar.monthrange(day.year, day.month)[1] + 1)
        if calendar.weekday(day.year, day.month, d) == weekday
    ]
    return date(day.year, day.month, matching[nth - 1 if nth > 0 else -1])


def _in_1970(local: datetime, byday: str) -> datetime:
    """The rule's occurrence in 1970, so DTSTART is itself an occurrence of the RRULE."""
    day = _occurrence(local.replace(year=1970, day=1), byday)
    return datetime.combine(day, local.time())
