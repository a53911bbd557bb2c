"""Pair health from check-ins and reviews, and who hears when it turns.

``healthy``; ``quiet`` when the latest session whose check-in settled (held, or closed
a week after its prompt) was not held;
``at_risk`` when the latest two were not held, or a review since the last held
session rated something 1 or 2, or two sessions in a row were declined in a calendar.
Going quiet sends the pair one friendly nudge (at most one per cadence period); going
at risk sends the program office one alert (about the same declined sessions, once).
Nothing is ended automatically. Pure functions over ``PairState``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from mentoring.answers import PairHealth, ReviewAnswer
from mentoring.cohort import Cadence, Program
from mentoring.messages import MessageKind
from mentoring.state import PairState, SessionState, SessionStatus
from workflows import notices
from workflows.agenda import active_sessions, position
from workflows.answers import unanswered
from workflows.letters import participants, program_office
from workflows.replies import declined_in_a_row

CADENCE_PERIOD = {
    Cadence.WEEKLY: timedelta(days=7),
    Cadence.BIWEEKLY: timedelta(days=14),
    Cadence.EVERY_3_WEEKS: timedelta(days=21),
    Cadence.MONTHLY: timedelta(days=28),
}
LOW_RATING = 2
_DECLINED = "were declined in a calendar"


def _checked(state: PairState) -> list[SessionState]:
    """Sessions whose check-in is settled: held, closed without a "we met", or missed by
    everyone's word. One "we didn't meet" waits for the close, because the partner may
    still say they met."""
    roles = [p.role for p in participants(state)]
    return [
        s
        for s in active_sessions(state)
        if s.status == SessionStatus.HELD
        or s.check_in_closed
        or (s.status == SessionStatus.MISSED and not unanswered(state, s, roles))
    ]


def _low_reviews(state: PairState) -> list[ReviewAnswer]:
    held = [s for s in active_sessions(state) if s.status == SessionStatus.HELD]
    since = max((s.ends_at for s in held), default=None)
    low = []
    for record in state.answers:
        answer = record.answer
        if not isinstance(answer, ReviewAnswer) or (since is not None and record.recorded_at < since):
            continue
        values = answer.ratings.values() + ([answer.focus_progress] if answer.focus_progress else [])
        if any(v <= LOW_RATING for v in values):
            low.append(answer)
    return low


def health(state: PairState) -> tuple[PairHealth, str]:
    """The pair's health, and why, in words for the program office (no one's words)."""
    low = _low_reviews(state)
    checked = _checked(state)
    tail = checked[-2:]
    if low:
        stages = ", ".join(sorted({f"the {a.role.value}'s {a.stage.value} review" for a in low}))
        return PairHealth.AT_RISK, f"a rating of {LOW_RATING} or lower in {stages}"
    held = [s for s in active_sessions(state) if s.status == SessionStatus.HELD]
    since = max((s.starts_at for s in held), default=None)
    declined = declined_in_a_row(state, [s for s in active_sessions(state) if since is None or s.starts_at > since])
    if declined:
        numbers = " and ".join(str(position(state, s)) for s in declined)
        return PairHealth.AT_RISK, f"sessions {numbers} {_DECLINED}"
    if len(tail) == 2 and all(s.status != SessionStatus.HELD for s in tail):
        numbers = " and ".join(str(position(state, s)) for s in tail)
        return PairHealth.AT_RISK, f"sessions {numbers} were not held"
    if tail and tail[-1].status != SessionStatus.HELD:
        return PairHealth.QUIET, f"session {position(state, tail[-1])} was not held"
    return PairHealth.HEALTHY, "sessions are held"


def update(state: PairState, program: Program, now: datetime) -> PairHealth | None:
    """Recomputes health; queues the nudge or the alert a change calls for. Returns the
    new health when it changed."""
    previous = state.health
    current, why = health(state)
    if current == previous:
        return None
    state.health = current
    if state.ended is not None:
        return current
    # After the closing review there is nothing left to nudge towards; a low closing
    # review still reaches the office.
    if current == PairHealth.QUIET and not state.closing_done and _may_nudge(state, now):
        state.nudges_sent += 1
        state.last_nudge_at = now
        people = participants(state)
        notices.queue(state, f"nudge-{state.nudges_sent}", MessageKind.PAIR_NUDGE, people, now, note=why)
    elif current == PairHealth.AT_RISK and why not in state.declines_alerted:
        if why.endswith(_DECLINED):
            # A decline turned into an accept and back (someone unsure, or a storm of
            # replies) alerts the office about the same sessions once.
            state.declines_alerted.append(why)
        state.alerts_sent += 1
        office = program_office(program, state)
        notices.queue(state, f"at-risk-{state.alerts_sent}", MessageKind.AT_RISK_ALERT, [office], now, note=why)
    return current


def _may_nudge(state: PairState, now: datetime) -> bool:
    assert state.pattern is not None
    last = state.last_nudge_at
    return last is None or now - last >= CADENCE_PERIOD[state.pattern.cadence]
