"""What the Temporal UI shows for a pair before it has run: its summary, details and
search attributes.

No names or addresses: these fields are visible to every UI user.
"""

from __future__ import annotations

from temporalio.common import SearchAttributePair, TypedSearchAttributes

from mentoring import search_attributes as sa
from mentoring.cohort import Pair, Program
from mentoring.state import ProgramPhase


def pair_summary(cohort_id: str, pair: Pair) -> str:
    return f"Pair {pair.id} · cohort {cohort_id}"


def pair_details(program: Program, pair: Pair) -> str:
    p = pair.pattern
    return (
        f"**Focus:** {program.focus}  \n"
        f"**Program:** {program.start_date} for {program.duration_months} months, {p.cadence.value}  \n"
        f"**Sessions:** {p.weekday.value} {p.local_time:%H:%M} {p.timezone}, {p.length_minutes} min"
    )


def pair_search_attributes(cohort_id: str, pair: Pair) -> TypedSearchAttributes:
    return TypedSearchAttributes(
        [
            SearchAttributePair(sa.COHORT_ID, cohort_id),
            SearchAttributePair(sa.PAIR_ID, pair.id),
            SearchAttributePair(sa.PROGRAM_PHASE, ProgramPhase.KICKOFF.value),
            SearchAttributePair(sa.SESSIONS_HELD, 0),
        ]
    )
