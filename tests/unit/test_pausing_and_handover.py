"""``workflows.pausing``, ``handover`` and ``notices``: pure state changes."""

from __future__ import annotations

from datetime import timedelta

from mentoring.cohort import Person, Role
from mentoring.messages import MessageKind
from mentoring.operations import Announcement, Audience, EndProgram, ReplaceParticipant
from mentoring.plan import SessionPlan
from mentoring.state import CancelledBy, ProgramPhase, SessionStatus
from tests.unit.states import START, WORKFLOW_ID, pair_state, weekly
from workflows import handover, notices, pausing
from workflows.agenda import active_sessions
from workflows.letters import participants

NOW = START + timedelta(days=8)  # sessions 1 and 2 are over
NEWCOMER = Person(name="Ines Brandt", email="Ines@Example.com", timezone="Asia/Tokyo")


def test_a_pause_until_a_day_cancels_only_inside_and_tells_those_named():
    state = pair_state()
    until = (START + timedelta(weeks=3)).date()
    changes = pausing.pause(state, "Reise", until, None, participants(state)[:1], NOW)
    assert [c.local_start.date() for c in changes] == [(START + timedelta(weeks=w)).date() for w in (2, 3)]
    assert {s.cancelled_by for s in state.sessions if s.status == SessionStatus.CANCELLED} == {CancelledBy.PAUSE}
    assert [(m.kind, m.recipient.role, m.paused_until) for m in state.outbox] == [
        (MessageKind.PROGRAM_PAUSED, Role.MENTOR, until)
    ]
    assert state.paused is not None and state.paused.until == until


def test_resuming_lengthens_the_program_by_the_pause_and_moves_the_midpoint():
    state = pair_state()
    pausing.pause(state, "Reise", None, None, [], NOW)
    later = NOW + timedelta(days=10, hours=1)
    start, end = pausing.resume_window(state, later)
    assert (start, end) == (later.date() - timedelta(days=1), state.program_end + timedelta(days=11))
    midpoint = state.midpoint_at
    plan = SessionPlan(
        sessions=weekly(3, later + timedelta(days=1)),
        midpoint_at=later,
        closing_at=later + timedelta(weeks=4),
        program_end=end,
    )
    pausing.resume(state, WORKFLOW_ID, plan, later, participants(state))
    assert state.paused is None and state.program_end == end
    assert state.midpoint_at == midpoint + (later - NOW)
    upcoming = [s for s in active_sessions(state) if s.starts_at > later]
    assert [s.starts_at for s in upcoming] == [p.starts_at for p in plan.sessions]
    assert [m.kind for m in state.outbox].count(MessageKind.PROGRAM_RESUMED) == 2


def test_ending_cancels_what_is_to_come_and_leaves_no_pause_notice():
    state = pair_state()
    pausing.pause(state, "Reise", None, None, participants(state), NOW)
    changes = pausing.end(state, EndProgram(request_id="e", reason="Umbau"), NOW)
    assert changes == [] and state.phase == ProgramPhase.ENDED
    assert state.outbox == [] and state.closing_at == NOW and not state.beyond_six_months
    assert state.paused is None


def test_handing_over_gives_the_leaver_a_cancel_and_everyone_else_the_next_sequence():
    state = pair_state(invited=4)
    request = ReplaceParticipant(request_id="r", role=Role.MENTEE, person=NEWCOMER, reason="Nachfolge")
    leaver = state.mentee
    changes = handover.hand_over(state, request, NOW)
    invited_ahead = [s for s in state.sessions if s.invited_sequence is not None and s.starts_at > NOW]
    assert len(changes) == len(invited_ahead) == 2
    cancels = [m for m in state.outbox if m.kind == MessageKind.INVITE_CANCEL]
    assert [(m.recipient.email, m.sequence) for m in cancels] == [(leaver.email, 1), (leaver.email, 1)]
    assert all(s.sequence == 2 for s in invited_ahead)
    assert state.mentee == NEWCOMER and cancels[0].mentee == leaver


def test_pending_cancellations_go_to_the_leaver_not_the_newcomer():
    state = pair_state(invited=4)
    pausing.pause(state, "withdrew", None, None, [], NOW)
    state.vacant_role = Role.MENTEE
    leaver = state.mentee.email.casefold()
    request = ReplaceParticipant(request_id="r", role=Role.MENTEE, person=NEWCOMER, reason="Nachfolge")
    handover.cancellations_for_leaver(state, request, NOW)
    queued = [(m.recipient.email.casefold(), m.session_number) for m in state.outbox]
    assert queued == [(leaver, 3), (leaver, 4)]
    assert [leaver in s.invited_to for s in state.sessions[:4]] == [True, True, False, False]


def test_introductions_greet_the_newcomer_and_tell_the_partner():
    state = pair_state()
    request = ReplaceParticipant(request_id="r", role=Role.MENTOR, person=NEWCOMER, reason="Nachfolge")
    handover.set_person(state, Role.MENTOR, NEWCOMER)
    handover.introductions(state, request, NOW)
    assert [(m.kind, m.recipient.email) for m in state.outbox] == [
        (MessageKind.WELCOME, NEWCOMER.email),
        (MessageKind.PARTNER_CHANGED, state.mentee.email),
    ]
    state.outbox, state.welcome_done = [], False
    handover.introductions(state, request, NOW)
    assert state.outbox == []


def test_announcements_reach_the_audience_of_running_participants():
    state = pair_state()
    state.vacant_role = Role.MENTEE
    request = Announcement(request_id="a", audience=Audience.ALL, subject="S", body="B")
    assert notices.announcement(state, request, NOW) == 1
    assert [m.recipient.role for m in state.outbox] == [Role.MENTOR]
    assert notices.announcement(state, request.model_copy(update={"audience": Audience.MENTEES}), NOW) == 0
