"""What the four-parser ``check-outbox`` tool checks, in process and offline:
every invite read by icalendar through zoneinfo, by icalendar through the file's own
VTIMEZONE (TZID renamed), and by this suite's independent rule evaluation
(tests/vtimezone_rules.py) must give one instant; the VTIMEZONE has Outlook's shape;
SEQUENCE grows with every version; a pair's first invites keep one wall-clock time
per TZID (no daylight-saving drift); and the email around it names that instant on the
recipient's own clock."""

from __future__ import annotations

import collections
import email
import email.policy
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

from icalendar import Calendar

from tests import vtimezone_rules as rules

# "at 03:30 (Europe/Berlin)", "um 02:30 Uhr CEST (Europe/Berlin)"
_SUBJECT_TIME = re.compile(r" (?:at|um) (\d\d:\d\d)(?: Uhr)?(?: [A-Z]{3,5})? \(([A-Za-z_/+\-0-9]+)\)$")


@dataclass
class Invite:
    file: str
    recipient: str
    uid: str
    sequence: int
    method: str
    starts: datetime
    tzid: str | None
    local: datetime | None  # DTSTART as written, when it carries a TZID
    attendees: tuple[str, ...] = ()


@dataclass
class Outbox:
    messages: list[tuple[str, EmailMessage]]
    invites: list[Invite] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def read(folder: Path) -> Outbox:
    messages = [
        (path.name, email.message_from_bytes(path.read_bytes(), policy=email.policy.default))
        for path in sorted(folder.glob("*.eml"))
    ]
    box = Outbox(messages)
    for name, message in messages:
        for part in message.walk():
            if part.get_content_type() == "text/calendar":
                _check_calendar(box, name, message, part.get_payload(decode=True), part.get_param("method"))
    _check_versions(box)
    _check_wall_clock(box)
    return box


def _check_calendar(box: Outbox, name: str, message: EmailMessage, ics: bytes, ctype_method: str | None) -> None:
    cal = Calendar.from_ical(ics)
    method = str(cal["METHOD"])
    if ctype_method != method:
        box.problems.append(f"{name}: Content-Type method={ctype_method} but METHOD:{method}")
    for tzid, observances in rules.zones(ics).items():
        kinds = sorted(o.kind for o in observances)
        if kinds not in (["STANDARD"], ["DAYLIGHT", "STANDARD"]) or any(
            o.rrule.get("FREQ") != "YEARLY" for o in observances
        ):
            box.problems.append(f"{name}: VTIMEZONE {tzid} is {kinds} with rules {[o.rrule for o in observances]}")
    (event,) = cal.walk("VEVENT")
    start = event["DTSTART"]
    tzid = start.params.get("TZID")
    by_zoneinfo = start.dt.astimezone(UTC)
    renamed = ics.decode()
    if tzid:
        marker = f"X-Renamed-{uuid.uuid4().hex}"
        for written in (tzid, f'"{tzid}"'):
            renamed = renamed.replace(f"TZID={written}:", f"TZID={marker}:")
        renamed = renamed.replace(f"TZID:{tzid}\r", f"TZID:{marker}\r")
    by_vtimezone = Calendar.from_ical(renamed).walk("VEVENT")[0].decoded("DTSTART").astimezone(UTC)
    try:
        by_rules = rules.event_instant(ics, "DTSTART")
        rules.event_instant(ics, "DTEND")
    except AssertionError as error:
        box.problems.append(f"{name}: {error}")
        return
    if not by_zoneinfo == by_vtimezone == by_rules:
        box.problems.append(f"{name}: zoneinfo {by_zoneinfo}, VTIMEZONE {by_vtimezone}, rules {by_rules} differ")
    box.invites.append(
        Invite(
            file=name,
            recipient=message["To"].addresses[0].addr_spec,
            uid=str(event["UID"]),
            sequence=int(event["SEQUENCE"]),
            method=method,
            starts=by_rules,
            tzid=tzid,
            local=start.dt.replace(tzinfo=None) if tzid else None,
            attendees=tuple(sorted(str(a).lower() for a in _listed(event.get("ATTENDEE")))),
        )
    )


def _listed(value: object) -> list[object]:
    return value if isinstance(value, list) else [value] if value else []


def _check_versions(box: Outbox) -> None:
    by_version = collections.defaultdict(set)
    for invite in box.invites:
        by_version[(invite.uid, invite.sequence)].add((invite.starts, invite.method))
    for (uid, sequence), versions in by_version.items():
        if len(versions) > 1:
            box.problems.append(f"{uid}: SEQUENCE {sequence} carries {len(versions)} versions")


def _check_wall_clock(box: Outbox) -> None:
    """As ``check-outbox``: the first version of each session a pair is invited to starts
    at one wall-clock time per TZID (UTC ones count as one more TZID), across clock changes."""
    first: dict[str, Invite] = {}
    for invite in box.invites:
        if invite.uid not in first or invite.sequence < first[invite.uid].sequence:
            first[invite.uid] = invite
    times = collections.defaultdict(set)
    for invite in first.values():
        if invite.sequence == 0 and invite.method == "REQUEST":
            written = invite.local or invite.starts.replace(tzinfo=None)
            times[(invite.attendees, invite.tzid)].add(written.time())
    for (attendees, tzid), seen in times.items():
        if len(seen) > 1:
            box.problems.append(f"{attendees}: first invites start at {sorted(map(str, seen))} in {tzid}")


def subject_time(message: EmailMessage) -> tuple[str, str] | None:
    """(HH:MM, zone) that a subject names, if any."""
    found = _SUBJECT_TIME.search(str(message["Subject"]))
    return (found[1], found[2]) if found else None


def shown_on(instant: datetime, zone: str) -> str:
    return f"{instant.astimezone(ZoneInfo(zone)):%H:%M}"
