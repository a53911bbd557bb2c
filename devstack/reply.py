"""Writes a participant's calendar reply to their invite in var/mail, as their client would.

For playing a participant on ``make run``: the reply their calendar client would mail
to the program office when they click Accept, Tentative or Decline.

    python -m devstack.reply COHORT PAIR SESSION mentor|mentee accepted|tentative|declined
    python -m devstack.reply COHORT PAIR SESSION mentor|mentee tentative --propose "YYYY-MM-DD HH:MM"

It takes the newest invite for the session in ``var/mail`` (the highest SEQUENCE; a
CANCEL means there is nothing to answer) and writes a ``METHOD:REPLY`` with the
participant's answer and a new Message-ID to ``var/reply.eml``: the invite's UID,
SEQUENCE, times and ORGANIZER, and the participant's own ATTENDEE line. With
``--propose`` it is a ``METHOD:COUNTER`` instead, as "Propose new time" in Outlook or
Thunderbird sends: the same session at the given local time on the invite's clock, with
its length. Dropped into
the office's mailbox (``python -m devstack.mailbox --deliver var/reply.eml``), the
intake hands it to the pair.

SESSION is the number in the invite's UID (``…-session-N@reverse-mentoring``): the
session's number in its emails and in ``ops.py show`` as long as no session was added,
moved past another or cancelled.
"""

from __future__ import annotations

import argparse
import email
import email.policy
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid
from pathlib import Path

from icalendar import Calendar, Component, Event, vCalAddress

from mentoring.cohort import Role
from mentoring.ids import pair_workflow_id
from mentoring.replies import PartStat

PRODID = "-//Reverse Mentoring//devstack reply//EN"
MESSAGE_MAX = 1024 * 1024  # anything bigger in var/mail is no invite of ours
# Our invites list the mentor's ATTENDEE first, then the mentee's (activities/invites.py).
ATTENDEE_INDEX = {Role.MENTOR: 0, Role.MENTEE: 1}
SAID = {PartStat.ACCEPTED: "Accepted", PartStat.TENTATIVE: "Tentative", PartStat.DECLINED: "Declined"}


class ReplyError(Exception):
    """Why there is no reply to write: one line for the console."""


@dataclass(frozen=True)
class Invite:
    path: Path
    calendar: Calendar
    event: Component  # the VEVENT

    @property
    def sequence(self) -> int:
        return int(self.event.get("SEQUENCE", 0))

    @property
    def method(self) -> str:
        return str(self.calendar.get("METHOD", "")).upper()


def bare(address: str) -> str:
    """``mailto:a@b`` as ``a@b``."""
    return address[len("mailto:") :] if address.lower().startswith("mailto:") else address


def uid_of(cohort: str, pair: str, session: int) -> str:
    return f"{pair_workflow_id(cohort, pair)}-session-{session}@reverse-mentoring"


def calendars(path: Path) -> list[Calendar]:
    """The iCalendar parts of one mail file; none for anything unreadable."""
    try:
        if path.stat().st_size > MESSAGE_MAX:
            return []
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        found = []
        for part in message.walk():
            payload = part.get_payload(decode=True) if part.get_content_type() == "text/calendar" else None
            if isinstance(payload, bytes):
                found.append(Calendar.from_ical(payload))
        return found
    except (OSError, ValueError):
        return []


def newest_invite(mail_dir: Path, uid: str) -> Invite | None:
    """The latest version of the session's invite: the highest SEQUENCE, the later file
    among equals (files are numbered in order of arrival)."""
    newest: Invite | None = None
    for path in sorted(mail_dir.glob("*.eml")):
        for calendar in calendars(path):
            for event in calendar.walk("VEVENT"):
                if str(event.get("UID", "")) != uid:
                    continue
                invite = Invite(path, calendar, event)
                if newest is None or invite.sequence >= newest.sequence:
                    newest = invite
    return newest


def proposed_times(invite: Invite, local: datetime) -> tuple[datetime, datetime]:
    """``local`` on the invite's clock, for as long as the session lasts."""
    start, end = invite.event.decoded("DTSTART"), invite.event.decoded("DTEND")
    begins = local.replace(tzinfo=start.tzinfo)
    return begins, begins + (end - start)


def reply_calendar(
    invite: Invite, attendee: vCalAddress, partstat: PartStat, now: datetime, propose: datetime | None = None
) -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", "REPLY" if propose is None else "COUNTER")
    for zone in invite.calendar.walk("VTIMEZONE"):
        cal.add_component(zone)
    event = Event()
    for name in ("UID", "SEQUENCE", "DTSTART", "DTEND", "SUMMARY", "ORGANIZER"):
        if name in invite.event:
            event[name] = invite.event[name]
    if propose is not None:
        start, end = proposed_times(invite, propose)
        del event["DTSTART"], event["DTEND"]
        event.add("dtstart", start)
        event.add("dtend", end)
    event.add("dtstamp", now.astimezone(UTC))
    answered = vCalAddress(str(attendee))
    answered.params["CN"] = attendee.params.get("CN", "")
    answered.params["PARTSTAT"] = partstat.value.upper()
    event.add("attendee", answered)
    cal.add_component(event)
    return cal.to_ical()


def reply_mail(
    invite: Invite, role: Role, partstat: PartStat, now: datetime, propose: datetime | None = None
) -> EmailMessage:
    attendees = invite.event.get("ATTENDEE", [])
    attendees = attendees if isinstance(attendees, list) else [attendees]
    index = ATTENDEE_INDEX[role]
    if len(attendees) <= index:
        raise ReplyError(f"the invite in {invite.path} names no {role.value}")
    attendee = attendees[index]
    address = bare(str(attendee))
    name = str(attendee.params.get("CN", ""))
    office = invite.event.get("ORGANIZER", "")
    organizer = formataddr((str(getattr(office, "params", {}).get("CN", "")), bare(str(office))))
    summary = str(invite.event.get("SUMMARY", "Reverse Mentoring"))

    mail = EmailMessage()
    mail["From"] = formataddr((name, address))
    mail["To"] = organizer
    mail["Subject"] = f"{SAID[partstat]}: {summary}" if propose is None else f"New Time Proposed: {summary}"
    mail["Date"] = formatdate(now.timestamp(), usegmt=True)
    mail["Message-ID"] = make_msgid("reply", domain=address.rpartition("@")[2] or None)
    said = "proposed a new time for" if propose is not None else f"{partstat.value} this invitation:"
    mail.set_content(f"{name or address} has {said} {summary}\n")
    ics = reply_calendar(invite, attendee, partstat, now, propose).decode("utf-8")
    mail.add_alternative(ics, subtype="calendar", params={"method": "REPLY" if propose is None else "COUNTER"})
    return mail


def write_reply(args: argparse.Namespace) -> str:
    """Writes the reply; says what it wrote."""
    if not args.mail.is_dir():
        raise ReplyError(f"there is no {args.mail}/ with the invites; start `make run` first")
    uid = uid_of(args.cohort, args.pair, args.session)
    invite = newest_invite(args.mail, uid)
    if invite is None:
        raise ReplyError(
            f"no invite to session {args.session} of pair {args.pair} ({args.cohort}) in {args.mail}/ yet: "
            "invites go out 14 days ahead"
        )
    if invite.method == "CANCEL":
        raise ReplyError(f"session {args.session} of pair {args.pair} was cancelled ({invite.path}): nothing to answer")
    mail = reply_mail(invite, args.role, args.partstat, datetime.now(UTC), args.propose)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(mail.as_bytes(policy=email.policy.SMTP))
    answer = args.partstat.value if args.propose is None else f"a new time, {args.propose:%Y-%m-%d %H:%M}"
    return (
        f"reply: {args.out}: the {args.role.value}'s answer to session {args.session} of {args.pair}, "
        f"{answer} (the invite's SEQUENCE {invite.sequence}, read from {invite.path})"
    )


def local_time(text: str) -> datetime:
    try:
        return datetime.strptime(text, "%Y-%m-%d %H:%M")
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a local time as YYYY-MM-DD HH:MM") from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devstack.reply", description=__doc__.splitlines()[0])
    parser.add_argument("cohort", metavar="COHORT")
    parser.add_argument("pair", metavar="PAIR")
    parser.add_argument("session", metavar="SESSION", type=int, help="the number in the invite's UID")
    parser.add_argument("role", type=Role, choices=[Role.MENTOR, Role.MENTEE], metavar="mentor|mentee")
    parser.add_argument("partstat", type=PartStat, choices=list(PartStat), metavar="accepted|tentative|declined")
    parser.add_argument("--propose", type=local_time, metavar='"YYYY-MM-DD HH:MM"',
                        help="propose a new time (METHOD:COUNTER), on the invite's clock")  # fmt: skip
    parser.add_argument("--mail", type=Path, default=Path("var/mail"), help="the invites (default: var/mail)")
    parser.add_argument("--out", type=Path, default=Path("var/reply.eml"), help="default: var/reply.eml")
    args = parser.parse_args(argv)
    try:
        said = write_reply(args)
    except (ReplyError, OSError) as error:
        print(f"reply: {error}", file=sys.stderr)
        return 1
    print(said, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
