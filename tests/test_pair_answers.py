"""Participants' answers reaching a running pair, with the real activities and SMTP on
the time-skipping server: what is recorded, who hears what, and when."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from temporalio.client import WorkflowUpdateFailedError

from mentoring import search_attributes as sa
from mentoring.answers import (
    CHECK_IN_CLOSES_AFTER,
    CHECK_IN_REMINDER_AFTER,
    AnswerRequest,
    CheckInAnswer,
    CheckInChoice,
    KeepMeeting,
    PairHealth,
    Ratings,
    ReviewAnswer,
    ReviewStage,
)
from mentoring.cohort import Role
from mentoring.state import PairState, SessionStatus
from tests.program_harness import ProgramHarness
from workflows.pair import PairProgramWorkflow

MENTOR, MENTEE, OFFICE = "mentor-p1@example.com", "mentee-p1@example.com", "office@example.com"


def check_in(number: int, choice: CheckInChoice, role: Role = Role.MENTEE, **extra) -> AnswerRequest:
    answer = CheckInAnswer(answer_id=f"link-{number}-{role.value}", role=role, session=number, choice=choice, **extra)
    return AnswerRequest(answer=answer)


async def answer(program: ProgramHarness, request: AnswerRequest):
    assert program.handle is not None
    return await program.handle.execute_update(PairProgramWorkflow.record_answer, request)


async def until_prompted(program: ProgramHarness, number: int, extra: timedelta = timedelta(minutes=5)) -> PairState:
    """Program time just after session ``number``'s reflection prompt (and check-in) went out."""
    state = await program.state()
    session = next(s for s in state.sessions if s.number == number)
    prompt = session.ends_at + timedelta(hours=2)
    await program.advance(prompt + extra - await program.now())
    return await program.state()


async def test_check_ins_hold_sessions_remind_the_silent_and_turn_health(program):
    await program.start_tomorrow()
    state = await until_prompted(program, 1)
    assert state.listening and state.sessions[0].status == SessionStatus.INVITED
    assert program.kinds(MENTEE)[-1] == "reflection"

    receipt = await answer(program, check_in(1, CheckInChoice.MET))
    assert (receipt.recorded, receipt.summary) == (True, "check-in for session 1 from the mentee: met")
    again = await answer(program, check_in(1, CheckInChoice.MET))
    assert (again.recorded, again.summary) == (False, "recorded before")
    state = await program.state()
    assert state.sessions[0].status == SessionStatus.HELD and len(state.answers) == 1

    # Session 2: the mentor says they did not meet; the mentee stays silent.
    state = await until_prompted(program, 2)
    await answer(program, check_in(2, CheckInChoice.NOT_MET, Role.MENTOR))
    await program.advance(CHECK_IN_REMINDER_AFTER)
    assert program.kinds(MENTEE).count("check_in_reminder") == 1
    assert "check_in_reminder" not in program.kinds(MENTOR)  # answered already
    state = await program.state()
    # The mentee may still say they met: the session counts once its check-in closes.
    assert state.sessions[1].status == SessionStatus.MISSED and state.health == PairHealth.HEALTHY
    await program.advance(CHECK_IN_CLOSES_AFTER - CHECK_IN_REMINDER_AFTER)
    assert (await program.state()).health == PairHealth.QUIET
    assert program.kinds(MENTOR).count("pair_nudge") == program.kinds(MENTEE).count("pair_nudge") == 1

    # Session 3: nobody answers; when its check-in closes, two sessions in a row were not held.
    await until_prompted(program, 3)
    await program.advance(CHECK_IN_CLOSES_AFTER)
    state = await program.state()
    assert state.health == PairHealth.AT_RISK
    alerts = [m for m in program.received(OFFICE) if m.kind == "at_risk_alert"]
    assert len(alerts) == 1
    assert program.kinds(MENTOR).count("pair_nudge") == 1  # quiet once; at risk is the office's
    description = await program.handle.describe()
    assert description.typed_search_attributes.get(sa.PAIR_HEALTH) == "at_risk"


async def test_we_need_a_new_date_moves_the_session_for_both_and_tells_the_partner(program):
    await program.start_tomorrow()
    state = await until_prompted(program, 1)
    first, second = state.sessions[0], state.sessions[1]
    new_time = datetime.combine(first.local_start.date() + timedelta(days=3), first.local_start.time())
    receipt = await answer(program, check_in(1, CheckInChoice.NEW_DATE, new_local_start=new_time))
    assert receipt.summary == f"check-in for session 1 from the mentee: new date; moved to {new_time:%Y-%m-%d %H:%M}"
    await program.settle()
    state = await program.state()
    moved = state.sessions[0]
    assert (moved.local_start, moved.sequence, moved.status) == (new_time, 1, SessionStatus.INVITED)
    assert moved.invited_sequence == 1 and not moved.reflection_done
    assert program.kinds(MENTOR)[-2:] == ["new_date_chosen", "invite"] or program.kinds(MENTOR)[-2:] == [
        "invite",
        "new_date_chosen",
    ]
    assert "new_date_chosen" not in program.kinds(MENTEE)
    for email in (MENTOR, MENTEE):
        assert program.calendar(email) == await program.expected_calendar()
    # The moved session is checked in anew after its new time.
    assert second.local_start > new_time
    await until_prompted(program, 1)
    await answer(program, check_in(1, CheckInChoice.MET, Role.MENTOR))
    assert (await program.state()).sessions[0].status == SessionStatus.HELD


async def test_a_refused_answer_changes_nothing_and_the_signal_path_records_once(program):
    await program.start_tomorrow()
    with pytest.raises(WorkflowUpdateFailedError) as failure:
        await answer(program, check_in(1, CheckInChoice.MET))
    assert "check in after it" in failure.value.cause.message
    assert program.handle is not None
    await program.handle.signal(PairProgramWorkflow.record_answer_later, check_in(1, CheckInChoice.MET))
    await until_prompted(program, 1)
    state = await program.state()
    assert state.answers == [] and state.sessions[0].status == SessionStatus.INVITED  # dropped: too early

    later = check_in(1, CheckInChoice.MET)
    await program.handle.signal(PairProgramWorkflow.record_answer_later, later)
    await program.handle.signal(PairProgramWorkflow.record_answer_later, later)
    await answer(program, later)
    await program.settle()
    state = await program.state()
    assert [r.answer.answer_id for r in state.answers] == ["link-1-mentee"]
    assert state.sessions[0].status == SessionStatus.HELD


async def test_the_closing_review_is_taken_in_the_weeks_after_it_and_then_the_pair_finishes(program):
    await program.start_tomorrow()
    state = await program.state()
    assert state.closing_at is not None
    await program.advance(state.closing_at + timedelta(minutes=5) - await program.now())
    state = await program.state()
    assert state.closing_done and state.answers_until is not None
    review = ReviewAnswer(
        answer_id="closing-review-mentor",
        role=Role.MENTOR,
        stage=ReviewStage.CLOSING,
        ratings=Ratings(career=5, psychosocial=4, emotional=4),
        focus_progress=4,
        recommend=9,
        keep_meeting=KeepMeeting.YES,
        comment_to_office="Danke für die Begleitung!",
    )
    receipt = await answer(program, AnswerRequest(answer=review))
    assert receipt.summary == "closing review from the mentor"
    await program.advance(state.answers_until - await program.now() + timedelta(minutes=1))
    result = await program.finish()
    assert result.phase.value == "completed"
    kept = (await program.state()).answers
    assert [r.answer for r in kept if r.answer.kind == "review"] == [review]
