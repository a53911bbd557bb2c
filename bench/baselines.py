"""The bare workflows each benchmark is compared with, run by the same worker process.

Kept out of ``__main__`` (the sandbox rejects workflows defined there) and free of
project imports, so they cost the worker nothing beyond themselves.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from pydantic import BaseModel
from temporalio import activity, workflow
from temporalio.common import SearchAttributeKey

NOOP_ACTIVITY = "bench_noop"


class Step(BaseModel):
    """Sleep first (a timer), then run ``activities`` no-op activities in parallel."""

    sleep_seconds: float = 0.0
    activities: int = 0
    task_queue: str = ""


class SkeletonInput(BaseModel):
    steps: list[Step]


@activity.defn(name=NOOP_ACTIVITY)
async def noop_activity(value: int) -> int:
    return value


@workflow.defn(name="BenchNoop")
class NoopWorkflow:
    """Does nothing: the cost of a start and one workflow task."""

    @workflow.run
    async def run(self) -> None:
        return None


@workflow.defn(name="BenchParked")
class ParkedWorkflow:
    """Waits on one long timer: an open workflow that costs only its cache entry."""

    @workflow.run
    async def run(self, days: int) -> None:
        await workflow.sleep(timedelta(days=days))


@workflow.defn(name="BenchSkeletonPair")
class SkeletonPairWorkflow:
    """The timers and activities of a real pair run, with no-op activities and no state."""

    @workflow.run
    async def run(self, input: SkeletonInput) -> int:
        done = 0
        for step in input.steps:
            if step.sleep_seconds:
                await workflow.sleep(timedelta(seconds=step.sleep_seconds))
            if step.activities:
                results = await asyncio.gather(
                    *(
                        workflow.execute_activity(
                            NOOP_ACTIVITY,
                            i,
                            result_type=int,
                            task_queue=step.task_queue or None,
                            start_to_close_timeout=timedelta(seconds=30),
                        )
                        for i in range(step.activities)
                    )
                )
                done += len(results)
        return done


@workflow.defn(name="BenchAnswerable")
class AnswerableWorkflow:
    """Parked on one timer, keeping what a trivial update hands it: the cost of an
    update (and of a query that shows it) on an open workflow."""

    def __init__(self) -> None:
        self._answers: list[str] = []

    @workflow.run
    async def run(self, days: int) -> None:
        await workflow.sleep(timedelta(days=days))

    @workflow.update
    def answer(self, answer_id: str) -> int:
        self._answers.append(answer_id)
        return len(self._answers)

    @workflow.query
    def answers(self) -> list[str]:
        return self._answers


class PairWorkInput(BaseModel):
    """A parked pair's first task as bare work: its input's bytes (as text), the request of
    its planning activity, and the current-details line it sets."""

    input_text: str
    # None: the pair was started planned and listening (``start_pairs``), so its first
    # task plans nothing, asks no ``patched`` and upserts nothing.
    plan_request: dict[str, Any] | None
    details: str


@workflow.defn(name="BenchParkedPairWork")
class ParkedPairWorkWorkflow:
    """What a pair does before it parks, with no state of its own: the same input bytes,
    started with the same search attributes; a pair started as before v1.2 also asks
    ``patched``, plans with the same activity (its result dropped here) and upserts the
    same search attributes; then the same timer. What it costs the worker beyond
    ``ParkedWorkflow`` is the SDK's and the core's share of a parked pair."""

    @workflow.run
    async def run(self, input: PairWorkInput) -> None:
        if input.plan_request is not None:
            workflow.patched("participant-answers")
            await workflow.execute_activity(
                "plan_sessions",
                input.plan_request,
                start_to_close_timeout=timedelta(seconds=30),
                summary="plan sessions in the pair's time zone",
            )
            workflow.upsert_search_attributes(
                [
                    SearchAttributeKey.for_keyword("ProgramPhase").value_set("kickoff"),
                    SearchAttributeKey.for_int("SessionsHeld").value_set(0),
                    SearchAttributeKey.for_datetime("NextEventAt").value_set(workflow.now() + timedelta(days=7)),
                    SearchAttributeKey.for_keyword("PairHealth").value_set("healthy"),
                ]
            )
        workflow.set_current_details(input.details)
        await workflow.sleep(timedelta(days=7), summary="wait for welcome")


WORKFLOWS = [NoopWorkflow, ParkedWorkflow, SkeletonPairWorkflow, AnswerableWorkflow, ParkedPairWorkWorkflow]
