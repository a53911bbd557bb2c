"""What the report may know about one pair: facts and counts, nothing a person wrote
to a partner, no names, no addresses.

``PairFacts`` is built by a pure function from what the workflows hold: a running
pair's state (its ``state`` query) or a finished pair's result. The report's figures
(``figures.py``), its table and its timeline are built from these facts alone, so a
field that is not here cannot leak into any of them. The only text is what
participants addressed to the program office in a review.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel

from mentoring.answers import CheckInAnswer, KeepMeeting, PairHealth, ReflectionAnswer, ReviewAnswer, ReviewStage
from mentoring.cohort import Role
from mentoring.messages import MessageKind
from mentoring.replies import PartStat
from mentoring.state import (
    CancelledBy,
    DeliveryStatus,
    MessageRecord,
    PairProgramResult,
    PairState,
    ProgramPhase,
    SessionState,
    SessionStatus,
    current_partstat,
)

PARTICIPANTS = (Role.MENTOR, Role.MENTEE)
# ``OperationResult.operation`` of a participant taking over a role.
REPLACE_OPERATION = "replace_participant"


class Outcome(StrEnum):
    RUNNING = "running"
    COMPLETED = "completed"
    # Ended by the program office (ops.py end or end-cohort), with the closing review.
    ENDED_EARLY = "ended_early"
    # Taken out of the cohort (ops.py withdraw-pair): sessions cancelled, no review.
    WITHDRAWN = "withdrawn"


class SessionKind(StrEnum):
    HELD = "held"
    # Not held: someone said "we didn't meet", or the check-in closed without a "we met".
    MISSED = "missed"
    # Its reflection prompt is out and nobody has answered yet; the check-in is still open.
    AWAITING = "awaiting"
    # Not held, and a participant declined it in their calendar.
    DECLINED = "declined"
    # Its reflection prompt is not out yet.
    UPCOMING = "upcoming"
    CANCELLED = "cancelled"


class SessionFact(BaseModel):
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    kind: SessionKind
    # Its time has come and gone: the reflection prompt is out (``SessionState.past``).
    past: bool = False
    # For a cancelled session: the office, a pause, a re-plan or the end of the program.
    cancelled_by: CancelledBy | None = None


class PauseFact(BaseModel):
    started_at: AwareDatetime
    # None while it lasts.
    ended_at: AwareDatetime | None = None


class ReviewFact(BaseModel):
    """One participant's review, as numbers: the same the response page offers."""

    stage: ReviewStage
    role: Role
    career: int | None = None
    psychosocial: int | None = None
    emotional: int | None = None
    focus_progress: int | None = None
    recommend: int | None = None
    keep_meeting: KeepMeeting | None = None


class OfficeComment(BaseModel):
    """A comment a participant addressed to the program office in a review."""

    stage: ReviewStage
    role: Role
    text: str


class Asked(BaseModel):
    """How often participants were asked something, and how often they answered.
    Each counts (item, role) once: a prompt sent again for a moved session is one."""

    asked: int = 0
    answered: int = 0


class PairFacts(BaseModel):
    pair_id: str
    phase: ProgramPhase
    outcome: Outcome
    # None for pairs that take no answers (started before v1.1.0).
    health: PairHealth | None = None
    # False when only counts were left (a result from before v1.2): no sessions, no answers.
    complete: bool = True
    started_at: AwareDatetime | None = None
    ended_at: AwareDatetime | None = None
    sessions: list[SessionFact] = []
    pauses: list[PauseFact] = []
    # When the review emails went out (``*_done``), else when they are due; an ended
    # pair's reviews that never went out have no time.
    midpoint_at: AwareDatetime | None = None
    midpoint_done: bool = False
    closing_at: AwareDatetime | None = None
    closing_done: bool = False
    # When someone took over a participant's role; the role left vacant meanwhile.
    replaced_at: list[AwareDatetime] = []
    vacant_role: Role | None = None
    check_ins: Asked = Asked()
    reflections: Asked = Asked()
    reviews_asked: dict[ReviewStage, Asked] = {}
    reviews: list[ReviewFact] = []
    comments: list[OfficeComment] = []
    messages_sent: int = 0
    messages_failed: int = 0
    # Counts for a pair whose sessions are not listed (``complete`` False).
    counted_planned: int = 0
    counted_held: int = 0
    counted_not_held: int = 0

    def count(self, kind: SessionKind) -> int:
        return sum(1 for s in self.sessions if s.kind == kind)

    @property
    def sessions_planned(self) -> int:
        """Sessions that happened or will happen: all but the cancelled ones."""
        if not self.complete:
            return self.counted_planned
        return sum(1 for s in self.sessions if s.kind != SessionKind.CANCELLED)

    @property
    def sessions_held(self) -> int:
        return self.count(SessionKind.HELD) if self.complete else self.counted_held


def outcome_of(state: PairState) -> Outcome:
    if state.ended is not None:
        return Outcome.ENDED_EARLY if state.ended.closing_review else Outcome.WITHDRAWN
    return Outcome.COMPLETED if state.closing_done else Outcome.RUNNING


def check_ins_open(state: PairState, finished: bool) -> bool:
    """Whether a session without a "we met" may still get one (as the agenda asks)."""
    if finished or not state.listening or state.ended is not None:
        return False
    return not state.closing_done or state.answers_until is not None


def session_kind(session: SessionState, open_check_ins: bool) -> SessionKind:
    if session.status == SessionStatus.CANCELLED:
        return SessionKind.CANCELLED
    if session.status == SessionStatus.HELD:
        return SessionKind.HELD
    if any(current_partstat(session, role) == PartStat.DECLINED for role in PARTICIPANTS):
        return SessionKind.DECLINED
    if session.status == SessionStatus.MISSED:
        return SessionKind.MISSED
    if session.reflection_done:
        return SessionKind.AWAITING if open_check_ins and not session.check_in_closed else SessionKind.MISSED
    return SessionKind.UPCOMING


def _sent(messages: list[MessageRecord], kind: MessageKind) -> set[tuple[object, Role]]:
    return {
        (m.session_number, m.role)
        for m in messages
        if m.kind == kind and m.status == DeliveryStatus.SENT and m.role in PARTICIPANTS
    }


def _first_sent(messages: list[MessageRecord], kind: MessageKind) -> datetime | None:
    return min((m.recorded_at for m in messages if m.kind == kind and m.status == DeliveryStatus.SENT), default=None)


def _asked(prompted: set[tuple[object, Role]], answered: set[tuple[object, Role]]) -> Asked:
    return Asked(asked=len(prompted), answered=len(prompted & answered))


def _reviews(state: PairState) -> tuple[list[ReviewFact], list[OfficeComment]]:
    latest: dict[tuple[ReviewStage, Role], ReviewAnswer] = {}
    for record in state.answers:
        if isinstance(record.answer, ReviewAnswer):
            latest[(record.answer.stage, record.answer.role)] = record.answer
    reviews, comments = [], []
    for (stage, role), answer in sorted(latest.items()):
        ratings = answer.ratings
        reviews.append(
            ReviewFact(
                stage=stage,
                role=role,
                career=ratings.career,
                psychosocial=ratings.psychosocial,
                emotional=ratings.emotional,
                focus_progress=answer.focus_progress,
                recommend=answer.recommend,
                keep_meeting=answer.keep_meeting,
            )  # fmt: skip
        )
        if answer.comment_to_office and answer.comment_to_office.strip():
            comments.append(OfficeComment(stage=stage, role=role, text=answer.comment_to_office.strip()))
    return reviews, comments


def _answered(state: PairState, kind: type[CheckInAnswer] | type[ReflectionAnswer]) -> set[tuple[object, Role]]:
    return {(r.answer.session, r.answer.role) for r in state.answers if isinstance(r.answer, kind)}


REVIEW_EMAILS = {ReviewStage.MIDPOINT: MessageKind.MIDPOINT_REVIEW, ReviewStage.CLOSING: MessageKind.CLOSING_REVIEW}


def _reviews_asked(state: PairState, reviews: list[ReviewFact]) -> dict[ReviewStage, Asked]:
    answered: set[tuple[object, Role]] = {(r.stage, r.role) for r in reviews}
    asked = {}
    for stage, kind in REVIEW_EMAILS.items():
        prompted: set[tuple[object, Role]] = {(stage, role) for _, role in _sent(state.messages, kind)}
        asked[stage] = _asked(prompted, answered)
    return asked


def from_state(pair_id: str, state: PairState, finished: bool = False) -> PairFacts:
    """``finished``: the pair's workflow has closed, so no check-in is open any more."""
    open_check_ins = check_ins_open(state, finished)
    reviews, comments = _reviews(state)
    prompts = _sent(state.messages, MessageKind.REFLECTION)
    midpoint = _first_sent(state.messages, MessageKind.MIDPOINT_REVIEW)
    closing = _first_sent(state.messages, MessageKind.CLOSING_REVIEW)
    return PairFacts(
        pair_id=pair_id,
        phase=state.phase,
        outcome=outcome_of(state),
        health=state.health if state.listening else None,
        started_at=state.started_at,
        ended_at=state.ended.at if state.ended else None,
        sessions=[
            SessionFact(
                starts_at=s.starts_at,
                ends_at=s.ends_at,
                kind=session_kind(s, open_check_ins),
                past=s.past,
                cancelled_by=s.cancelled_by if s.status == SessionStatus.CANCELLED else None,
            )  # fmt: skip
            for s in sorted(state.sessions, key=lambda s: (s.starts_at, s.number))
        ],
        pauses=[PauseFact(started_at=p.started_at, ended_at=p.resumed_at) for p in state.pauses],
        midpoint_at=midpoint or (state.midpoint_at if state.ended is None else None),
        midpoint_done=midpoint is not None,
        closing_at=closing or (state.closing_at if state.ended is None else None),
        closing_done=closing is not None,
        replaced_at=sorted(
            op.applied_at for op in state.operations.values() if op.operation == REPLACE_OPERATION and op.applied_at
        ),
        vacant_role=state.vacant_role,
        check_ins=_asked(prompts, _answered(state, CheckInAnswer)),
        reflections=_asked(prompts, _answered(state, ReflectionAnswer)),
        reviews_asked=_reviews_asked(state, reviews),
        reviews=reviews,
        comments=comments,
        messages_sent=state.messages_sent,
        messages_failed=state.messages_failed,
    )


def from_result(result: PairProgramResult) -> PairFacts:
    """A finished pair. Its final state gives every fact; a result from before v1.2
    has only counts, and says so (``complete`` False)."""
    if result.final_state is not None:
        state = result.final_state.model_copy(update={"messages": result.messages})
        return from_state(result.pair_id, state, finished=True)
    return PairFacts(
        pair_id=result.pair_id,
        phase=result.phase,
        outcome=Outcome.COMPLETED if result.phase == ProgramPhase.COMPLETED else Outcome.ENDED_EARLY,
        health=result.health,
        complete=False,
        messages_sent=result.messages_sent,
        messages_failed=result.messages_failed,
        counted_planned=result.sessions_planned,
        counted_held=result.sessions_held,
        counted_not_held=result.sessions_not_held,
    )
