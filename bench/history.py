"""history_events_max, history_bytes_max: the largest single run of a 6-month weekly pair.

One pair with weekly sessions runs its whole program on the time-skipping server
with the real activities and a local SMTP server. Every run is counted (a
continue-as-new starts a new one; the time-skipping server never suggests it, the
dev server does at 4,096 events or 4 MiB). The baseline is the skeleton: the same
timers and the same number of activities, as no-ops, in one bare workflow.

A detail: how long the Replayer takes for the largest run, which is what waking a
pair evicted from the worker's cache costs at the end of its program.
"""

from __future__ import annotations

import time
from datetime import timedelta

from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHistory
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Replayer

from bench.baselines import SkeletonInput, SkeletonPairWorkflow
from bench.harness import (
    Figure,
    Target,
    WorkerProcess,
    data_converter,
    history_size,
    log,
    skeleton_from_history,
    smtp_sink,
)
from devstack.temporal_servers import start_time_skipping
from mentoring.cohort import Cadence
from mentoring.ids import TASK_QUEUE, pair_workflow_id
from mentoring.state import PairProgramInput
from mentoring_service.time_skipping import quiet_runtime
from tests import factories
from workflows.pair import PairProgramWorkflow


async def runs_of(client: Client, workflow_id: str, run_id: str) -> list[WorkflowHistory]:
    """Every run of a workflow, first to last, following continue-as-new."""
    histories = []
    while True:
        history = await client.get_workflow_handle(workflow_id, run_id=run_id).fetch_history()
        histories.append(history)
        last = history.events[-1]
        if last.event_type != EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW:
            return histories
        run_id = last.workflow_execution_continued_as_new_event_attributes.new_execution_run_id


async def _pair_runs(env: WorkflowEnvironment, workflow_id: str) -> list[WorkflowHistory]:
    """Every run of one weekly pair's whole program."""
    start = (await env.get_current_time() + timedelta(days=21)).date()
    handle = await env.client.start_workflow(
        PairProgramWorkflow.run,
        PairProgramInput(
            program=factories.program(start, cohort_id="bench-history", months=6),
            pair=factories.pair("weekly", cadence=Cadence.WEEKLY),
        ),
        id=workflow_id,
        task_queue=TASK_QUEUE,
    )
    await handle.result()
    return await runs_of(env.client, workflow_id, handle.first_execution_run_id or handle.result_run_id)


async def _skeleton_run(
    client: Client, workflow_id: str, runs: list[WorkflowHistory]
) -> tuple[SkeletonInput, WorkflowHistory]:
    """The skeleton of all the pair's runs together, and the history of its one run."""
    skeleton = skeleton_from_history(WorkflowHistory(workflow_id, [e for h in runs for e in h.events]))
    skeleton_handle = await client.start_workflow(
        SkeletonPairWorkflow.run, skeleton, id="bench-history-skeleton", task_queue=TASK_QUEUE
    )
    await skeleton_handle.result()
    [skeleton_history] = await runs_of(client, skeleton_handle.id, skeleton_handle.result_run_id)
    return skeleton, skeleton_history


async def _replay_ms(history: WorkflowHistory) -> float:
    replayer = Replayer(workflows=[PairProgramWorkflow], data_converter=data_converter())
    await replayer.replay_workflow(history)  # sandbox warm-up
    began = time.perf_counter()
    await replayer.replay_workflow(history)
    return (time.perf_counter() - began) * 1000


def _figures(
    runs: list[WorkflowHistory],
    sizes: list[tuple[int, int]],
    skeleton: SkeletonInput,
    skeleton_history: WorkflowHistory,
    replay_ms: float,
    messages_sent: int,
) -> list[Figure]:
    events, size = max(s[0] for s in sizes), max(s[1] for s in sizes)
    base_events, base_bytes = history_size(skeleton_history)
    timers = sum(1 for s in skeleton.steps if s.sleep_seconds)
    activities = sum(s.activities for s in skeleton.steps)
    log(f"history: {len(runs)} run(s), largest {events} events / {size / 1024:.0f} KiB; "
        f"skeleton {base_events} events / {base_bytes / 1024:.0f} KiB; replay {replay_ms:.0f} ms")  # fmt: skip
    details = {
        "runs": len(runs),
        "events_per_run": [s[0] for s in sizes],
        "timers": timers,
        "activities": activities,
        "messages_sent": messages_sent,
        "replay_largest_run_ms": round(replay_ms, 1),
    }
    return [
        Figure(
            key="history_events_max",
            value=events,
            unit="events",
            baseline=base_events,
            baseline_unit="events",
            baseline_what="skeleton: same timers and activities, no-ops",
            target=Target("value", "<", 2000),
            details=details,
        ),
        Figure(
            key="history_bytes_max",
            value=size / 1024,
            unit="KiB",
            baseline=base_bytes / 1024,
            baseline_unit="KiB",
            baseline_what="skeleton",
            target=None,
            details={"bytes": size, "skeleton_bytes": base_bytes, "continue_as_new_suggested_at_bytes": 4 * 2**20},
        ),
    ]


async def run() -> list[Figure]:
    workflow_id = pair_workflow_id("bench-history", "weekly")
    with smtp_sink() as sink:
        env = await start_time_skipping(quiet_runtime())
        try:
            target = env.client.service_client.config.target_host
            async with WorkerProcess(target, sink.port, email_rate=10_000):
                runs = await _pair_runs(env, workflow_id)
                skeleton, skeleton_history = await _skeleton_run(env.client, workflow_id, runs)
        finally:
            await env.shutdown()

    sizes = [history_size(h) for h in runs]
    largest = runs[max(range(len(runs)), key=lambda i: sizes[i][0])]
    replay_ms = await _replay_ms(largest)
    return _figures(runs, sizes, skeleton, skeleton_history, replay_ms, messages_sent=sink.handler.count)
