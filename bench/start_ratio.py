"""start_ratio: how fast a 500-pair cohort starts, against bare workflow starts.

One dev server with a SQLite file, one worker process, one client (this process).

- Baseline: the client starts 500 no-op workflows, 50 in flight (the cohort's
  batch size), on the main task queue; starts per second is 500 over the time
  until the last start is acknowledged. They are let finish before the cohort.
- Same work, in the details: the client starts 500 bare workflows with what a pair's
  start carries (its input's bytes, search attributes, summary and details), 50 in
  flight; each parks on a timer, as a pair does. Against the no-op starts, this is
  what the server and the SDK charge for a pair's start with none of our code; the
  cohort's rate against it is what our code adds (the cohort workflow, its
  ``start_pairs`` activities, the planning, the progress query).
- Figure: ``cli.start.start_cohort`` with a 500-pair cohort, then
  ``cli.start.follow_start`` (the progress bar of ``starter.py start``, which polls
  the cohort's ``progress`` query) until all 500 pairs are started; pair starts per
  second is 500 over that time. Meanwhile the pairs already started plan their
  sessions and park until their welcome and first invite (the program starts in
  three weeks, so those go out a week later), as they do in production.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import psutil
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client

from bench import parked
from bench.baselines import NoopWorkflow
from bench.harness import (
    Figure,
    Target,
    WorkerProcess,
    cpu_seconds,
    gather_limited,
    log,
    settle,
    smtp_sink,
    temporal_server_processes,
)
from devstack.temporal_servers import start_dev_server
from mentoring.cohort import Program
from mentoring.ids import TASK_QUEUE, pair_workflow_id
from mentoring_service.cli.start import follow_start, start_cohort
from tests import factories
from workflows.cohort import CohortWorkflow

PAIRS = 500
IN_FLIGHT = 50

# Seconds until the last start, and CPU seconds (worker, server) meanwhile.
Side = tuple[float, tuple[float, float]]


async def _warm_up(client: Client, worker: WorkerProcess, servers: list[psutil.Process]) -> date:
    """A few starts and one tiny cohort, so neither side pays first-use costs; the programs' start date."""
    await asyncio.gather(
        *[client.execute_workflow(NoopWorkflow.run, id=f"bench-warm-{i}", task_queue=TASK_QUEUE) for i in range(5)]
    )
    # The program starts in three weeks: pairs plan and wait for their first invite.
    start_date = datetime.now(UTC).date() + timedelta(days=21)
    warm, _ = await start_cohort(client, factories.cohort(start_date, ["w1", "w2"], cohort_id="bench-warm"))
    await _wait_started(warm, 2)
    await settle([worker.ps, *servers], timeout=60)
    return start_date


async def _noop_starts(client: Client, worker: WorkerProcess, servers: list[psutil.Process]) -> Side:
    """The baseline: PAIRS no-op starts, IN_FLIGHT at a time; then they are let finish."""
    worker0, server0 = worker.cpu_seconds(), cpu_seconds(servers)
    began = time.perf_counter()
    handles = await gather_limited(
        (
            lambda i=i: client.start_workflow(NoopWorkflow.run, id=f"bench-noop-{i}", task_queue=TASK_QUEUE)
            for i in range(PAIRS)
        ),
        IN_FLIGHT,
    )
    noop_s = time.perf_counter() - began
    noop_cpu = (worker.cpu_seconds() - worker0, cpu_seconds(servers) - server0)
    await asyncio.gather(*(h.result() for h in handles))
    await settle([worker.ps, *servers], timeout=60)
    return noop_s, noop_cpu


async def _parked_after(client: Client, workflow_ids: list[str], began: float) -> float:
    """Seconds from ``began`` (wall clock) until the last of them finished its first
    workflow task, from the server's event times, read once all have parked."""

    async def first_task_done(workflow_id: str) -> float:
        history = await client.get_workflow_handle(workflow_id).fetch_history()
        done = next(e for e in history.events if e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED)
        return done.event_time.ToDatetime(UTC).timestamp()

    return max(await gather_limited((lambda w=w: first_task_done(w) for w in workflow_ids), IN_FLIGHT)) - began


async def _same_work_starts(
    client: Client, worker: WorkerProcess, servers: list[psutil.Process], program: Program
) -> tuple[Side, float]:
    """The same-work baseline: PAIRS bare starts carrying a pair's payloads, IN_FLIGHT at a
    time; then they are let park, so the cohort starts on a quiet server. Also the
    seconds until every one had parked."""
    ids = [f"bench-work-{i}" for i in range(PAIRS)]
    starts = parked.pair_work(client, program, ids)
    worker0, server0 = worker.cpu_seconds(), cpu_seconds(servers)
    began, began_wall = time.perf_counter(), time.time()
    await gather_limited((start for _, start in starts), IN_FLIGHT)
    work_s = time.perf_counter() - began
    work_cpu = (worker.cpu_seconds() - worker0, cpu_seconds(servers) - server0)
    await settle([worker.ps, *servers], timeout=60)
    return (work_s, work_cpu), await _parked_after(client, ids, began_wall)


async def _cohort_starts(
    client: Client, worker: WorkerProcess, servers: list[psutil.Process], start_date: date
) -> tuple[Side, float]:
    """The figure: a PAIRS-pair cohort started and followed until all its pairs are started.
    Also the seconds until every pair had parked."""
    cohort = factories.cohort(start_date, [f"p{i:04d}" for i in range(PAIRS)], cohort_id="bench-start")
    worker0, server0 = worker.cpu_seconds(), cpu_seconds(servers)
    began, began_wall = time.perf_counter(), time.time()
    handle, started = await start_cohort(client, cohort)
    assert started
    await follow_start(handle, PAIRS)
    cohort_s = time.perf_counter() - began
    cohort_cpu = (worker.cpu_seconds() - worker0, cpu_seconds(servers) - server0)
    await settle([worker.ps, *servers], timeout=60)
    ids = [pair_workflow_id(cohort.program.cohort_id, pair.id) for pair in cohort.pairs]
    return (cohort_s, cohort_cpu), await _parked_after(client, ids, began_wall)


def _cpu(side: Side) -> dict[str, float]:
    return {"worker": round(side[1][0], 1), "server": round(side[1][1], 1)}


def _figure(cohort: Side, noop: Side, work: Side, parked_s: tuple[float, float]) -> Figure:
    cohort_s, noop_s, work_s = cohort[0], noop[0], work[0]
    pair_rate, noop_rate = PAIRS / cohort_s, PAIRS / noop_s
    log(f"start: {pair_rate:.0f} pair starts/s through the cohort, {noop_rate:.0f} no-op starts/s from the client")
    return Figure(
        key="start_ratio",
        value=pair_rate,
        unit="pair starts/s",
        baseline=noop_rate,
        baseline_unit="starts/s",
        baseline_what=f"{PAIRS} no-op workflows started by the client, {IN_FLIGHT} in flight",
        target=Target("ratio", ">=", 0.8),
        details={
            "pairs": PAIRS,
            "cohort_start_s": round(cohort_s, 2),
            "noop_start_s": round(noop_s, 2),
            "same_work_start_s": round(work_s, 2),
            # The server's and the SDK's share: bare starts carrying a pair's payloads,
            # against no-op starts; and ours: the cohort against those bare starts.
            "same_work_ratio": round(noop_s / work_s, 2),
            "cohort_to_same_work_ratio": round(work_s / cohort_s, 2),
            # Until every one has also run its first task and parked (server event times):
            # the same work in full, the cohort's pairs against the bare workflows.
            "cohort_parked_s": round(parked_s[0], 2),
            "same_work_parked_s": round(parked_s[1], 2),
            "cohort_to_same_work_parked_ratio": round(parked_s[1] / parked_s[0], 2),
            "server": "dev server, SQLite file",
            # CPU seconds while each side started its 500: where the time goes.
            "cohort_cpu_s": _cpu(cohort),
            "noop_cpu_s": _cpu(noop),
            "same_work_cpu_s": _cpu(work),
        },
    )


async def run() -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="bench-start-") as tmp, smtp_sink() as sink:
        env = await start_dev_server("--db-filename", str(Path(tmp) / "temporal.db"), "--log-level", "error")
        try:
            client = env.client
            target = client.service_client.config.target_host
            async with WorkerProcess(target, sink.port) as worker:
                servers = temporal_server_processes()
                start_date = await _warm_up(client, worker, servers)
                noop = await _noop_starts(client, worker, servers)
                program = factories.program(start_date, cohort_id="bench-work")
                work, work_parked = await _same_work_starts(client, worker, servers, program)
                cohort, cohort_parked = await _cohort_starts(client, worker, servers, start_date)
        finally:
            await env.shutdown()
    return [_figure(cohort, noop, work, (cohort_parked, work_parked))]


async def _wait_started(handle, total: int) -> None:
    while (await handle.query(CohortWorkflow.progress)).pairs_started < total:
        await asyncio.sleep(0.2)
