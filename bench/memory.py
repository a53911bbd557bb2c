"""rss_mb_per_1000_pairs: worker RSS per 1,000 open pairs parked on their timers;
wake_latency_ratio: a query to a pair evicted from the worker's cache against one in it.

The worker runs in its own process with the default settings (cache of 1,000
workflows). The pairs are started as a cohort's ``start_pairs`` starts them (planned,
listening, with their first search attributes); the program starts in three weeks, so
each pair's first task parks it on the timer for its welcome and first invite (14 days
before the first session). RSS is read when every workflow has parked (its first task
done, nothing pending) and the worker and the server have gone quiet, at 0, 1,000 and
3,000 open pairs.

- Figure: RSS growth from 0 to 1,000 pairs (all of them fit in the cache).
  The growth from 1,000 to 3,000 is a detail: past the cache, a pair lives on the
  server and costs the worker nothing until it wakes.
- Baseline: a fresh worker process, the same way, with 1,000 bare workflows
  parked on one timer.
- Detail ``mb_per_1000_bare_started_as_pairs``: 1,000 bare workflows started as the
  pairs are (the same input bytes, search attributes, summary and details) and parked on
  the same timer with no state of their own (``bench.baselines.ParkedPairWorkWorkflow``):
  what the SDK and the core keep for a pair's start. ``python -m bench.memory_attribution``
  splits a pair's share further, and measures pairs started as before v1.2 too.
- Wake latency: a ``state`` query needs the workflow in the cache; for an evicted
  pair the worker first replays its history. Median of 20 pairs each.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from aiosmtpd.controller import Controller
from temporalio.client import Client

from bench import parked
from bench.harness import (
    Figure,
    Target,
    WorkerProcess,
    log,
    settle,
    smtp_sink,
    temporal_server_processes,
)
from devstack.temporal_servers import start_dev_server
from mentoring.cohort import Program
from mentoring.ids import pair_workflow_id
from tests import factories
from workflows.pair import PairProgramWorkflow

STEPS = (1000, 3000)
SAMPLES = 20
COHORT = "bench-mem"


async def _quiet(worker: WorkerProcess) -> float:
    await settle([worker.ps, *temporal_server_processes()], timeout=120)
    await asyncio.sleep(0.5)
    return worker.rss_mb()


async def _growth(client: Client, target: str, smtp_port: int, starts: list[parked.Start], what: str) -> float:
    """RSS growth of a fresh worker process for ``starts`` (the first one is the warm-up)."""
    async with WorkerProcess(target, smtp_port, email_rate=10_000) as worker:
        await parked.start_and_park(client, starts[:1], what)
        before = await _quiet(worker)
        await parked.start_and_park(client, starts[1:], what)
        after = await _quiet(worker)
    log(f"memory: 1,000 {what}: {before:.0f} -> {after:.0f} MB")
    return after - before


def _ids(prefix: str) -> list[str]:
    return [f"{prefix}warm", *(f"{prefix}{i:05d}" for i in range(STEPS[0]))]


async def _query_ms(client: Client, workflow_id: str) -> float:
    began = time.perf_counter()
    await client.get_workflow_handle_for(PairProgramWorkflow.run, workflow_id).query(PairProgramWorkflow.state)
    return (time.perf_counter() - began) * 1000


@dataclass
class Measured:
    bare_mb: float  # the baseline: growth for 1,000 bare workflows
    work_mb: float  # growth for 1,000 bare workflows started as pairs
    idle_mb: float
    rss: dict[int, float]  # MB at 0 and each of STEPS open pairs
    cached: list[float]  # ms: state queries to pairs in the cache
    evicted: list[float]  # ms: the same to pairs evicted from it
    final_mb: float  # after the wake queries


async def _warm_up(client: Client, worker: WorkerProcess, program: Program) -> None:
    """One pair parked, then gone, so that the workflow code is loaded before "0 pairs" is measured."""
    await parked.start_and_park(client, parked.pairs(client, program, ["warm"]), "pairs")
    await _quiet(worker)
    await client.get_workflow_handle(pair_workflow_id(COHORT, "warm")).terminate(reason="bench warm-up")


async def _park_steps(
    client: Client, worker: WorkerProcess, sink: Controller, program: Program
) -> tuple[dict[int, float], list[str]]:
    """Park pairs up to each of STEPS: the RSS at each step, and the pairs' ids."""
    rss: dict[int, float] = {}
    started, ids = 0, []
    for step in STEPS:
        new = [f"p{i:05d}" for i in range(started, step)]
        began = time.perf_counter()
        await parked.start_and_park(client, parked.pairs(client, program, new), "pairs")
        if sink.handler.count:
            raise RuntimeError(f"parked pairs sent {sink.handler.count} emails; expected none yet")
        rss[step] = await _quiet(worker)
        log(f"memory: {step} pairs parked, RSS {rss[step]:.0f} MB ({time.perf_counter() - began:.0f} s)")
        ids += new
        started = step
    return rss, ids


async def _measure(client: Client, sink: Controller) -> Measured:
    target = client.service_client.config.target_host
    bare_mb = await _growth(client, target, sink.port, parked.bare(client, _ids("bench-parked-")), "bare workflows")
    program = factories.program(datetime.now(UTC).date() + timedelta(days=21), cohort_id=COHORT)
    work = parked.pair_work(client, program, _ids("bench-work-"))
    work_mb = await _growth(client, target, sink.port, work, "bare workflows started as pairs")

    async with WorkerProcess(target, sink.port, email_rate=10_000) as worker:
        idle_mb = worker.rss_mb()
        await _warm_up(client, worker, program)
        rss = {0: await _quiet(worker)}
        at_steps, ids = await _park_steps(client, worker, sink, program)
        rss |= at_steps

        # Most recently run pairs are in the cache; the first ones were evicted.
        cached = [await _query_ms(client, pair_workflow_id(COHORT, p)) for p in ids[-SAMPLES:]]
        evicted = [await _query_ms(client, pair_workflow_id(COHORT, p)) for p in ids[:SAMPLES]]
        return Measured(bare_mb, work_mb, idle_mb, rss, cached, evicted, final_mb=worker.rss_mb())


def _figures(m: Measured) -> list[Figure]:
    rss = m.rss
    per_1000 = rss[STEPS[0]] - rss[0]
    beyond = (rss[STEPS[1]] - rss[STEPS[0]]) / ((STEPS[1] - STEPS[0]) / 1000)
    cached_ms, evicted_ms = statistics.median(m.cached), statistics.median(m.evicted)
    log(
        f"memory: {per_1000:.1f} MB per 1,000 pairs ({m.bare_mb:.1f} bare); wake {evicted_ms:.0f} ms evicted, {cached_ms:.0f} ms cached"
    )
    return [
        Figure(
            key="rss_mb_per_1000_pairs",
            value=per_1000,
            unit="MB per 1,000 pairs",
            baseline=m.bare_mb,
            baseline_unit="MB per 1,000",
            baseline_what="bare workflows parked on one timer",
            # Issue 14's target: a pair at most 1.5 times a bare parked workflow.
            target=Target("ratio", "<=", 1.5),
            details={
                "rss_mb_idle_worker": round(m.idle_mb, 1),
                "rss_mb_at_pairs": {str(k): round(v, 1) for k, v in rss.items()},
                "mb_per_1000_beyond_cache": round(beyond, 1),
                "rss_mb_after_wake_queries": round(m.final_mb, 1),
                "started": "as start_pairs starts them: planned, listening, search attributes set (5 events)",
                "mb_per_1000_bare_started_as_pairs": round(m.work_mb, 1),
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
                "evicted_ms": [round(x, 1) for x in m.evicted],
                "cached_ms": [round(x, 1) for x in m.cached],
            },
        ),
    ]


async def run() -> list[Figure]:
    with smtp_sink() as sink:
        env = await start_dev_server("--log-level", "error")
        try:
            m = await _measure(env.client, sink)
        finally:
            await env.shutdown()
    return _figures(m)
