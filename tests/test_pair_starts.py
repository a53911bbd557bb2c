"""The ``start_pairs`` activity against a real (time-skipping) server: it starts each
pair once, as the UI should show it, and a retried attempt adopts what exists."""

from __future__ import annotations

from datetime import timedelta

from temporalio.client import WorkflowExecutionStatus
from temporalio.testing import ActivityEnvironment

from activities.pair_starts import PairStarter
from mentoring import search_attributes as sa
from mentoring.ids import TASK_QUEUE, pair_workflow_id
from mentoring.state import PairStartRequest
from tests import factories


async def test_a_retried_chunk_starts_each_pair_once(skipping_env):
    client = skipping_env.client
    start = (await skipping_env.get_current_time() + timedelta(days=30)).date()
    cohort = factories.cohort(start, ["p1", "p2", "p3"], cohort_id="chunk")
    request = PairStartRequest(
        cohort_workflow_id="cohort:chunk", task_queue=TASK_QUEUE, program=cohort.program, pairs=cohort.pairs
    )
    starter, env = PairStarter(client), ActivityEnvironment()

    async def describe(pair_id: str):
        return await client.get_workflow_handle(pair_workflow_id("chunk", pair_id)).describe()

    first = await env.run(starter.start_pairs, request)
    first_runs = [(await describe(p)).run_id for p in ("p1", "p2", "p3")]
    again = await env.run(starter.start_pairs, request)

    assert first.started_pair_ids == again.started_pair_ids == ["p1", "p2", "p3"]
    # The same runs: the second attempt adopted them rather than starting twins.
    assert [(await describe(p)).run_id for p in ("p1", "p2", "p3")] == first_runs
    for pair_id in ("p1", "p2", "p3"):
        description = await describe(pair_id)
        assert description.status == WorkflowExecutionStatus.RUNNING
        assert description.task_queue == TASK_QUEUE
        assert description.parent_id is None
        assert description.typed_search_attributes[sa.COHORT_ID] == "chunk"
        assert description.typed_search_attributes[sa.PAIR_ID] == pair_id
        assert await description.static_summary() == f"Pair {pair_id} · cohort chunk"
