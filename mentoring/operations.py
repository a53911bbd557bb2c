"""Changes to running programs: one request model per operation, one result model.

Every request carries a ``request_id`` chosen by the caller; repeating a request
with the same id changes nothing and returns the first result again.
"""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, Field

from mentoring.cohort import Cadence, Pair, Person, Role, Weekday
from mentoring.inputs import REQUEST_ID_MAX


class Operation(BaseModel):
    request_id: str = Field(min_length=1, max_length=REQUEST_ID_MAX)


class RescheduleSession(Operation):
    session_number: int
    # Wall-clock time in the pair's meeting time zone.
    new_local_start: datetime


class ApproveCounter(Operation):
    """The office takes the new time a participant proposed from their calendar."""

    session_number: int


class RefuseCounter(Operation):
    """The office keeps the session's time; the proposer's calendar hears so (DECLINECOUNTER)."""

    session_number: int


class CancelSession(Operation):
    session_number: int
    reason: str
    replacement_local_start: datetime | None = None


class ChangeRhythm(Operation):
    """For every session not yet held; fields left out keep their current value."""

    weekday: Weekday | None = None
    local_time: time | None = None
    length_minutes: int | None = None
    location: str | None = None
    cadence: Cadence | None = None


class PausePair(Operation):
    reason: str
    # Last day of the pause (inclusive, pair's time zone); None means until resumed.
    until: date | None = None


class ResumePair(Operation):
    pass


class ExtendProgram(Operation):
    weeks: int


class EndProgram(Operation):
    reason: str
    # False when a pair is withdrawn from its cohort: no review, just cancellations.
    closing_review: bool = True


class WithdrawParticipant(Operation):
    role: Role
    reason: str


class ReplaceParticipant(Operation):
    role: Role
    person: Person
    reason: str


class Audience(StrEnum):
    ALL = "all"
    MENTORS = "mentors"
    MENTEES = "mentees"


class Announcement(Operation):
    audience: Audience = Audience.ALL
    subject: str
    body: str


class AddPair(Operation):
    pair: Pair


class WithdrawPair(Operation):
    pair_id: str
    reason: str


class EndCohort(Operation):
    reason: str


class SessionChangeKind(StrEnum):
    MOVED = "moved"
    CANCELLED = "cancelled"
    ADDED = "added"
    UPDATED = "updated"


class SessionChange(BaseModel):
    session_number: int
    change: SessionChangeKind
    local_start: datetime
    previous_local_start: datetime | None = None


class OperationResult(BaseModel):
    request_id: str
    operation: str
    # One line for a person: what changed.
    summary: str
    sessions: list[SessionChange] = []
    # Messages this operation put on the way (invites, cancellations, notices).
    messages_queued: int = 0
    # Set when the program now runs past six months (a pause or an extension can do that).
    program_end: date | None = None
    beyond_six_months: bool = False
    applied_at: AwareDatetime | None = None


class CohortOperationResult(BaseModel):
    request_id: str
    operation: str
    summary: str
    pairs_affected: list[str] = []


class LookupOperation(BaseModel):
    """Asks a workflow whether it has applied a request id already."""

    request_id: str


class PastOperation(BaseModel):
    result: OperationResult | None = None


class PastCohortOperation(BaseModel):
    result: CohortOperationResult | None = None


class ParticipantReplaced(BaseModel):
    """A pair tells its cohort who holds a role now, so the cohort knows who is where."""

    pair_id: str
    role: Role
    person: Person


class FindParticipant(BaseModel):
    email: str
    # The pair being changed: its own people do not count.
    except_pair_id: str | None = None


class ParticipantPlace(BaseModel):
    pair_id: str | None = None
    role: Role | None = None
