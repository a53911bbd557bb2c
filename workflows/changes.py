"""How operations change a pair's plan. Pure functions over ``PairState``: the
workflow supplies instants computed by activities and the current time."""

from __future__ import annotations

from datetime import datetime

from mentoring.operations import SessionChange, SessionChangeKind
from mentoring.plan import PlannedSession
from mentoring.state import PairState, SessionState, SessionStatus
from workflows.agenda import active_sessions


def session_uid(workflow_id: str, number: int) -> str:
    return f"{workflow_id}-session-{number}@reverse-mentoring"


def upcoming(state: PairState, now: datetime) -> list[SessionState]:
    """Sessions that have not started and are not cancelled, in time order."""
    return [s for s in active_sessions(state) if s.starts_at > now]


def move_session(session: SessionState, slot: PlannedSession, now: datetime) -> SessionChange | None:
    if (session.starts_at, session.ends_at, session.location) == (slot.starts_at, slot.ends_at, slot.location):
        return None
    previous = session.local_start
    session.starts_at, session.ends_at = slot.starts_at, slot.ends_at
    session.local_start, session.timezone, session.location = slot.local_start, slot.timezone, slot.location
    session.sequence += 1
    session.updated_at = now
    # The reminder and the prompt follow the session to its new time.
    session.reminder_done = False
    session.reflection_done = False
    return SessionChange(
        session_number=session.number,
        change=SessionChangeKind.MOVED,
        local_start=session.local_start,
        previous_local_start=previous,
    )


def cancel_session(session: SessionState, reason: str, now: datetime) -> SessionChange:
    session.status = SessionStatus.CANCELLED
    session.cancel_reason = reason
    if session.invited_sequence is not None:
        session.sequence += 1
    session.updated_at = now
    return SessionChange(
        session_number=session.number, change=SessionChangeKind.CANCELLED, local_start=session.local_start
    )


def add_session(state: PairState, workflow_id: str, slot: PlannedSession) -> SessionChange:
    number = max((s.number for s in state.sessions), default=0) + 1
    state.sessions.append(
        SessionState(
            number=number,
            uid=session_uid(workflow_id, number),
            starts_at=slot.starts_at,
            ends_at=slot.ends_at,
            local_start=slot.local_start,
            timezone=slot.timezone,
            location=slot.location,
        )
    )
    return SessionChange(session_number=number, change=SessionChangeKind.ADDED, local_start=slot.local_start)


def apply_plan(
    state: PairState, workflow_id: str, slots: list[PlannedSession], now: datetime, reason: str
) -> list[SessionChange]:
    """Fit the sessions still to come onto new slots: the first ones move (same UID,
    SEQUENCE+1), surplus ones are cancelled, missing ones are added."""
    remaining = upcoming(state, now)
    changes: list[SessionChange] = []
    for session, slot in zip(remaining, slots):
        if change := move_session(session, slot, now):
            changes.append(change)
    for session in remaining[len(slots) :]:
        changes.append(cancel_session(session, reason, now))
    for slot in slots[len(remaining) :]:
        changes.append(add_session(state, workflow_id, slot))
    return changes
