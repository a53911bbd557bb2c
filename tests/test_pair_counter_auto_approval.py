"""A cohort that approves by itself the new times both participants can attend
(``proposed_times.auto_approve``), on the time-skipping server with the real activities
and SMTP: what the pair does with a proposal, what both calendars end up holding, what
the office reads, and what ``ops.py show`` says."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from temporalio.client import WorkflowUpdateFailedError

from mentoring.cohort import Cadence, ProposedTimes
from mentoring.operations import ApproveCounter
from mentoring.replies import CalendarReply, HoldReason, ReplyMethod, ReplyRequest
from mentoring.state import CounterStatus, PairProgramInput, PairState
from tests import factories
from tests.program_harness import ProgramHarness
from tests.test_ops_show import section, shown
from workflows.pair import PairProgramWorkflow

MENTOR, MENTEE, OFFICE = "mentor-p1@example.com", "mentee-p1@example.com", "office@example.com"
BERLIN = ZoneInfo("Europe/Berlin")
ON = ProposedTimes(auto_approve=True)


async def start(program: ProgramHarness, mentee_tz: str, rule: ProposedTimes = ON) -> PairState:
    """Weekly on Tuesdays at 16:00 in Berlin, from tomorrow; the mentor in Berlin."""
    now = await program.now()
    cohort = factories.program((now + timedelta(days=1)).date(), months=4)
    cohort.proposed_times = rule
    await program.start(
        PairProgramInput(program=cohort, pair=factories.pair(cadence=Cadence.WEEKLY, mentee_tz=mentee_tz))
    )
    return await program.state()


async def propose(
    program: ProgramHarness, session: int, attendee: str, starts_at: datetime, minutes: int = 60, sequence: int = 0
):
    assert program.handle is not None
    reply = CalendarReply(
        message_id=f"<counter-{session}-{starts_at:%Y%m%d%H%M}@calendar.example>",
        method=ReplyMethod.COUNTER,
        workflow_id=program.handle.id,
        session=session,
        sequence=sequence,
        attendee=attendee,
        proposed_start=starts_at,
        proposed_end=starts_at + timedelta(minutes=minutes),
    )
    return await program.handle.execute_update(PairProgramWorkflow.record_calendar_reply, ReplyRequest(reply=reply))


def next_day_at(state: PairState, number: int, at: time) -> datetime:
    """The day after session ``number`` (a Wednesday), at ``at`` in Berlin."""
    day = state.sessions[number - 1].local_start.date() + timedelta(days=1)
    return datetime.combine(day, at, tzinfo=BERLIN)


def clock(moment: datetime, zone: str, minutes: int = 60) -> str:
    local = moment.astimezone(ZoneInfo(zone))
    return f"{local:%A %H:%M}–{local + timedelta(minutes=minutes):%H:%M} ({zone})"


def office_text(program: ProgramHarness, kind: str) -> str:
    message = next(r for r in program.received(OFFICE) if r.kind == kind).message
    return message.get_body(("plain",)).get_content().replace("\r\n", "\n")


async def test_a_time_both_can_attend_moves_the_session_for_both_calendars_and_the_office_is_told(program):
    state = await start(program, "America/New_York")
    second = state.sessions[1]
    # 15:00 in Berlin is 09:00 or 10:00 in New York: inside both working days.
    proposed = next_day_at(state, 2, time(15, 0))
    receipt = await propose(program, 2, MENTEE, proposed, minutes=45)
    both = f"mentor {clock(proposed, 'Europe/Berlin')}, mentee {clock(proposed, 'America/New_York')}"
    assert receipt.summary == (
        f"session 2: the mentee proposed {proposed.astimezone(ZoneInfo('UTC')):%Y-%m-%d %H:%M} UTC; "
        f"approved automatically, both can attend: {both}"
    )
    await program.settle()
    state = await program.state()
    moved = state.sessions[1]
    # As the office's approval would: the session keeps its length, SEQUENCE+1.
    assert (moved.starts_at, moved.ends_at - moved.starts_at, moved.sequence) == (proposed, timedelta(hours=1), 1)
    assert moved.local_start == proposed.replace(tzinfo=None)
    assert state.counters[0].status == CounterStatus.AUTO_APPROVED and state.counters[0].holds == []
    for email in (MENTOR, MENTEE):
        assert program.calendar(email) == await program.expected_calendar()
        assert program.kinds(email)[-1] == "invite"
    # A notice, not a decision: the office is told, with no approve or refuse command.
    assert program.kinds(OFFICE) == ["counter_auto_approved"]
    text = office_text(program, "counter_auto_approved")
    assert f"Was:         {second.local_start:%A, %-d %B %Y, %H:%M}–" in text
    assert f"Now:         {proposed:%A, %-d %B %Y, %H:%M}–{proposed + timedelta(hours=1):%H:%M} (Europe/Berlin)" in text
    assert "approve-counter" not in text and "refuse-counter" not in text
    new_york = proposed.astimezone(ZoneInfo("America/New_York"))
    assert f"- Klaus Richter p1 (mentee): {new_york:%A, %-d %B %Y, %H:%M}–" in text
    # ops.py show says so; nothing is left for the office to approve.
    row = " ".join(section(shown(state), "Proposed new times", "Messages")[2:])
    assert row == f"2 mentee {proposed:%Y-%m-%d %H:%M}–{proposed + timedelta(minutes=45):%H:%M} " + (
        f"approved automatically (both can attend: {both})"
    )
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await program.update(PairProgramWorkflow.approve_counter, ApproveCounter(request_id="ok-2", session_number=2))
    assert "no proposed new time waits" in refused.value.cause.message


async def test_a_time_outside_the_mentees_working_hours_waits_and_the_office_reads_why(program):
    state = await start(program, "Asia/Tokyo")
    planned = state.sessions[1].starts_at
    # 16:00 in Berlin is midnight or 23:00 in Tokyo.
    proposed = next_day_at(state, 2, time(16, 0))
    tokyo = proposed.astimezone(ZoneInfo("Asia/Tokyo"))
    why = (
        f"outside the mentee's working hours 08:00–18:00 (Asia/Tokyo): "
        f"{tokyo:%H:%M}–{tokyo + timedelta(hours=1):%H:%M} there"
    )
    receipt = await propose(program, 2, MENTOR, proposed)
    assert receipt.summary.endswith(f"; the program office decides (not approved automatically: {why})")
    await program.settle()
    state = await program.state()
    assert (state.sessions[1].starts_at, state.sessions[1].sequence) == (planned, 0)
    (counter,) = state.counters
    assert counter.status == CounterStatus.PENDING
    assert [h.reason for h in counter.holds] == [HoldReason.OUTSIDE_WORKING_HOURS]
    assert program.kinds(OFFICE) == ["counter_proposed"]
    text = office_text(program, "counter_proposed")
    assert (
        "This cohort approves a proposed time by itself when both participants can attend it, "
        f"but not this one:\n- {why}\n\nNothing changes until you decide"
    ) in text
    assert "  .venv/bin/python ops.py approve-counter dw " in text
    # The status column wraps; its lines, joined, say it whole.
    row = " ".join(section(shown(state), "Proposed new times", "Messages")[2:])
    assert row.endswith(
        f" pending: ops.py approve-counter ops p1 2 (or refuse-counter); not approved automatically: {why}"
    )
    # The office may still take it.
    await program.update(PairProgramWorkflow.approve_counter, ApproveCounter(request_id="ok-2", session_number=2))
    await program.settle()
    for email in (MENTOR, MENTEE):
        assert program.calendar(email) == await program.expected_calendar()


async def test_with_the_setting_off_every_proposal_waits_for_the_office_as_before(program):
    state = await start(program, "America/New_York", ProposedTimes())
    proposed = next_day_at(state, 2, time(15, 0))
    receipt = await propose(program, 2, MENTEE, proposed)
    assert receipt.summary.endswith("; the program office decides")
    await program.settle()
    state = await program.state()
    assert state.sessions[1].sequence == 0 and state.counters[0].status == CounterStatus.PENDING
    assert state.counters[0].holds == [] and state.counters[0].remark is None
    assert program.kinds(OFFICE) == ["counter_proposed"]
    text = office_text(program, "counter_proposed")
    assert "This cohort approves" not in text
    assert f"Proposed:    {proposed:%A, %-d %B %Y, %H:%M}–" in text


async def test_a_time_outside_the_program_is_not_the_offices_to_approve_either(program):
    first_day = (await program.now() + timedelta(days=1)).date()
    state = await start(program, "Asia/Tokyo")
    assert state.program_end is not None
    # Saturday after the program's end, 16:00 in Berlin (midnight in Tokyo): every rule broken.
    end = state.program_end + timedelta(days=(5 - state.program_end.weekday()) % 7)
    proposed = datetime.combine(end, time(16), tzinfo=BERLIN)
    window = f"outside the program ({first_day} to {state.program_end})"
    receipt = await propose(program, 2, MENTEE, proposed)
    # Only why nobody can approve it: the working days do not matter any more.
    assert receipt.summary.endswith(f"; the program office decides (cannot be approved: {window})")
    await program.settle()
    state = await program.state()
    reasons = [h.reason for h in state.counters[0].holds]
    assert reasons[0] == HoldReason.OUTSIDE_PROGRAM and HoldReason.NOT_A_WORKDAY in reasons
    text = office_text(program, "counter_proposed")
    assert "This cohort approves" not in text and "approve-counter" not in text
    assert "This time cannot be approved as it stands:\n- outside the program (from " in text
    row = " ".join(section(shown(state), "Proposed new times", "Messages")[2:])
    assert row.endswith(f" pending: cannot be approved: {window}; ops.py refuse-counter ops p1 2 (or reschedule)")
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await program.update(PairProgramWorkflow.approve_counter, ApproveCounter(request_id="ok-2", session_number=2))
    assert refused.value.cause.message == (
        f"the proposed time cannot be approved: {window}; refuse it, or reschedule the session"
    )


async def test_a_storm_of_times_both_can_attend_moves_the_session_three_times_a_day_and_no_more(program):
    """Someone who proposes again and again, each time for the version they never got
    (SEQUENCE 99): every proposal the office would get an email about counts."""
    state = await start(program, "Europe/Berlin")
    times = [next_day_at(state, 3, time(hour, 0)) for hour in (9, 10, 11, 12, 13)]
    receipts = [await propose(program, 3, MENTEE, at, sequence=99) for at in times]
    not_emailed = "not emailed: the office heard of 3 proposals by the mentee for this session within 24 hours"
    assert ["approved automatically" in r.summary for r in receipts] == [True, True, True, False, False]
    assert receipts[4].summary.endswith(f"; the program office decides ({not_emailed})")
    await program.settle()
    state = await program.state()
    third = state.sessions[2]
    assert (third.starts_at, third.sequence) == (times[2], 3)
    assert [(c.number, c.status) for c in state.counters] == [
        *[(n, CounterStatus.AUTO_APPROVED) for n in (1, 2, 3)],
        (4, CounterStatus.SETTLED),
        (5, CounterStatus.PENDING),
    ]
    assert program.kinds(OFFICE) == ["counter_auto_approved"] * 3
    for email in (MENTOR, MENTEE):
        assert program.calendar(email) == await program.expected_calendar()
    row = " ".join(section(shown(state), "Proposed new times", "Messages")[2:])
    assert row.endswith(f" pending: ops.py approve-counter ops p1 3 (or refuse-counter); {not_emailed}")
    # The office may take the latest all the same.
    await program.update(PairProgramWorkflow.approve_counter, ApproveCounter(request_id="ok-3", session_number=3))
    await program.settle()
    assert (await program.state()).sessions[2].starts_at == times[4]
