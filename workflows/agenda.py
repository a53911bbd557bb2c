"""What a pair's program has to do next, derived from its state alone.

Pure functions over ``PairState`` in UTC: the workflow asks "what is due?",
waits until then, and does it. Operations (reschedule, pause, ...) only change
the state, and the agenda follows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from mentoring.answers import CHECK_IN_CLOSES_AFTER, CHECK_IN_REMINDER_AFTER
from mentoring.cohort import Program
from mentoring.state import PairState, ProgramPhase, SessionState, SessionStatus


class Action(StrEnum):
    OUTBOX = "outbox"
    WELCOME = "welcome"
    CANCEL = "cancellation"
    INVITE = "invite"
    REMINDER = "reminder"
    REFLECTION = "reflection"
    MIDPOINT = "midpoint review"
    CLOSING = "closing review"
    RESUME = "resume"
    CHECK_IN_REMINDER = "check-in reminder"
    CHECK_IN_CLOSE = "check-in close"
    ANSWERS_CLOSE = "answers close"


# At the same instant, in this order: notices first, cancellations before new invites.
_ORDER = {action: index for index, action in enumerate(Action)}


@dataclass(frozen=True, order=True)
class Due:
    at: datetime
    order: int
    session_number: int
    action: Action
    # The outbox event, for OUTBOX items.
    event: str = ""

    def label(self) -> str:
        if self.action == Action.OUTBOX:
            return self.event
        if self.session_number:
            return f"{self.action.value} for session {self.session_number}"
        return self.action.value


def _due(at: datetime, action: Action, session: int = 0, event: str = "") -> Due:
    return Due(at=at, order=_ORDER[action], session_number=session, action=action, event=event)


def needs_invite(session: SessionState) -> bool:
    return session.invited_sequence is None or session.invited_sequence < session.sequence


def needs_cancellation(session: SessionState) -> bool:
    return (
        session.status == SessionStatus.CANCELLED and session.invited_sequence is not None and not session.cancel_sent
    )


def invite_due(session: SessionState, program: Program, started_at: datetime) -> datetime:
    if session.invited_sequence is not None and session.updated_at is not None:
        # Already in their calendars: a change must reach them now, not 14 days ahead.
        return session.updated_at
    # A session an operation added is invited no earlier than the operation, so the
    # notices it queued at that moment (a newcomer's welcome) go out first.
    return max(session.starts_at - timedelta(days=program.invite_lead_days), session.added_at or started_at)


def invite_reminds(session: SessionState, program: Program, invite_at: datetime) -> bool:
    """An invite that goes out within the session's reminder hours is its reminder: the
    participants get no "your session is tomorrow" beside it (patch ``invite-is-the-reminder``)."""
    return not session.reminder_done and invite_at >= session.starts_at - timedelta(hours=program.reminder_hours)


def due_items(state: PairState, program: Program, invite_is_the_reminder: bool = True) -> list[Due]:
    """``invite_is_the_reminder=False``: the agenda before that patch, for older histories."""
    assert state.started_at is not None
    started = state.started_at
    reminder = timedelta(hours=program.reminder_hours)
    reflection = timedelta(hours=program.reflection_delay_hours)
    pause, ended = state.paused, state.ended is not None
    # Check-ins are asked for until the closing review's answers are in.
    listening = state.listening and (not state.closing_done or state.answers_until is not None)

    items = [_due(m.due_at, Action.OUTBOX, m.session_number or 0, m.event) for m in state.outbox]
    for session in state.sessions:
        n = session.number
        if needs_cancellation(session):
            items.append(_due(session.updated_at or started, Action.CANCEL, n))
        if session.status == SessionStatus.CANCELLED or pause or ended:
            continue
        invite_at = invite_due(session, program, started) if needs_invite(session) else None
        if invite_at is not None:
            items.append(_due(invite_at, Action.INVITE, n))
        covered = invite_at is not None and invite_is_the_reminder and invite_reminds(session, program, invite_at)
        if not session.reminder_done and not covered:
            items.append(_due(session.starts_at - reminder, Action.REMINDER, n))
        if not session.reflection_done:
            items.append(_due(session.ends_at + reflection, Action.REFLECTION, n))
        elif listening and session.status != SessionStatus.HELD:
            prompted = session.ends_at + reflection
            if not session.check_in_reminder_done:
                items.append(_due(prompted + CHECK_IN_REMINDER_AFTER, Action.CHECK_IN_REMINDER, n))
            if not session.check_in_closed:
                items.append(_due(prompted + CHECK_IN_CLOSES_AFTER, Action.CHECK_IN_CLOSE, n))
    if pause:
        if pause.resume_at is not None:
            items.append(_due(pause.resume_at, Action.RESUME))
        return sorted(items)
    if not state.welcome_done and not ended:
        invites = [item.at for item in items if item.action == Action.INVITE]
        # With the first invite: a cohort started weeks ahead greets nobody early.
        welcome_at = min(invites, default=started)
        items.append(_due(welcome_at, Action.WELCOME))
    if not state.midpoint_done and not ended and state.midpoint_at is not None:
        items.append(_due(state.midpoint_at, Action.MIDPOINT))
    if not state.closing_done and state.closing_at is not None:
        items.append(_due(state.closing_at, Action.CLOSING))
    if state.answers_until is not None:
        items.append(_due(state.answers_until, Action.ANSWERS_CLOSE))
    return sorted(items)


def next_due(state: PairState, program: Program, invite_is_the_reminder: bool = True) -> Due | None:
    """The first of ``due_items``, or None when nothing is left."""
    items = due_items(state, program, invite_is_the_reminder)
    return items[0] if items else None


def _time_order(session: SessionState) -> tuple[datetime, int]:
    return session.starts_at, session.number


def active_sessions(state: PairState) -> list[SessionState]:
    """The sessions that happened or will happen, in time order."""
    return sorted((s for s in state.sessions if s.status != SessionStatus.CANCELLED), key=_time_order)


def position(state: PairState, session: SessionState) -> int:
    """The session's number for people (ops, show and every email): its place in time
    order among the sessions that happen. A cancelled session keeps the place it had.
    ``SessionState.number`` is the stable id behind UIDs and message keys, never shown."""
    if session.status == SessionStatus.CANCELLED and session.cancelled_as is not None:
        return session.cancelled_as
    return 1 + sum(1 for s in active_sessions(state) if s is not session and _time_order(s) < _time_order(session))


def session_at(state: PairState, place: int) -> SessionState | None:
    """The session that ``position`` numbers ``place``, if any."""
    active = active_sessions(state)
    return active[place - 1] if 1 <= place <= len(active) else None


def current_phase(state: PairState) -> ProgramPhase:
    if state.ended is not None:
        return ProgramPhase.ENDED
    if state.paused is not None:
        return ProgramPhase.PAUSED
    if state.closing_done:
        return ProgramPhase.COMPLETED
    active = active_sessions(state)
    # Where the program is in time: a session whose check-in nobody answered still passed.
    held = state.sessions_past
    if active and held == len(active):
        return ProgramPhase.CLOSING
    if state.midpoint_done and held == state.sessions_held_at_midpoint:
        return ProgramPhase.MIDPOINT
    if held:
        return ProgramPhase.SESSIONS
    return ProgramPhase.KICKOFF
