"""``workflows.changes`` and ``agenda.position``: numbering and what re-planning keeps."""

from __future__ import annotations

from datetime import timedelta

from mentoring.operations import SessionChangeKind
from mentoring.state import CancelledBy, SessionStatus
from tests.unit.states import START, WORKFLOW_ID, pair_state, slot, weekly
from workflows.agenda import active_sessions, position, session_at
from workflows.changes import (
    add_session,
    apply_plan,
    cancel_session,
    kept_days,
    moved_summary,
    numbered,
    reschedule,
    restore_pinned,
    restyle_pinned,
)

NOW = START - timedelta(days=1)


def test_sessions_are_numbered_in_time_order_and_cancelled_ones_keep_their_number():
    state = pair_state()
    second = state.sessions[1]
    reschedule(second, slot(START + timedelta(weeks=3, days=1)), NOW)
    assert [s.number for s in active_sessions(state)][:4] == [1, 3, 4, 2]
    assert position(state, second) == 4 and session_at(state, 4) is second
    changes = numbered(state, [cancel_session(state.sessions[0], "x", NOW, CancelledBy.OFFICE)])
    assert [(c.session_number, c.change) for c in changes] == [(1, SessionChangeKind.CANCELLED)]
    assert position(state, state.sessions[0]) == 1 and position(state, second) == 3
    assert session_at(state, 0) is None and session_at(state, 8) is None


def test_a_move_past_other_sessions_says_the_number_the_session_has_now():
    state = pair_state()
    second, third = state.sessions[1], state.sessions[2]
    later = START + timedelta(weeks=3, days=1)
    reschedule(second, slot(later), NOW)
    assert moved_summary(state, second, 2, later.replace(tzinfo=None)) == (
        f"session 2 moved to {later:%Y-%m-%d %H:%M} UTC; in time order it is now session 4"
    )
    sooner = START + timedelta(weeks=2, hours=1)
    reschedule(third, slot(sooner), NOW)
    assert moved_summary(state, third, 2, sooner.replace(tzinfo=None), ", as proposed") == (
        f"session 2 moved to {sooner:%Y-%m-%d %H:%M} UTC, as proposed"
    )


def test_one_operation_cancelling_several_numbers_them_as_they_were():
    state = pair_state()
    changes = [cancel_session(s, "pause", NOW, CancelledBy.PAUSE) for s in state.sessions[2:5]]
    assert [c.session_number for c in numbered(state, changes)] == [3, 4, 5]
    assert [s.cancelled_as for s in state.sessions[2:5]] == [3, 4, 5]


def test_cancelling_an_invited_session_raises_its_sequence_an_uninvited_one_not():
    state = pair_state(invited=1)
    first, second = state.sessions[:2]
    cancel_session(first, "x", NOW)
    cancel_session(second, "x", NOW)
    assert (first.sequence, second.sequence) == (1, 0)
    assert first.status == second.status == SessionStatus.CANCELLED


def test_a_re_plan_skips_cancelled_days_and_leaves_placed_sessions_alone():
    state = pair_state()
    cancel_session(state.sessions[2], "Betriebsversammlung", NOW, CancelledBy.OFFICE)
    moved_to = START + timedelta(weeks=4, days=2, hours=-3)
    reschedule(state.sessions[4], slot(moved_to), NOW)
    assert kept_days(state) == {
        state.sessions[2].local_start.date(),
        moved_to.date(),
        (START + timedelta(weeks=4)).date(),
    }
    # The same weekly rhythm planned again, one hour later.
    apply_plan(state, WORKFLOW_ID, weekly(8, START + timedelta(hours=1)), NOW, "new time")
    active = active_sessions(state)
    days = [s.local_start.date() for s in active]
    assert (START + timedelta(weeks=2)).date() not in days
    assert (START + timedelta(weeks=4)).date() not in days
    assert state.sessions[4].local_start == moved_to.replace(tzinfo=None) and state.sessions[4].pinned
    assert all(s.starts_at.hour == 16 for s in active if not s.pinned)


def test_surplus_sessions_are_cancelled_by_the_plan_and_missing_ones_added_after_the_operation():
    state = pair_state(sessions=4)
    changes = apply_plan(state, WORKFLOW_ID, weekly(2), NOW, "shorter")
    assert [c.change for c in changes] == [SessionChangeKind.CANCELLED] * 2
    assert {s.cancelled_by for s in state.sessions[2:]} == {CancelledBy.PLAN}
    added = apply_plan(state, WORKFLOW_ID, weekly(3), NOW, "longer")
    assert [c.change for c in added] == [SessionChangeKind.ADDED]
    assert state.sessions[-1].added_at == NOW and state.sessions[-1].uid.endswith("-session-5@reverse-mentoring")


def test_a_pinned_session_cancelled_by_a_pause_comes_back_with_a_new_uid():
    state = pair_state()
    placed = state.sessions[5]
    reschedule(placed, slot(placed.starts_at + timedelta(hours=2)), NOW)
    cancel_session(placed, "pause", NOW, CancelledBy.PAUSE)
    [change] = restore_pinned(state, WORKFLOW_ID, NOW)
    back = state.sessions[-1]
    assert change.change == SessionChangeKind.ADDED and back.uid != placed.uid
    assert (back.starts_at, back.pinned, back.moved_from) == (placed.starts_at, True, placed.moved_from)
    assert restore_pinned(state, WORKFLOW_ID, NOW) == []


def test_a_new_length_and_place_reach_pinned_sessions_too():
    state = pair_state()
    placed = state.sessions[3]
    reschedule(placed, slot(placed.starts_at + timedelta(days=1)), NOW)
    [change] = restyle_pinned(state, NOW, 45, "Raum 4.12")
    assert change.change == SessionChangeKind.MOVED
    assert (placed.ends_at - placed.starts_at, placed.location, placed.sequence) == (
        timedelta(minutes=45),
        "Raum 4.12",
        2,
    )
    assert restyle_pinned(state, NOW, None, None) == []


def test_an_added_session_gets_the_next_stable_id():
    state = pair_state(sessions=3)
    change = add_session(state, WORKFLOW_ID, slot(START + timedelta(days=1)), NOW, pinned=True)
    assert change.session_number == 4 and state.sessions[-1].pinned
    assert position(state, state.sessions[-1]) == 2
