"""The workflows the memory figures park, and how each is started and found parked.

A start is (workflow id, a call that starts it). ``start_and_park`` starts a list of
them and waits until each is parked: past its first task, with no workflow task or
activity pending.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from temporalio.client import Client

from activities.pair_starts import start_pair
from activities.planning import plan_program
from bench.baselines import PairWorkInput, ParkedPairWorkWorkflow, ParkedWorkflow
from bench.harness import gather_limited, wait_until
from mentoring.cohort import Program
from mentoring.ids import TASK_QUEUE, cohort_workflow_id, pair_workflow_id
from mentoring.pair_labels import first_event_at, pair_details, pair_search_attributes, pair_summary
from mentoring.plan import PlanRequest
from mentoring.state import PairProgramInput
from tests import factories

Start = tuple[str, Callable[[], Awaitable[object]]]
IN_FLIGHT = 50
# What a pair's first task shows in the UI (``progress.details_line``), for the bare side.
DETAILS = "**kickoff** · 0 of 13 sessions held · healthy · next: welcome at 2026-12-07 15:00 UTC"


async def unparked(client: Client, workflow_ids: list[str]) -> list[str]:
    """The ones not parked yet."""

    async def waiting(workflow_id: str) -> bool:
        described = (await client.get_workflow_handle(workflow_id).describe()).raw_description
        return (
            described.workflow_execution_info.history_length <= 3
            or described.HasField("pending_workflow_task")
            or len(described.pending_activities) > 0
        )

    flags = await gather_limited((lambda w=w: waiting(w) for w in workflow_ids), IN_FLIGHT)
    return [w for w, flag in zip(workflow_ids, flags, strict=True) if flag]


async def start_and_park(client: Client, starts: list[Start], what: str) -> None:
    await gather_limited((start for _, start in starts), IN_FLIGHT)
    left = [workflow_id for workflow_id, _ in starts]

    async def all_parked() -> bool:
        nonlocal left
        left = await unparked(client, left)
        return not left

    await wait_until(all_parked, timeout=600, what=f"{len(starts)} {what} to park", every=1.0)


def bare(client: Client, ids: list[str]) -> list[Start]:
    """``ParkedWorkflow``: one timer, an int for input."""
    return [(w, lambda w=w: client.start_workflow(ParkedWorkflow.run, 30, id=w, task_queue=TASK_QUEUE)) for w in ids]


def pairs(client: Client, program: Program, pair_ids: list[str]) -> list[Start]:
    """Pairs as a cohort's ``start_pairs`` starts them: planned, listening, with their first
    search attributes. The cohort need not run: a pair in kickoff does not report."""
    cohort = cohort_workflow_id(program.cohort_id)
    return [
        (
            pair_workflow_id(program.cohort_id, p),
            lambda p=p: start_pair(client, program, factories.pair(p), cohort, TASK_QUEUE, datetime.now(UTC)),
        )
        for p in pair_ids
    ]


def pairs_as_before_v1_2(client: Client, program: Program, pair_ids: list[str]) -> list[Start]:
    """Pairs started by a bare client start, as before v1.2: they plan with an activity and
    ask ``patched``, 14 events before they park instead of 5."""
    return [
        (
            pair_workflow_id(program.cohort_id, p),
            lambda p=p: client.start_workflow(
                "PairProgramWorkflow",
                PairProgramInput(program=program, pair=factories.pair(p)),
                id=pair_workflow_id(program.cohort_id, p),
                task_queue=TASK_QUEUE,
            ),
        )
        for p in pair_ids
    ]


def pair_work(
    client: Client,
    program: Program,
    ids: list[str],
    *,
    as_before_v1_2: bool = False,
    with_input: bool = True,
    with_attributes: bool = True,
) -> list[Start]:
    """``ParkedPairWorkWorkflow`` doing what a pair does until it parks, with no state:
    started as ``pairs`` starts them (the same input bytes, search attributes, summary
    and details), or with ``as_before_v1_2`` as ``pairs_as_before_v1_2`` does (then it
    plans and asks ``patched`` as those pairs do). Leaving out the input's bytes or the
    search attributes, summary and details tells what each costs."""
    pair = factories.pair("p-work")
    request = PlanRequest(
        start_date=program.start_date,
        duration_months=program.duration_months,
        pattern=pair.pattern,
        not_before=datetime.now(UTC),
    )
    if as_before_v1_2:
        input = PairProgramInput(program=program, pair=pair)
        work = PairWorkInput(
            input_text=input.model_dump_json(), plan_request=request.model_dump(mode="json"), details=DETAILS
        )
        return [
            (w, lambda w=w: client.start_workflow(ParkedPairWorkWorkflow.run, work, id=w, task_queue=TASK_QUEUE))
            for w in ids
        ]
    plan = plan_program(request)
    cohort = cohort_workflow_id(program.cohort_id)
    input = PairProgramInput(program=program, pair=pair, cohort_workflow_id=cohort, plan=plan, listening=True)
    work = PairWorkInput(input_text=input.model_dump_json() if with_input else "", plan_request=None, details=DETAILS)
    attributes = pair_search_attributes(program.cohort_id, pair, first_event_at(program, plan, datetime.now(UTC)))
    labels: dict[str, Any] = {}
    if with_attributes:
        labels = {
            "search_attributes": attributes,
            "static_summary": pair_summary(program.cohort_id, pair),
            "static_details": pair_details(program, pair),
        }
    return [
        (w, lambda w=w: client.start_workflow(ParkedPairWorkWorkflow.run, work, id=w, task_queue=TASK_QUEUE, **labels))
        for w in ids
    ]
