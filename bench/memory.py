"""rss_mb_per_1000_pairs: worker RSS per 1,000 open pairs parked on their timers;
wake_latency_ratio: a query to a pair evicted from the worker's cache against one in it.

The worker runs in its own process with the default settings (cache of 1,000
workflows); the program starts in three weeks, so each pair plans its sessions and
parks on the timer for its welcome and first invite (14 days before the first
session). RSS is read when every pair has parked and the worker and the server
have gone quiet, at 0, 1,000 and 3,000 open pairs.

- Figure: RSS growth from 0 to 1,000 pairs (all of them fit in the cache).
  The growth from 1,000 to 3,000 is a detail: past the cache, a pair lives on the
  server and costs the worker nothing until it wakes.
- Baseline: a fresh worker process, the same way, with 1,000 bare workflows
  parked on one timer.
- Wake latency: a ``state`` query needs the workflow in the cache; for an evicted
  pair the worker first replays its history. Median of 20 pairs each.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from datetime import UTC, datetime, timedelta

from temporalio.client import Client

from bench.baselines import ParkedWorkflow
from bench.harness import (
    Figure,
    Target,
    WorkerProcess,
    gather_limited,
    log,
    settle,
    smtp_sink,
    temporal_server_processes,
    wait_until,
)
from devstack.temporal_servers import start_dev_server
from mentoring.ids import TASK_QUEUE, pair_workflow_id
from mentoring.state import PairProgramInput
from tests import factories
from workflows.pair import PairProgramWorkflow

STEPS = (1000, 3000)
IN_FLIGHT = 50
SAMPLES = 20
COHORT = "bench-mem"


async def _quiet(worker: WorkerProcess) -> float:
    await settle([worker.ps, *temporal_server_processes()], timeout=120)
    await asyncio.sleep(0.5)
    return worker.rss_mb()


async def _parked_baseline(client: Client, target: str, smtp_port: int) -> tuple[float, float]:
    async with WorkerProcess(target, smtp_port, email_rate=10_000) as worker:
        await client.start_workflow(ParkedWorkflow.run, 30, id="bench-parked-warm", task_queue=TASK_QUEUE)
        before = await _quiet(worker)
        await gather_limited(
            (
                lambda i=i: client.start_workflow(ParkedWorkflow.run, 30, id=f"bench-parked-{i}", task_queue=TASK_QUEUE)
                for i in range(STEPS[0])
            ),
            IN_FLIGHT,
        )
        after = await _quiet(worker)
    return before, after


async def _parked(client: Client, pairs: int) -> bool:
    """Every open pair has planned and waits on its next timer (it publishes NextEventAt then)."""
    parked = await client.count_workflows(
        "WorkflowType='PairProgramWorkflow' AND ExecutionStatus='Running' AND NextEventAt IS NOT NULL"
    )
    return parked.count == pairs


async def _query_ms(client: Client, workflow_id: str) -> float:
    began = time.perf_counter()
    await client.get_workflow_handle_for(PairProgramWorkflow.run, workflow_id).query(PairProgramWorkflow.state)
    return (time.perf_counter() - began) * 1000


async def run() -> list[Figure]:
    with smtp_sink() as sink:
        env = await start_dev_server("--log-level", "error")
        try:
            client = env.client
            target = client.service_client.config.target_host
            bare_before, bare_after = await _parked_baseline(client, target, sink.port)
            log(f"memory: 1,000 parked bare workflows: {bare_before:.0f} -> {bare_after:.0f} MB")

            program = factories.program(datetime.now(UTC).date() + timedelta(days=21), cohort_id=COHORT)

            def start_pair(pair_id: str):
                return client.start_workflow(
                    PairProgramWorkflow.run,
                    PairProgramInput(program=program, pair=factories.pair(pair_id)),
                    id=pair_workflow_id(COHORT, pair_id),
                    task_queue=TASK_QUEUE,
                )

            async with WorkerProcess(target, sink.port, email_rate=10_000) as worker:
                idle_mb = worker.rss_mb()
                # Warm-up: one pair planned and parked, then gone, so that the workflow code
                # is loaded before "0 pairs" is measured.
                warm = await start_pair("warm")
                await wait_until(lambda: _parked(client, 1), timeout=60, what="the warm-up pair to park")
                await _quiet(worker)
                await warm.terminate(reason="bench warm-up")
                await wait_until(lambda: _parked(client, 0), timeout=60, what="the warm-up pair to close")
                rss = {0: await _quiet(worker)}
                started, ids = 0, []
                for step in STEPS:
                    new = [f"p{i:05d}" for i in range(started, step)]
                    began = time.perf_counter()
                    await gather_limited((lambda p=p: start_pair(p) for p in new), IN_FLIGHT)
                    await wait_until(
                        lambda step=step: _parked(client, step), timeout=600, what=f"{step} pairs to park", every=1.0
                    )
                    if sink.handler.count:
                        raise RuntimeError(f"parked pairs sent {sink.handler.count} emails; expected none yet")
                    rss[step] = await _quiet(worker)
                    log(f"memory: {step} pairs parked, RSS {rss[step]:.0f} MB ({time.perf_counter() - began:.0f} s)")
                    ids += new
                    started = step

                # Most recently run pairs are in the cache; the first ones were evicted.
                cached = [await _query_ms(client, pair_workflow_id(COHORT, p)) for p in ids[-SAMPLES:]]
                evicted = [await _query_ms(client, pair_workflow_id(COHORT, p)) for p in ids[:SAMPLES]]
                final_mb = worker.rss_mb()
        finally:
            await env.shutdown()

    per_1000 = rss[STEPS[0]] - rss[0]
    beyond = (rss[STEPS[1]] - rss[STEPS[0]]) / ((STEPS[1] - STEPS[0]) / 1000)
    bare = bare_after - bare_before
    cached_ms, evicted_ms = statistics.median(cached), statistics.median(evicted)
    log(
        f"memory: {per_1000:.1f} MB per 1,000 pairs ({bare:.1f} bare); wake {evicted_ms:.0f} ms evicted, {cached_ms:.0f} ms cached"
    )
    return [
        Figure(
            key="rss_mb_per_1000_pairs",
            value=per_1000,
            unit="MB per 1,000 pairs",
            baseline=bare,
            baseline_unit="MB per 1,000",
            baseline_what="bare workflows parked on one timer",
            target=Target("value", "<=", 60),
            details={
                "rss_mb_idle_worker": round(idle_mb, 1),
                "rss_mb_at_pairs": {str(k): round(v, 1) for k, v in rss.items()},
                "mb_per_1000_beyond_cache": round(beyond, 1),
                "rss_mb_after_wake_queries": round(final_mb, 1),
                "bare_rss_mb": [round(bare_before, 1), round(bare_after, 1)],
                "cache": "default (1,000 workflows)",
            },
        ),
        Figure(
            key="wake_latency_ratio",
            value=evicted_ms,
            unit="ms (evicted pair)",
            baseline=cached_ms,
            baseline_unit="ms",
            baseline_what="same query to a cached pair",
            details={
                "samples": SAMPLES,
                "evicted_ms": [round(x, 1) for x in evicted],
                "cached_ms": [round(x, 1) for x in cached],
            },
        ),
    ]
