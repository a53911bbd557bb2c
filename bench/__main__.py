"""python -m bench [--only NAME ...]: run the benchmarks, write bench/results.json and
the table in BENCHMARKS.md.

A full run replaces every figure; ``--only`` re-measures some and keeps the rest.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import os
import sys
import time

from bench.harness import log, machine

# name -> module with ``async def run() -> list[Figure]``; cheapest first.
BENCHMARKS = {
    "email": "bench.email_throughput",
    "history": "bench.history",
    "start": "bench.start_ratio",
    "answers": "bench.answers",
    "replies": "bench.replies",
    "simulate": "bench.simulate",
    "memory": "bench.memory",
}


async def main(names: list[str]) -> int:
    from bench import report

    began = time.monotonic()
    load_before = [round(x, 2) for x in os.getloadavg()]
    figures, durations = [], {}
    for name in names:
        log(f"{name}: starting")
        started = time.monotonic()
        module = importlib.import_module(BENCHMARKS[name])
        figures += await module.run()
        durations[name] = round(time.monotonic() - started, 1)
        log(f"{name}: done in {durations[name]:.0f} s")
    wall = time.monotonic() - began
    full = names == list(BENCHMARKS)
    info = machine()
    info["load_average_before"] = load_before
    data = report.record(figures, info, wall, replace=full)
    data.setdefault("durations_s", {}).update(durations)
    if full:
        data["durations_s"] = durations
    report.save(data)
    print()
    print(report.table(data))
    log(f"{'all benchmarks' if full else ', '.join(names)} in {wall:.0f} s")
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", choices=list(BENCHMARKS), metavar="NAME",
                        help=f"run only this benchmark (repeatable): {', '.join(BENCHMARKS)}")  # fmt: skip
    args = parser.parse_args()
    sys.exit(asyncio.run(main(args.only or list(BENCHMARKS))))
