"""Operations on a running pair, with the real activities and SMTP on the
time-skipping server: exact invites, messages and calendars afterwards."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowUpdateFailedError

from mentoring.cohort import Cadence, Person, Role
from mentoring.operations import (
    CancelSession,
    ChangeRhythm,
    EndProgram,
    ExtendProgram,
    PausePair,
    ReplaceParticipant,
    RescheduleSession,
    ResumePair,
    SessionChange,
    SessionChangeKind,
    WithdrawParticipant,
)
from mentoring.state import PairProgramInput, ProgramPhase, SessionStatus
from tests import factories
from tests.calendars import calendar_of
from tests.program_harness import ProgramHarness
from workflows.agenda import position
from workflows.pair import PairProgramWorkflow

MENTOR, MENTEE, OFFICE = "mentor-p1@example.com", "mentee-p1@example.com", "office@example.com"
NEWCOMER = "ines.brandt@example.com"


async def rejected(program: ProgramHarness, update, request) -> str:
    with pytest.raises(WorkflowUpdateFailedError) as failure:
        await program.update(update, request)
    return failure.value.cause.message


async def test_reschedule_moves_the_invite_reminder_and_prompt(program):
    state = await program.start_tomorrow()
    first = state.sessions[0]
    assert program.kinds(MENTEE) == ["welcome", "invite", "invite"]  # weekly: sessions 1 and 2 are within 14 days
    new_time = first.local_start + timedelta(days=1, hours=2)

    request = RescheduleSession(request_id="move-1", session_number=1, new_local_start=new_time)
    result = await program.update(PairProgramWorkflow.reschedule_session, request)
    assert result.sessions == [
        SessionChange(
            session_number=1,
            change=SessionChangeKind.MOVED,
            local_start=new_time,
            previous_local_start=first.local_start,
        )
    ]
    assert result.summary == f"session 1 moved to {new_time:%Y-%m-%d %H:%M} Europe/Berlin"
    await program.settle()

    moved = (await program.state()).sessions[0]
    assert moved.sequence == 1 and moved.invited_sequence == 1
    assert moved.starts_at - first.starts_at == timedelta(days=1, hours=2)
    for email in (MENTOR, MENTEE):
        update = program.received(email)[-1]
        assert update.kind == "invite"
        entry = calendar_of([update])[first.uid]
        assert (entry.sequence, entry.starts_at, entry.method) == (1, moved.starts_at, "REQUEST")
        assert program.calendar(email) == await program.expected_calendar()

    # Repeating the request changes nothing and sends nothing.
    count = len(program.smtp.handler.received)
    assert await program.update(PairProgramWorkflow.reschedule_session, request) == result
    await program.settle()
    assert len(program.smtp.handler.received) == count

    await program.advance(moved.ends_at + timedelta(hours=3) - await program.now())
    log = (await program.state()).messages
    reminders = [m for m in log if m.kind == "reminder" and m.session_number == 1]
    reflections = [m for m in log if m.kind == "reflection" and m.session_number == 1]
    assert [m.due_at for m in reminders] == [moved.starts_at - timedelta(hours=24)] * 2
    assert [m.due_at for m in reflections] == [moved.ends_at + timedelta(hours=2)] * 2


async def test_bad_operations_are_rejected_with_a_reason_and_change_nothing(program):
    state = await program.start_tomorrow()
    history_before = len((await program.handle.fetch_history()).events)
    state_before = await program.state()
    first = state.sessions[0]
    cases = [
        (
            PairProgramWorkflow.reschedule_session,
            RescheduleSession(request_id="a", session_number=99, new_local_start=first.local_start),
            "there is no session 99",
        ),
        (
            PairProgramWorkflow.reschedule_session,
            RescheduleSession(request_id="b", session_number=1, new_local_start=first.local_start - timedelta(days=30)),
            "new time",
        ),
        (
            PairProgramWorkflow.reschedule_session,
            RescheduleSession(
                request_id="c", session_number=1, new_local_start=first.local_start + timedelta(days=400)
            ),
            "is outside the program",
        ),
        (
            PairProgramWorkflow.cancel_session,
            CancelSession(request_id="d", session_number=1, reason="  "),
            "reason: is empty",
        ),
        (
            PairProgramWorkflow.extend,
            ExtendProgram(request_id="e", weeks=0),
            "weeks: must be from 1 to 26 weeks, but it is 0",
        ),
        (
            PairProgramWorkflow.replace_participant,
            ReplaceParticipant(
                request_id="f",
                role=Role.MENTOR,
                person=Person(name="X", email=MENTEE, timezone="Europe/Berlin"),
                reason="r",
            ),
            f"{MENTEE} is already the other participant of this pair",
        ),
        (PairProgramWorkflow.resume, ResumePair(request_id="g"), "the pair is not paused"),
        (PairProgramWorkflow.change_rhythm, ChangeRhythm(request_id="h"), "say what to change"),
        (
            PairProgramWorkflow.pause,
            PausePair(request_id="i", reason="x\r\nBcc: evil@example.com"),
            "reason: contains a line break; it must be a single line",
        ),
    ]
    for update, request, message in cases:
        assert message in await rejected(program, update, request)
    # Rejected in validators: no update, command or activity entered history (the
    # time-skipping server still records the workflow tasks that ran the validators).
    added = (await program.handle.fetch_history()).events[history_before:]
    assert {EventType.Name(e.event_type) for e in added} <= {
        "EVENT_TYPE_WORKFLOW_TASK_SCHEDULED",
        "EVENT_TYPE_WORKFLOW_TASK_STARTED",
        "EVENT_TYPE_WORKFLOW_TASK_COMPLETED",
    }
    assert await program.state() == state_before


async def test_cancel_sends_cancel_drops_the_reminder_and_invites_the_replacement(program):
    state = await program.start_tomorrow()
    first = state.sessions[0]
    replacement = first.local_start + timedelta(days=2)
    result = await program.update(
        PairProgramWorkflow.cancel_session,
        CancelSession(
            request_id="c1", session_number=1, reason="Vorstandssitzung", replacement_local_start=replacement
        ),
    )
    # Numbered as ops.py show and the emails number them: the replacement is now session 1.
    assert [(c.session_number, c.change, c.local_start) for c in result.sessions] == [
        (1, SessionChangeKind.CANCELLED, first.local_start),
        (1, SessionChangeKind.ADDED, replacement),
    ]
    await program.settle()
    for email in (MENTOR, MENTEE):
        cancel = next(r for r in program.received(email) if r.kind == "invite_cancel")
        entry = calendar_of([cancel])[first.uid]
        assert (entry.method, entry.status, entry.sequence) == ("CANCEL", "CANCELLED", 1)
        assert "Vorstandssitzung" in cancel.message.get_body(("plain",)).get_content()
        assert program.calendar(email) == await program.expected_calendar()
    state = await program.state()
    assert state.sessions[0].status == SessionStatus.CANCELLED
    await program.advance(first.starts_at - await program.now() + timedelta(days=3))
    assert not any(r.kind == "reminder" and "Sitzung 1 " in str(r.message["Subject"]) for r in program.received(MENTEE))
    outcome_state = await program.state()
    assert not outcome_state.sessions[0].reminder_done  # never sent, never due


async def test_change_rhythm_updates_every_invited_session(program):
    state = await program.start_tomorrow(cadence=Cadence.BIWEEKLY)
    result = await program.update(
        PairProgramWorkflow.change_rhythm,
        ChangeRhythm(request_id="r1", cadence=Cadence.WEEKLY, local_time=time(18, 0), location="Raum 4.12"),
    )
    assert result.sessions, "the rhythm change must touch the sessions to come"
    await program.settle()
    state = await program.state()
    upcoming = [s for s in state.sessions if s.status != SessionStatus.CANCELLED]
    assert {s.local_start.time() for s in upcoming} == {time(18, 0)}
    assert {s.location for s in upcoming} == {"Raum 4.12"}
    gaps = {(b.local_start.date() - a.local_start.date()).days for a, b in zip(upcoming, upcoming[1:], strict=False)}
    assert gaps == {7}
    for email in (MENTOR, MENTEE):
        assert program.calendar(email) == await program.expected_calendar()


async def test_pause_cancels_inside_and_resume_moves_the_reviews(program):
    state = await program.start_tomorrow()
    midpoint_before, end_before = state.midpoint_at, state.program_end
    now = await program.now()
    until = (now + timedelta(days=20)).date()
    result = await program.update(
        PairProgramWorkflow.pause, PausePair(request_id="p1", reason="Elternzeit", until=until)
    )
    assert result.summary.startswith(f"paused until {until}")
    await program.settle()
    assert (await program.state()).phase == ProgramPhase.PAUSED
    for email in (MENTOR, MENTEE):
        assert "program_paused" in program.kinds(email)
        assert program.calendar(email) == {}, "every invited session inside the pause is cancelled"
    sent_before = len(program.smtp.handler.received)

    # No reminders or prompts while paused; it resumes by itself after `until`.
    await program.advance(timedelta(days=10))
    assert [r.kind for r in program.smtp.handler.received[sent_before:]] == []
    await program.advance(timedelta(days=12))
    state = await program.state()
    assert state.phase != ProgramPhase.PAUSED
    pause = state.pauses[-1]
    length = pause.resumed_at - pause.started_at
    assert state.midpoint_at == midpoint_before + length
    assert state.program_end >= end_before + timedelta(days=length.days)
    for email in (MENTOR, MENTEE):
        assert "program_resumed" in program.kinds(email)
        assert program.calendar(email) == await program.expected_calendar(after=await program.now())


async def test_end_early_cancels_every_invite_and_sends_the_closing_review(program):
    await program.start_tomorrow()
    result = await program.update(
        PairProgramWorkflow.end_program, EndProgram(request_id="e1", reason="Wechsel ins Ausland")
    )
    assert result.summary == "program ended: Wechsel ins Ausland"
    outcome = await program.finish()
    assert outcome.phase == ProgramPhase.ENDED
    for email in (MENTOR, MENTEE):
        assert program.calendar(email) == {}
        assert program.kinds(email)[-1] == "closing_review"
        assert "Wechsel ins Ausland" in program.received(email)[-1].message.get_body(("plain",)).get_content()
    assert program.kinds(OFFICE) == ["completion_notice"]


async def test_replacing_the_mentee_moves_the_calendar_to_the_newcomer(program):
    await program.start_tomorrow()
    newcomer = Person(name="Ines Brandt", email=NEWCOMER, timezone="Europe/Berlin")
    result = await program.update(
        PairProgramWorkflow.replace_participant,
        ReplaceParticipant(request_id="x1", role=Role.MENTEE, person=newcomer, reason="Neue Aufgabe im Konzern"),
    )
    assert result.summary == "mentee is now Ines Brandt"
    await program.settle()
    expected = await program.expected_calendar()
    # One SEQUENCE per change: the leaver's CANCEL is 1, the REQUEST naming the newcomer 2.
    assert expected and all(sequence == 2 for _, sequence in expected.values())
    leaver_cancels = calendar_of([r for r in program.received(MENTEE) if r.kind == "invite_cancel"])
    assert {uid: (e.method, e.sequence) for uid, e in leaver_cancels.items()} == {
        uid: ("CANCEL", 1) for uid in expected
    }
    assert program.calendar(MENTEE) == {}
    assert program.calendar(NEWCOMER) == expected
    assert program.calendar(MENTOR) == expected
    assert program.kinds(NEWCOMER)[0] == "welcome"
    assert "partner_changed" in program.kinds(MENTOR)
    # The newcomer gets plain invitations; the partner is told the sessions changed.
    newcomer_invites = [str(r.message["Subject"]) for r in program.received(NEWCOMER) if r.kind == "invite"]
    assert newcomer_invites and not any(s.startswith("Updated") for s in newcomer_invites)
    assert str([r for r in program.received(MENTOR) if r.kind == "invite"][-1].message["Subject"]).startswith("Updated")


async def test_a_mentee_replaced_before_the_welcome_is_greeted_with_the_pair(program):
    now = await program.now()
    # Six weeks ahead: nobody has heard from the program yet.
    await program.start(
        PairProgramInput(program=factories.program((now + timedelta(weeks=6)).date()), pair=factories.pair())
    )
    assert program.smtp.handler.received == []
    newcomer = Person(name="Ines Brandt", email=NEWCOMER, timezone="Europe/Berlin")
    result = await program.update(
        PairProgramWorkflow.replace_participant,
        ReplaceParticipant(request_id="early", role=Role.MENTEE, person=newcomer, reason="Neue Aufgabe im Konzern"),
    )
    assert (result.summary, result.messages_queued) == ("mentee is now Ines Brandt", 0)
    await program.settle()
    assert program.smtp.handler.received == []

    first = (await program.state()).sessions[0]
    await program.advance(first.starts_at - timedelta(days=14) - await program.now())
    # The welcome and the first invite, together, to the pair as it is now.
    assert program.kinds(NEWCOMER) == program.kinds(MENTOR) == ["welcome", "invite"]
    assert program.kinds(MENTEE) == []


async def test_withdraw_then_replace_resumes_with_the_newcomer(program):
    await program.start_tomorrow()
    await program.update(
        PairProgramWorkflow.withdraw_participant,
        WithdrawParticipant(request_id="w1", role=Role.MENTOR, reason="hat das Unternehmen verlassen"),
    )
    await program.settle()
    assert program.calendar(MENTOR) == {} and program.calendar(MENTEE) == {}
    assert "program_paused" in program.kinds(MENTEE)
    assert "program_paused" not in program.kinds(MENTOR)
    message = await rejected(program, PairProgramWorkflow.resume, ResumePair(request_id="r"))
    assert message == "the mentor has withdrawn; replace them to resume"

    newcomer = Person(name="Ines Brandt", email=NEWCOMER, timezone="Europe/Berlin")
    await program.update(
        PairProgramWorkflow.replace_participant,
        ReplaceParticipant(request_id="x2", role=Role.MENTOR, person=newcomer, reason="Nachfolge"),
    )
    await program.settle()
    state = await program.state()
    assert state.phase != ProgramPhase.PAUSED and state.vacant_role is None
    expected = await program.expected_calendar()
    assert expected
    assert program.calendar(NEWCOMER) == expected == program.calendar(MENTEE)
    assert program.calendar(MENTOR) == {}


async def test_extend_adds_sessions_on_the_same_rhythm(program):
    state = await program.start_tomorrow(cadence=Cadence.BIWEEKLY)
    last = state.sessions[-1]
    result = await program.update(PairProgramWorkflow.extend, ExtendProgram(request_id="x", weeks=4))
    added = [c for c in result.sessions if c.change == SessionChangeKind.ADDED]
    assert [c.local_start for c in added] == [
        last.local_start + timedelta(weeks=2),
        last.local_start + timedelta(weeks=4),
    ]
    assert result.program_end == state.program_end + timedelta(weeks=4)


async def test_a_long_mixed_sequence_leaves_every_calendar_consistent(program):
    state = await program.start_tomorrow(months=6)
    await program.update(
        PairProgramWorkflow.pause,
        PausePair(request_id="m1", reason="Reise", until=(await program.now() + timedelta(days=9)).date()),
    )
    await program.advance(timedelta(days=12))
    state, now = await program.state(), await program.now()
    nxt = next(s for s in state.sessions if s.status != SessionStatus.CANCELLED and s.starts_at > now)
    await program.update(
        PairProgramWorkflow.reschedule_session,
        RescheduleSession(
            request_id="m2", session_number=position(state, nxt), new_local_start=nxt.local_start + timedelta(hours=3)
        ),
    )
    newcomer = Person(name="Ines Brandt", email=NEWCOMER, timezone="America/New_York")
    await program.update(
        PairProgramWorkflow.replace_participant,
        ReplaceParticipant(request_id="m3", role=Role.MENTEE, person=newcomer, reason="Nachfolge"),
    )
    await program.update(PairProgramWorkflow.extend, ExtendProgram(request_id="m4", weeks=3))
    await program.advance(timedelta(days=30))
    await program.update(PairProgramWorkflow.end_program, EndProgram(request_id="m5", reason="Umstrukturierung"))
    outcome = await program.finish()
    assert outcome.phase == ProgramPhase.ENDED

    # Afterwards each calendar holds exactly the sessions that happened, at their last time and SEQUENCE.
    final = await program.state()
    # Whether or not anyone checked in: the past sessions, which the end did not cancel.
    held = {s.uid: (s.starts_at, s.sequence) for s in final.sessions if s.status != SessionStatus.CANCELLED}
    held_with_newcomer = {uid: value for uid, value in held.items() if value[0] > final.operations["m3"].applied_at}
    assert program.calendar(MENTOR) == held
    assert program.calendar(NEWCOMER) == held_with_newcomer
    # The leaver's calendar keeps only what happened while they were in the pair.
    assert set(program.calendar(MENTEE)) <= set(held) - set(held_with_newcomer)
