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
from mentoring_service.cli.console import out


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


def print_clock_changes(cohort: Cohort) -> None:
    lines = clock_change_lines(cohort)
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
