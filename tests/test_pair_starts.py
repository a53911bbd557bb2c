"""The ``start_pairs`` activity against a real (time-skipping) server: it starts each
pair once, as the UI should show it, and a retried attempt adopts what exists."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.testing import ActivityEnvironment
from temporalio.worker import Replayer

from activities.pair_starts import PairStarter
from mentoring import search_attributes as sa
from mentoring.cohort import Cadence
from mentoring.cohort_state import PairStartRequest
from mentoring.ids import TASK_QUEUE, pair_workflow_id
from mentoring.state import PairProgramInput
from tests import factories
from tests.waiting import eventually
from tests.workers import running_workers
from workflows.agenda import Action, due_items
from workflows.pair import PairProgramWorkflow


async def started_input(client: Client, cohort_id: str, pair_id: str) -> PairProgramInput:
    """What the pair was started with, from its first history event."""
    history = await client.get_workflow_handle(pair_workflow_id(cohort_id, pair_id)).fetch_history()
    payloads = history.events[0].workflow_execution_started_event_attributes.input.payloads
    [input] = await client.data_converter.decode(payloads, [PairProgramInput])
    return input


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


async def test_a_chunk_retried_later_plans_from_the_retry_not_from_the_request(skipping_env):
    client = skipping_env.client
    now = await skipping_env.get_current_time()
    cohort = factories.cohort((now + timedelta(days=1)).date(), ["p1"], cohort_id="late")
    cohort.pairs[0] = factories.pair("p1", cadence=Cadence.WEEKLY)
    request = PairStartRequest(
        cohort_workflow_id="cohort:late", task_queue=TASK_QUEUE, program=cohort.program, pairs=cohort.pairs,
        not_before=now,
    )  # fmt: skip
    env = ActivityEnvironment()
    # The attempt that finally runs was scheduled three weeks after the cohort asked.
    retried_at = now + timedelta(weeks=3)
    env.info = dataclasses.replace(env.info, current_attempt_scheduled_time=retried_at)
    await env.run(PairStarter(client).start_pairs, request)

    input = await started_input(client, "late", "p1")
    assert input.plan is not None and input.cohort_workflow_id == "cohort:late"
    starts = [s.starts_at for s in input.plan.sessions]
    assert starts and min(starts) >= retried_at
    assert min(starts) - retried_at < timedelta(weeks=1)


async def test_a_pair_whose_zone_cannot_be_planned_does_not_hold_up_the_others(skipping_env):
    client = skipping_env.client
    now = await skipping_env.get_current_time()
    cohort = factories.cohort((now + timedelta(days=30)).date(), ["p1", "p2"], cohort_id="zones")
    # Past the cohort file's check (as a worker with older tzdata than the starter would see it).
    cohort.pairs[0] = cohort.pairs[0].model_copy(
        update={"pattern": cohort.pairs[0].pattern.model_copy(update={"timezone": "Mars/Olympus_Mons"})}
    )
    request = PairStartRequest(
        cohort_workflow_id="cohort:zones", task_queue=TASK_QUEUE, program=cohort.program, pairs=cohort.pairs,
        not_before=now,
    )  # fmt: skip
    result = await ActivityEnvironment().run(PairStarter(client).start_pairs, request)
    assert result.started_pair_ids == ["p1", "p2"]

    # p1 plans for itself (and fails there, naming the zone); p2 starts with its plan.
    assert (await started_input(client, "zones", "p1")).plan is None
    assert (await started_input(client, "zones", "p2")).plan is not None


async def test_a_started_pair_parks_on_its_first_task_with_nothing_to_publish(skipping_env, smtp):
    """Its start carries what its first task would publish, and that it takes answers:
    the task only starts the timer (no patch marker, no search-attribute upserts)."""
    client = skipping_env.client
    now = await skipping_env.get_current_time()
    cohort = factories.cohort((now + timedelta(days=30)).date(), ["p1"], cohort_id="quiet")
    request = PairStartRequest(
        cohort_workflow_id="cohort:quiet", task_queue=TASK_QUEUE, program=cohort.program, pairs=cohort.pairs,
        not_before=now,
    )  # fmt: skip
    handle = client.get_workflow_handle_for(PairProgramWorkflow.run, pair_workflow_id("quiet", "p1"))
    async with running_workers(client, smtp.port):
        await ActivityEnvironment().run(PairStarter(client).start_pairs, request)

        async def parked():
            history = await handle.fetch_history()
            return history if history.events[-1].event_type == EventType.EVENT_TYPE_TIMER_STARTED else None

        history = await eventually(parked)
        assert history is not None
        state = await handle.query(PairProgramWorkflow.state)
        attributes = (await handle.describe()).typed_search_attributes

    assert [e.event_type for e in history.events] == [
        EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED,
        EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
        EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
        EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
        EventType.EVENT_TYPE_TIMER_STARTED,
    ]
    assert state.listening
    first = due_items(state, cohort.program)[0]
    assert first.action == Action.WELCOME  # with the first invite
    assert first.at == state.sessions[0].starts_at - timedelta(days=cohort.program.invite_lead_days)
    assert attributes[sa.NEXT_EVENT_AT] == first.at
    assert attributes[sa.PAIR_HEALTH] == "healthy"
    assert attributes[sa.PROGRAM_PHASE] == "kickoff"
    assert attributes[sa.SESSIONS_HELD] == 0
    # Evicted and woken, the pair replays its quiet first task as it ran.
    await Replayer(workflows=[PairProgramWorkflow], data_converter=client.data_converter).replay_workflow(history)
