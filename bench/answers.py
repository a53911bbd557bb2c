"""answers_ratio: participants' answers from the response site into the pair workflows,
against bare updates on the same dev server; answer_latency_p95: from the POST to a
query that shows the answer, against the same for a bare update.

One dev server with a SQLite file and one worker process (the real workers plus the
bare baselines). In this process: the response site's own aiohttp application
(``mentoring_service.site.create_app``) on a local port, an HTTP client that sends its
forms, and the Temporal client of both the site and the baselines.

- Pairs: a cohort whose pairs are each ended at once with their closing review (what
  ``ops.py end`` does), so that mentor and mentee each have a review to answer. Every
  review page is opened (GET) before the clock starts, as a participant opens the
  link in the email before answering; the CSRF token comes from that page.
- ``answers_ratio``: the closing reviews of ``PAIRS`` pairs POSTed to the site,
  ``IN_FLIGHT`` at a time. For each, the site checks the link, the CSRF token and the
  form, queries the pair's ``answer_view``, records the answer with the
  ``record_answer`` update (its validator included) and renders its page. Answers per
  second until the last page is back. Baseline: as many trivial updates to ``PAIRS``
  bare workflows parked on a timer (``BenchAnswerable``, two each, as a pair takes
  two), ``IN_FLIGHT`` at a time, from the same client. The two sides take turns in
  ``ROUNDS`` rounds; every mentor answers before every mentee, so two answers to one
  workflow are never in flight together.
- ``answer_latency_p95``: then ``2 × SAMPLES`` more answers, one at a time: from the
  start of the POST until the pair's ``answer_view`` query (what the page shows when
  the link is opened again) has the answer. Baseline: a bare update, then the bare
  workflow's query, until it has it; bare and real take turns.

An answer the site handed over as a signal (no worker took the update within its
timeout) is counted in the details; every answer must be in its pair in the end.
"""

from __future__ import annotations

import asyncio
import math
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from temporalio.client import Client

from bench.answer_sides import (
    IN_FLIGHT,
    LATER,
    Answerer,
    all_recorded,
    bare_update,
    bare_visible,
    bare_workflows,
    ended_pairs,
    open_pages,
    post_answer,
    reviews_open,
    role_by_role,
    serving_site,
    site_visible,
)
from bench.harness import Figure, WorkerProcess, log, smtp_sink, wait_until
from bench.turns import Call, Cpu, Sides, limited, rounds
from devstack.temporal_servers import start_dev_server

PAIRS = 150  # two answers each
SAMPLES = 50  # pairs: 100 answers one at a time
WARM = 1  # a pair and a bare workflow answered untimed first, so neither side pays first-use costs
ROUNDS = 3


@dataclass
class Sample:
    seconds: float  # from the start of the act until the query shows it
    act_seconds: float  # the act alone (the POST's page back, the update's result)
    result: Any


async def one_by_one(calls: Sequence[tuple[Call, Callable[[], Awaitable[bool]]]]) -> list[Sample]:
    """Each ``act``, then its ``visible`` until it says yes; one at a time."""
    samples = []
    for act, visible in calls:
        began = time.perf_counter()
        result = await act()
        acted = time.perf_counter()
        while not await visible():
            await asyncio.sleep(0.005)
        samples.append(Sample(time.perf_counter() - began, acted - began, result))
    return samples


def p95(samples: list[float]) -> float:
    """Nearest rank: the smallest sample that 95 % of them do not exceed."""
    ordered = sorted(samples)
    return ordered[math.ceil(0.95 * len(ordered)) - 1]


def median_ms(samples: list[float]) -> float:
    return round(sorted(samples)[len(samples) // 2] * 1000, 1)


@dataclass
class Measured:
    answers: int = 2 * PAIRS
    sides: Sides | None = None  # "site" and "bare": time and CPU of the answers per second
    bare_latency: list[Sample] = field(default_factory=list)
    site_latency: list[Sample] = field(default_factory=list)
    signals: int = 0  # answers the site handed over as a signal


async def measure(client: Client, smtp_port: int) -> Measured:
    target = client.service_client.config.target_host
    m = Measured()
    async with (
        WorkerProcess(target, smtp_port, email_rate=10_000) as worker,
        serving_site(client, smtp_port) as site_url,
        aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=IN_FLIGHT)) as http,
    ):
        cpu = Cpu(worker, here="site_and_client")
        m.sides = sides = Sides(cpu)
        pairs = await ended_pairs(client, WARM + PAIRS + SAMPLES)
        bare = await bare_workflows(client, WARM + PAIRS + SAMPLES)
        await wait_until(lambda: reviews_open(client, pairs), timeout=120, what="the closing reviews", every=1.0)
        await open_pages(http, site_url, role_by_role(pairs))

        def post(answerer: Answerer) -> Call:
            return lambda: post_answer(http, site_url, answerer)

        for i, answerer in enumerate(role_by_role(pairs[:WARM])):
            await post(answerer)()
            await bare_update(client, bare[0], f"warm-{i}")()

        # In rounds, bare and real by turns, so that neither side gets the machine's better moments.
        answers = role_by_role(pairs[WARM : WARM + PAIRS])
        updates = [bare_update(client, bare[WARM + i % PAIRS], f"t{i}") for i in range(len(answers))]
        pages = []
        for bare_part, site_part in zip(rounds(updates, ROUNDS), rounds(answers, ROUNDS), strict=True):
            await sides.turn("bare", limited(bare_part, IN_FLIGHT))
            pages += await sides.turn("site", limited([post(a) for a in site_part], IN_FLIGHT))

        await cpu.quiet()
        # One at a time, bare and real by turns, for the same reason.
        calls = []
        for i, answerer in enumerate(role_by_role(pairs[WARM + PAIRS :])):
            workflow_id, answer_id = bare[WARM + PAIRS + i % SAMPLES], f"l{i}"
            calls.append((bare_update(client, workflow_id, answer_id), bare_visible(client, workflow_id, answer_id)))
            calls.append((post(answerer), site_visible(client, answerer)))
        samples = await one_by_one(calls)
        m.bare_latency, m.site_latency = samples[0::2], samples[1::2]
        m.signals = (pages + [s.result for s in m.site_latency]).count(LATER)
        await wait_until(lambda: all_recorded(client, pairs, bare), timeout=60, what="every answer in its pair")
    return m


def figures(m: Measured) -> list[Figure]:
    assert m.sides is not None
    site_rate, bare_rate = m.sides.rate("site", m.answers), m.sides.rate("bare", m.answers)
    site, bare = [s.seconds for s in m.site_latency], [s.seconds for s in m.bare_latency]
    site_p95, bare_p95 = p95(site) * 1000, p95(bare) * 1000
    log(f"answers: {site_rate:.0f} answers/s through the site, {bare_rate:.0f} bare updates/s")
    log(f"answers: p95 {site_p95:.1f} ms from POST to the query showing it, {bare_p95:.1f} ms for a bare update")
    return [
        Figure(
            key="answers_ratio",
            value=site_rate,
            unit="answers/s through the site",
            baseline=bare_rate,
            baseline_unit="updates/s",
            baseline_what=f"{m.answers} trivial updates to {PAIRS} bare workflows, {IN_FLIGHT} in flight",
            details={
                "answers": m.answers,
                "in_flight": IN_FLIGHT,
                "item": "closing review, every field filled in",
                "site_s": round(m.sides.seconds["site"], 2),
                "bare_s": round(m.sides.seconds["bare"], 2),
                "handed_over_as_signal": m.signals,
                "server": "dev server, SQLite file",
                # CPU seconds while each side took its answers: where the time goes.
                "site_cpu_s": m.sides.spent["site"],
                "bare_cpu_s": m.sides.spent["bare"],
            },
        ),
        Figure(
            key="answer_latency_p95",
            value=site_p95,
            unit="ms from POST to answer_view showing it",
            baseline=bare_p95,
            baseline_unit="ms",
            baseline_what="a bare update, then a query until it shows it",
            details={
                "samples": len(site),
                "one_at_a_time": True,
                "site_median_ms": median_ms(site),
                "bare_median_ms": median_ms(bare),
                # The POST until its page is back, and the bare update until its result.
                "post_p95_ms": round(p95([s.act_seconds for s in m.site_latency]) * 1000, 1),
                "bare_update_p95_ms": round(p95([s.act_seconds for s in m.bare_latency]) * 1000, 1),
            },
        ),
    ]


async def run() -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="bench-answers-") as tmp, smtp_sink() as sink:
        env = await start_dev_server("--db-filename", str(Path(tmp) / "temporal.db"), "--log-level", "error")
        try:
            measured = await measure(env.client, sink.port)
        finally:
            await env.shutdown()
    return figures(measured)
