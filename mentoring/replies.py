"""Calendar replies (iTIP REPLY and COUNTER, RFC 5546/6047) that participants' calendar
clients mail to the program office, as the intake hands them to a pair workflow."""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel

from mentoring.cohort import Role

# The pair workflow's update that records a reply (workflows/pair.py).
RECORD_CALENDAR_REPLY = "record_calendar_reply"

_UID = re.compile(
    r"(?P<workflow_id>pair:[a-z0-9_-]{1,40}:[a-z0-9_-]{1,40})-session-(?P<number>[1-9][0-9]{0,3})@reverse-mentoring"
)


class ReplyMethod(StrEnum):
    REPLY = "REPLY"
    COUNTER = "COUNTER"


class PartStat(StrEnum):
    ACCEPTED = "accepted"
    TENTATIVE = "tentative"
    DECLINED = "declined"


class CalendarReply(BaseModel):
    message_id: str
    method: ReplyMethod
    workflow_id: str
    # ``SessionState.number``, the stable one in the UID.
    session: int
    sequence: int = 0
    # The ATTENDEE address as written (without mailto:).
    attendee: str
    partstat: PartStat | None = None
    # COUNTER: the time the attendee proposes.
    proposed_start: AwareDatetime | None = None
    proposed_end: AwareDatetime | None = None
    dtstamp: AwareDatetime | None = None


class ReplyRequest(BaseModel):
    reply: CalendarReply


class ReplyReceipt(BaseModel):
    message_id: str
    # False when this Message-ID was recorded before, or the reply is about nothing we have.
    recorded: bool
    summary: str


class HoldReason(StrEnum):
    """Why a proposed time waits for the program office although the cohort approves,
    by itself, the times both participants can attend, or why nobody can approve it as it
    stands (``UNAPPROVABLE``; both in ``workflows.attendance``)."""

    OUTSIDE_PROGRAM = "outside_program"
    CLASH = "clash"
    TOO_SOON = "too_soon"
    NOT_A_WORKDAY = "not_a_workday"
    OUTSIDE_WORKING_HOURS = "outside_working_hours"
    # The office moved or cancelled the session, or it began, while the proposal was read.
    SESSION_CHANGED = "session_changed"


class CounterHold(BaseModel):
    """One rule a proposed time breaks, with what the office's email says about it."""

    reason: HoldReason
    # NOT_A_WORKDAY, OUTSIDE_WORKING_HOURS: whose day it is, and the session on their clock.
    role: Role | None = None
    timezone: str | None = None
    local_start: datetime | None = None
    local_end: datetime | None = None
    # CLASH: the other session, numbered as ``ops.py show`` numbers it.
    session: int | None = None
    # OUTSIDE_PROGRAM: the program's first day and the day it ends (exclusive).
    program_start: date | None = None
    program_end: date | None = None


# A time that breaks one of these cannot be approved as it stands, by the pair or the
# office (in every cohort); the others are only the rule of ``proposed_times.auto_approve``.
UNAPPROVABLE = frozenset({HoldReason.SESSION_CHANGED, HoldReason.OUTSIDE_PROGRAM, HoldReason.CLASH})


def unapprovable(holds: list[CounterHold]) -> list[CounterHold]:
    """The holds that keep anyone from approving the time as it stands."""
    return [hold for hold in holds if hold.reason in UNAPPROVABLE]


def parse_uid(uid: str) -> tuple[str, int] | None:
    """The pair workflow id and session number of one of our UIDs, or None."""
    match = _UID.fullmatch(uid.strip())
    if match is None:
        return None
    return match["workflow_id"], int(match["number"])
