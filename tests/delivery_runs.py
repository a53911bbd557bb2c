"""A pair program on the time-skipping server with the real workers and a real SMTP
server, for tests about what reaches which mailbox and how often it was tried."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from dataclasses import dataclass

from temporalio.client import Client, WorkflowHandle

from mentoring.cohort import Cadence, Person
from mentoring.ids import TASK_QUEUE
from mentoring.state import PairProgramInput, PairProgramResult
from tests import factories
from tests.test_pair_agenda import next_february_tuesday
from tests.workers import running_workers
from workflows.pair import PairProgramWorkflow

OFFICE = "office@example.com"
SENDER = "Mentoring <mentoring@example.org>"


def workers(client: Client, smtp_port: int) -> contextlib.AbstractAsyncContextManager[None]:
    # One connection per message, so a change of what the server offers counts at once.
    return running_workers(client, smtp_port, SENDER, smtp_keep_open_seconds=0)


async def pair_input(client_time, mentor: Person, mentee: Person, **changes) -> PairProgramInput:
    """A four-month monthly program (the shortest there is) for these two people."""
    pair = factories.pair(cadence=Cadence.MONTHLY).model_copy(update={"mentor": mentor, "mentee": mentee, **changes})
    return PairProgramInput(program=factories.program(next_february_tuesday(client_time), months=4), pair=pair)


@dataclass
class Run:
    result: PairProgramResult
    # The attempt number of every deliver_message activity, in history order.
    attempts: list[int]


async def run_pair(env, input: PairProgramInput, timeout: float = 60.0) -> Run:
    handle = await env.client.start_workflow(
        PairProgramWorkflow.run, input, id=f"pair-delivery-{uuid.uuid4().hex[:8]}", task_queue=TASK_QUEUE
    )
    # A message retried for ever would keep the program from ending: fail, don't hang.
    result = await asyncio.wait_for(handle.result(), timeout)
    return Run(result, await delivery_attempts(handle))


async def delivery_attempts(handle: WorkflowHandle) -> list[int]:
    history = await handle.fetch_history()
    kinds = {
        e.event_id: e.activity_task_scheduled_event_attributes.activity_type.name
        for e in history.events
        if e.HasField("activity_task_scheduled_event_attributes")
    }
    return [
        e.activity_task_started_event_attributes.attempt
        for e in history.events
        if e.HasField("activity_task_started_event_attributes")
        and kinds[e.activity_task_started_event_attributes.scheduled_event_id] == "deliver_message"
    ]
