"""Where a cached pair's memory goes, against a bare parked workflow in the same worker.

    PYTHONPATH=$PWD .venv/bin/python -m bench.memory_attribution [--runs 300] [--kinds bare,work,pair] [--types]

One process runs the dev server's client and the workflow worker (``create_workers``
with ``WORKER_QUEUES=workflows``, the bench's baselines added). It parks ``--runs``
workflows of each kind in turn (``KINDS``: bare ones, bare ones started as pairs are,
pairs started as ``bench.memory`` starts them, and the same two as before v1.2) and
measures each step's growth:

- RSS of the process, and the Python heap (tracemalloc); RSS minus heap minus
  tracemalloc's own bookkeeping is memory outside Python: the Rust core's runs and
  the allocator's arenas.
- The objects each cached run alone reaches (a walk of ``gc.get_referents`` from the
  SDK's ``_RunningWorkflow``; objects two sampled runs share are not counted), by
  owner: the pair's state, its input, our workflow object and its helpers, the
  asyncio tasks, handles and conditions (with their coroutine frames), and the SDK's
  per-run objects (instance, sandbox, info, converters).

Prints one table in KB per run. Not part of ``make bench``.
"""

from __future__ import annotations

import argparse
import asyncio
import ctypes
import gc
import os
import sys
import tracemalloc
import types
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import psutil
from temporalio.client import Client

from bench import parked
from bench.harness import data_converter, history_size
from bench.worker_process import with_baselines
from devstack.temporal_servers import start_dev_server
from mentoring_service.settings import MailSettings, WorkerSettings
from mentoring_service.workers import create_workers
from tests import factories

COHORT = "bench-attr"
SAMPLE = 40
_STOP_TYPES = (types.ModuleType, type, types.CodeType, types.BuiltinFunctionType)
# Module dicts and the worker's own objects: shared by every run, and a path to all of them.
_STOP_IDS: set[int] = set()


def _referents(obj: Any) -> Iterable[Any]:
    # Functions: only what a closure or default holds per run, not their module's globals.
    if isinstance(obj, types.FunctionType):
        return [*(obj.__closure__ or ()), *(obj.__defaults__ or ()), *(obj.__kwdefaults__ or {}).values()]
    if isinstance(obj, types.MethodType):
        return [obj.__self__]
    return gc.get_referents(obj)


def _walk(roots: list[Any], seen: set[int]) -> dict[int, Any]:
    """id -> object, for every object reachable from ``roots`` and not in ``seen`` (added to it)."""
    found: dict[int, Any] = {}
    stack = list(roots)
    while stack:
        obj = stack.pop()
        key = id(obj)
        if key in seen or key in _STOP_IDS or isinstance(obj, _STOP_TYPES):
            continue
        seen.add(key)
        found[key] = obj
        stack.extend(_referents(obj))
    return found


def _by_owner(run: Any) -> list[tuple[str, dict[int, Any]]]:
    """A cached run's objects by owner, most specific first: each walk stops at what an
    earlier one took, and the tasks' walk at the SDK's instance (their event loop)."""
    sandbox = run.instance
    impl = sandbox.globals_and_locals["__temporal_in_sandbox"].instance
    ours = impl._object
    seen: set[int] = set()
    owners: list[tuple[str, dict[int, Any]]] = []
    if hasattr(ours, "_state"):
        owners.append(("state", _walk([ours._state], seen)))
        owners.append(("input", _walk([ours._input, impl._workflow_input], seen)))
    owners.append(("our workflow object and helpers", _walk([ours], seen)))
    sdk = {id(impl), id(sandbox), id(run)}
    seen |= sdk
    tasks = [impl._primary_task, *impl._tasks, *impl._ready, *impl._conditions, *impl._pending_timers.values()]
    owners.append(("asyncio tasks, handles, conditions", _walk(tasks, seen)))
    seen -= sdk
    owners.append(("SDK instance, sandbox, info, converters", _walk([run], seen)))
    return owners


def stop_at(*shared: Any) -> None:
    _STOP_IDS.clear()
    _STOP_IDS.update(id(m.__dict__) for m in list(sys.modules.values()) if m is not None)
    _STOP_IDS.update(id(obj) for obj in shared)


def attribute(runs: list[Any]) -> tuple[dict[str, float], dict[str, list[tuple[str, int, int]]]]:
    """KB per run that each owner alone holds (objects no other sampled run reaches),
    and per owner its biggest types: (type, objects per run, bytes per run)."""
    sample = runs[:SAMPLE]
    walked = [_by_owner(run) for run in sample]
    appearances: Counter[int] = Counter()
    for owners in walked:
        for _, found in owners:
            appearances.update(found.keys())
    totals: Counter[str] = Counter()
    counts: dict[str, Counter[str]] = {}
    sizes: dict[str, Counter[str]] = {}
    for owners in walked:
        for owner, found in owners:
            for key, obj in found.items():
                if appearances[key] == 1:
                    size = sys.getsizeof(obj)
                    totals[owner] += size
                    counts.setdefault(owner, Counter())[type(obj).__name__] += 1
                    sizes.setdefault(owner, Counter())[type(obj).__name__] += size
    n = len(sample)
    kb = {owner: total / n / 1024 for owner, total in totals.items()}
    types_ = {
        owner: [(name, counts[owner][name] // n, size // n) for name, size in sizes[owner].most_common(12)]
        for owner in sizes
    }
    return kb, types_


Reading = tuple[float, float, float, float]


class _MallInfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost".split()
    ]


def _malloc_in_use() -> int:
    """Bytes glibc's malloc has handed out and not had back (``mallinfo2``)."""
    libc = ctypes.CDLL(None)
    libc.mallinfo2.restype = _MallInfo2
    info = libc.mallinfo2()
    return int(info.uordblks + info.hblkhd)


class Probe:
    def __init__(self) -> None:
        self.ps = psutil.Process(os.getpid())

    def read(self) -> Reading:
        gc.collect()
        traced, _ = tracemalloc.get_traced_memory()
        return self.ps.memory_info().rss, traced, tracemalloc.get_tracemalloc_memory(), _malloc_in_use()


async def _quiet() -> None:
    await asyncio.sleep(3)
    gc.collect()


KINDS = {
    "bare": ("BenchParked", "bare parked workflow"),
    "work": ("BenchParkedPairWork", "bare workflow started as a pair (no state)"),
    "pair": ("PairProgramWorkflow", "pair, started as start_pairs starts it"),
    "work-input": ("BenchParkedPairWork", "bare workflow with a pair's input bytes only"),
    "work-labels": ("BenchParkedPairWork", "bare workflow with a pair's search attributes, summary, details only"),
    "old-work": ("BenchParkedPairWork", "bare workflow doing the work of a pair started as before v1.2"),
    "old-pair": ("PairProgramWorkflow", "pair started as before v1.2 (it plans and asks patched)"),
}


def _starts(client: Client, kind: str, ids: list[str]) -> list[parked.Start]:
    program = factories.program(datetime.now(UTC).date() + timedelta(days=21), cohort_id=f"{COHORT}-{kind}")
    if kind == "bare":
        return parked.bare(client, ids)
    if kind in ("work", "old-work"):
        return parked.pair_work(client, program, ids, as_before_v1_2=kind == "old-work")
    if kind in ("work-input", "work-labels"):
        return parked.pair_work(
            client, program, ids, with_input=kind == "work-input", with_attributes=kind != "work-input"
        )
    if kind == "pair":
        return parked.pairs(client, program, ids)
    return parked.pairs_as_before_v1_2(client, program, ids)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--kinds", default="bare,work,pair", help=f"of {', '.join(KINDS)}, in this order")
    parser.add_argument("--types", action="store_true", help="also list each owner's biggest types")
    parser.add_argument("--no-trace", action="store_true", help="RSS without tracemalloc's own memory (heap reads 0)")
    parser.add_argument(
        "--exit-parked",
        action="store_true",
        help="exit at once with every run cached (for memray run --native, --leaks)",
    )
    args = parser.parse_args()
    kinds = args.kinds.split(",")
    # Three kinds of 300 fit the default cache of 1,000; an eviction would free memory mid-step.
    assert len(kinds) * (args.runs + 1) <= 1000, "more runs than the worker's cache holds"
    if not args.no_trace:
        tracemalloc.start()
    probe = Probe()
    env = await start_dev_server("--log-level", "error")
    try:
        client = env.client
        blueprint = await Client.connect(client.service_client.config.target_host, data_converter=data_converter())
        mail = MailSettings(smtp_host="127.0.0.1", smtp_port=1, smtp_tls="none")
        settings = WorkerSettings(worker_queues="workflows")
        worker = with_baselines(create_workers(blueprint, mail, settings)[0], client)
        readings: list[tuple[str, Reading, Reading, list[str]]] = []
        async with worker:
            # Warm: each kind once, so that code and schemas are loaded before measuring.
            for kind in kinds:
                await parked.start_and_park(client, _starts(client, kind, [f"{kind}-warm"]), kind)
            await _quiet()
            for kind in kinds:
                ids = [f"{kind}-{i:05d}" for i in range(args.runs)]
                starts = _starts(client, kind, ids)
                before = probe.read()
                await parked.start_and_park(client, starts, kind)
                await _quiet()
                readings.append((kind, before, probe.read(), [workflow_id for workflow_id, _ in starts]))
            inner = worker._workflow_worker
            assert inner is not None
            stop_at(worker, inner, inner._running_workflows, client, blueprint, worker._bridge_worker, env)
            for kind, before, after, ids in readings:
                events, size = history_size(await client.get_workflow_handle(ids[0]).fetch_history())
                runs = [run for run in inner._running_workflows.values() if run.workflow_id in set(ids)]
                what = f"{KINDS[kind][1]}: {events} events, {size} bytes of history"
                report(what, before, after, args.runs, runs, args.types)
            if args.exit_parked:
                await env.shutdown()
                os._exit(0)
    finally:
        await env.shutdown()


def report(what: str, before: Reading, after: Reading, n: int, runs: list[Any], types_: bool) -> None:
    rss, heap, overhead, malloc = ((a - b) / n / 1024 for a, b in zip(after, before, strict=True))
    print(f"\n{what}; {len(runs)} cached, KB per run")
    print(f"  RSS growth                     {rss:7.1f}")
    print(f"  Python heap (tracemalloc)      {heap:7.1f}")
    print(f"  outside Python (RSS - heap - tracemalloc's own {overhead:.1f})  {rss - heap - overhead:7.1f}")
    if os.environ.get("PYTHONMALLOC") == "malloc":
        # Every Python allocation goes through malloc too: what malloc holds beyond them is
        # the Rust core's, protobuf's (upb arenas) and gRPC's.
        print(f"  malloc in use, not Python's (core, protobuf, gRPC)  {malloc - heap - overhead:7.1f}")
    owned, biggest = attribute(runs)
    for owner, kb in owned.items():
        print(f"  {owner:<40} {kb:7.1f}")
    print(f"  heap not reached from a run    {heap - sum(owned.values()):7.1f}")
    if types_:
        for owner, rows in biggest.items():
            print(f"  {owner}: " + ", ".join(f"{name} {count}x {size} B" for name, count, size in rows))


if __name__ == "__main__":
    asyncio.run(main())
