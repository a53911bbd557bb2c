"""What each participant's calendar holds after all the invites they received:
REQUEST and CANCEL applied in arrival order, a lower SEQUENCE never overriding a higher one
(a DECLINECOUNTER changes no event)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from icalendar import Calendar

from tests.smtp_server import Received


@dataclass
class CalendarEntry:
    uid: str
    sequence: int
    starts_at: datetime
    status: str
    method: str


def calendar_parts(received: Received) -> list[tuple[str, Calendar]]:
    parts = []
    for part in received.message.walk():
        if part.get_content_type() == "text/calendar":
            parts.append((part.get_param("method"), Calendar.from_ical(part.get_content())))
    return parts


def calendar_of(messages: list[Received]) -> dict[str, CalendarEntry]:
    entries: dict[str, CalendarEntry] = {}
    for received in messages:
        for method, calendar in calendar_parts(received):
            assert calendar["METHOD"] == method
            if method == "DECLINECOUNTER":
                # Only tells the attendee their proposal was refused; the event stays as it is.
                continue
            event = calendar.walk("VEVENT")[0]
            uid, sequence = str(event["UID"]), int(event["SEQUENCE"])
            current = entries.get(uid)
            if current is not None and current.sequence > sequence:
                continue
            entries[uid] = CalendarEntry(
                uid=uid,
                sequence=sequence,
                starts_at=event.decoded("DTSTART"),
                status=str(event["STATUS"]),
                method=method,
            )
    return entries


def live_sessions(messages: list[Received]) -> dict[str, tuple[datetime, int]]:
    """uid -> (start, SEQUENCE) of every event the calendar shows as confirmed."""
    return {
        uid: (entry.starts_at, entry.sequence)
        for uid, entry in calendar_of(messages).items()
        if entry.method == "REQUEST" and entry.status == "CONFIRMED"
    }
