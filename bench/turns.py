"""Two sides doing the same amount of work on one server, measured by turns: each side's
time and CPU (worker, server, this process), summed over its rounds.

The sides take turns, round by round, each after worker and server have gone quiet, so
that neither gets the machine's better moments (``bench.answers``, ``bench.replies``).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import psutil

from bench.harness import WorkerProcess, cpu_seconds, gather_limited, settle, temporal_server_processes

T = TypeVar("T")
Call = Callable[[], Awaitable[Any]]


class Cpu:
    """CPU seconds of the worker, the server and this process (``here`` names what it
    runs besides the bench: the site and the client, the intake and the client)."""

    def __init__(self, worker: WorkerProcess, here: str) -> None:
        assert worker.ps is not None
        self.worker = worker.ps
        self.servers = temporal_server_processes()
        self.processes = {"worker": [self.worker], "server": self.servers, here: [psutil.Process()]}

    def now(self) -> dict[str, float]:
        return {name: cpu_seconds(processes) for name, processes in self.processes.items()}

    async def quiet(self) -> None:
        await settle([self.worker, *self.servers], timeout=120)


@dataclass
class Sides:
    cpu: Cpu
    seconds: dict[str, float] = field(default_factory=dict)
    spent: dict[str, dict[str, float]] = field(default_factory=dict)  # CPU seconds per side and process

    async def turn(self, side: str, work: Callable[[], Awaitable[T]]) -> T:
        """One round of one side, once worker and server are quiet."""
        await self.cpu.quiet()
        before = self.cpu.now()
        began = time.perf_counter()
        result = await work()
        self.seconds[side] = self.seconds.get(side, 0.0) + time.perf_counter() - began
        after = self.cpu.now()
        spent = self.spent.setdefault(side, {})
        for k in before:
            spent[k] = round(spent.get(k, 0.0) + after[k] - before[k], 1)
        return result

    def rate(self, side: str, count: int) -> float:
        """Per second, over all the side's rounds."""
        return count / self.seconds[side]


def limited(calls: Sequence[Call], in_flight: int) -> Callable[[], Awaitable[list[Any]]]:
    """The calls as one turn's work, ``in_flight`` at a time."""
    return lambda: gather_limited(calls, in_flight)


def rounds(items: Sequence[T], count: int) -> list[Sequence[T]]:
    """``items`` in ``count`` consecutive parts of nearly equal size."""
    return [items[r * len(items) // count : (r + 1) * len(items) // count] for r in range(count)]
