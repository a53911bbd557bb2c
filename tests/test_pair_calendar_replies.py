"""Calendar replies reaching a running pair through its update, with the real activities
and SMTP on the time-skipping server: what is kept, who hears, and what the office's
decision on a proposed time does to both calendars."""

from __future__ import annotations

from datetime import timedelta

import pytest
from icalendar import Calendar
from temporalio.client import WorkflowUpdateFailedError

from mentoring.answers import PairHealth
from mentoring.cohort import Role
from mentoring.operations import ApproveCounter, RefuseCounter, RescheduleSession
from mentoring.replies import CalendarReply, PartStat, ReplyMethod, ReplyRequest
from mentoring.state import CounterStatus, PairState, current_partstat
from tests.program_harness import ProgramHarness
from workflows.pair import PairProgramWorkflow

MENTOR, MENTEE, OFFICE = "mentor-p1@example.com", "mentee-p1@example.com", "office@example.com"


async def reply(program: ProgramHarness, session: int, attendee: str, partstat: PartStat | None = None, **extra):
    assert program.handle is not None
    fields = {
        "message_id": f"<{session}.{attendee}.{partstat}.{len(extra)}@calendar.example>",
        "method": ReplyMethod.REPLY,
        "workflow_id": program.handle.id,
        "session": session,
        "attendee": attendee,
        "partstat": partstat,
        **extra,
    }
    request = ReplyRequest(reply=CalendarReply(**fields))
    return await program.handle.execute_update(PairProgramWorkflow.record_calendar_reply, request)


def calendar_method(program: ProgramHarness, email: str, kind: str) -> Calendar:
    message = next(r for r in reversed(program.received(email)) if r.kind == kind).message
    part = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    return Calendar.from_ical(part.get_content())


async def test_accepts_and_declines_are_kept_and_a_decline_tells_partner_and_office(program):
    state = await program.start_tomorrow()
    receipt = await reply(program, 1, MENTEE.upper(), PartStat.ACCEPTED)
    assert (receipt.recorded, receipt.summary) == (True, "session 1: the mentee accepted")
    again = await reply(program, 1, MENTEE.upper(), PartStat.ACCEPTED)
    assert (again.recorded, again.summary) == (False, "recorded before")

    receipt = await reply(program, 2, MENTOR, PartStat.DECLINED)
    assert receipt.summary == "session 2: the mentor declined; the partner and the program office were told"
    await program.settle()
    assert program.kinds(MENTEE)[-1] == "session_declined"
    assert program.kinds(OFFICE) == ["session_declined"]
    assert program.kinds(MENTOR)[-1] == "declined_new_date"
    declined = program.received(MENTOR)[-1].message.get_body(("plain",)).get_content()
    assert "http://127.0.0.1:8090/a/" in declined  # the new-date link
    state = await program.state()
    assert current_partstat(state.sessions[0], Role.MENTEE) == PartStat.ACCEPTED
    assert current_partstat(state.sessions[1], Role.MENTOR) == PartStat.DECLINED


async def test_a_reply_to_an_earlier_time_is_kept_but_undoes_nothing(program):
    state = await program.start_tomorrow()
    third = state.sessions[2]
    moved = third.local_start + timedelta(hours=2)
    await program.update(
        PairProgramWorkflow.reschedule_session,
        RescheduleSession(request_id="move-3", session_number=3, new_local_start=moved),
    )
    before = len(program.received(MENTOR))
    receipt = await reply(program, 3, MENTEE, PartStat.DECLINED, sequence=0)
    assert receipt.summary.endswith("(an earlier time, or a past or cancelled session: kept, nothing done)")
    await program.settle()
    assert len(program.received(MENTOR)) == before and program.kinds(OFFICE) == []
    state = await program.state()
    assert current_partstat(state.sessions[2], Role.MENTEE) is None
    assert state.sessions[2].local_start == moved


async def test_the_office_approves_a_proposed_time_and_both_calendars_follow(program):
    state = await program.start_tomorrow()
    second = state.sessions[1]
    proposed = second.starts_at + timedelta(days=1, hours=-2)
    await reply(program, 2, MENTEE, method=ReplyMethod.COUNTER, proposed_start=proposed,
                proposed_end=proposed + timedelta(minutes=45))  # fmt: skip
    await program.settle()
    assert program.kinds(OFFICE) == ["counter_proposed"]
    result = await program.update(
        PairProgramWorkflow.approve_counter, ApproveCounter(request_id="ok-2", session_number=2)
    )
    local = second.local_start + timedelta(days=1, hours=-2)
    assert result.summary == f"session 2 moved to {local:%Y-%m-%d %H:%M} Europe/Berlin, as proposed"
    await program.settle()
    state = await program.state()
    moved = state.sessions[1]
    # The session keeps its length; SEQUENCE+1 reached both calendars.
    assert (moved.starts_at, moved.ends_at - moved.starts_at, moved.sequence) == (proposed, timedelta(hours=1), 1)
    assert state.counters[0].status == CounterStatus.APPROVED
    for email in (MENTOR, MENTEE):
        assert program.calendar(email) == await program.expected_calendar()
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await program.update(PairProgramWorkflow.refuse_counter, RefuseCounter(request_id="no-2", session_number=2))
    assert "no proposed new time waits" in refused.value.cause.message


async def test_a_refused_proposal_tells_the_proposer_calendar_with_declinecounter(program):
    state = await program.start_tomorrow()
    proposed = state.sessions[0].starts_at + timedelta(hours=3)
    await reply(program, 1, MENTOR, method=ReplyMethod.COUNTER, proposed_start=proposed,
                proposed_end=proposed + timedelta(hours=1))  # fmt: skip
    await program.update(PairProgramWorkflow.refuse_counter, RefuseCounter(request_id="no-1", session_number=1))
    await program.settle()
    calendar = calendar_method(program, MENTOR, "counter_declined")
    event = calendar.walk("VEVENT")[0]
    assert str(calendar["METHOD"]) == "DECLINECOUNTER"
    assert (str(event["UID"]), int(event["SEQUENCE"])) == (state.sessions[0].uid, 0)
    assert str(event["ATTENDEE"]).lower() == f"mailto:{MENTOR}"
    assert "counter_declined" not in program.kinds(MENTEE)
    after: PairState = await program.state()
    assert after.sessions[0].starts_at == state.sessions[0].starts_at and after.sessions[0].sequence == 0


async def test_two_sessions_declined_in_a_row_alert_the_office(program):
    await program.start_tomorrow()
    await reply(program, 1, MENTOR, PartStat.DECLINED)
    await reply(program, 2, MENTEE, PartStat.DECLINED)
    await program.settle()
    state = await program.state()
    assert state.health == PairHealth.AT_RISK
    # The alert is queued with the second decline's notice, and goes first.
    assert program.kinds(OFFICE) == ["session_declined", "at_risk_alert", "session_declined"]
