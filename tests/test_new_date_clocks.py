"""'We need a new date' is a wall-clock time on the pair's clock, whatever its zone:
whether it lies ahead is decided by its instant, never by reading the wall-clock time as
UTC. With the real activities and SMTP on the time-skipping server, through the update
(the response site with a worker) and through the signal (the site while no worker
runs, taken when one is back)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from temporalio.client import WorkflowExecutionStatus, WorkflowUpdateFailedError

from mentoring.answers import AnswerRequest, CheckInAnswer, CheckInChoice
from mentoring.cohort import Role, Weekday
from mentoring.replies import CalendarReply, PartStat, ReplyMethod, ReplyRequest
from mentoring.state import PairProgramInput, PairState
from tests import factories
from tests.program_harness import ProgramHarness
from workflows.pair import PairProgramWorkflow


async def started_a_week_ago(program: ProgramHarness, zone: str) -> PairState:
    """A weekly pair in ``zone`` whose program began a week ago, meeting three days from
    now, so that today is free; its mentee declined the next session in their calendar."""
    now = await program.now()
    weekday = list(Weekday)[(now.astimezone(ZoneInfo(zone)).weekday() + 3) % 7]
    pair = factories.pair(timezone=zone, mentee_tz=zone, weekday=weekday)
    program_start = (now - timedelta(days=7)).date()
    await program.start(PairProgramInput(program=factories.program(program_start, months=4), pair=pair))
    state = await program.state()
    assert program.handle is not None
    assert state.mentee is not None
    first = state.sessions[0]
    decline = CalendarReply(
        message_id="<decline-1@calendar.example>",
        method=ReplyMethod.REPLY,
        workflow_id=program.handle.id,
        session=first.number,
        attendee=state.mentee.email,
        partstat=PartStat.DECLINED,
    )
    await program.handle.execute_update(PairProgramWorkflow.record_calendar_reply, ReplyRequest(reply=decline))
    return await program.state()


def new_date(state: PairState, local: datetime) -> AnswerRequest:
    answer = CheckInAnswer(
        answer_id="link-new-date-1",
        role=Role.MENTEE,
        session=state.sessions[0].number,
        choice=CheckInChoice.NEW_DATE,
        new_local_start=local.replace(second=0, microsecond=0),
    )
    return AnswerRequest(answer=answer)


@pytest.mark.parametrize("zone", ["Pacific/Honolulu", "America/St_Johns", "Pacific/Pago_Pago"])
async def test_a_new_date_hours_ahead_west_of_utc_is_taken(program: ProgramHarness, zone: str) -> None:
    """Two hours ahead on the pair's clock is earlier than now read as UTC."""
    state = await started_a_week_ago(program, zone)
    local = (await program.now()).astimezone(ZoneInfo(zone)).replace(tzinfo=None) + timedelta(hours=2)
    assert program.handle is not None
    receipt = await program.handle.execute_update(PairProgramWorkflow.record_answer, new_date(state, local))
    assert receipt.summary.endswith(f"moved to {local:%Y-%m-%d %H:%M}")
    moved = (await program.state()).sessions[0]
    assert moved.local_start == local.replace(second=0, microsecond=0) and moved.starts_at > await program.now()


@pytest.mark.parametrize("zone", ["Asia/Tokyo", "Etc/GMT-14", "Europe/Berlin"])
async def test_a_past_new_date_east_of_utc_is_refused_and_never_fails_the_pair(
    program: ProgramHarness, zone: str
) -> None:
    """An hour ago on the pair's clock is later than now read as UTC: the update refuses
    it, and the signal drops it, leaving the pair running as it was."""
    state = await started_a_week_ago(program, zone)
    local = (await program.now()).astimezone(ZoneInfo(zone)).replace(tzinfo=None) - timedelta(hours=1)
    assert program.handle is not None
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await program.handle.execute_update(PairProgramWorkflow.record_answer, new_date(state, local))
    assert refused.value.cause.message == f"new date {local:%Y-%m-%d %H:%M} is in the past"

    await program.handle.signal(PairProgramWorkflow.record_answer_later, new_date(state, local))
    await program.settle()
    description = await program.handle.describe()
    assert description.status == WorkflowExecutionStatus.RUNNING
    after = await program.state()
    assert after.answers == [] and after.sessions[0].starts_at == state.sessions[0].starts_at
    # The pair still takes answers: a new date ahead is recorded.
    ahead = local + timedelta(hours=4)
    await program.handle.signal(PairProgramWorkflow.record_answer_later, new_date(state, ahead))
    await program.settle()
    assert (await program.state()).sessions[0].local_start == ahead.replace(second=0, microsecond=0)
