"""A session's reminder and its invite, for a pair started any time before its first
session (``workflows.agenda``, pure): welcome, invite and reminder in that order, and
an invite that goes out within the reminder hours is the reminder."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from mentoring.state import PairState
from tests import factories
from tests.unit.states import START, pair_state
from workflows.agenda import Action, due_items

PROGRAM = factories.program(START.date())
REMINDER = timedelta(hours=PROGRAM.reminder_hours)


def started(before_first_session: timedelta) -> PairState:
    """A pair that has sent nothing yet, started this long before its first session."""
    state = pair_state(invited=0)
    state.welcome_done = False
    state.started_at = START - before_first_session
    return state


def before_session_1(state: PairState, **rule: bool) -> list[Action]:
    """What is due before the first session starts: its own items and the welcome."""
    items = due_items(state, PROGRAM, **rule)
    return [i.action for i in items if i.at < START and i.session_number in (0, 1)]


@given(st.timedeltas(min_value=timedelta(minutes=1), max_value=timedelta(days=13)))
def test_the_welcome_and_the_invite_come_first_and_a_late_invite_is_the_reminder(ahead):
    state = started(ahead)
    if ahead <= REMINDER:
        assert before_session_1(state) == [Action.WELCOME, Action.INVITE]
    else:
        assert before_session_1(state) == [Action.WELCOME, Action.INVITE, Action.REMINDER]
    # The invite, once sent, takes the reminder's place (``ProgramSteps``): nothing more
    # is due for session 1 before it starts.
    state.welcome_done = True
    state.sessions[0].invited_sequence = 0
    state.sessions[0].reminder_done = ahead <= REMINDER
    assert before_session_1(state) == ([] if ahead <= REMINDER else [Action.REMINDER])


@given(st.timedeltas(min_value=timedelta(minutes=1), max_value=REMINDER - timedelta(seconds=1)))
def test_before_the_patch_the_reminder_came_first(ahead):
    """What older histories replay (``invite_is_the_reminder=False``)."""
    assert before_session_1(started(ahead), invite_is_the_reminder=False) == [
        Action.REMINDER,
        Action.WELCOME,
        Action.INVITE,
    ]


def test_a_session_moved_into_its_reminder_hours_is_reminded_by_its_update():
    state = pair_state(invited=2)
    now = START - timedelta(days=3)
    moved = state.sessions[0]
    moved.starts_at, moved.ends_at = now + timedelta(hours=18), now + timedelta(hours=19)
    moved.sequence, moved.updated_at = 1, now
    actions = [i.action for i in due_items(state, PROGRAM) if i.session_number == 1]
    assert actions[0] == Action.INVITE and Action.REMINDER not in actions
    # Moved to a week later instead: its update goes out now, its reminder a day before it.
    moved.starts_at, moved.ends_at = now + timedelta(days=7), now + timedelta(days=7, hours=1)
    items = [i for i in due_items(state, PROGRAM) if i.session_number == 1]
    assert [(i.action, i.at) for i in items[:2]] == [
        (Action.INVITE, now),
        (Action.REMINDER, moved.starts_at - REMINDER),
    ]
