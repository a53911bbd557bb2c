"""Pausing, resuming and ending a pair: pure functions over ``PairState``. The
workflow brings the time and, for a resumption, the plan an activity made."""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta

from mentoring.messages import MessageKind, Recipient
from mentoring.operations import EndProgram, SessionChange
from mentoring.plan import SessionPlan
from mentoring.state import CancelledBy, EndRecord, PairState, PauseRecord, SessionStatus
from workflows import notices
from workflows.agenda import active_sessions, current_phase
from workflows.changes import apply_plan, cancel_session, restore_pinned, upcoming


def pause(
    state: PairState,
    reason: str,
    until: date | None,
    resume_at: datetime | None,
    notify: list[Recipient],
    now: datetime,
) -> list[SessionChange]:
    """Cancels the sessions inside the pause (all to come, without ``until``)."""
    changes = [
        cancel_session(s, f"paused: {reason}", now, CancelledBy.PAUSE)
        for s in upcoming(state, now)
        if until is None or s.local_start.date() <= until
    ]
    state.pauses.append(PauseRecord(reason=reason, started_at=now, until=until, resume_at=resume_at))
    notices.queue(
        state, f"pause-{len(state.pauses)}", MessageKind.PROGRAM_PAUSED, notify, now, note=reason, paused_until=until
    )
    return changes


def resume_window(state: PairState, now: datetime) -> tuple[date, date]:
    """First and last day of the plan after a pause: the program grows by the pause."""
    pause = state.paused
    assert pause is not None and state.program_end is not None
    extra_days = math.ceil((now - pause.started_at) / timedelta(days=1))
    return now.date() - timedelta(days=1), state.program_end + timedelta(days=extra_days)


def resume(
    state: PairState, workflow_id: str, plan: SessionPlan, now: datetime, notify: list[Recipient]
) -> list[SessionChange]:
    pause = state.paused
    assert pause is not None and state.program_end is not None
    pause.resumed_at = now
    state.program_end = plan.program_end
    if not state.midpoint_done and state.midpoint_at is not None:
        # The reviews move by the pause's length.
        state.midpoint_at += now - pause.started_at
    for session in active_sessions(state):
        if session.ends_at <= now:
            # Held before the pause; its prompts are no longer timely.
            session.status = SessionStatus.HELD
            session.reminder_done = session.reflection_done = True
    changes = restore_pinned(state, workflow_id, now)
    changes += apply_plan(state, workflow_id, plan.sessions, now, "re-planned after the pause")
    if plan.sessions:
        state.rhythm_anchor = plan.sessions[0].local_start.date()
    if not state.closing_done:
        state.closing_at = plan.closing_at
    notices.queue(state, f"resume-{len(state.pauses)}", MessageKind.PROGRAM_RESUMED, notify, now)
    state.phase = current_phase(state)
    return changes


def end(state: PairState, request: EndProgram, now: datetime) -> list[SessionChange]:
    changes = [
        cancel_session(s, f"program ended: {request.reason}", now, CancelledBy.END) for s in upcoming(state, now)
    ]
    if state.paused is not None:
        state.paused.resumed_at = now
    state.ended = EndRecord(reason=request.reason, at=now, closing_review=request.closing_review)
    state.midpoint_done = True
    if request.closing_review and not state.closing_done:
        state.closing_at = now
    else:
        state.closing_done = True
    notices.drop_pause_notices(state)
    state.phase = current_phase(state)
    return changes
