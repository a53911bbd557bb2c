"""What a pair tells its cohort and the admins: pure functions over ``PairState``.

Every signal is a workflow task for the cohort, which all pairs share. So a pair
reports once it has done what is due, and only when a phase, the sessions held, the
plan or a failure changed; not for each message.
"""

from __future__ import annotations

from datetime import datetime

from mentoring.answers import PairHealth
from mentoring.cohort import Program, Role
from mentoring.replies import PartStat
from mentoring.state import PairProgramResult, PairProgress, PairState, ProgramPhase, current_partstat
from workflows.agenda import Due, active_sessions
from workflows.health import health

_SHORT = {PartStat.ACCEPTED: "acc", PartStat.TENTATIVE: "tent", PartStat.DECLINED: "dec"}


def next_session_calendars(state: PairState) -> str | None:
    """The next session's calendar replies, mentor/mentee ("acc/–"); None when
    nobody replied to it."""
    upcoming = [s for s in active_sessions(state) if not s.reflection_done]
    if not upcoming:
        return None
    answers = [current_partstat(upcoming[0], role) for role in (Role.MENTOR, Role.MENTEE)]
    if not any(answers):
        return None
    return "/".join(_SHORT[a] if a else "–" for a in answers)


def progress(state: PairState, pair_id: str, next_item: Due | None, finished: bool = False) -> PairProgress:
    return PairProgress(
        pair_id=pair_id,
        phase=state.phase,
        sessions_held=state.sessions_held,
        sessions_planned=len(active_sessions(state)),
        messages_sent=state.messages_sent,
        messages_failed=state.messages_failed,
        next_event_at=next_item.at if next_item else None,
        finished=finished,
        health=state.health if state.listening else None,
        next_calendars=next_session_calendars(state),
    )


def _milestones(report: PairProgress) -> tuple[ProgramPhase, int, int, int, bool, PairHealth | None, str | None]:
    return (
        report.phase,
        report.sessions_held,
        report.sessions_planned,
        report.messages_failed,
        report.finished,
        report.health,
        report.next_calendars,
    )


def worth_reporting(last: PairProgress | None, report: PairProgress) -> bool:
    if last is None:
        # The cohort counts a pair it started as in kickoff already. It hears from the
        # pair once something happened: the first message, or a change of phase. So the
        # 500 pairs of a cohort being started do not queue 500 signals behind it.
        return bool(report.messages_sent or report.messages_failed or report.finished) or (
            report.phase != ProgramPhase.KICKOFF
        )
    return _milestones(report) != _milestones(last)


def published(state: PairState, next_item: Due | None) -> tuple[ProgramPhase, int, datetime | None, PairHealth | None]:
    """What the search attributes say; upserted only when it changes."""
    health = state.health if state.listening else None
    return state.phase, state.sessions_held, next_item.at if next_item else None, health


def health_words(state: PairState, between: str = ": ") -> str:
    """'healthy', or 'quiet: session 4 was not held': the health nudges and alerts
    followed, with its reason (which names sessions by number, nobody by name)."""
    words = state.health.value.replace("_", " ")
    current, why = health(state)
    return f"{words}{between}{why}" if current == state.health != PairHealth.HEALTHY else words


def details_line(state: PairState, next_item: Due | None) -> str:
    """The one line admins read in the UI: what the pair does, and what comes next."""
    planned = len(active_sessions(state))
    line = f"**{state.phase.value}** · {state.sessions_held} of {planned} sessions held"
    if state.listening:
        line += f" · {health_words(state)}"
    if calendars := next_session_calendars(state):
        line += f" · next session's calendars (mentor/mentee): {calendars}"
    if state.paused is not None:
        line += f" · paused {'until ' + str(state.paused.until) if state.paused.until else 'until resumed'}"
    if next_item:
        line += f" · next: {next_item.label()} at {next_item.at:%Y-%m-%d %H:%M} UTC"
    if state.beyond_six_months:
        line += f" · runs past six months, to {state.program_end}"
    if state.messages_failed:
        line += f" · {state.messages_failed} message(s) failed"
    return line


def result(state: PairState, program: Program, pair_id: str) -> PairProgramResult:
    return PairProgramResult(
        cohort_id=program.cohort_id,
        pair_id=pair_id,
        phase=state.phase,
        sessions_planned=len(active_sessions(state)),
        sessions_held=state.sessions_held,
        messages_sent=state.messages_sent,
        messages_failed=state.messages_failed,
        messages=state.messages,
        final_state=state.model_copy(update={"messages": []}),
        **_listening_result(state),
    )


def _listening_result(state: PairState) -> dict[str, object]:
    if not state.listening:
        return {}
    current, why = health(state)
    return {
        "health": state.health,
        "health_reason": why if current == state.health else "",
        "sessions_not_held": state.sessions_past - state.sessions_held,
        "nudges_sent": state.nudges_sent,
        "alerts_sent": state.alerts_sent,
    }
