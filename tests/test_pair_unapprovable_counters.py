"""A proposed time nobody can approve as it stands, in a cohort without
``proposed_times.auto_approve`` (the default), on the time-skipping server with the real
activities and SMTP: outside the program on the pair's clock, or clashing with another
session. The office's email offers no approval, ``ops.py approve-counter`` is refused
with one line and changes nothing, refusing tells the proposer's calendar, and
``ops.py show`` says why. An approvable time behaves as it always did."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from temporalio.client import WorkflowExecutionStatus

from mentoring.operations import ApproveCounter, LookupOperation, RefuseCounter, RescheduleSession
from mentoring.replies import CalendarReply, HoldReason, ReplyMethod, ReplyRequest
from mentoring.state import CounterStatus, PairState
from mentoring_service.cli.console import CommandError
from mentoring_service.cli.ops_target import Remote, Target
from tests.program_harness import ProgramHarness
from tests.test_ops_show import section, shown
from workflows.pair import PairProgramWorkflow

MENTOR, MENTEE, OFFICE = "mentor-p1@example.com", "mentee-p1@example.com", "office@example.com"
BERLIN = ZoneInfo("Europe/Berlin")


async def propose(program: ProgramHarness, session: int, attendee: str, starts_at: datetime) -> str:
    assert program.handle is not None
    reply = CalendarReply(
        message_id=f"<counter-{session}-{starts_at:%Y%m%d%H%M}@calendar.example>",
        method=ReplyMethod.COUNTER,
        workflow_id=program.handle.id,
        session=session,
        attendee=attendee,
        proposed_start=starts_at,
        proposed_end=starts_at + timedelta(hours=1),
    )
    receipt = await program.handle.execute_update(PairProgramWorkflow.record_calendar_reply, ReplyRequest(reply=reply))
    return receipt.summary


async def approve_as_ops(program: ProgramHarness, session: int, request_id: str) -> None:
    """Through the path ``ops.py approve-counter`` takes, to its one-line message."""
    assert program.handle is not None
    _, cohort_id, pair_id = program.handle.id.split(":")
    remote = Remote(program.env.client, Target(cohort_id, pair_id))
    request = ApproveCounter(request_id=request_id, session_number=session)
    await remote.update(PairProgramWorkflow.approve_counter, request, request_id)


def office_text(program: ProgramHarness) -> str:
    message = next(r for r in program.received(OFFICE) if r.kind == "counter_proposed").message
    return message.get_body(("plain",)).get_content().replace("\r\n", "\n")


def long_date(day: date) -> str:
    return f"{day:%A, %-d %B %Y}"


def status_of_proposal(state: PairState) -> str:
    """The status column of ``ops.py show``'s proposed times, its wrapped lines joined."""
    return " ".join(section(shown(state), "Proposed new times", "Messages")[2:])


async def refused_and_nothing_changed(program: ProgramHarness, before: PairState, message: str) -> None:
    sent = {email: program.kinds(email) for email in (MENTOR, MENTEE, OFFICE)}
    for attempt in ("approve-2", "approve-2", "approve-2-again"):
        with pytest.raises(CommandError) as refused:
            await approve_as_ops(program, 2, attempt)
        assert (str(refused.value), refused.value.exit_code) == (message, 1)
    await program.settle()
    after = await program.state()
    assert after.sessions == before.sessions and after.counters == before.counters
    assert after.operations == before.operations
    assert program.handle is not None
    looked_up = await program.handle.query(
        PairProgramWorkflow.applied_operation, LookupOperation(request_id="approve-2")
    )
    assert looked_up.result is None
    assert (await program.handle.describe()).status == WorkflowExecutionStatus.RUNNING
    assert {email: program.kinds(email) for email in sent} == sent
    for email in (MENTOR, MENTEE):
        assert program.calendar(email) == await program.expected_calendar()


async def refuse_tells_the_proposer(program: ProgramHarness, proposer: str, before: PairState) -> None:
    await program.update(PairProgramWorkflow.refuse_counter, RefuseCounter(request_id="no-2", session_number=2))
    await program.settle()
    message = next(r for r in program.received(proposer) if r.kind == "counter_declined").message
    part = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    calendar = Calendar.from_ical(part.get_content())
    event = calendar.walk("VEVENT")[0]
    assert str(calendar["METHOD"]) == "DECLINECOUNTER"
    assert (str(event["UID"]), int(event["SEQUENCE"])) == (before.sessions[1].uid, 0)
    after = await program.state()
    assert after.sessions == before.sessions and after.counters[0].status == CounterStatus.REFUSED
    for email in (MENTOR, MENTEE):
        assert program.calendar(email) == await program.expected_calendar()


async def test_a_time_outside_the_program_reaches_the_office_without_approval_and_cannot_be_approved(program):
    start = (await program.now() + timedelta(days=1)).date()
    state = await program.start_tomorrow()
    end = state.program_end
    assert end is not None
    # 10:00 in Berlin on the day the program ends: the first day outside it.
    proposed = datetime.combine(end, time(10), tzinfo=BERLIN)
    window = f"outside the program ({start} to {end})"
    summary = await propose(program, 2, MENTEE, proposed)
    assert summary.endswith(f"; the program office decides (cannot be approved: {window})")
    await program.settle()
    state = await program.state()
    (counter,) = state.counters
    assert (counter.status, [h.reason for h in counter.holds]) == (CounterStatus.PENDING, [HoldReason.OUTSIDE_PROGRAM])
    assert program.kinds(OFFICE) == ["counter_proposed"]
    text = office_text(program)
    assert (
        "This time cannot be approved as it stands:\n"
        f"- outside the program (from {long_date(start)}; it ends on {long_date(end)})\n\n"
        "The session stays as planned"
    ) in text
    assert "  .venv/bin/python ops.py refuse-counter dw p1 2\n" in text
    assert '  .venv/bin/python ops.py reschedule dw p1 2 --to "YYYY-MM-DD HH:MM"\n' in text
    assert "approve-counter" not in text
    assert status_of_proposal(state).endswith(
        f" pending: cannot be approved: {window}; ops.py refuse-counter ops p1 2 (or reschedule)"
    )
    # Refused after the pair's clock was read: the workflow goes on, nothing is recorded.
    message = f"the proposed time cannot be approved: {window}; refuse it, or reschedule the session"
    await refused_and_nothing_changed(program, state, message)
    await refuse_tells_the_proposer(program, MENTEE, state)


async def test_a_time_that_clashes_reaches_the_office_without_approval_and_cannot_be_approved(program):
    state = await program.start_tomorrow()
    # Session 2 to half an hour into session 3.
    proposed = state.sessions[2].starts_at + timedelta(minutes=30)
    summary = await propose(program, 2, MENTOR, proposed)
    assert summary.endswith("; the program office decides (cannot be approved: clashes with session 3)")
    await program.settle()
    state = await program.state()
    assert program.kinds(OFFICE) == ["counter_proposed"]
    text = office_text(program)
    assert "This time cannot be approved as it stands:\n- clashes with session 3\n\n" in text
    assert "approve-counter" not in text and "  .venv/bin/python ops.py refuse-counter dw p1 2\n" in text
    assert status_of_proposal(state).endswith(
        " pending: cannot be approved: clashes with session 3; ops.py refuse-counter ops p1 2 (or reschedule)"
    )
    message = "the proposed time cannot be approved: clashes with session 3; refuse it, or reschedule the session"
    await refused_and_nothing_changed(program, state, message)
    await refuse_tells_the_proposer(program, MENTOR, state)


async def test_an_approvable_time_is_approved_as_before_and_checked_again_when_the_office_approves(program):
    state = await program.start_tomorrow()
    # The day after session 2, an hour later: free, and within the program.
    proposed = state.sessions[1].starts_at + timedelta(days=1, hours=1)
    assert (await propose(program, 2, MENTEE, proposed)).endswith("; the program office decides")
    await program.settle()
    text = office_text(program)
    assert "cannot be approved" not in text and "This cohort approves" not in text
    assert "  .venv/bin/python ops.py approve-counter dw p1 2\n" in text
    assert status_of_proposal(await program.state()).endswith(
        " pending: ops.py approve-counter ops p1 2 (or refuse-counter)"
    )
    # Meanwhile the office moves session 3 onto that time: the approval sees the plan as it is now.
    local = proposed.astimezone(BERLIN).replace(tzinfo=None)
    move = RescheduleSession(request_id="move-3", session_number=3, new_local_start=local)
    await program.update(PairProgramWorkflow.reschedule_session, move)
    await program.settle()
    before = await program.state()
    message = "the proposed time cannot be approved: clashes with session 3; refuse it, or reschedule the session"
    await refused_and_nothing_changed(program, before, message)
    # Moved back, the time is free again and the approval goes through as it always did.
    back = RescheduleSession(request_id="back-3", session_number=3, new_local_start=state.sessions[2].local_start)
    await program.update(PairProgramWorkflow.reschedule_session, back)
    await approve_as_ops(program, 2, "approve-2-free")
    await program.settle()
    after = await program.state()
    assert (after.sessions[1].starts_at, after.sessions[1].sequence) == (proposed, 1)
    assert after.counters[0].status == CounterStatus.APPROVED
    for email in (MENTOR, MENTEE):
        assert program.calendar(email) == await program.expected_calendar()


async def test_a_proposal_is_settled_when_the_office_moves_its_session_meanwhile(program):
    state = await program.start_tomorrow()
    proposed = state.sessions[1].starts_at + timedelta(days=1, hours=1)
    await propose(program, 2, MENTEE, proposed)
    await program.settle()
    # The office picks another time for session 2 itself: nothing is left to decide.
    elsewhere = state.sessions[1].local_start + timedelta(days=2)
    move = RescheduleSession(request_id="move-2", session_number=2, new_local_start=elsewhere)
    await program.update(PairProgramWorkflow.reschedule_session, move)
    await program.settle()
    moved = await program.state()
    (counter,) = moved.counters
    assert (counter.status, counter.remark) == (CounterStatus.SETTLED, "the session changed after the proposal")
    with pytest.raises(CommandError) as refused:
        await approve_as_ops(program, 2, "approve-2-late")
    assert str(refused.value) == "no proposed new time waits for a decision on session 2 (see ops.py show)"
    after = await program.state()
    assert (after.sessions[1].local_start, after.sessions[1].sequence) == (elsewhere, 1)
    for email in (MENTOR, MENTEE):
        assert program.calendar(email) == await program.expected_calendar()
