"""Workflow inputs, state and results. A pair's whole state is one model, which is
what continue-as-new carries and what the state query returns."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, Field
from pydantic.dataclasses import dataclass

from mentoring.answers import AnswerRecord, PairHealth
from mentoring.cohort import Pair, Person, Program, Role, SessionPattern
from mentoring.messages import MessageKind, Recipient
from mentoring.operations import OperationResult
from mentoring.plan import SessionPlan
from mentoring.replies import CounterHold, PartStat


class ProgramPhase(StrEnum):
    KICKOFF = "kickoff"
    SESSIONS = "sessions"
    MIDPOINT = "midpoint"
    CLOSING = "closing"
    PAUSED = "paused"
    COMPLETED = "completed"
    ENDED = "ended"


class SessionStatus(StrEnum):
    PLANNED = "planned"
    INVITED = "invited"
    HELD = "held"
    # A participant said "we didn't meet", and nobody said "we met".
    MISSED = "missed"
    CANCELLED = "cancelled"


class CancelledBy(StrEnum):
    """Why a session is off the plan: a re-plan keeps the office's own decisions."""

    OFFICE = "office"  # cancel-session: that day stays free whatever is re-planned
    PAUSE = "pause"  # a pause or a withdrawal; resuming plans the time again
    PLAN = "plan"  # a re-plan had no slot left for it
    END = "end"  # the program ended


# The records a pair keeps many of (its sessions, their calendar replies, its message
# log) are slotted pydantic dataclasses, not models: every cached pair holds them, and a
# BaseModel adds a ``__dict__`` and a set of the fields set to each (about 1.5 KB a record,
# 3 KB when read from JSON). Pydantic validates and serializes them as it did the models:
# the same JSON, field for field (tests/unit/test_record_wire_format.py).


@dataclass(slots=True, kw_only=True)
class CalendarAnswer:
    """A participant's calendar reply to one version (SEQUENCE) of a session's invite:
    the latest per participant and version is kept (``workflows.replies``)."""

    role: Role
    partstat: PartStat
    sequence: int
    recorded_at: AwareDatetime


class CounterStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"
    # The cohort approves times both participants can attend (``proposed_times``).
    AUTO_APPROVED = "auto_approved"
    # About an earlier time of the session, a past or cancelled one: kept, nothing to decide.
    SETTLED = "settled"


class CounterProposal(BaseModel):
    """A "propose new time" (iTIP COUNTER) from a participant's calendar, for the office."""

    message_id: str
    # Counts the pair's proposals from 1 and names their emails' events; never reused,
    # though superseded proposals are dropped. 0 in states from before it was kept.
    number: int = 0
    session_number: int
    role: Role
    sequence: int
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    recorded_at: AwareDatetime
    status: CounterStatus = CounterStatus.PENDING
    # Why it needs no decision, or why it cannot be approved as it is.
    remark: str | None = None
    # With ``proposed_times.auto_approve``: the rules it broke, so the office decides.
    holds: list[CounterHold] = []


@dataclass(slots=True, kw_only=True)
class SessionState:
    number: int
    uid: str
    sequence: int = 0
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    local_start: datetime
    timezone: str
    location: str
    status: SessionStatus = SessionStatus.PLANNED
    # The SEQUENCE both calendars last received; None until the first invite.
    invited_sequence: int | None = None
    # Addresses whose calendars hold this session, so a newcomer's first invite is not an "update".
    invited_to: list[str] = Field(default_factory=list)
    # When the program office last changed it: a changed session is re-sent at once.
    updated_at: AwareDatetime | None = None
    # When an operation added it: its first invite goes out no earlier.
    added_at: AwareDatetime | None = None
    cancel_reason: str | None = None
    cancelled_by: CancelledBy | None = None
    # Its number (see ``workflows.agenda.position``) when it was cancelled, which the
    # cancellation's email and ``ops.py show`` keep using.
    cancelled_as: int | None = None
    # The office chose this time (reschedule, replacement): re-planning keeps it.
    pinned: bool = False
    # The rhythm's day this session was planned for before the office moved it; a
    # re-plan puts no regular session there again.
    moved_from: date | None = None
    cancel_sent: bool = False
    reminder_done: bool = False
    reflection_done: bool = False
    # Check-ins (pairs that listen, see ``PairState.listening``): the reminder to those
    # who have not answered, and the day the check-in closes and health looks at it.
    check_in_reminder_done: bool = False
    check_in_closed: bool = False
    # One participant said "we met" and the other "we didn't meet".
    check_ins_disagree: bool = False
    # Accepted, tentative or declined in their calendars (iTIP REPLY): the latest per
    # participant and version, in the order they came.
    calendar: list[CalendarAnswer] = Field(default_factory=list)

    @property
    def past(self) -> bool:
        """Its time has come and gone (its reflection prompt is out), held or not."""
        return self.status != SessionStatus.CANCELLED and (
            self.reflection_done or self.status in (SessionStatus.HELD, SessionStatus.MISSED)
        )


def current_partstat(session: SessionState, role: Role) -> PartStat | None:
    """The participant's calendar reply to the session as it is now (its latest version).
    Here, beside the session, so that the workflows and the report read it alike."""
    for answer in reversed(session.calendar):
        if answer.role == role and answer.sequence >= session.sequence:
            return answer.partstat
    return None


class CounterNotice(BaseModel):
    """The program office was emailed about a participant's proposed time for a session
    (to decide, or that the cohort approved it by itself): what bounds how often."""

    session_number: int
    role: Role
    at: AwareDatetime


class DeliveryStatus(StrEnum):
    SENT = "sent"
    FAILED = "failed"
    EXPIRED = "expired"


@dataclass(slots=True, kw_only=True)
class MessageRecord:
    key: str
    kind: MessageKind
    role: Role
    email: str
    session_number: int | None = None
    due_at: AwareDatetime
    # Workflow time when the outcome was known.
    recorded_at: AwareDatetime
    status: DeliveryStatus
    message_id: str | None = None
    smtp_code: int | None = None
    detail: str = ""


class OutgoingMessage(BaseModel):
    """A one-off message an operation put on the way (notices, a leaver's cancellations)."""

    event: str
    kind: MessageKind
    recipient: Recipient
    due_at: AwareDatetime
    session_number: int | None = None
    # The session's SEQUENCE for a cancellation sent to someone who left the pair.
    sequence: int | None = None
    note: str | None = None
    paused_until: date | None = None
    announcement_subject: str | None = None
    announcement_body: str | None = None
    # The pair as it was when queued, so a leaver's cancellation names the leaver.
    mentor: Person | None = None
    mentee: Person | None = None
    # COUNTER_PROPOSED: the time a participant proposed.
    counter_start: AwareDatetime | None = None
    counter_end: AwareDatetime | None = None
    # COUNTER_PROPOSED: why it was not approved by itself; COUNTER_AUTO_APPROVED: the
    # session's start before it moved.
    counter_holds: list[CounterHold] = []
    moved_from: AwareDatetime | None = None


class PauseRecord(BaseModel):
    reason: str
    started_at: AwareDatetime
    # Last paused day in the pair's zone, or None for "until resumed".
    until: date | None = None
    resume_at: AwareDatetime | None = None
    resumed_at: AwareDatetime | None = None


class EndRecord(BaseModel):
    reason: str
    at: AwareDatetime
    closing_review: bool


class PairState(BaseModel):
    phase: ProgramPhase = ProgramPhase.KICKOFF
    started_at: AwareDatetime | None = None
    sessions: list[SessionState] = []
    midpoint_at: AwareDatetime | None = None
    closing_at: AwareDatetime | None = None
    program_end: date | None = None
    # Six months after the start: a pause or an extension may take the program past it.
    six_month_end: date | None = None
    # Who the pair is now and how it meets now; operations change these.
    mentor: Person | None = None
    mentee: Person | None = None
    pattern: SessionPattern | None = None
    # First day of the current rhythm; an extension continues its cadence.
    rhythm_anchor: date | None = None
    vacant_role: Role | None = None
    pauses: list[PauseRecord] = []
    ended: EndRecord | None = None
    outbox: list[OutgoingMessage] = []
    # request_id -> result, so a repeated operation changes nothing.
    operations: dict[str, OperationResult] = {}
    welcome_done: bool = False
    midpoint_done: bool = False
    sessions_held_at_midpoint: int = 0
    closing_done: bool = False
    messages: list[MessageRecord] = []
    # Addresses the program office was already told about, so it hears once per address.
    reported_addresses: list[str] = []
    # The pair hears back from its participants (check-ins, reflections, reviews). False
    # for histories from before v1.1.0, which replay as they ran.
    listening: bool = False
    answers: list[AnswerRecord] = []
    health: PairHealth = PairHealth.HEALTHY
    last_nudge_at: AwareDatetime | None = None
    # After the closing review: the pair takes answers until then.
    answers_until: AwareDatetime | None = None
    # Message-IDs of the latest calendar replies recorded, so a reply handed on twice
    # counts once (a window: the intake's ledger keeps each Message-ID for good).
    replies_seen: list[str] = []
    counters: list[CounterProposal] = []
    # The last ``CounterProposal.number`` given.
    counters_numbered: int = 0
    # The office's emails about proposed times within the last day (``workflows.replies``).
    counter_notices: list[CounterNotice] = []
    # The reasons of at-risk alerts about sessions declined in a calendar: each once.
    declines_alerted: list[str] = []
    # Counters for the outbox events of nudges and alerts.
    nudges_sent: int = 0
    alerts_sent: int = 0

    @property
    def paused(self) -> PauseRecord | None:
        if self.pauses and self.pauses[-1].resumed_at is None:
            return self.pauses[-1]
        return None

    @property
    def beyond_six_months(self) -> bool:
        # A pair that was ended runs no longer than the day it ended.
        return self.ended is None and bool(
            self.program_end and self.six_month_end and self.program_end > self.six_month_end
        )

    @property
    def sessions_held(self) -> int:
        return sum(1 for s in self.sessions if s.status == SessionStatus.HELD)

    @property
    def sessions_past(self) -> int:
        """Sessions whose time has come and gone (their reflection prompt is out), held or not."""
        return sum(1 for s in self.sessions if s.past)

    @property
    def messages_sent(self) -> int:
        return sum(1 for m in self.messages if m.status == DeliveryStatus.SENT)

    @property
    def messages_failed(self) -> int:
        return sum(1 for m in self.messages if m.status == DeliveryStatus.FAILED)


class PairProgramInput(BaseModel):
    program: Program
    pair: Pair
    # Set when a cohort workflow started the pair; progress is reported there.
    cohort_workflow_id: str | None = None
    # Present only when continuing as new.
    state: PairState | None = None
    # The plan, when whoever started the pair made it (the cohort's ``start_pairs``
    # activity does): the pair then begins without a planning activity of its own.
    plan: SessionPlan | None = None
    # The starter knows that pairs take answers (``start_pairs`` does): the pair listens
    # from its first task without asking ``workflow.patched``, whose marker and
    # TemporalChangeVersion upsert are two more events and a visibility write per start.
    listening: bool = False


class PairProgress(BaseModel):
    pair_id: str
    phase: ProgramPhase
    sessions_held: int
    sessions_planned: int
    messages_sent: int
    messages_failed: int
    next_event_at: AwareDatetime | None = None
    # The pair workflow has closed: every message of the program is out.
    finished: bool = False
    # None for pairs that do not hear back from participants (started before v1.1.0).
    health: PairHealth | None = None
    # The next session's calendar replies, mentor/mentee ("acc/dec"), if any.
    next_calendars: str | None = None


class PairProgramResult(BaseModel):
    cohort_id: str
    pair_id: str
    phase: ProgramPhase
    sessions_planned: int
    sessions_held: int
    messages_sent: int
    messages_failed: int
    messages: list[MessageRecord]
    # Pairs that take answers (None otherwise): health at the end and why, the sessions
    # whose time passed without a "we met", and how often the pair and the office heard.
    health: PairHealth | None = None
    health_reason: str = ""
    sessions_not_held: int = 0
    nudges_sent: int = 0
    alerts_sent: int = 0
    # The pair's state as it finished, without its messages (they are above), so that
    # the report of a finished cohort reads the same facts a query gave while it ran
    # (``mentoring.reporting.facts``). None from pairs that finished before v1.2.
    final_state: PairState | None = None
