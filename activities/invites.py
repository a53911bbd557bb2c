"""The iCalendar file for one session: REQUEST to invite or update, CANCEL to remove."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vCalAddress
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from activities.vtimezone import fixed_offset, fixed_offset_name, vtimezone_ical
from activities.wall_clock import WallClock, resolve, shows_twice
from mentoring.messages import DeliveryRequest, MessageKind, SessionRef

PRODID = "-//Reverse Mentoring//Temporal Service//EN"

_METHOD_STATUS = {
    MessageKind.INVITE: ("REQUEST", "CONFIRMED"),
    MessageKind.INVITE_CANCEL: ("CANCEL", "CANCELLED"),
}

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
    """One VEVENT for ``request.session``, with the VTIMEZONE its TZID needs.

    Written as icalendar writes the whole ``Calendar`` (tests/test_invites.py compares
    them), from parts: the calendar's own lines and the VTIMEZONE are written once and
    kept, the event each time."""
    if request.kind is MessageKind.COUNTER_DECLINED:
        return build_decline_counter(request)
    if request.kind not in _METHOD_STATUS:
        raise ValueError(f"no calendar for message kind {request.kind.value!r}")
    if request.session is None:
        raise ValueError(f"{request.kind.value} for {request.key!r} has no session")
    when = event_times(request.session)  # once: the event and its VTIMEZONE both need it
    event = invite_event(request, when)
    timezone = b""
    # icalendar writes the UTC zone as a "Z" time, which needs no VTIMEZONE; the zone
    # goes first so that a reader knows it before it meets the TZID.
    if when.offset:
        timezone = _fixed_offset_ical(when.offset)
    elif ";TZID=" in event.content_line("dtstart", event["dtstart"]):
        timezone = vtimezone_ical(*invite_zone(request, when))
    return _calendar_head(_METHOD_STATUS[request.kind][0]) + timezone + event.to_ical() + _CALENDAR_END


def invite_event(request: DeliveryRequest, when: EventTimes | None = None) -> Event:
    """The VEVENT of an invite or a cancellation; ``when`` is ``event_times`` of its session."""
    if request.session is None:
        raise ValueError(f"{request.kind.value} for {request.key!r} has no session")
    status = _METHOD_STATUS[request.kind][1]
    session = request.session
    office = request.program.program_office
    event = Event()
    event.add("uid", session.uid)
    event.add("sequence", session.sequence)
    # The workflow's clock, not the wall clock: a skipped-time preview must show program time.
    event.add("dtstamp", request.composed_at.astimezone(UTC))
    when = when or event_times(session)
    # Naive wall time plus TZID keeps the meeting at its local time across DST.
    zone = {"TZID": when.tzid} if when.tzid else {}
    event.add("dtstart", when.dtstart, parameters=zone)
    event.add("dtend", when.dtend, parameters=zone)
    event.add("status", status)
    summary, description = _texts(request)
    event.add("summary", _text(summary))
    event.add("location", _text(session.location))
    event.add("description", _text(description))
    event.add("organizer", _address(office.name, office.email))
    for person in (request.mentor, request.mentee):
        assert person is not None  # an invite is about a pair, which names both (``message_rules``)
        event.add("attendee", _attendee(person.name, person.email))
    return event


def invite_zone(request: DeliveryRequest, when: EventTimes | None = None) -> tuple[str, datetime, datetime, date]:
    """What the invite's VTIMEZONE is for (``vtimezone``'s arguments)."""
    assert request.session is not None
    when = when or event_times(request.session)
    return request.session.timezone, when.starts, when.ends, request.program.start_date


def build_decline_counter(request: DeliveryRequest) -> bytes:
    """RFC 5546 DECLINECOUNTER: the organizer keeps the session as it is; the proposer's
    calendar drops the time they proposed."""
    session = request.session
    if session is None:
        raise ValueError(f"{request.kind.value} for {request.key!r} has no session")
    office = request.program.program_office
    event = Event()
    event.add("uid", session.uid)
    event.add("sequence", session.sequence)
    event.add("dtstamp", request.composed_at.astimezone(UTC))
    event.add("organizer", _address(office.name, office.email))
    event.add("attendee", _address(request.recipient.name, request.recipient.email))
    event.add("comment", _text("The session keeps its time."))
    return _calendar_head("DECLINECOUNTER") + event.to_ical() + _CALENDAR_END


_CALENDAR_END = b"END:VCALENDAR\r\n"


@functools.lru_cache(maxsize=64)
def _fixed_offset_ical(offset: timedelta) -> bytes:
    """The VTIMEZONE of a clock with one fixed UTC offset (see ``event_times``)."""
    return bytes(fixed_offset(offset).to_ical())


@functools.lru_cache(maxsize=8)
def _calendar_head(method: str) -> bytes:
    """A calendar's lines before its components, as icalendar writes them."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", method)
    return cal.to_ical().removesuffix(_CALENDAR_END)


@dataclass(frozen=True)
class EventTimes:
    planned: WallClock  # the start as planned, and what the rule made of it
    starts: datetime  # UTC instants
    ends: datetime
    # Naive wall-clock times on the clock that ``tzid`` names, or UTC ones (no ``tzid``).
    dtstart: datetime
    dtend: datetime
    tzid: str | None
    # Set when a clock change touches the session: the one UTC offset of ``tzid``.
    offset: timedelta | None = None


def event_times(session: SessionRef) -> EventTimes:
    """DTSTART and DTEND: naive wall-clock times in ``session.timezone``, or, for a
    session a clock change touches, on a clock with one fixed UTC offset.

    Such a session is one asked for a time that happens twice that night (parsers
    disagree which of the two a local time in the zone means: ical.js takes the second,
    the others the first) or a time that does not exist (which starts later by the gap,
    the rule of ``activities.wall_clock``), or one whose end happens twice. It keeps
    the time asked for, on the offset that rule gives it: the first one in a fold, the
    one before the change in a gap (02:30 at UTC+01:00 in Berlin's gap is 03:30 CEST).
    Every parser reads one offset alike, every client shows the real start, and the
    pair's sessions all keep one wall-clock time, so no calendar check mistakes the
    clock change for drift. An offset of zero is written in UTC (``Z``): vobject reads
    a VTIMEZONE of offset zero as no zone at all. The end is the start plus the planned
    length in real time, so a meeting across a clock change keeps its length."""
    start = resolve(session.local_start, session.timezone)
    end = start.instant + (session.ends_at - session.starts_at)
    end_wall = end.astimezone(ZoneInfo(session.timezone))
    if start.change is not None or shows_twice(end_wall):
        offset = start.asked - start.instant.replace(tzinfo=None)
        if not offset:
            return EventTimes(start, start.instant, end, start.instant, end, None, offset)
        dtend = (end + offset).replace(tzinfo=None)
        return EventTimes(start, start.instant, end, start.asked, dtend, fixed_offset_name(offset), offset)
    return EventTimes(start, start.instant, end, start.actual, end_wall.replace(tzinfo=None), session.timezone)


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
