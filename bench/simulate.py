"""simulate_ratio, simulate_s_per_pair: a whole 100-pair, 6-month, biweekly cohort.

The time-skipping server runs the program in seconds; the worker process runs the
real workflows and activities and sends every email to a local SMTP server (as
``starter.py simulate`` does, without the rate limit). The cohort goes through
``cli.start.start_cohort`` and is done when the cohort workflow is.

The baseline is the skeleton: one warm-up pair is run first, and its history gives
the skeleton (the same timers, and the same activities as no-ops, in the same
order and parallelism); 100 skeleton workflows then run on the same server and
worker as the cohort, just before it. Wall time against wall time.
"""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

from bench.baselines import SkeletonInput, SkeletonPairWorkflow
from bench.harness import Figure, Target, WorkerProcess, log, skeleton_from_history, smtp_sink, temporal_server_processes
from cli.start import start_cohort
from devstack.temporal_servers import quiet_runtime, start_time_skipping
from mentoring.ids import TASK_QUEUE, pair_workflow_id
from tests import factories

PAIRS = int(__import__("os").environ.get("BENCH_SIM_PAIRS", "100"))
MONTHS = 6


def _cpu(processes) -> float:
    return sum(p.cpu_times().user + p.cpu_times().system for p in processes)


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


async def run() -> list[Figure]:
    with smtp_sink() as sink:
        # The skeleton's shape comes from a warm-up pair on a server and worker of its own:
        # run on the measured server and worker, it left the time-skipping server's
        # clock stuck now and then.
        skeleton, warm_messages = await _skeleton_shape(sink.port)
        log(f"simulate: warm-up pair sent {warm_messages} messages; running {PAIRS} skeletons")
        env = await start_time_skipping(quiet_runtime())
        try:
            client = env.client
            async with WorkerProcess(client.service_client.config.target_host, sink.port, email_rate=10_000) as worker:
                servers = temporal_server_processes()
                cpu0, worker0 = _cpu([worker.ps, *servers]), worker.cpu_seconds()
                began = time.perf_counter()
                handles = await asyncio.gather(
                    *(
                        client.start_workflow(
                            SkeletonPairWorkflow.run, skeleton, id=f"bench-sim-skeleton-{i}", task_queue=TASK_QUEUE
                        )
                        for i in range(PAIRS)
                    )
                )
                # One result at a time: time skips while the client waits on a result.
                for handle in handles:
                    await handle.result()
                skeleton_s = time.perf_counter() - began
                cpu1, worker1 = _cpu([worker.ps, *servers]), worker.cpu_seconds()
                log(f"simulate: skeletons done in {skeleton_s:.1f} s; running the {PAIRS}-pair cohort")

                sent_before = sink.handler.count
                start = (await env.get_current_time() + timedelta(days=21)).date()
                cohort = factories.cohort(start, [f"p{i:03d}" for i in range(PAIRS)], cohort_id="bench-sim")
                began = time.perf_counter()
                handle, _ = await start_cohort(client, cohort)
                result = await handle.result()
                real_s = time.perf_counter() - began
                cpu2, worker2 = _cpu([worker.ps, *servers]), worker.cpu_seconds()
                messages = sink.handler.count - sent_before
        finally:
            await env.shutdown()
    skeleton_worker_cpu, real_worker_cpu = worker1 - worker0, worker2 - worker1

    expected = warm_messages * PAIRS
    if messages != expected or result.progress.messages_failed:
        raise RuntimeError(f"the cohort sent {messages} messages, expected {expected}")
    timers = sum(1 for s in skeleton.steps if s.sleep_seconds)
    activities = sum(s.activities for s in skeleton.steps)
    log(f"simulate: {PAIRS} pairs in {real_s:.1f} s, skeleton in {skeleton_s:.1f} s")
    details = {
        "pairs": PAIRS,
        "months": MONTHS,
        "cadence": "biweekly",
        "messages": messages,
        "timers_per_pair": timers,
        "activities_per_pair": activities,
        "real_wall_s": round(real_s, 1),
        "skeleton_wall_s": round(skeleton_s, 1),
        "real_cpu_s_worker_and_server": round(cpu2 - cpu1, 1),
        "skeleton_cpu_s_worker_and_server": round(cpu1 - cpu0, 1),
        "real_worker_cpu_s": round(real_worker_cpu, 1),
        "skeleton_worker_cpu_s": round(skeleton_worker_cpu, 1),
    }
    return [
        Figure(
            key="simulate_ratio",
            value=real_s,
            unit="s",
            baseline=skeleton_s,
            baseline_unit="s",
            baseline_what=f"{PAIRS} skeleton workflows: same timers, no-op activities",
            target=Target("ratio", "<=", 1.5),
            details=details,
        ),
        Figure(
            key="simulate_s_per_pair",
            value=real_s / PAIRS,
            unit="s/pair",
            baseline=skeleton_s / PAIRS,
            baseline_unit="s/pair",
            baseline_what="skeleton",
            details={
                "worker_cpu_s_per_pair": round(real_worker_cpu / PAIRS, 2),
                "worker_cpu_ms_per_message": round(real_worker_cpu / messages * 1000, 1),
            },
        ),
    ]
