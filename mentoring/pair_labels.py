"""What the Temporal UI shows for a pair before it has run: its summary and details.

No names or addresses: these fields are visible to every UI user.
"""

from __future__ import annotations

from mentoring.cohort import Pair, Program


def pair_summary(cohort_id: str, pair: Pair) -> str:
    return f"Pair {pair.id} · cohort {cohort_id}"


def pair_details(program: Program, pair: Pair) -> str:
    p = pair.pattern
    return (
        f"**Focus:** {program.focus}  \n"
        f"**Program:** {program.start_date} for {program.duration_months} months, {p.cadence.value}  \n"
        f"**Sessions:** {p.weekday.value} {p.local_time:%H:%M} {p.timezone}, {p.length_minutes} min"
    )
