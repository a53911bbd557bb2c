"""One mail from the office mailbox, read as a calendar reply (iTIP over iMIP, RFC
5546/6047) or set aside with the reason why. Pure: bytes in, a value out.

What calendar clients really send, and what is taken:

- the calendar part anywhere in the MIME tree (inline ``text/calendar`` in a
  multipart/alternative, an ``application/ics`` or ``invite.ics`` attachment, or the
  whole message), in any transfer encoding; never inside an attached message
  (a bounce or a forward carries someone else's calendar);
- the method in METHOD, or only in the Content-Type's ``method`` parameter;
- the VEVENT whose UID is one of ours, among others; RECURRENCE-ID plays no part;
- exactly one ATTENDEE, the one replying (its PARTSTAT in any case), whatever the
  From header says (delegates, aliases, Apple's wrong account); ORGANIZER may be
  missing (Outlook.com);
- SEQUENCE, 0 when missing;
- for COUNTER, the proposed DTSTART and DTEND (or DURATION) with a TZID (a VTIMEZONE
  or a zone icalendar knows, Windows names included) or in UTC; a floating time
  names no instant and is refused.

Work is bounded: a message over 2 MB or a calendar part over 256 KB is refused before
it is parsed, so is a MIME header over 4 KB or more than 64 KB of header text read
(the stdlib's header parser is slow on long ones), only the first MIME parts and
calendar parts are looked at, and any exception on the way means a malformed calendar. A reason never quotes the mail,
so it may be logged and counted: no address or name ever appears in one.
"""

from __future__ import annotations

import hashlib
import warnings
from datetime import UTC, date, datetime, timedelta
from email.message import Message
from email.parser import BytesParser
from email.policy import EmailPolicy
from typing import Any
from urllib.parse import unquote

from icalendar import Calendar, Component
from icalendar.error import GloballyUniqueTZIDGuessed

from mentoring import addresses
from mentoring.replies import CalendarReply, PartStat, ReplyMethod, parse_uid
from mentoring_service.intake.reasons import (  # noqa: F401 (the reasons are read as parse.X too)
    AUTOMATIC_REPLY,
    CALENDAR_TOO_BIG,
    DELIVERY_REPORT,
    ENDS_BEFORE_START,
    FLOATING,
    HEADER_TOO_LONG,
    MALFORMED,
    METHODS_DIFFER,
    NO_ATTENDEE,
    NO_CALENDAR,
    NO_EVENT,
    NO_METHOD,
    NO_PROPOSED_TIME,
    NOT_AN_ADDRESS,
    SEVERAL_ATTENDEES,
    SEVERAL_SESSIONS,
    TOO_BIG,
    TOO_COMPLEX,
    UNKNOWN_UID,
    WHOLE_DAY,
    Ignored,
    no_answer,
    not_a_reply,
    reasons,
)

# Older Lightning and Evolution write TZIDs like "/mozilla.org/20071231_1/Europe/Berlin";
# icalendar takes the zone at the end, which is right, and warns with the TZID in the
# text. Whatever a mail says stays out of the service's output.
warnings.filterwarnings("ignore", category=GloballyUniqueTZIDGuessed)

MESSAGE_MAX = 2 * 1024 * 1024
CALENDAR_MAX = 256 * 1024
# A reply has a handful of parts; a message with thousands is no reply, and a bound
# keeps the walk short whatever arrives.
PARTS_MAX = 200
CALENDAR_PARTS_MAX = 4
# The stdlib's header parser (policy.default) takes quadratic time on long structured
# headers (a 64 KB Content-Type: seconds), and the parser reads every part's
# Content-Type. So one header may be 4 KB, and all header text read from one mail 64 KB,
# many times what any client writes.
HEADER_MAX = 4 * 1024
HEADERS_READ_MAX = 64 * 1024
MESSAGE_ID_MAX = 998  # the longest header line RFC 5322 allows
ADDRESS_MAX = 320

# The file types and names a calendar part goes by.
_CALENDAR_TYPES = frozenset({"text/calendar", "application/ics", "text/x-vcalendar", "application/x-ics"})


# iTIP's methods (RFC 5546), the only ones a reason names; anything else is "unknown".
def read_reply(raw: bytes) -> CalendarReply | Ignored:
    """The calendar reply in one mail (RFC 5322 bytes as fetched), or why there is none."""
    if len(raw) > MESSAGE_MAX:
        return Ignored(TOO_BIG)
    try:
        return _read(raw)
    except _OverBudget as over:
        return Ignored(over.reason)
    except Exception:  # whatever the mail holds, the intake goes on: its reason says enough
        return Ignored(MALFORMED)


class _OverBudget(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _BoundedPolicy(EmailPolicy):
    """``policy.default`` that counts the header text it parses, for one mail."""

    _read: list[int]

    @classmethod
    def for_one_mail(cls) -> _BoundedPolicy:
        policy = cls()
        # A policy refuses attributes set after it is made; the counter goes in anyway.
        object.__setattr__(policy, "_read", [0])
        return policy

    def header_fetch_parse(self, name: str, value: str) -> Any:
        if len(value) > HEADER_MAX:
            raise _OverBudget(HEADER_TOO_LONG)
        self._read[0] += len(value)
        if self._read[0] > HEADERS_READ_MAX:
            raise _OverBudget(TOO_COMPLEX)
        return super().header_fetch_parse(name, value)


def _read(raw: bytes) -> CalendarReply | Ignored:
    message = BytesParser(policy=_BoundedPolicy.for_one_mail()).parsebytes(raw)
    # A bounce (RFC 3464) quotes our own invite; it is never anyone's answer.
    if message.get_content_type() == "multipart/report":
        return Ignored(DELIVERY_REPORT)
    parts = _calendar_parts(message)
    if not parts:
        return Ignored(AUTOMATIC_REPLY if _automatic(message) else NO_CALENDAR)
    message_id = _message_id(message, raw)
    # Google and Thunderbird send the calendar twice (inline and as invite.ics): the
    # first that reads as a reply counts; if none does, the first one's reason.
    first: Ignored | None = None
    for part in parts[:CALENDAR_PARTS_MAX]:
        try:
            result = _read_part(part, message_id)
        except _OverBudget:
            raise
        except Exception:  # this part is broken; the next may still be a good copy
            result = Ignored(MALFORMED)
        if isinstance(result, CalendarReply):
            return result
        first = first or result
    assert first is not None
    return first


def _calendar_parts(message: Message) -> list[Message]:
    """The calendar parts in the order a reader meets them, not inside attached messages."""
    found: list[Message] = []
    stack: list[Message] = [message]
    seen = 0
    while stack and seen < PARTS_MAX:
        part = stack.pop()
        seen += 1
        if part.get_content_maintype() == "message":
            continue
        if part.is_multipart():
            children = part.get_payload()
            if isinstance(children, list):
                stack.extend(child for child in reversed(children) if isinstance(child, Message))
        elif _is_calendar(part):
            found.append(part)
    return found


def _is_calendar(part: Message) -> bool:
    if part.get_content_type() in _CALENDAR_TYPES:
        return True
    name = part.get_filename() or part.get_param("name")
    return isinstance(name, str) and name.strip().lower().endswith(".ics")


def _automatic(message: Message) -> bool:
    """An out-of-office or other autoresponder (RFC 3834, and the headers older ones use)."""
    submitted = str(message.get("Auto-Submitted", "no")).strip().lower()
    precedence = str(message.get("Precedence", "")).strip().lower()
    return not submitted.startswith("no") or "X-Autoreply" in message or precedence == "auto_reply"


def _message_id(message: Message, raw: bytes) -> str:
    """The Message-ID as sent, or for a mail without a usable one a digest of its bytes:
    the same mail fetched twice has the same id either way."""
    try:
        text = str(message.get("Message-ID", "")).strip()
    except Exception:  # a header the parser cannot read counts as missing
        text = ""
    if text and len(text) <= MESSAGE_ID_MAX and text.isprintable():
        return text
    return f"<{hashlib.sha256(raw).hexdigest()}@no-message-id.invalid>"


def _read_part(part: Message, message_id: str) -> CalendarReply | Ignored:
    data = part.get_payload(decode=True)
    if not isinstance(data, bytes):
        return Ignored(MALFORMED)
    if len(data) > CALENDAR_MAX:
        return Ignored(CALENDAR_TOO_BIG)
    calendar = Calendar.from_ical(_text(data, part.get_content_charset("utf-8")))
    if not isinstance(calendar, Calendar) or calendar.name != "VCALENDAR":
        return Ignored(MALFORMED)
    method = _method(part, calendar)
    if isinstance(method, Ignored):
        return method
    event = _our_event(calendar)
    if isinstance(event, Ignored):
        return event
    return _reply(event, method, message_id)


def _text(data: bytes, charset: str) -> str:
    try:
        text = data.decode(charset, errors="replace")
    except LookupError:  # a charset Python does not know: calendars are UTF-8 (RFC 5545)
        text = data.decode("utf-8", errors="replace")
    return text.removeprefix("\ufeff")


def _method(part: Message, calendar: Calendar) -> ReplyMethod | Ignored:
    """METHOD, or the Content-Type's ``method`` (Thunderbird); they must agree when both are there."""
    parameter = part.get_param("method")
    in_type = parameter.strip().upper() if isinstance(parameter, str) else ""
    in_calendar = str(calendar.get("METHOD", "")).strip().upper()
    if in_type and in_calendar and in_type != in_calendar:
        return Ignored(METHODS_DIFFER)
    method = in_calendar or in_type
    if not method:
        return Ignored(NO_METHOD)
    if method not in (ReplyMethod.REPLY, ReplyMethod.COUNTER):
        return Ignored(not_a_reply(method))
    return ReplyMethod(method)


def _our_event(calendar: Calendar) -> Component | Ignored:
    """The one session this calendar answers for: the VEVENTs with our UID (the first
    without RECURRENCE-ID if there are several of it), others passed over."""
    events = [c for c in calendar.subcomponents if c.name == "VEVENT"]
    if not events:
        return Ignored(NO_EVENT)
    ours = [(event, found) for event in events if (found := parse_uid(str(event.get("UID", ""))))]
    if not ours:
        return Ignored(UNKNOWN_UID)
    if len({found for _, found in ours}) > 1:
        return Ignored(SEVERAL_SESSIONS)
    return next((event for event, _ in ours if "RECURRENCE-ID" not in event), ours[0][0])


def _reply(event: Component, method: ReplyMethod, message_id: str) -> CalendarReply | Ignored:
    found = parse_uid(str(event["UID"]))
    assert found is not None
    attendees = _as_list(event.get("ATTENDEE"))
    if not attendees:
        return Ignored(NO_ATTENDEE)
    if len(attendees) > 1:
        return Ignored(SEVERAL_ATTENDEES)
    attendee = attendees[0]
    address = _address(attendee)
    if address is None:
        return Ignored(NOT_AN_ADDRESS)
    said = _param(attendee, "PARTSTAT")
    partstat = PartStat(said.lower()) if said in ("ACCEPTED", "TENTATIVE", "DECLINED") else None
    if method is ReplyMethod.REPLY and partstat is None:
        return Ignored(no_answer(said))
    proposed: tuple[datetime, datetime] | tuple[None, None] = (None, None)
    if method is ReplyMethod.COUNTER:
        times = _proposed(event)
        if isinstance(times, Ignored):
            return times
        proposed = times
    return CalendarReply(
        message_id=message_id,
        method=method,
        workflow_id=found[0],
        session=found[1],
        sequence=_sequence(event),
        attendee=address,
        partstat=partstat,
        proposed_start=proposed[0],
        proposed_end=proposed[1],
        dtstamp=_dtstamp(event),
    )


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _param(prop: Any, name: str) -> str | None:
    value = getattr(prop, "params", {}).get(name)
    return value.strip().upper() if isinstance(value, str) and value.strip() else None


def _address(attendee: Any) -> str | None:
    """The ATTENDEE's mail address: its ``mailto:`` URI, or the EMAIL parameter (RFC 7986)
    that iCloud adds when the URI is something else (``urn:uuid:...``)."""
    value = str(attendee).strip()
    if value[:7].lower() == "mailto:":
        address = unquote(value[7:]).strip()
    else:
        email = getattr(attendee, "params", {}).get("EMAIL")
        address = email.strip() if isinstance(email, str) else ""
    local, at, domain = address.rpartition("@")
    if not (local and at and domain) or len(address) > ADDRESS_MAX or not address.isprintable() or " " in address:
        return None
    if "xn--" in domain.lower():
        # The cohort file stores a domain in its Unicode form; the pair compares addresses
        # case-insensitively, so an ATTENDEE written as xn--… gets that form too.
        try:
            return addresses.normalized(address)
        except addresses.AddressError:
            return address
    return address


def _sequence(event: Component) -> int:
    value = event.get("SEQUENCE")
    if value is None:
        return 0
    if not isinstance(value, int) or value < 0:
        raise ValueError("SEQUENCE is no count")
    return int(value)


def _dtstamp(event: Component) -> datetime | None:
    when = getattr(event.get("DTSTAMP"), "dt", None)
    if isinstance(when, datetime) and when.utcoffset() is not None:
        return when.astimezone(UTC)
    return None


def _proposed(event: Component) -> tuple[datetime, datetime] | Ignored:
    start_prop, end_prop, duration = event.get("DTSTART"), event.get("DTEND"), event.get("DURATION")
    if start_prop is None or (end_prop is None and duration is None):
        return Ignored(NO_PROPOSED_TIME)
    start = _instant(start_prop)
    if isinstance(start, Ignored):
        return start
    if end_prop is not None:
        end = _instant(end_prop)
        if isinstance(end, Ignored):
            return end
    else:
        length = getattr(duration, "dt", None)
        if not isinstance(length, timedelta):
            return Ignored(MALFORMED)
        end = start + length
    if end <= start:
        return Ignored(ENDS_BEFORE_START)
    return start, end


def _instant(prop: Any) -> datetime | Ignored:
    when = getattr(prop, "dt", None)
    if isinstance(when, datetime):
        if when.utcoffset() is None:
            return Ignored(FLOATING)  # or a TZID nobody knows, which icalendar leaves floating
        return when.astimezone(UTC)
    if isinstance(when, date):
        return Ignored(WHOLE_DAY)
    return Ignored(MALFORMED)
