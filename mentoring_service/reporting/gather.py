"""A cohort's pairs as facts, read from Temporal: the ground truth of what happened.

- **A running cohort**: its ``progress`` query lists every pair it started; each pair
  still running answers its ``state`` query (a worker must be running), and each pair
  that has finished is read from its result.
- **A finished cohort**: its result lists the pairs; each pair's result carries its
  final state, for as long as the namespace retains the closed workflows.

It records where each pair's facts came from and as of when: the Temporal server's
clock where the server tells it (the time-skipping server of a preview), the close of
the last workflow for a finished cohort, else this machine's clock.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from enum import StrEnum

import google.protobuf.empty_pb2
from pydantic import AwareDatetime, BaseModel
from temporalio.client import Client, WorkflowExecutionDescription, WorkflowExecutionStatus, WorkflowFailureError
from temporalio.service import RPCError, RPCStatusCode

from mentoring.cohort import Language
from mentoring.cohort_state import CohortInput, CohortProgress
from mentoring.ids import cohort_workflow_id, pair_workflow_id
from mentoring.reporting.facts import PairFacts, from_result, from_state
from mentoring_service.cli.console import CommandError
from mentoring_service.cli.ops_target import Remote, Target, unexplained
from workflows.cohort import CohortWorkflow
from workflows.pair import PairProgramWorkflow

# Pairs read at once: enough to be quick, few enough not to crowd a small server.
IN_FLIGHT = 16


class Source(StrEnum):
    QUERY = "query"  # a running pair's state query
    RESULT = "result"  # a finished pair's result


class Clock(StrEnum):
    SERVER = "server"  # the Temporal server's own clock (a time-skipping server says it)
    CLOSED = "closed"  # the moment the cohort's workflow closed
    MACHINE = "machine"  # this machine's clock, read as the pairs were


class MissingPair(BaseModel):
    pair_id: str
    why: str


class Gathered(BaseModel):
    cohort_id: str
    cohort_name: str
    language: Language
    cohort_running: bool
    as_of: AwareDatetime
    clock: Clock
    pairs: list[PairFacts]
    sources: dict[str, Source]
    # Pairs the cohort started whose facts could not be had (terminated, or no longer retained).
    missing: list[MissingPair] = []


async def _describe(client: Client, workflow_id: str) -> WorkflowExecutionDescription | None:
    try:
        return await client.get_workflow_handle(workflow_id).describe()
    except RPCError as error:
        if error.status == RPCStatusCode.NOT_FOUND:
            return None
        raise unexplained(error) from None


async def _cohort_input(client: Client, workflow_id: str) -> CohortInput:
    """The cohort's name and language, from its (latest run's) input."""
    async for event in client.get_workflow_handle(workflow_id).fetch_history_events():
        payloads = event.workflow_execution_started_event_attributes.input.payloads
        [cohort_input] = await client.data_converter.decode(payloads, [CohortInput])
        assert isinstance(cohort_input, CohortInput)
        return cohort_input
    raise CommandError(f"the history of {workflow_id} is empty")


async def server_time(client: Client) -> datetime | None:
    """The server's clock, where it tells it: the time-skipping server does."""
    try:
        response = await client.test_service.get_current_time(google.protobuf.empty_pb2.Empty())
    except RPCError:
        return None
    return response.time.ToDatetime().replace(tzinfo=UTC)


Read = tuple[PairFacts, Source] | MissingPair


async def _pair(client: Client, cohort_id: str, pair_id: str, finished: bool) -> Read:
    """``finished``: the cohort knows the pair has finished, so its result is read
    without asking whether it still runs."""
    workflow_id = pair_workflow_id(cohort_id, pair_id)
    if not finished:
        description = await _describe(client, workflow_id)
        if description is None:
            return MissingPair(pair_id=pair_id, why="its workflow is not in the namespace (no longer retained?)")
        finished = description.status != WorkflowExecutionStatus.RUNNING
    if not finished:
        try:
            state = await Remote(client, Target(cohort_id, pair_id)).query(PairProgramWorkflow.state)
            return from_state(pair_id, state), Source.QUERY
        except CommandError:
            # It may have closed since it was described: then its result has the facts.
            description = await _describe(client, workflow_id)
            if description is None or description.status == WorkflowExecutionStatus.RUNNING:
                raise
    try:
        result = await client.get_workflow_handle_for(PairProgramWorkflow.run, workflow_id).result()
    except WorkflowFailureError as error:
        return MissingPair(pair_id=pair_id, why=f"its workflow did not complete ({type(error.cause).__name__})")
    except RPCError as error:
        if error.status == RPCStatusCode.NOT_FOUND:
            return MissingPair(pair_id=pair_id, why="its workflow is no longer retained by the namespace")
        raise unexplained(error) from None
    return from_result(result), Source.RESULT


async def _read_pairs(client: Client, cohort_id: str, progress: CohortProgress) -> list[Read]:
    slots = asyncio.Semaphore(IN_FLIGHT)

    async def one(pair_id: str, finished: bool) -> Read:
        async with slots:
            # Only a pair the cohort saw finish is read from its result straight away:
            # waiting on the result of one still running would never return.
            return await _pair(client, cohort_id, pair_id, finished)

    return list(await asyncio.gather(*(one(p.pair_id, p.finished) for p in progress.pairs)))


async def gather(client: Client, cohort_id: str) -> Gathered:
    workflow_id = cohort_workflow_id(cohort_id)
    description = await _describe(client, workflow_id)
    if description is None:
        raise CommandError(f"no cohort '{cohort_id}' in namespace '{client.namespace}'")
    running = description.status == WorkflowExecutionStatus.RUNNING
    cohort_input = await _cohort_input(client, workflow_id)
    if running:
        progress = await Remote(client, Target(cohort_id)).query(CohortWorkflow.progress)
    elif description.status == WorkflowExecutionStatus.COMPLETED:
        progress = (await client.get_workflow_handle_for(CohortWorkflow.run, workflow_id).result()).progress
    else:
        status = description.status.name.lower() if description.status else "closed"
        raise CommandError(
            f"cohort '{cohort_id}' has no report: its workflow is {status}, so it holds no list of its pairs; "
            "`starter.py start` with the cohort file starts it again and adopts the pairs still running"
        )
    read = await _read_pairs(client, cohort_id, progress)
    as_of, clock = await server_time(client), Clock.SERVER
    if as_of is None and not running and description.close_time is not None:
        as_of, clock = description.close_time, Clock.CLOSED
    if as_of is None:
        as_of, clock = datetime.now(UTC), Clock.MACHINE
    found = [r for r in read if isinstance(r, tuple)]
    program = cohort_input.cohort.program
    return Gathered(
        cohort_id=cohort_id,
        cohort_name=program.cohort_name,
        language=program.language,
        cohort_running=running,
        as_of=as_of,
        clock=clock,
        pairs=[facts for facts, _ in found],
        sources={facts.pair_id: source for facts, source in found},
        missing=[r for r in read if isinstance(r, MissingPair)],
    )
