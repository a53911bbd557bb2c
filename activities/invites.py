"""The iCalendar file for one session: REQUEST to invite or update, CANCEL to remove."""

from __future__ import annotations

import functools

import calendar as _calendar
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard, vCalAddress
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from mentoring.messages import DeliveryRequest, MessageKind, SessionRef

PRODID = "-//Reverse Mentoring//Temporal Service//EN"

_METHOD_STATUS = {
    MessageKind.INVITE: ("REQUEST", "CONFIRMED"),
    MessageKind.INVITE_CANCEL: ("CANCEL", "CANCELLED"),
}

_BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")

# Calendar text is plain text in every client, so no autoescaping here.
_templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    undefined=StrictUndefined,
    autoescape=False,
    trim_blocks=True,
    lstrip_blocks=True,
    auto_reload=False,
)

# Line breaks other than CR/LF, and other controls: icalendar escapes only CR and LF,
# and a client that splits on e.g. U+2028 must never see a new property.
_OTHER_BREAKS = re.compile("[\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]")


def build_calendar(request: DeliveryRequest) -> bytes:
    """One VEVENT for ``request.session``, with the VTIMEZONE its TZID needs."""
    if request.kind not in _METHOD_STATUS:
        raise ValueError(f"no calendar for message kind {request.kind.value!r}")
    if request.session is None:
        raise ValueError(f"{request.kind.value} for {request.key!r} has no session")
    method, status = _METHOD_STATUS[request.kind]
    session = request.session
    office = request.program.program_office

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", method)

    event = Event()
    event.add("uid", session.uid)
    event.add("sequence", session.sequence)
    # The workflow's clock, not the wall clock: a skipped-time preview must show program time.
    event.add("dtstamp", request.composed_at.astimezone(UTC))
    start, end = session_wall_clock(session)
    # Naive wall time plus TZID keeps the meeting at its local time across DST.
    event.add("dtstart", start, parameters={"TZID": session.timezone})
    event.add("dtend", end, parameters={"TZID": session.timezone})
    event.add("status", status)
    summary, description = _texts(request)
    event.add("summary", _text(summary))
    event.add("location", _text(session.location))
    event.add("description", _text(description))
    event.add("organizer", _address(office.name, office.email))
    for person in (request.mentor, request.mentee):
        event.add("attendee", _attendee(person.name, person.email))
    # icalendar writes the UTC zone as a "Z" time, which needs no VTIMEZONE; the zone
    # goes first so that a reader knows it before it meets the TZID.
    if ";TZID=" in event.content_line("dtstart", event["dtstart"]):
        cal.add_component(vtimezone(session.timezone, start.year))
    cal.add_component(event)
    return cal.to_ical()


@functools.lru_cache(maxsize=256)
def vtimezone(tzname: str, year: int) -> Timezone:
    """One STANDARD and one DAYLIGHT with a yearly rule, the only shape Outlook reads right.

    The rule is derived from zoneinfo's transitions in ``year``; the observances
    start in 1970 so that every date a client might ask about is covered. Cached:
    every invite of a pair needs the same one, and callers only serialise it.
    """
    zone = ZoneInfo(tzname)
    tz = Timezone()
    tz.add("tzid", tzname)
    transitions = _transitions(zone, year)
    if not transitions:
        instant = datetime(year, 7, 1, tzinfo=UTC)
        offset = zone.utcoffset(instant.astimezone(zone).replace(tzinfo=None))
        standard = TimezoneStandard()
        standard.add("dtstart", datetime(1970, 1, 1))
        standard.add("tzoffsetfrom", offset)
        standard.add("tzoffsetto", offset)
        standard.add("tzname", instant.astimezone(zone).tzname())
        tz.add_component(standard)
        return tz
    if len(transitions) != 2 or transitions[0][1] == transitions[1][1]:
        raise ValueError(
            f"time zone {tzname!r} changes its offset {len(transitions)} times in {year}; "
            "Outlook can only read one standard and one daylight rule"
        )
    # Order the file STANDARD first, as Outlook writes it, whichever comes first in the year.
    ordered = sorted(transitions, key=lambda t: t[2] > t[1])
    for instant, before, after in ordered:
        observance = TimezoneDaylight() if after > before else TimezoneStandard()
        local = (instant + before).replace(tzinfo=None)
        observance.add("dtstart", _in_1970(local))
        observance.add("tzoffsetfrom", before)
        observance.add("tzoffsetto", after)
        observance.add("tzname", instant.astimezone(zone).tzname())
        observance.add(
            "rrule", {"freq": "yearly", "bymonth": local.month, "byday": _byday(local)}
        )
        tz.add_component(observance)
    return tz


def session_wall_clock(session: SessionRef) -> tuple[datetime, datetime]:
    """Naive start and end as the clock in ``session.timezone`` shows them.

    The end keeps the planned length even across a DST change inside the meeting.
    """
    start = session.local_start
    if start.tzinfo is not None:
        start = start.astimezone(ZoneInfo(session.timezone)).replace(tzinfo=None)
    return start, start + (session.ends_at - session.starts_at)


def _texts(request: DeliveryRequest) -> tuple[str, str]:
    template = _templates.get_template(f"{request.program.language.value}/calendar.txt.j2")
    context = template.new_context(
        {
            "program": request.program,
            "session": request.session,
            "total": request.total_sessions or len(request.sessions),
            "mentor": request.mentor,
            "mentee": request.mentee,
            "cancelled": request.kind is MessageKind.INVITE_CANCEL,
        }
    )
    summary = "".join(template.blocks["summary"](context)).strip()
    description = "".join(template.blocks["description"](context)).strip()
    return summary, description


def _text(value: str) -> str:
    return _CONTROLS.sub("", _OTHER_BREAKS.sub("\n", value))


def _address(name: str, email: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    # icalendar quotes the CN and encodes line breaks in it (RFC 6868).
    address.params["CN"] = _text(name)
    return address


def _attendee(name: str, email: str) -> vCalAddress:
    address = _address(name, email)
    address.params["CUTYPE"] = "INDIVIDUAL"
    address.params["ROLE"] = "REQ-PARTICIPANT"
    address.params["PARTSTAT"] = "NEEDS-ACTION"
    address.params["RSVP"] = "TRUE"
    return address


@functools.lru_cache(maxsize=256)
def _transitions(zone: ZoneInfo, year: int) -> tuple[tuple[datetime, timedelta, timedelta], ...]:
    """(first UTC instant of the new offset, offset before, offset after) for each change.

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


def _byday(local: datetime) -> str:
    """``-1SU`` when the day falls in the month's last week, else ``2SU`` and the like."""
    weekday = _BYDAY[local.weekday()]
    days_in_month = _calendar.monthrange(local.year, local.month)[1]
    if local.day > days_in_month - 7:
        return f"-1{weekday}"
    return f"{(local.day - 1) // 7 + 1}{weekday}"


def _in_1970(local: datetime) -> datetime:
    """The same rule's occurrence in 1970, so DTSTART is itself an occurrence of the RRULE."""
    rule = _byday(local)
    nth, weekday = int(rule[:-2]), _BYDAY.index(rule[-2:])
    days = [
        day
        for day in range(1, _calendar.monthrange(1970, local.month)[1] + 1)
        if _calendar.weekday(1970, local.month, day) == weekday
    ]
    return datetime(1970, local.month, days[nth - 1 if nth > 0 else -1], local.hour, local.minute)
