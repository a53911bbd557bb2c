"""A pair started, or a session moved, within a session's reminder hours: the invite is
the reminder.

Before, the reminder was due from ``starts_at - reminder_hours`` whatever had been sent,
so a pair started the afternoon before its first session mailed "Reminder: your session
tomorrow" before its welcome and its invite (the suite failed so every Monday after
15:00 UTC, its sessions being on Tuesdays at 16:00 in Berlin). Now the welcome and the
invite go out, and no reminder follows them. Real activities and SMTP, on the
time-skipping server."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from devstack.temporal_servers import fixed_key_converter
from mentoring.cohort import Cadence, Weekday
from mentoring.operations import RescheduleSession
from mentoring.state import PairProgramInput
from tests import factories
from tests.patches import patches
from tests.program_harness import ProgramHarness
from workflows.pair import PairProgramWorkflow
from workflows.steps import INVITE_IS_THE_REMINDER

MENTOR, MENTEE = "mentor-p1@example.com", "mentee-p1@example.com"
BERLIN = ZoneInfo("Europe/Berlin")
# Recorded by this scenario on the code before the patch: reminder, welcome, invites.
BEFORE_THE_PATCH = Path(__file__).parent / "races" / "pair--starts-within-the-reminder-hours--before-patch.json"


def first_session_in(now: datetime, hours: int) -> PairProgramInput:
    """A weekly pair whose first session is ``hours`` from ``now`` (to the next quarter hour)."""
    local = (now + timedelta(hours=hours)).astimezone(BERLIN)
    local += timedelta(minutes=-local.minute % 15)
    weekday = list(Weekday)[local.weekday()]
    pair = factories.pair(cadence=Cadence.WEEKLY, weekday=weekday, at=time(local.hour, local.minute))
    return PairProgramInput(program=factories.program(now.astimezone(BERLIN).date(), months=4), pair=pair)


async def test_a_pair_started_hours_before_its_first_session_is_welcomed_and_invited_not_reminded(program):
    await program.start(first_session_in(await program.now(), hours=20))
    for email in (MENTOR, MENTEE):
        assert program.kinds(email) == ["welcome", "invite", "invite"]  # sessions 1 and 2
    state = await program.state()
    assert state.sessions[0].reminder_done and not state.sessions[1].reminder_done
    # The second session, a week later, is reminded as always: a day before it.
    await program.advance(state.sessions[1].starts_at - timedelta(hours=23) - await program.now())
    assert program.kinds(MENTOR).count("reminder") == 1
    history = await program.handle.fetch_history()
    assert [p for p in patches(history) if INVITE_IS_THE_REMINDER.encode() in p]
    await Replayer(workflows=[PairProgramWorkflow], data_converter=fixed_key_converter()).replay_workflow(history)


async def test_a_session_moved_into_its_reminder_hours_gets_its_update_and_no_reminder(program: ProgramHarness):
    await program.start(first_session_in(await program.now(), hours=72))
    state = await program.state()
    before = len(program.received(MENTOR))
    # Moved from three days ahead to tomorrow morning, inside the 24 hours before it.
    moved = (await program.now() + timedelta(hours=18)).astimezone(BERLIN).replace(tzinfo=None, second=0, microsecond=0)
    moved -= timedelta(minutes=moved.minute % 15)
    await program.update(
        PairProgramWorkflow.reschedule_session,
        RescheduleSession(request_id="move-1", session_number=1, new_local_start=moved),
    )
    await program.settle()
    assert program.kinds(MENTOR)[before:] == ["invite"]
    assert (await program.state()).sessions[0].reminder_done
    # The second session was invited in time: its reminder comes a day before it.
    await program.advance(state.sessions[1].starts_at - timedelta(hours=23) - await program.now())
    assert program.kinds(MENTOR)[before:].count("reminder") == 1


async def test_a_history_from_before_the_patch_replays_as_it_ran():
    """Its pair sent the reminder first; a replay must do the same."""
    history = WorkflowHistory.from_json("before-patch", BEFORE_THE_PATCH.read_text())
    assert not [p for p in patches(history) if INVITE_IS_THE_REMINDER.encode() in p]
    await Replayer(workflows=[PairProgramWorkflow], data_converter=fixed_key_converter()).replay_workflow(history)
