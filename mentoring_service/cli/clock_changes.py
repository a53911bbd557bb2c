"""Which planned sessions fall on a time the clocks skip or show twice, for the office.

The plan is made exactly as a pair's workflow makes it (``plan_program``, from now),
and each session's time goes through the one rule of ``activities.wall_clock``.
"""

from __future__ import annotations

from datetime import UTC, datetime

from rich.markup import escape

from activities.planning import plan_program
from activities.wall_clock import resolve
from mentoring.cohort import Cohort
from mentoring.plan import PlanRequest
from mentoring.state import PairProgramResult
from mentoring_service.cli.console import out
from workflows.agenda import active_sessions, position


def clock_change_lines(cohort: Cohort, now: datetime | None = None) -> list[str]:
    """One line per affected session: pair, session number, date, asked and actual time."""
    program = cohort.program
    lines = []
    for pair in cohort.pairs:
        plan = plan_program(
            PlanRequest(
                start_date=program.start_date,
                duration_months=program.duration_months,
                pattern=pair.pattern,
                not_before=now or datetime.now(UTC),
            )
        )
        for session in plan.sessions:
            wall = resolve(session.local_start, session.timezone)
            if wall.change is not None:
                lines.append(f"pair {pair.id}, session {session.number}: {wall.describe()}")
    return lines


def moved_clock_change_lines(results: list[PairProgramResult]) -> list[str]:
    """After a preview: one line per session that a participant's "we need a new date"
    moved onto a clock change (the plan's own are in ``clock_change_lines``)."""
    lines = []
    for result in results:
        state = result.final_state
        if state is None:
            continue
        for session in active_sessions(state):
            wall = resolve(session.local_start, session.timezone)
            if session.pinned and wall.change is not None:
                lines.append(f"pair {result.pair_id}, session {position(state, session)} (moved): {wall.describe()}")
    return lines


def print_clock_changes(cohort: Cohort, results: list[PairProgramResult] | None = None) -> None:
    """The plan's sessions on a clock change, and after a preview those moved onto one."""
    lines = clock_change_lines(cohort) + moved_clock_change_lines(results or [])
    if not lines:
        return
    count = len(lines)
    out.print(
        f"[yellow]note:[/] {count} {'sessions fall' if count != 1 else 'session falls'} on a daylight-saving change "
        "(a time the clocks skip moves forward by the gap; a time that happens twice is the first one):",
        highlight=False,
        soft_wrap=True,
    )
    # One line per session, however narrow the terminal or a pipe: grep finds it whole.
    for line in lines:
        out.print(f"  - {escape(line)}", highlight=False, soft_wrap=True)
