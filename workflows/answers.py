"""What participants' answers do to a pair: pure functions over ``PairState``.

A check-in marks a session held or missed; a reflection and a review are kept as
their ratings. The workflow calls these from the ``record_answer`` update and signal,
and ``health`` afterwards. Nothing here sees the text of a reflection.
"""

from __future__ import annotations

from datetime import datetime

from mentoring.answers import (
    AnswerRecord,
    AnswerView,
    AnswerViewRequest,
    CheckInAnswer,
    CheckInChoice,
    ReflectionAnswer,
    ReviewAnswer,
    ReviewStage,
    SessionView,
)
from mentoring.cohort import Program, Role
from mentoring.replies import PartStat
from mentoring.state import PairState, SessionState, SessionStatus, current_partstat
from workflows.agenda import active_sessions, position

Answer = CheckInAnswer | ReflectionAnswer | ReviewAnswer


def first_name(name: str) -> str:
    return name.split()[0] if name.split() else name


def find(state: PairState, answer_id: str) -> AnswerRecord | None:
    return next((r for r in state.answers if r.answer.answer_id == answer_id), None)


def session_of(state: PairState, number: int) -> SessionState | None:
    return next((s for s in state.sessions if s.number == number), None)


def _same_item(record: AnswerRecord, kind: str, role: Role, session: int, stage: ReviewStage | None) -> bool:
    answer = record.answer
    if answer.kind != kind or answer.role != role:
        return False
    if isinstance(answer, ReviewAnswer):
        return answer.stage == stage
    return answer.session == session


def earlier_answer(
    state: PairState, kind: str, role: Role, session: int = 0, stage: ReviewStage | None = None
) -> AnswerRecord | None:
    """This participant's answer to this item, if any. A check-in counts only for the
    session's current time: after "we need a new date", the new date is checked in anew."""
    for record in reversed(state.answers):
        if not _same_item(record, kind, role, session, stage):
            continue
        if isinstance(record.answer, CheckInAnswer):
            found = session_of(state, session)
            if found is not None and record.sequence != found.sequence:
                continue
        return record
    return None


def record(state: PairState, answer: Answer, now: datetime) -> str:
    """Keeps the answer and says in a few words what it did."""
    session = session_of(state, answer.session) if not isinstance(answer, ReviewAnswer) else None
    kept = AnswerRecord(answer=answer, recorded_at=now, sequence=session.sequence if session else None)
    state.answers.append(kept)
    if isinstance(answer, ReviewAnswer):
        return f"{answer.stage.value} review from the {answer.role.value}"
    assert session is not None
    number = position(state, session)
    if isinstance(answer, ReflectionAnswer):
        return f"reflection on session {number} from the {answer.role.value}"
    if answer.choice == CheckInChoice.MET:
        session.status = SessionStatus.HELD
    elif answer.choice == CheckInChoice.NOT_MET and session.status != SessionStatus.HELD:
        session.status = SessionStatus.MISSED
    session.check_ins_disagree = _disagree(state, session)
    return f"check-in for session {number} from the {answer.role.value}: {answer.choice.value.replace('_', ' ')}"


def _disagree(state: PairState, session: SessionState) -> bool:
    choices = {
        r.answer.role: r.answer.choice
        for r in state.answers
        if isinstance(r.answer, CheckInAnswer) and r.answer.session == session.number and r.sequence == session.sequence
    }
    return set(choices.values()) == {CheckInChoice.MET, CheckInChoice.NOT_MET}


def unanswered(state: PairState, session: SessionState, roles: list[Role]) -> list[Role]:
    """Who has not checked in on this session's current time."""
    return [role for role in roles if earlier_answer(state, "check_in", role, session.number) is None]


def review_open(state: PairState, stage: ReviewStage, now: datetime) -> bool:
    """Sent, or due and on its way: one participant's slow mail server does not hold up
    the other's answer."""
    if stage == ReviewStage.MIDPOINT:
        return state.midpoint_done or (state.midpoint_at is not None and state.midpoint_at <= now)
    return state.closing_done or (state.closing_at is not None and state.closing_at <= now)


def view(state: PairState, program: Program, request: AnswerViewRequest, now: datetime) -> AnswerView:
    """What the response page shows for one link, and whether it takes an answer."""
    assert state.mentor is not None and state.mentee is not None and state.pattern is not None
    me, partner = (state.mentor, state.mentee) if request.role == Role.MENTOR else (state.mentee, state.mentor)
    session = session_of(state, request.session) if request.item != "review" else None
    answered = earlier_answer(state, request.item, request.role, request.session, request.stage)
    closed = _closed_because(state, request, session, answered, now)
    active = active_sessions(state)
    pattern = state.pattern
    return AnswerView(
        open=closed is None,
        closed_because=closed,
        language=program.language,
        first_name=first_name(me.name),
        partner_first_name=first_name(partner.name),
        email=me.email,
        partner_email=partner.email,
        partner_role=Role.MENTEE if request.role == Role.MENTOR else Role.MENTOR,
        own_timezone=me.timezone,
        focus=program.focus,
        session=_session_view(state, session, len(active), now) if session else None,
        answered=answered,
        cadence=pattern.cadence.value,
        weekday=pattern.weekday.value,
        local_time=pattern.local_time.strftime("%H:%M"),
        length_minutes=pattern.length_minutes,
        rhythm_anchor=state.rhythm_anchor.isoformat() if state.rhythm_anchor else None,
        program_end=state.program_end.isoformat() if state.program_end else None,
        taken_days=sorted({s.local_start.date().isoformat() for s in active}),
        pair_timezone=pattern.timezone,
    )


def _session_view(state: PairState, session: SessionState, total: int, now: datetime) -> SessionView:
    return SessionView(
        number=position(state, session),
        total=total,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        local_start=session.local_start,
        timezone=session.timezone,
        cancelled=session.status == SessionStatus.CANCELLED,
        past=session.starts_at <= now,
    )


def _closed_because(
    state: PairState,
    request: AnswerViewRequest,
    session: SessionState | None,
    answered: AnswerRecord | None,
    now: datetime,
) -> str | None:
    if answered is not None:
        return "answered"
    if request.item == "review":
        return None if request.stage and review_open(state, request.stage, now) else "unknown"
    if session is None:
        return "unknown"
    if session.status == SessionStatus.CANCELLED:
        return "cancelled"
    if request.item == "check_in" and (state.ended is not None or state.closing_done and state.answers_until is None):
        return "ended"
    if request.item == "check_in" and state.paused is not None:
        return "paused"
    # A participant who declined the session in their calendar may choose a new date now.
    if session.starts_at > now and current_partstat(session, request.role) != PartStat.DECLINED:
        return "not_yet"
    return None
