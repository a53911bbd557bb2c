"""What visibility knows about a cohort's pairs right now.

A pair reports to its cohort workflow only on milestones, but it upserts its
phase, sessions held, next event and health as search attributes every time it
wakes. So ``ops.py status`` takes those from visibility, and the counts of messages
from the cohort's ``progress`` query.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from temporalio.client import Client
from temporalio.service import RPCError

from mentoring import search_attributes as sa
from mentoring.answers import PairHealth
from mentoring.cohort_state import CohortProgress
from mentoring.ids import PAIR_WORKFLOW_TYPE
from mentoring.state import PairProgress, ProgramPhase


class LivePair(BaseModel):
    phase: ProgramPhase
    sessions_held: int
    next_event_at: datetime | None
    started_at: datetime
    # None for a pair that takes no answers (started before v1.1.0).
    health: PairHealth | None = None


async def live_pairs(client: Client, cohort_id: str) -> dict[str, LivePair]:
    """Pair id -> its newest run's search attributes; empty where the server has no
    visibility (the time-skipping test server)."""
    quoted = cohort_id.replace("\\", "\\\\").replace("'", "\\'")
    found: dict[str, LivePair] = {}
    try:
        async for execution in client.list_workflows(f"CohortId='{quoted}' AND WorkflowType='{PAIR_WORKFLOW_TYPE}'"):
            attributes = execution.typed_search_attributes
            pair_id, phase = attributes.get(sa.PAIR_ID), attributes.get(sa.PROGRAM_PHASE)
            if pair_id is None or phase is None:
                continue
            live = LivePair(
                phase=ProgramPhase(phase),
                sessions_held=attributes.get(sa.SESSIONS_HELD) or 0,
                next_event_at=attributes.get(sa.NEXT_EVENT_AT),
                started_at=execution.start_time,
                health=PairHealth(health) if (health := attributes.get(sa.PAIR_HEALTH)) else None,
            )
            if pair_id not in found or found[pair_id].started_at < live.started_at:
                found[pair_id] = live
    except RPCError:
        return {}
    return found


def with_live(progress: CohortProgress, live: dict[str, LivePair]) -> CohortProgress:
    """The cohort's progress, with phase, sessions held, next event and health from visibility."""
    pairs: list[PairProgress] = []
    for pair in progress.pairs:
        now = live.get(pair.pair_id)
        if now is None or pair.finished:
            pairs.append(pair)
            continue
        pairs.append(
            pair.model_copy(
                update={
                    "phase": now.phase,
                    "sessions_held": now.sessions_held,
                    "next_event_at": now.next_event_at,
                    # A pair that reported health has it in visibility too, a moment later at most.
                    "health": now.health or pair.health,
                }
            )
        )
    by_phase: dict[str, int] = {}
    for pair in pairs:
        by_phase[pair.phase.value] = by_phase.get(pair.phase.value, 0) + 1
    return progress.model_copy(
        update={"pairs": pairs, "pairs_by_phase": by_phase, "sessions_held": sum(p.sessions_held for p in pairs)}
    )
