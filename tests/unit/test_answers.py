"""``workflows.answers``, ``answer_checks`` and the check-in items of the agenda."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from temporalio.exceptions import ApplicationError

from mentoring.answers import (
    CHECK_IN_CLOSES_AFTER,
    CHECK_IN_REMINDER_AFTER,
    AnswerViewRequest,
    CheckInAnswer,
    CheckInChoice,
    KeepMeeting,
    Ratings,
    ReflectionAnswer,
    ReviewAnswer,
    ReviewStage,
)
from mentoring.cohort import Role
from mentoring.state import PairState, SessionStatus
from tests import factories
from tests.unit.states import START, pair_state, slot
from workflows.agenda import Action, due_items
from workflows.answer_checks import ALREADY_ANSWERED, ANSWER_REFUSED, check_answer
from workflows.answers import earlier_answer, record, unanswered, view
from workflows.changes import reschedule
from workflows.listening import start_listening

PROGRAM = factories.program(START.date())
AFTER_THIRD = START + timedelta(weeks=2, hours=3)  # the third session is over


def listening_state(past: int = 3) -> PairState:
    """A pair that takes answers, whose first ``past`` sessions have had their prompt."""
    state = pair_state()
    start_listening(state)
    for session in state.sessions[:past]:
        session.reflection_done = True
        session.status = SessionStatus.INVITED
    return state


def check_in(session: int, choice: CheckInChoice, role: Role = Role.MENTEE, **extra: object) -> CheckInAnswer:
    return CheckInAnswer(
        answer_id=f"a-{session}-{role.value}-{choice.value}", role=role, session=session, choice=choice, **extra
    )  # type: ignore[arg-type]


def refused(state: PairState, answer: object, now: datetime = AFTER_THIRD) -> ApplicationError:
    with pytest.raises(ApplicationError) as caught:
        check_answer(state, answer, PROGRAM.start_date, now)  # type: ignore[arg-type]
    return caught.value


def test_we_met_from_either_side_holds_the_session_and_a_disagreement_is_kept():
    state = listening_state()
    assert record(state, check_in(1, CheckInChoice.NOT_MET), AFTER_THIRD) == (
        "check-in for session 1 from the mentee: not met"
    )
    assert state.sessions[0].status == SessionStatus.MISSED and not state.sessions[0].check_ins_disagree
    record(state, check_in(1, CheckInChoice.MET, Role.MENTOR), AFTER_THIRD)
    assert state.sessions[0].status == SessionStatus.HELD and state.sessions[0].check_ins_disagree
    assert state.sessions_held == 1 and unanswered(state, state.sessions[0], [Role.MENTOR, Role.MENTEE]) == []


def test_a_moved_session_is_checked_in_anew_and_the_old_answer_stays_on_record():
    state = listening_state()
    session = state.sessions[2]
    record(state, check_in(3, CheckInChoice.NEW_DATE, new_local_start=datetime(2027, 3, 20, 10)), AFTER_THIRD)
    assert earlier_answer(state, "check_in", Role.MENTEE, 3) is not None
    reschedule(session, slot(START + timedelta(weeks=2, days=4)), AFTER_THIRD)
    assert earlier_answer(state, "check_in", Role.MENTEE, 3) is None
    assert len(state.answers) == 1 and state.answers[0].sequence == 0


def test_the_validator_refuses_what_cannot_be_recorded():
    state = listening_state()
    assert "check in after it" in refused(state, check_in(4, CheckInChoice.MET)).message
    assert refused(state, check_in(99, CheckInChoice.MET)).message == "there is no such session"
    record(state, check_in(1, CheckInChoice.MET), AFTER_THIRD)
    again = refused(state, check_in(1, CheckInChoice.NOT_MET))
    assert (again.type, again.message) == (ALREADY_ANSWERED, "this check-in was answered already")
    assert "a new date goes only with" in str(
        refused(state, check_in(2, CheckInChoice.MET, new_local_start=datetime(2027, 3, 20, 10)))
    )
    assert refused(state, check_in(2, CheckInChoice.NEW_DATE)).message == "choose the new date"
    taken = state.sessions[4].local_start
    assert "already meets on" in refused(state, check_in(2, CheckInChoice.NEW_DATE, new_local_start=taken)).message
    past = AFTER_THIRD.replace(tzinfo=None) - timedelta(days=2)
    assert "in the past" in refused(state, check_in(2, CheckInChoice.NEW_DATE, new_local_start=past)).message
    late = datetime.combine(state.program_end, taken.time()) + timedelta(days=3)  # type: ignore[arg-type]
    assert "outside the program" in refused(state, check_in(2, CheckInChoice.NEW_DATE, new_local_start=late)).message


def test_reviews_are_taken_once_their_email_went_out_and_only_with_their_own_questions():
    state = listening_state()
    midpoint = ReviewAnswer(answer_id="review-1", role=Role.MENTOR, stage=ReviewStage.MIDPOINT)
    assert refused(state, midpoint).message == "the midpoint review has not been sent yet"
    # Due and on its way: one participant's slow mail server does not hold up the other.
    state.midpoint_at = AFTER_THIRD - timedelta(minutes=1)
    check_answer(state, midpoint, PROGRAM.start_date, AFTER_THIRD)
    state.midpoint_done = True
    with_closing = midpoint.model_copy(update={"recommend": 9, "keep_meeting": KeepMeeting.YES})
    assert "belong to the closing review" in refused(state, with_closing).message
    bell = midpoint.model_copy(update={"comment_to_office": "hi\x07"})
    assert refused(state, bell).message.startswith("comment: contains")
    check_answer(state, midpoint, PROGRAM.start_date, AFTER_THIRD)
    record(state, midpoint, AFTER_THIRD)
    assert refused(state, midpoint.model_copy(update={"answer_id": "review-2"})).type == ALREADY_ANSWERED


def test_nobody_answers_for_a_pair_that_does_not_listen_or_for_a_role_that_is_vacant():
    state = listening_state()
    state.listening = False
    assert refused(state, check_in(1, CheckInChoice.MET)).message == "this pair does not take answers"
    state.listening, state.vacant_role = True, Role.MENTEE
    error = refused(state, ReflectionAnswer(answer_id="reflect-1", role=Role.MENTEE, session=1))
    assert (error.type, error.message) == (ANSWER_REFUSED, "the mentee has left the pair")


def test_a_reflection_keeps_ratings_and_whether_it_was_shared_and_nothing_else():
    state = listening_state()
    answer = ReflectionAnswer(
        answer_id="reflect-2", role=Role.MENTOR, session=2, ratings=Ratings(career=4), shared=True
    )
    assert record(state, answer, AFTER_THIRD) == "reflection on session 2 from the mentor"
    assert state.answers[0].answer.model_dump() == {
        "answer_id": "reflect-2",
        "role": Role.MENTOR,
        "kind": "reflection",
        "session": 2,
        "ratings": {"career": 4, "psychosocial": None, "emotional": None},
        "shared": True,
    }
    assert state.sessions[1].status == SessionStatus.INVITED  # a reflection is not a check-in


def test_check_in_reminder_and_close_follow_the_prompt_until_someone_says_we_met():
    state = listening_state(past=2)
    prompted = state.sessions[1].ends_at + timedelta(hours=PROGRAM.reflection_delay_hours)
    items = {(i.action, i.session_number): i.at for i in due_items(state, PROGRAM)}
    assert items[(Action.CHECK_IN_REMINDER, 2)] == prompted + CHECK_IN_REMINDER_AFTER
    assert items[(Action.CHECK_IN_CLOSE, 2)] == prompted + CHECK_IN_CLOSES_AFTER
    record(state, check_in(2, CheckInChoice.NOT_MET), AFTER_THIRD)
    actions = {(i.action, i.session_number) for i in due_items(state, PROGRAM)}
    # "We didn't meet" from one: the other is still asked, and may say they met.
    assert {(Action.CHECK_IN_REMINDER, 2), (Action.CHECK_IN_CLOSE, 2)} <= actions
    record(state, check_in(2, CheckInChoice.MET, Role.MENTOR), AFTER_THIRD)
    actions = {(i.action, i.session_number) for i in due_items(state, PROGRAM)}
    assert not {a for a in actions if a[1] == 2 and a[0] in (Action.CHECK_IN_REMINDER, Action.CHECK_IN_CLOSE)}


def test_a_pair_that_started_listening_late_asks_nothing_about_sessions_already_past():
    state = pair_state()
    for session in state.sessions[:3]:
        session.reflection_done, session.status = True, SessionStatus.HELD
    start_listening(state)
    state.sessions[3].reflection_done = True
    actions = {(i.action, i.session_number) for i in due_items(state, PROGRAM)}
    assert {n for a, n in actions if a in (Action.CHECK_IN_REMINDER, Action.CHECK_IN_CLOSE)} == {4}


def test_the_page_view_says_why_a_link_takes_no_answer():
    state = listening_state()
    request = AnswerViewRequest(role=Role.MENTEE, item="check_in", session=3)
    shown = view(state, PROGRAM, request, AFTER_THIRD)
    assert shown.open and shown.first_name == state.mentee.name.split()[0]  # type: ignore[union-attr]
    assert shown.session is not None and (shown.session.number, shown.session.total) == (3, 8)
    assert view(state, PROGRAM, request.model_copy(update={"session": 5}), AFTER_THIRD).closed_because == "not_yet"
    record(state, check_in(3, CheckInChoice.MET), AFTER_THIRD)
    assert view(state, PROGRAM, request, AFTER_THIRD).closed_because == "answered"
    review = AnswerViewRequest(role=Role.MENTOR, item="review", stage=ReviewStage.CLOSING)
    assert view(state, PROGRAM, review, AFTER_THIRD).closed_because == "unknown"


def test_check_ins_are_taken_after_the_closing_review_until_its_answers_are_in():
    state = listening_state()
    state.closing_done, state.answers_until = True, AFTER_THIRD + timedelta(days=21)
    request = AnswerViewRequest(role=Role.MENTEE, item="check_in", session=3)
    assert view(state, PROGRAM, request, AFTER_THIRD).open
    check_answer(state, check_in(3, CheckInChoice.MET), PROGRAM.start_date, AFTER_THIRD)
    state.answers_until = None
    assert view(state, PROGRAM, request, AFTER_THIRD).closed_because == "ended"
    assert refused(state, check_in(3, CheckInChoice.MET)).message == "the program has ended"
