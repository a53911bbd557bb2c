"""`make run`'s children: started with their output appended to ``<log dir>/<name>.log``,
watched, restarted with backoff when they die, and stopped in reverse order.

A child that dies once the stack is up is started again after 1 s, then 2, 4 … up to
30 s while it keeps dying within a minute of each start; one that ran for a minute
first starts from 1 s again. A child that exits by itself within 10 s of starting, five
times in a row, cannot start (a bad setting, a taken port): the stack then stops rather
than loop. A child killed by a signal is always restarted. Every death and restart is
said in the console and written into the child's log.

Logs are appended across runs and restarts, so the log of a crash survives the next
``make run``; a log over 10 MiB is rotated (``.1`` … ``.3``) when its child starts.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Awaitable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from rich.console import Console

FIRST_DELAY = 1.0  # seconds before the first restart
MAX_DELAY = 30.0
STABLE_AFTER = 60.0  # a child that ran this long before dying starts again from FIRST_DELAY
FAILED_START = 10.0  # exiting by itself this soon after starting is a failed start
GIVE_UP_AFTER = 5  # failed starts in a row
STOP_TIMEOUT = 10.0  # seconds between SIGINT and SIGKILL
ROTATE_BYTES = 10 * 1024 * 1024
KEEP_ROTATED = 3

T = TypeVar("T")


class Abort(Exception):
    """Startup or the run cannot go on; the message says why."""


class Stopped(Exception):
    """Ctrl-C, SIGTERM or SIGHUP."""


@dataclass
class Child:
    name: str
    cmd: tuple[str, ...]
    log: Path
    shown_log: str  # the log's path as the console shows it
    proc: asyncio.subprocess.Process
    started_at: float
    restarts: int = 0
    quick_deaths: int = 0  # in a row, each within STABLE_AFTER of its start
    failed_starts: int = 0  # in a row

    def tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def describe_exit(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            name = f" ({signal.Signals(-code).name})"
        except ValueError:
            name = ""
        return f"was killed by signal {-code}{name}"
    return f"exited with code {code}"


def died(child: Child) -> str:
    tail = child.tail()
    return f"{child.name} {describe_exit(child.proc.returncode)}. Its log: {child.shown_log}" + (
        f"\n\n{tail}" if tail else ""
    )


def signal_group(proc: asyncio.subprocess.Process, sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)  # start_new_session: the child's pid is its group id
    except ProcessLookupError:
        pass


def rotate(log: Path) -> None:
    if not log.exists() or log.stat().st_size < ROTATE_BYTES:
        return
    for n in range(KEEP_ROTATED - 1, 0, -1):
        older = log.with_name(f"{log.name}.{n}")
        if older.exists():
            older.replace(log.with_name(f"{log.name}.{n + 1}"))
    log.replace(log.with_name(f"{log.name}.1"))


def note(log: Path, text: str) -> None:
    """A line of our own in a child's log, so the log says when and why it (re)started."""
    with log.open("a", encoding="utf-8") as out:
        out.write(f"=== {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC  make run: {text} ===\n")


@dataclass
class Stack:
    env: dict[str, str]
    cwd: Path
    log_dir: Path
    console: Console
    children: list[Child] = field(default_factory=list)  # the watched ones, in start order
    stopping: asyncio.Event = field(default_factory=asyncio.Event)

    async def spawn(self, name: str, *cmd: str | Path, restarts: int = 0) -> Child:
        """Start a child that is not watched (a one-shot command such as the starter)."""
        log = self.log_dir / f"{name}.log"
        rotate(log)
        note(log, f"starting {name}" + (f" (restart {restarts})" if restarts else ""))
        args = tuple(map(str, cmd))
        with log.open("ab") as out:
            proc = await asyncio.create_subprocess_exec(
                *args,
                cwd=self.cwd,
                env=self.env,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=out,
                stderr=asyncio.subprocess.STDOUT,
                start_new_session=True,  # Ctrl-C reaches only us; we stop children in order
            )
        shown = str(log.relative_to(self.cwd)) if log.is_relative_to(self.cwd) else str(log)
        return Child(name, args, log, shown, proc, time.monotonic(), restarts=restarts)

    async def start(self, name: str, *cmd: str | Path) -> Child:
        """Start a long-running child: it is restarted when it dies (see :meth:`watch`)."""
        child = await self.spawn(name, *cmd)
        self.children.append(child)
        return child

    async def race(self, coro: Awaitable[T]) -> T:
        """Await ``coro`` unless a stop is requested or a watched child dies first (startup)."""
        task = asyncio.ensure_future(coro)
        stop = asyncio.ensure_future(self.stopping.wait())
        deaths = {asyncio.ensure_future(c.proc.wait()): c for c in self.children}
        try:
            done, _ = await asyncio.wait({task, stop, *deaths}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for pending in (task, stop, *deaths):
                pending.cancel()
        for death, child in deaths.items():
            if death in done:
                raise Abort(died(child))
        if stop in done:
            raise Stopped
        return task.result()

    async def watch(self) -> None:
        """Until a stop is requested: restart every watched child that dies."""
        while True:
            stop = asyncio.ensure_future(self.stopping.wait())
            deaths = {asyncio.ensure_future(c.proc.wait()): c for c in self.children}
            try:
                done, _ = await asyncio.wait({stop, *deaths}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for pending in (stop, *deaths):
                    pending.cancel()
            if stop in done:
                raise Stopped
            for death, child in deaths.items():
                if death in done:
                    await self._restart(child)

    async def _restart(self, child: Child) -> None:
        how = describe_exit(child.proc.returncode)
        note(child.log, f"{child.name} {how}")
        ran_for = time.monotonic() - child.started_at
        child.quick_deaths = child.quick_deaths + 1 if ran_for < STABLE_AFTER else 1
        by_itself = (child.proc.returncode or 0) >= 0
        child.failed_starts = child.failed_starts + 1 if by_itself and ran_for < FAILED_START else 0
        if child.failed_starts >= GIVE_UP_AFTER:
            raise Abort(
                f"{died(child)}\n\nIt exited within {FAILED_START:.0f} s of starting {GIVE_UP_AFTER} times "
                "in a row, so it cannot start; it is not restarted again."
            )
        delay = min(FIRST_DELAY * 2 ** (child.quick_deaths - 1), MAX_DELAY)
        restart = child.restarts + 1
        self.console.print(
            f"[yellow]![/] {child.name} {how}; restarting in {delay:.0f} s (restart {restart}). "
            f"Its log: {child.shown_log}",
            highlight=False,
            soft_wrap=True,  # one line, whole, also in a log or a pipe
        )
        try:
            await asyncio.wait_for(self.stopping.wait(), delay)
            raise Stopped
        except TimeoutError:
            pass
        fresh = await self.spawn(child.name, *child.cmd, restarts=restart)
        child.proc, child.started_at, child.restarts = fresh.proc, fresh.started_at, restart
        self.console.print(
            f"[green]✓[/] {child.name} restarted (pid {child.proc.pid})", highlight=False, soft_wrap=True
        )

    async def down(self) -> None:
        for child in reversed(self.children):
            if child.proc.returncode is not None:
                continue
            self.console.print(f"  stopping {child.name} …")
            # SIGINT is what Ctrl-C would send: the dev server, the inbox and the worker
            # (KeyboardInterrupt -> asyncio cancels the worker, which drains) all stop cleanly on it.
            signal_group(child.proc, signal.SIGINT)
            try:
                await asyncio.wait_for(child.proc.wait(), STOP_TIMEOUT)
            except TimeoutError:
                self.console.print(f"  [yellow]{child.name} did not stop in {STOP_TIMEOUT:.0f} s; killing it[/]")
                signal_group(child.proc, signal.SIGKILL)
                await child.proc.wait()
