"""What a pair's program has to do next, derived from its state alone.

Pure functions over ``PairState`` in UTC: the workflow asks "what is due?",
waits until then, and does it. Replanning (reschedule, pause) only changes the
state, and the agenda follows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from mentoring.cohort import Program
from mentoring.messages import MessageKind
from mentoring.state import PairState, ProgramPhase, SessionState, SessionStatus

# Same instant: invite before reminder before reflection, reviews last.
_ORDER = {
    MessageKind.WELCOME: 0,
    MessageKind.INVITE: 1,
    MessageKind.REMINDER: 2,
    MessageKind.REFLECTION: 3,
    MessageKind.MIDPOINT_REVIEW: 4,
    MessageKind.CLOSING_REVIEW: 5,
}


@dataclass(frozen=True, order=True)
class Due:
    at: datetime
    order: int
    session_number: int
    kind: MessageKind

    def label(self) -> str:
        name = self.kind.value.replace("_", " ")
        return f"{name} for session {self.session_number}" if self.session_number else name


def _due(at: datetime, kind: MessageKind, session: int = 0) -> Due:
    return Due(at=at, order=_ORDER[kind], session_number=session, kind=kind)


def needs_invite(session: SessionState) -> bool:
    return session.invited_sequence is None or session.invited_sequence < session.sequence


def due_items(state: PairState, program: Program) -> list[Due]:
    assert state.started_at is not None
    lead = timedelta(days=program.invite_lead_days)
    reminder = timedelta(hours=program.reminder_hours)
    reflection = timedelta(hours=program.reflection_delay_hours)
    items: list[Due] = []
    if not state.welcome_done:
        items.append(_due(state.started_at, MessageKind.WELCOME))
    for session in state.sessions:
        if session.status == SessionStatus.CANCELLED:
            continue
        n = session.number
        if needs_invite(session):
            items.append(_due(max(session.starts_at - lead, state.started_at), MessageKind.INVITE, n))
        if not session.reminder_done:
            items.append(_due(session.starts_at - reminder, MessageKind.REMINDER, n))
        if not session.reflection_done:
            items.append(_due(session.ends_at + reflection, MessageKind.REFLECTION, n))
    if not state.midpoint_done and state.midpoint_at is not None:
        items.append(_due(state.midpoint_at, MessageKind.MIDPOINT_REVIEW))
    if not state.closing_done and state.closing_at is not None:
        items.append(_due(state.closing_at, MessageKind.CLOSING_REVIEW))
    return sorted(items)


def current_phase(state: PairState) -> ProgramPhase:
    if state.phase in (ProgramPhase.PAUSED, ProgramPhase.ENDED):
        return state.phase
    if state.closing_done:
        return ProgramPhase.COMPLETED
    active = [s for s in state.sessions if s.status != SessionStatus.CANCELLED]
    held = state.sessions_held
    if active and held == len(active):
        return ProgramPhase.CLOSING
    if state.midpoint_done and held == state.sessions_held_at_midpoint:
        return ProgramPhase.MIDPOINT
    if held:
        return ProgramPhase.SESSIONS
    return ProgramPhase.KICKOFF
