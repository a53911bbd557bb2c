"""Re-planning keeps what the program office decided: the two cases from the field,
on the time-skipping server with the real activities and SMTP."""

from __future__ import annotations

from datetime import timedelta

import pytest

from mentoring.cohort import Person, Role, Weekday
from mentoring.operations import (
    CancelSession,
    ChangeRhythm,
    ExtendProgram,
    PausePair,
    ReplaceParticipant,
    RescheduleSession,
    ResumePair,
    WithdrawParticipant,
)
from workflows.agenda import active_sessions, position
from workflows.pair import PairProgramWorkflow

MENTOR = "mentor-p1@example.com"


@pytest.fixture
async def started(program):
    await program.start_tomorrow()
    return program


def days(state) -> list:
    return [s.local_start for s in active_sessions(state)]


async def test_resume_does_not_bring_back_a_day_the_office_cancelled(started):
    program = started
    state = await program.state()
    cancelled = active_sessions(state)[3]
    moved = active_sessions(state)[5]
    new_time = moved.local_start + timedelta(days=1, hours=-2)
    await program.update(
        PairProgramWorkflow.cancel_session,
        CancelSession(request_id="c", session_number=4, reason="Betriebsversammlung"),
    )
    await program.update(
        PairProgramWorkflow.reschedule_session,
        RescheduleSession(request_id="r", session_number=5, new_local_start=new_time),
    )
    await program.update(PairProgramWorkflow.pause, PausePair(request_id="p", reason="Reise"))
    await program.advance(timedelta(days=1))
    await program.update(PairProgramWorkflow.resume, ResumePair(request_id="u"))
    await program.update(PairProgramWorkflow.extend, ExtendProgram(request_id="e", weeks=2))
    await program.update(PairProgramWorkflow.change_rhythm, ChangeRhythm(request_id="h", length_minutes=45))
    await program.settle()
    state = await program.state()
    assert cancelled.local_start.date() not in {d.date() for d in days(state)}
    # The moved session is back at the office's time (a new UID: its cancellation went out).
    kept = [s for s in active_sessions(state) if s.local_start == new_time]
    assert len(kept) == 1 and kept[0].pinned and kept[0].ends_at - kept[0].starts_at == timedelta(minutes=45)
    assert moved.local_start.date() not in {d.date() for d in days(state)}
    assert program.calendar(MENTOR) == await program.expected_calendar()


async def test_withdraw_then_replace_keeps_the_agreed_replacement(started):
    program = started
    state = await program.state()
    third = active_sessions(state)[2]
    replacement = third.local_start + timedelta(days=2)
    await program.update(
        PairProgramWorkflow.cancel_session,
        CancelSession(
            request_id="c", session_number=3, reason="Betriebsversammlung", replacement_local_start=replacement
        ),
    )
    await program.update(
        PairProgramWorkflow.withdraw_participant, WithdrawParticipant(request_id="w", role=Role.MENTEE, reason="left")
    )
    await program.advance(timedelta(hours=6))
    newcomer = Person(name="Ines Brandt", email="ines.brandt@example.com", timezone="Europe/Berlin")
    await program.update(
        PairProgramWorkflow.replace_participant,
        ReplaceParticipant(request_id="x", role=Role.MENTEE, person=newcomer, reason="Nachfolge"),
    )
    await program.settle()
    state = await program.state()
    assert replacement in days(state)
    assert third.local_start.date() not in {d.date() for d in days(state)}
    assert program.calendar(newcomer.email) == await program.expected_calendar(after=await program.now())
    assert program.calendar(MENTOR) == await program.expected_calendar()


async def test_a_new_weekday_leaves_placed_sessions_where_they_are(started):
    program = started
    state = await program.state()
    placed = active_sessions(state)[4]
    at = placed.local_start + timedelta(days=2)
    await program.update(
        PairProgramWorkflow.reschedule_session, RescheduleSession(request_id="r", session_number=5, new_local_start=at)
    )
    await program.update(PairProgramWorkflow.change_rhythm, ChangeRhythm(request_id="h", weekday=Weekday.FRIDAY))
    state = await program.state()
    same = next(s for s in state.sessions if s.uid == placed.uid)
    assert same.local_start == at and position(state, same) in range(1, len(active_sessions(state)) + 1)
    assert all(
        s.local_start.weekday() == 4 for s in active_sessions(state) if not s.pinned and s.starts_at > same.starts_at
    )
