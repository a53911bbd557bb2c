"""How operations change a pair's plan. Pure functions over ``PairState``: the
workflow supplies instants computed by activities and the current time.

A re-plan (resume, replace, change-rhythm, extend) fits the rhythm onto the time
still to come, but keeps what the program office decided: a day it cancelled stays
free, and a session it moved or added stays where it put it.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from mentoring.operations import ChangeRhythm, SessionChange, SessionChangeKind
from mentoring.plan import PlannedSession, SessionPlan, add_months
from mentoring.state import CancelledBy, PairState, SessionState, SessionStatus
from workflows.agenda import active_sessions, position


def session_uid(workflow_id: str, number: int) -> str:
    return f"{workflow_id}-session-{number}@reverse-mentoring"


def plan_sessions(workflow_id: str, plan: SessionPlan) -> list[SessionState]:
    """A new pair's sessions, from the plan the planning activity made."""
    return [
        SessionState(
            number=s.number,
            uid=session_uid(workflow_id, s.number),
            starts_at=s.starts_at,
            ends_at=s.ends_at,
            local_start=s.local_start,
            timezone=s.timezone,
            location=s.location,
        )
        for s in plan.sessions
    ]


def take_plan(state: PairState, workflow_id: str, plan: SessionPlan, program_start: date) -> None:
    """A new pair's first plan, made by the planning activity, becomes its state."""
    state.sessions = plan_sessions(workflow_id, plan)
    state.midpoint_at = plan.midpoint_at
    state.closing_at = plan.closing_at
    state.program_end = plan.program_end
    state.six_month_end = add_months(program_start, 6)
    state.rhythm_anchor = plan.sessions[0].local_start.date() if plan.sessions else program_start


def describe_rhythm(request: ChangeRhythm) -> str:
    parts = []
    if request.weekday:
        parts.append(f"on {request.weekday.value.capitalize()}s")
    if request.local_time:
        parts.append(f"at {request.local_time:%H:%M}")
    if request.length_minutes:
        parts.append(f"{request.length_minutes} minutes")
    if request.cadence:
        parts.append(request.cadence.value.replace("_", " "))
    if request.location:
        parts.append(f"in {request.location}")
    return ", ".join(parts)


def upcoming(state: PairState, now: datetime) -> list[SessionState]:
    """Sessions that have not started and are not cancelled, in time order."""
    return [s for s in active_sessions(state) if s.starts_at > now]


def slot_of(session: SessionState) -> PlannedSession:
    return PlannedSession(
        number=session.number,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        local_start=session.local_start,
        timezone=session.timezone,
        location=session.location,
    )


def moved_slot(session: SessionState, local_start: datetime, starts_at: datetime) -> PlannedSession:
    """The session's length and place at another time."""
    slot = slot_of(session)
    slot.starts_at, slot.local_start = starts_at, local_start
    slot.ends_at = starts_at + (session.ends_at - session.starts_at)
    return slot


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


def reschedule(session: SessionState, slot: PlannedSession, now: datetime) -> SessionChange | None:
    """The office moves a session: re-plans keep it at its new time and leave the
    rhythm's day it came from free."""
    if not session.pinned:
        session.moved_from = session.local_start.date()
        session.pinned = True
    return move_session(session, slot, now)


def cancel_session(session: SessionState, reason: str, now: datetime, by: CancelledBy | None = None) -> SessionChange:
    session.status = SessionStatus.CANCELLED
    session.cancel_reason = reason
    session.cancelled_by = by
    if session.invited_sequence is not None:
        session.sequence += 1
    session.updated_at = now
    return SessionChange(
        session_number=session.number, change=SessionChangeKind.CANCELLED, local_start=session.local_start
    )


def add_session(
    state: PairState, workflow_id: str, slot: PlannedSession, now: datetime, pinned: bool = False
) -> SessionChange:
    """A new session with a UID of its own. Its invite goes out no earlier than ``now``
    (this operation), after the notices the operation queued."""
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
            added_at=now,
            pinned=pinned,
        )
    )
    return SessionChange(session_number=number, change=SessionChangeKind.ADDED, local_start=slot.local_start)


def kept_days(state: PairState) -> set[date]:
    """Days a re-plan leaves alone: those the office cancelled, and those of sessions it
    placed itself (and the rhythm's days they were moved away from)."""
    days: set[date] = set()
    for session in state.sessions:
        if session.status == SessionStatus.CANCELLED and session.cancelled_by == CancelledBy.OFFICE:
            days.add(session.local_start.date())
        if session.pinned and session.status != SessionStatus.CANCELLED:
            days.add(session.local_start.date())
        if session.pinned and session.moved_from is not None:
            days.add(session.moved_from)
    return days


def free_slots(state: PairState, slots: list[PlannedSession]) -> list[PlannedSession]:
    days = kept_days(state)
    return [slot for slot in slots if slot.local_start.date() not in days]


def restore_pinned(state: PairState, workflow_id: str, now: datetime) -> list[SessionChange]:
    """After a pause, sessions the office had placed itself come back at their time
    (with a new UID: their cancellation already reached the calendars)."""
    changes = []
    for session in list(state.sessions):
        if session.pinned and session.cancelled_by == CancelledBy.PAUSE and session.starts_at > now:
            session.pinned = False
            change = add_session(state, workflow_id, slot_of(session), now, pinned=True)
            state.sessions[-1].moved_from = session.moved_from
            changes.append(change)
    return changes


def apply_plan(
    state: PairState,
    workflow_id: str,
    slots: list[PlannedSession],
    now: datetime,
    reason: str,
) -> list[SessionChange]:
    """Fit the sessions still to come onto new slots: the first ones move (same UID,
    SEQUENCE+1), surplus ones are cancelled, missing ones are added. The office's own
    sessions and the days it cancelled are left alone."""
    remaining = [s for s in upcoming(state, now) if not s.pinned]
    slots = free_slots(state, slots)
    changes: list[SessionChange] = []
    for session, slot in zip(remaining, slots, strict=False):
        if change := move_session(session, slot, now):
            changes.append(change)
    for session in remaining[len(slots) :]:
        changes.append(cancel_session(session, reason, now, CancelledBy.PLAN))
    for slot in slots[len(remaining) :]:
        changes.append(add_session(state, workflow_id, slot, now))
    return changes


def restyle_pinned(
    state: PairState, now: datetime, length_minutes: int | None, location: str | None
) -> list[SessionChange]:
    """A new rhythm's length and place reach the sessions the office placed itself too;
    their day and time stay."""
    changes = []
    for session in upcoming(state, now):
        if not session.pinned or (length_minutes is None and location is None):
            continue
        slot = slot_of(session)
        if length_minutes is not None:
            slot.ends_at = slot.starts_at + timedelta(minutes=length_minutes)
        slot.location = location if location is not None else slot.location
        if change := move_session(session, slot, now):
            changes.append(change)
    return changes


def moved_summary(state: PairState, session: SessionState, asked: int, local: datetime, how: str = "") -> str:
    """What a move says. Sessions are numbered in time order, so a session moved past
    others takes a new number; the summary names it, as every later email and ``show`` will."""
    summary = f"session {asked} moved to {local:%Y-%m-%d %H:%M} {session.timezone}{how}"
    now_numbered = position(state, session)
    return summary if now_numbered == asked else f"{summary}; in time order it is now session {now_numbered}"


def numbered(state: PairState, changes: list[SessionChange]) -> list[SessionChange]:
    """Changes as people number sessions (see ``agenda.position``), in time order. A
    session cancelled by this operation keeps the number it had just before, for good."""
    by_id = {s.number: s for s in state.sessions}
    cancelled = [by_id[c.session_number] for c in changes if c.change == SessionChangeKind.CANCELLED]
    added = {c.session_number for c in changes if c.change == SessionChangeKind.ADDED}
    kept = [s for s in active_sessions(state) if s.number not in added]
    before = sorted(kept + cancelled, key=lambda s: (s.starts_at, s.number))
    for session in cancelled:
        session.cancelled_as = 1 + before.index(session)
    renumbered = [
        change.model_copy(update={"session_number": position(state, by_id[change.session_number])})
        for change in changes
    ]
    return sorted(renumbered, key=lambda c: (c.local_start, c.change != SessionChangeKind.CANCELLED))
