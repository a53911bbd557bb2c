"""What the Temporal UI shows for a pair before it has run: its summary, details and
search attributes.

No names or addresses: these fields are visible to every UI user.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from temporalio.common import SearchAttributePair, TypedSearchAttributes

from mentoring import search_attributes as sa
from mentoring.answers import PairHealth
from mentoring.cohort import Pair, Program
from mentoring.plan import SessionPlan
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


def pair_search_attributes(cohort_id: str, pair: Pair, first_event_at: datetime | None = None) -> TypedSearchAttributes:
    """With ``first_event_at``, also what a new pair taking answers publishes once its
    first workflow task parks it (``workflows.reporter``), so that task upserts nothing."""
    pairs: list[SearchAttributePair[Any]] = [
        SearchAttributePair(sa.COHORT_ID, cohort_id),
        SearchAttributePair(sa.PAIR_ID, pair.id),
        SearchAttributePair(sa.PROGRAM_PHASE, ProgramPhase.KICKOFF.value),
        SearchAttributePair(sa.SESSIONS_HELD, 0),
    ]
    if first_event_at is not None:
        pairs.append(SearchAttributePair(sa.NEXT_EVENT_AT, first_event_at))
        pairs.append(SearchAttributePair(sa.PAIR_HEALTH, PairHealth.HEALTHY.value))
    return TypedSearchAttributes(pairs)


def first_event_at(program: Program, plan: SessionPlan, not_before: datetime) -> datetime | None:
    """When a new pair with this plan first wakes: its welcome goes out with the first
    invite, ``invite_lead_days`` before the first session. None when that is less than a
    day after ``not_before``: then it depends on the moment the pair starts."""
    if not plan.sessions:
        return None
    at = plan.sessions[0].starts_at - timedelta(days=program.invite_lead_days)
    return at if at > not_before + timedelta(days=1) else None
