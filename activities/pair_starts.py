"""Starting a cohort's pairs from the worker, with the Temporal client.

A cohort used to start its pairs as child workflows. Each child start is a round
trip through the cohort's own history (two events and a workflow task per pair),
so a 500-pair cohort started at a fraction of the rate the server starts
workflows for a client. Here the cohort hands a chunk of pairs to this activity,
which starts them as a client does, many at a time. Workflow ids make it safe to
retry: a pair that exists already (running or finished) is adopted, never run twice.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from zoneinfo import ZoneInfoNotFoundError

from temporalio import activity
from temporalio.client import Client
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from activities.planning import plan_program
from mentoring.cohort import Pair, Program
from mentoring.cohort_state import PairStartRequest, PairStartResult
from mentoring.ids import PAIR_WORKFLOW_TYPE, pair_workflow_id
from mentoring.pair_labels import first_event_at, pair_details, pair_search_attributes, pair_summary
from mentoring.plan import PlanRequest, SessionPlan
from mentoring.state import PairProgramInput

# Starts in flight at once per chunk; the cohort runs two chunks at a time, so 50 in
# all: enough to keep the server busy, few enough not to crowd out the workflow
# tasks of the pairs already started.
IN_FLIGHT = 25


class PairStarter:
    def __init__(self, client: Client) -> None:
        self._client = client

    @activity.defn(name="start_pairs")
    async def start_pairs(self, request: PairStartRequest) -> PairStartResult:
        slots = asyncio.Semaphore(IN_FLIGHT)
        # Server time, not this machine's clock: a simulated program runs on skipped time.
        # A retry hours later plans from then, not from when the cohort asked.
        attempt_at = activity.info().current_attempt_scheduled_time
        not_before = max(request.not_before, attempt_at) if request.not_before else attempt_at

        async def start(pair: Pair) -> None:
            async with slots:
                await self._start(request, pair, not_before)
                activity.heartbeat()

        await asyncio.gather(*(start(pair) for pair in request.pairs))
        return PairStartResult(started_pair_ids=[pair.id for pair in request.pairs])

    async def _start(self, request: PairStartRequest, pair: Pair, not_before: datetime) -> None:
        try:
            await start_pair(
                self._client, request.program, pair, request.cohort_workflow_id, request.task_queue, not_before
            )
        except WorkflowAlreadyStartedError:
            # Started by an earlier attempt, or by the cohort's previous run: adopted.
            pass


async def start_pair(
    client: Client, program: Program, pair: Pair, cohort_workflow_id: str, task_queue: str, not_before: datetime
) -> None:
    """Start one pair of a cohort, planned, listening and with its first search attributes
    (the memory benchmark starts its pairs this way too)."""
    # Planned here, where zoneinfo may be used, so the pair's first workflow task
    # can wait for its first message straight away.
    request_plan = PlanRequest(
        start_date=program.start_date,
        duration_months=program.duration_months,
        pattern=pair.pattern,
        not_before=not_before,
    )
    plan: SessionPlan | None
    try:
        plan = plan_program(request_plan)
    except (ZoneInfoNotFoundError, ValueError):
        # A zone this worker does not know: the pair plans for itself and fails on
        # its own, naming the zone, while the rest of the chunk starts.
        plan = None
    # The pair's first task would publish when it wakes first: set at the start instead.
    first_event = first_event_at(program, plan, not_before) if plan is not None else None
    await client.start_workflow(
        PAIR_WORKFLOW_TYPE,
        PairProgramInput(program=program, pair=pair, cohort_workflow_id=cohort_workflow_id, plan=plan, listening=True),
        id=pair_workflow_id(program.cohort_id, pair.id),
        task_queue=task_queue,
        # A finished pair is never run a second time, so nobody is emailed twice.
        id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
        search_attributes=pair_search_attributes(program.cohort_id, pair, first_event),
        static_summary=pair_summary(program.cohort_id, pair),
        static_details=pair_details(program, pair),
    )
