"""``mentoring.reporting.facts``: what the report knows of a pair, from its state or
its result, and that no name, address or reflection ever gets into it."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from mentoring.answers import (
    AnswerRecord,
    CheckInAnswer,
    CheckInChoice,
    KeepMeeting,
    PairHealth,
    Ratings,
    ReflectionAnswer,
    ReviewAnswer,
    ReviewStage,
)
from mentoring.cohort import Person, Role
from mentoring.messages import MessageKind
from mentoring.operations import OperationResult
from mentoring.replies import PartStat
from mentoring.reporting.facts import (
    Asked,
    OfficeComment,
    Outcome,
    PairFacts,
    SessionKind,
    from_result,
    from_state,
)
from mentoring.state import (
    CalendarAnswer,
    CancelledBy,
    DeliveryStatus,
    EndRecord,
    MessageRecord,
    PairProgramResult,
    PairState,
    PauseRecord,
    ProgramPhase,
    SessionStatus,
)
from tests.unit.states import START, pair_state
from workflows.listening import start_listening

NOW = START + timedelta(weeks=6)


def sent(state: PairState, kind: MessageKind, role: Role, session: int | None = None) -> None:
    state.messages.append(
        MessageRecord(
            key=f"{kind.value}-{session}-{role.value}-{len(state.messages)}", kind=kind, role=role,
            email=f"{role.value}@example.com", session_number=session, due_at=NOW, recorded_at=NOW,
            status=DeliveryStatus.SENT,
        )
    )  # fmt: skip


def answer(state: PairState, given_answer: CheckInAnswer | ReflectionAnswer | ReviewAnswer) -> None:
    state.answers.append(AnswerRecord(answer=given_answer, recorded_at=NOW, sequence=0))


def review(role: Role, stage: ReviewStage, n: int, **fields: object) -> ReviewAnswer:
    return ReviewAnswer(answer_id=f"review-{role.value}-{stage.value}-{n}", role=role, stage=stage, **fields)


def lived_state() -> PairState:
    """Eight weekly sessions: 1 held, 2 missed, 3 silent and closed, 4 awaiting its
    check-in, 5 declined by the mentee, 6 cancelled by the office, 7–8 to come."""
    state = pair_state(sessions=8, invited=8)
    start_listening(state)
    s = state.sessions
    for session in s[:4]:
        session.reflection_done = True
        for role in (Role.MENTOR, Role.MENTEE):
            sent(state, MessageKind.REFLECTION, role, session.number)
    s[0].status = SessionStatus.HELD
    s[1].status = SessionStatus.MISSED
    s[2].check_in_closed = True
    s[4].calendar.append(CalendarAnswer(role=Role.MENTEE, partstat=PartStat.DECLINED, sequence=0, recorded_at=NOW))
    s[5].status, s[5].cancelled_by = SessionStatus.CANCELLED, CancelledBy.OFFICE
    answer(state, CheckInAnswer(answer_id="checkin-1-mentor", role=Role.MENTOR, session=1, choice=CheckInChoice.MET))
    answer(
        state, CheckInAnswer(answer_id="checkin-2-mentee", role=Role.MENTEE, session=2, choice=CheckInChoice.NOT_MET)
    )
    answer(state, ReflectionAnswer(answer_id="reflect-1-mentee", role=Role.MENTEE, session=1, shared=True))
    sent(state, MessageKind.MIDPOINT_REVIEW, Role.MENTOR)
    sent(state, MessageKind.MIDPOINT_REVIEW, Role.MENTEE)
    answer(state, review(Role.MENTOR, ReviewStage.MIDPOINT, 1, ratings=Ratings(career=4), focus_progress=3,
                         comment_to_office="  More time for our sessions, please.  "))  # fmt: skip
    state.midpoint_done = True
    state.pauses.append(PauseRecord(reason="Urlaub", started_at=START + timedelta(days=10), resumed_at=NOW))
    state.operations["r1"] = OperationResult(
        request_id="r1", operation="replace_participant", summary="mentee is now Zoë Ångström", applied_at=NOW
    )
    state.health = PairHealth.QUIET
    return state


def test_a_pairs_sessions_answers_and_events_become_facts():
    facts = from_state("p1", lived_state())
    assert [s.kind for s in facts.sessions] == [
        SessionKind.HELD, SessionKind.MISSED, SessionKind.MISSED, SessionKind.AWAITING,
        SessionKind.DECLINED, SessionKind.CANCELLED, SessionKind.UPCOMING, SessionKind.UPCOMING,
    ]  # fmt: skip
    assert [s.past for s in facts.sessions] == [True] * 4 + [False] * 4
    assert facts.sessions[5].cancelled_by == CancelledBy.OFFICE
    assert (facts.sessions_planned, facts.sessions_held) == (7, 1)
    assert facts.outcome == Outcome.RUNNING and facts.health == PairHealth.QUIET
    assert facts.check_ins == Asked(asked=8, answered=2)
    assert facts.reflections == Asked(asked=8, answered=1)
    assert facts.reviews_asked == {ReviewStage.MIDPOINT: Asked(asked=2, answered=1), ReviewStage.CLOSING: Asked()}
    assert [(r.stage, r.role, r.career, r.focus_progress) for r in facts.reviews] == [
        (ReviewStage.MIDPOINT, Role.MENTOR, 4, 3)
    ]
    assert facts.comments == [
        OfficeComment(stage=ReviewStage.MIDPOINT, role=Role.MENTOR, text="More time for our sessions, please.")
    ]
    assert [(p.started_at, p.ended_at) for p in facts.pauses] == [(START + timedelta(days=10), NOW)]
    assert facts.replaced_at == [NOW]
    # The midpoint review went out; the closing review is still due.
    assert (facts.midpoint_at, facts.midpoint_done) == (NOW, True)
    assert (facts.closing_at, facts.closing_done) == (lived_state().closing_at, False)


def test_once_the_workflow_closed_no_check_in_is_awaited_any_more():
    facts = from_state("p1", lived_state(), finished=True)
    assert facts.sessions[3].kind == SessionKind.MISSED


def test_outcomes():
    state = lived_state()
    assert from_state("p", state).outcome == Outcome.RUNNING
    state.closing_done = True
    assert from_state("p", state).outcome == Outcome.COMPLETED
    state.ended = EndRecord(reason="moved on", at=NOW, closing_review=True)
    assert from_state("p", state).outcome == Outcome.ENDED_EARLY
    state.ended = EndRecord(reason="withdrawn", at=NOW, closing_review=False)
    withdrawn = from_state("p", state)
    assert withdrawn.outcome == Outcome.WITHDRAWN
    # No closing review went out, and none is due any more.
    assert (withdrawn.closing_at, withdrawn.closing_done, withdrawn.ended_at) == (None, False, NOW)


def result_of(state: PairState, final: bool) -> PairProgramResult:
    return PairProgramResult(
        cohort_id="c", pair_id="p1", phase=ProgramPhase.COMPLETED, sessions_planned=7, sessions_held=1,
        messages_sent=state.messages_sent, messages_failed=0, messages=state.messages, health=PairHealth.QUIET,
        sessions_not_held=2, final_state=state.model_copy(update={"messages": []}) if final else None,
    )  # fmt: skip


def test_a_result_gives_the_same_facts_as_the_final_state():
    state = lived_state()
    assert from_result(result_of(state, final=True)) == from_state("p1", state, finished=True)


def test_a_result_from_before_v1_2_gives_counts_and_says_so():
    facts = from_result(result_of(lived_state(), final=False))
    assert facts == PairFacts(
        pair_id="p1", phase=ProgramPhase.COMPLETED, outcome=Outcome.COMPLETED, health=PairHealth.QUIET,
        complete=False, messages_sent=10, counted_planned=7, counted_held=1, counted_not_held=2,
    )  # fmt: skip
    assert (facts.sessions_planned, facts.sessions_held) == (7, 1)


# Each wrapped in letters no field name or value of ours has.
NAMES = st.text(st.characters(codec="utf-8", categories=["L"]), min_size=1, max_size=12).map(lambda t: f"Ŋ{t}ŋ")


@settings(max_examples=25)
@given(mentor=NAMES, mentee=NAMES, local=NAMES)
def test_no_name_address_or_office_reason_reaches_the_facts(mentor, mentee, local):
    state = lived_state()
    state.mentor = Person(name=f"{mentor} Ærø", email=f"{local}@exämple.com", timezone="Europe/Berlin")
    state.mentee = Person(name=f"{mentee} Łódź", email=f"{local}.x@exämple.com", timezone="Asia/Tokyo")
    state.pauses[0].reason = f"{mentor} is away"
    state.ended = EndRecord(reason=f"{mentee} left", at=NOW, closing_review=True)
    answer(state, review(Role.MENTEE, ReviewStage.CLOSING, 2, recommend=9, keep_meeting=KeepMeeting.YES))
    dumped = from_state("p1", state).model_dump_json()
    # A reflection's text never reaches the pair (only whether it was shared), so the
    # facts have nowhere to take it from; names, addresses and the office's reasons are
    # in the state, and stay there.
    for secret in (mentor, mentee, local, "Ærø", "exämple", "Zoë", "is away", "left", "Urlaub"):
        assert secret not in dumped
