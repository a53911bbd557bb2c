"""simulate_ratio, simulate_s_per_pair: a whole 100-pair, 6-month, biweekly cohort.

The time-skipping server runs the program in seconds; two worker processes (one for
the workflows, one for email, as docs/deploying.md recommends for large cohorts) run
the real workflows and activities and send every email to a local SMTP server (as
``starter.py simulate`` does, without the rate limit). The cohort goes through
``cli.start.start_cohort`` and is done when the cohort workflow is.

The baseline is the skeleton: one warm-up pair is run first, and its history gives
the skeleton (the same timers, and the same activities as no-ops, in the same
order and parallelism). The 100 skeleton workflows and the cohort each run on a
fresh time-skipping server with fresh worker processes, set up the same way: the
test server keeps every finished workflow in memory and slows down as it fills,
so whichever ran second on a shared server would pay for the first. Wall time
against wall time.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, timedelta

import psutil
from temporalio.client import Client

from bench.baselines import SkeletonInput, SkeletonPairWorkflow
from bench.harness import (
    Figure,
    Target,
    WorkerProcess,
    cpu_seconds,
    log,
    skeleton_from_history,
    smtp_sink,
    temporal_server_processes,
)
from devstack.temporal_servers import start_time_skipping
from mentoring.ids import TASK_QUEUE, pair_workflow_id
from mentoring_service.cli.start import start_cohort
from mentoring_service.time_skipping import quiet_runtime
from tests import factories

# BENCH_SIM_PAIRS: a smaller cohort, for profiling; the recorded figure is for 100.
PAIRS = int(os.environ.get("BENCH_SIM_PAIRS", "100"))
MONTHS = 6


@dataclass
class Phase:
    wall_s: float
    cpu_s: float  # both worker processes and the server
    workflow_worker_cpu_s: float
    email_worker_cpu_s: float
    # This process: the SMTP sink receiving the messages, and the client waiting on results.
    bench_process_cpu_s: float
    result: object

    @property
    def worker_cpu_s(self) -> float:
        return self.workflow_worker_cpu_s + self.email_worker_cpu_s


async def _skeleton_shape(smtp_port: int) -> tuple[SkeletonInput, int]:
    """Run one real pair (on a server and worker of its own) and return the skeleton of
    its history and how many messages it sent. Also warms the caches of this process."""
    env = await start_time_skipping(quiet_runtime())
    try:
        client = env.client
        async with WorkerProcess(client.service_client.config.target_host, smtp_port, email_rate=10_000):
            start = (await env.get_current_time() + timedelta(days=21)).date()
            warm, _ = await start_cohort(client, factories.cohort(start, ["warm"], cohort_id="bench-sim-warm"))
            result = await warm.result()
            history = await client.get_workflow_handle(pair_workflow_id("bench-sim-warm", "warm")).fetch_history()
    finally:
        await env.shutdown()
    return skeleton_from_history(history), result.progress.messages_sent


async def _on_fresh_server(smtp_port: int, body: Callable[[Client, date], Awaitable[object]]) -> Phase:
    env = await start_time_skipping(quiet_runtime())
    try:
        target = env.client.service_client.config.target_host
        async with contextlib.AsyncExitStack() as stack:
            worker = await stack.enter_async_context(
                WorkerProcess(target, smtp_port, email_rate=10_000, queues="workflows")
            )
            mailer = await stack.enter_async_context(
                WorkerProcess(target, smtp_port, email_rate=10_000, queues="email")
            )
            processes = [worker.ps, mailer.ps, *temporal_server_processes()]
            start = (await env.get_current_time() + timedelta(days=21)).date()
            cpu0, worker0, mailer0 = cpu_seconds(processes), worker.cpu_seconds(), mailer.cpu_seconds()
            own0 = cpu_seconds([psutil.Process()])
            began = time.perf_counter()
            result = await body(env.client, start)
            wall = time.perf_counter() - began
            return Phase(
                wall_s=wall,
                cpu_s=cpu_seconds(processes) - cpu0,
                workflow_worker_cpu_s=worker.cpu_seconds() - worker0,
                email_worker_cpu_s=mailer.cpu_seconds() - mailer0,
                bench_process_cpu_s=cpu_seconds([psutil.Process()]) - own0,
                result=result,
            )
    finally:
        await env.shutdown()


@dataclass
class Measured:
    skeleton: SkeletonInput
    warm_messages: int  # sent by the warm-up pair
    base: Phase  # the skeletons
    real: Phase  # the cohort
    messages: int  # sent by the cohort


def _skeletons(skeleton: SkeletonInput) -> Callable[[Client, date], Awaitable[int]]:
    async def skeletons(client: Client, _: date) -> int:
        handles = await asyncio.gather(
            *(
                client.start_workflow(
                    SkeletonPairWorkflow.run, skeleton, id=f"bench-sim-skeleton-{i}", task_queue=TASK_QUEUE
                )
                for i in range(PAIRS)
            )
        )
        # One result at a time: time skips while the client waits on a result.
        return sum([await handle.result() for handle in handles])

    return skeletons


async def _cohort(client: Client, start: date):
    cohort = factories.cohort(start, [f"p{i:03d}" for i in range(PAIRS)], cohort_id="bench-sim")
    handle, _ = await start_cohort(client, cohort)
    return await handle.result()


async def _measure() -> Measured:
    """The warm-up pair, then the skeletons, then the cohort, each on a server of its own."""
    with smtp_sink() as sink:
        skeleton, warm_messages = await _skeleton_shape(sink.port)
        log(f"simulate: warm-up pair sent {warm_messages} messages; running {PAIRS} skeletons")
        base = await _on_fresh_server(sink.port, _skeletons(skeleton))
        log(f"simulate: skeletons done in {base.wall_s:.1f} s; running the {PAIRS}-pair cohort")
        sent_before = sink.handler.count
        real = await _on_fresh_server(sink.port, _cohort)
        messages = sink.handler.count - sent_before
    return Measured(skeleton, warm_messages, base, real, messages)


def _check_messages(m: Measured) -> None:
    expected = m.warm_messages * PAIRS
    if m.messages != expected or m.real.result.progress.messages_failed:
        raise RuntimeError(f"the cohort sent {m.messages} messages, expected {expected}")


def _details(m: Measured) -> dict[str, object]:
    real, base = m.real, m.base
    return {
        "pairs": PAIRS,
        "months": MONTHS,
        "cadence": "biweekly",
        "messages": m.messages,
        "timers_per_pair": sum(1 for s in m.skeleton.steps if s.sleep_seconds),
        "activities_per_pair": sum(s.activities for s in m.skeleton.steps),
        "real_wall_s": round(real.wall_s, 1),
        "skeleton_wall_s": round(base.wall_s, 1),
        "real_cpu_s_workers_and_server": round(real.cpu_s, 1),
        "skeleton_cpu_s_workers_and_server": round(base.cpu_s, 1),
        "real_server_cpu_s": round(real.cpu_s - real.worker_cpu_s, 1),
        "skeleton_server_cpu_s": round(base.cpu_s - base.worker_cpu_s, 1),
        "real_workflow_worker_cpu_s": round(real.workflow_worker_cpu_s, 1),
        "real_email_worker_cpu_s": round(real.email_worker_cpu_s, 1),
        "skeleton_workflow_worker_cpu_s": round(base.workflow_worker_cpu_s, 1),
        "skeleton_email_worker_cpu_s": round(base.email_worker_cpu_s, 1),
        # Not in the figures above: this process, whose SMTP sink receives every message.
        "real_bench_process_cpu_s": round(real.bench_process_cpu_s, 1),
        "skeleton_bench_process_cpu_s": round(base.bench_process_cpu_s, 1),
        "worker_processes": "two: workflows (reverse-mentoring) and email (reverse-mentoring-email)",
    }


def _figures(m: Measured) -> list[Figure]:
    real, base = m.real, m.base
    return [
        Figure(
            key="simulate_ratio",
            value=real.wall_s,
            unit="s",
            baseline=base.wall_s,
            baseline_unit="s",
            baseline_what=f"{PAIRS} skeleton workflows: same timers, no-op activities",
            target=Target("ratio", "<=", 1.5),
            details=_details(m),
        ),
        Figure(
            key="simulate_s_per_pair",
            value=real.wall_s / PAIRS,
            unit="s/pair",
            baseline=base.wall_s / PAIRS,
            baseline_unit="s/pair",
            baseline_what="skeleton",
            details={
                "worker_cpu_s_per_pair": round(real.worker_cpu_s / PAIRS, 2),
                "worker_cpu_ms_per_message": round(real.worker_cpu_s / m.messages * 1000, 1),
            },
        ),
    ]


async def run() -> list[Figure]:
    m = await _measure()
    _check_messages(m)
    log(f"simulate: {PAIRS} pairs in {m.real.wall_s:.1f} s, skeleton in {m.base.wall_s:.1f} s")
    return _figures(m)
