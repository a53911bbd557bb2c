"""An evaluation of an ICS file's times from its own text, by RFC 5545 alone.

Independent of icalendar, dateutil and zoneinfo: the VTIMEZONE's observances are
read line by line, their yearly rules expanded here, and a local time turned into
UTC with the offset of the latest observance onset before it. It understands what
an Outlook-style zone may hold: DTSTART, TZOFFSETFROM, TZOFFSETTO and an RRULE of
FREQ=YEARLY with at most one BYMONTH and one BYDAY (``2SU``, ``-1SU``).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True)
class Observance:
    kind: str
    start: datetime  # local, naive
    offset_from: timedelta
    offset_to: timedelta
    rrule: dict[str, str]

    def onsets(self, year: int) -> list[datetime]:
        """UTC instants at which this observance begins in ``year``."""
        if self.rrule.get("FREQ") != "YEARLY":
            raise AssertionError(f"{self.kind} has no yearly RRULE: {self.rrule}")
        if year < self.start.year:
            return []
        month = int(self.rrule.get("BYMONTH", self.start.month))
        if "BYDAY" in self.rrule:
            day = _nth_weekday(year, month, self.rrule["BYDAY"])
        else:
            day = date(year, month, self.start.day)
        local = datetime.combine(day, self.start.time())
        return [(local - self.offset_from).replace(tzinfo=UTC)] if local >= self.start else []


def _nth_weekday(year: int, month: int, byday: str) -> date:
    nth, weekday = int(byday[:-2]), _WEEKDAYS.index(byday[-2:])
    days = [d for d in range(1, calendar.monthrange(year, month)[1] + 1) if calendar.weekday(year, month, d) == weekday]
    return date(year, month, days[nth - 1] if nth > 0 else days[nth])


def _offset(text: str) -> timedelta:
    sign = -1 if text[0] == "-" else 1
    hours, minutes = int(text[1:3]), int(text[3:5])
    seconds = int(text[5:7]) if len(text) > 5 else 0
    return sign * timedelta(hours=hours, minutes=minutes, seconds=seconds)


def unfolded(ics: bytes) -> list[str]:
    return ics.decode("utf-8").replace("\r\n ", "").split("\r\n")


def zones(ics: bytes) -> dict[str, list[Observance]]:
    """TZID -> its observances, read from the text."""
    found: dict[str, list[Observance]] = {}
    tzid, current = None, None
    for line in unfolded(ics):
        name, _, value = line.partition(":")
        if line == "BEGIN:VTIMEZONE":
            tzid = None
        elif name == "TZID" and current is None:
            tzid = value
            found[tzid] = []
        elif line in ("BEGIN:STANDARD", "BEGIN:DAYLIGHT"):
            current = {"kind": value}
        elif line in ("END:STANDARD", "END:DAYLIGHT"):
            assert tzid is not None and current is not None
            found[tzid].append(
                Observance(
                    kind=current["kind"],
                    start=datetime.strptime(current["DTSTART"], "%Y%m%dT%H%M%S"),
                    offset_from=_offset(current["TZOFFSETFROM"]),
                    offset_to=_offset(current["TZOFFSETTO"]),
                    rrule=dict(part.split("=", 1) for part in current["RRULE"].split(";"))
                    if "RRULE" in current
                    else {},
                )
            )
            current = None
        elif current is not None:
            current[name] = value
    return found


def offset_at(observances: list[Observance], instant: datetime) -> timedelta:
    """The offset in force at ``instant`` (UTC): that of the latest onset before it."""
    onsets = [
        (onset, o.offset_to)
        for o in observances
        for year in range(instant.year - 1, instant.year + 2)
        for onset in o.onsets(year)
        if onset <= instant
    ]
    if not onsets:
        return min(observances, key=lambda o: o.start).offset_from
    return max(onsets)[1]


def to_utc(observances: list[Observance], local: datetime) -> list[datetime]:
    """Every UTC instant whose local time in the zone is ``local``: one, or two in a fold, or none in a gap."""
    candidates = {o.offset_to for o in observances} | {o.offset_from for o in observances}
    found = set()
    for offset in candidates:
        instant = (local - offset).replace(tzinfo=UTC)
        if offset_at(observances, instant) == offset:
            found.add(instant)
    return sorted(found)


def property_value(ics: bytes, prop: str) -> tuple[str | None, str]:
    """(TZID or None, value) of the first ``prop`` line of the VEVENT."""
    in_event = False
    for line in unfolded(ics):
        in_event = in_event or line == "BEGIN:VEVENT"
        if in_event and line.startswith((prop + ":", prop + ";")):
            head, value = _split_content_line(line)
            params = dict(p.split("=", 1) for p in head.split(";")[1:])
            tzid = params.get("TZID")
            # A quoted parameter value (RFC 5545 3.2), as a TZID with a colon needs.
            return (tzid[1:-1] if tzid and tzid.startswith('"') else tzid), value
    raise AssertionError(f"no {prop} in the event")


def _split_content_line(line: str) -> tuple[str, str]:
    """Name and parameters, and the value: split at the first colon outside quotes."""
    quoted = False
    for i, char in enumerate(line):
        if char == '"':
            quoted = not quoted
        elif char == ":" and not quoted:
            return line[:i], line[i + 1 :]
    raise AssertionError(f"no value in {line!r}")


def event_instant(ics: bytes, prop: str) -> datetime:
    """DTSTART or DTEND as a UTC instant, by the file's own VTIMEZONE; refuses a gap or fold time."""
    tzid, value = property_value(ics, prop)
    if value.endswith("Z"):
        assert tzid is None, f"{prop} is UTC but names TZID {tzid}"
        return datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    assert tzid is not None, f"{prop} {value} is floating"
    instants = to_utc(zones(ics)[tzid], datetime.strptime(value, "%Y%m%dT%H%M%S"))
    assert len(instants) == 1, f"{prop} {value} in {tzid} means {len(instants)} instants: {instants}"
    return instants[0]
