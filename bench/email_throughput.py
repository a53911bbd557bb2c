"""email_ratio: messages per second through the send activity against raw aiosmtplib.

Both sides send the same messages, one at a time, to the same local aiosmtpd server
in this process. The messages are every delivery request of one recorded 6-month
pair program (the newest tests/histories/pair--in-cohort--vX.Y.Z.json: welcome, invites, reminders,
reflections, reviews), repeated.

- Activity: ``MailDelivery.deliver_message`` under ``ActivityEnvironment``: compose
  (Jinja2, icalendar, email headers) and send, as the worker runs it.
- Baseline: the same messages composed beforehand, sent with aiosmtplib over one
  SMTP connection, which is as fast as aiosmtplib can hand them to this server.
  Raw sends with a new connection per message are reported as a detail.
- Bare (a detail, ``bench.email_bare``): the same messages built with the stdlib from
  their rendered parts, with a claim and an acceptance in an fsync'd SQLite ledger
  around the send, and nothing of ours: the floor for a durable send.
- The four are interleaved, one recorded program per round, eight rounds.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiosmtplib
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHistory
from temporalio.testing import ActivityEnvironment

from activities.compose import Draft, compose_message, draft_message
from activities.delivery import MailDelivery
from activities.wire import message_bytes
from bench import email_bare
from bench.harness import ROOT, Figure, Target, answer_links, data_converter, ledger_url, log, smtp_sink
from mentoring.messages import DeliveryRequest
from mentoring_service.settings import MailSettings


def newest_release(scenario: str) -> Path:
    """The scenario's history from the newest release (tests/histories/*--vX.Y.Z.json)."""
    paths = (ROOT / "tests" / "histories").glob(f"{scenario}--v*.json")
    return max(paths, key=lambda p: tuple(int(n) for n in p.stem.rsplit("--v", 1)[1].split(".")))


RECORDED = newest_release("pair--in-cohort")
ROUNDS = 8
SENDER = "Reverse Mentoring <mentoring@example.org>"


async def recorded_requests(path: Path = RECORDED) -> list[DeliveryRequest]:
    history = WorkflowHistory.from_json(path.stem, path.read_text())
    converter = data_converter()
    requests = []
    for event in history.events:
        if event.event_type != EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            continue
        attrs = event.activity_task_scheduled_event_attributes
        if attrs.activity_type.name == "deliver_message":
            requests.append(attrs.input)
    if not requests:
        raise RuntimeError(f"{path} holds no deliver_message activity")
    return [(await converter.decode(list(p.payloads), [DeliveryRequest]))[0] for p in requests]


def bare_inputs(request: DeliveryRequest, links: dict[str, str]) -> tuple[dict[str, object], list[tuple[str, object]]]:
    """The rendered parts and the header values of a message, for ``email_bare``."""
    draft: Draft = draft_message(request, sender=SENDER, links=links)
    calendar = draft.calendar
    parts: dict[str, object] = {
        "text": draft.text,
        "html": draft.html,
        "ics": calendar.ics if calendar else None,
        "method": calendar.method if calendar else None,
    }
    headers: list[tuple[str, object]] = [
        ("From", draft.from_), ("To", draft.to), ("Reply-To", draft.reply_to), ("Subject", draft.subject),
        ("Date", draft.date), ("Message-ID", draft.message_id), ("X-Mentoring-Kind", request.kind.value),
        ("X-Mentoring-Pair", request.pair_id),
    ]  # fmt: skip
    return parts, headers


@dataclass
class Sides:
    """Seconds each side took for all its messages."""

    activity: float = 0.0
    compose: float = 0.0
    raw: float = 0.0
    raw_per_connection: float = 0.0
    bare: float = 0.0
    bare_ledger: float = 0.0


@dataclass
class Paths:
    """What each side sends with, and to where."""

    env: ActivityEnvironment
    delivery: MailDelivery
    port: int
    requests: list[DeliveryRequest]
    composed: list[Any]
    bare_ledger: email_bare.BareLedger
    bare: list[Any]


async def run() -> list[Figure]:
    recorded = await recorded_requests()
    # A key of its own for each copy: the ledger sends a key once.
    requests = [r.model_copy(update={"key": f"{r.key}/bench-{n}"}) for n in range(ROUNDS) for r in recorded]
    with smtp_sink() as sink, tempfile.TemporaryDirectory(prefix="bench-email-") as tmp:
        settings = MailSettings(
            smtp_host="127.0.0.1", smtp_port=sink.port, smtp_tls="none", mail_from=SENDER,
            delivery_ledger_url=ledger_url(tmp),
        )  # fmt: skip
        links = answer_links()
        paths = Paths(
            env=ActivityEnvironment(),
            delivery=MailDelivery(settings, links),
            port=sink.port,
            requests=requests,
            composed=[],
            bare_ledger=email_bare.BareLedger(Path(tmp) / "bare-ledger.sqlite3"),
            bare=[bare_inputs(r, links.for_request(r)) for r in requests],
        )
        # Warm up imports, templates and the server's first connection on both paths.
        await paths.env.run(paths.delivery.deliver_message, requests[0].model_copy(update={"key": "bench-warm-up"}))
        await aiosmtplib.send(compose_message(requests[0], sender=SENDER), hostname="127.0.0.1", port=sink.port)
        paths.composed = [compose_message(r, sender=SENDER) for r in requests]
        sides = Sides()
        # Interleaved, one recorded program per round on each path, so that a change in the
        # machine's load hits both sides alike rather than whichever ran second.
        for first in range(0, len(requests), len(recorded)):
            await _one_round(paths, range(first, first + len(recorded)), sides)
        sides.bare_ledger = paths.bare_ledger.seconds
        paths.bare_ledger.close()
        expected = 2 + 4 * len(requests)
        if sink.handler.count != expected:
            raise RuntimeError(f"the SMTP sink got {sink.handler.count} messages, expected {expected}")
    return [_figure(len(requests), sides)]


async def _one_round(paths: Paths, batch: range, sides: Sides) -> None:
    requests, composed, port = paths.requests, paths.composed, paths.port
    envelope_from = "mentoring@example.org"
    began = time.perf_counter()
    for i in batch:
        await paths.env.run(paths.delivery.deliver_message, requests[i])
    sides.activity += time.perf_counter() - began

    # What the activity does to write a message (links aside): render, then the bytes.
    began = time.perf_counter()
    for i in batch:
        message_bytes(draft_message(requests[i], sender=SENDER))
    sides.compose += time.perf_counter() - began

    began = time.perf_counter()
    async with aiosmtplib.SMTP(hostname="127.0.0.1", port=port) as smtp:
        for i in batch:
            await smtp.send_message(composed[i], sender=envelope_from, recipients=[requests[i].recipient.email])
    sides.raw += time.perf_counter() - began

    began = time.perf_counter()
    for i in batch:
        await aiosmtplib.send(
            composed[i], sender=envelope_from, recipients=[requests[i].recipient.email],
            hostname="127.0.0.1", port=port,
        )  # fmt: skip
    sides.raw_per_connection += time.perf_counter() - began

    began = time.perf_counter()
    async with aiosmtplib.SMTP(hostname="127.0.0.1", port=port) as smtp:
        for i in batch:
            await email_bare.send(smtp, paths.bare_ledger, requests[i].key, *paths.bare[i])
    sides.bare += time.perf_counter() - began


def _figure(n: int, sides: Sides) -> Figure:
    log(
        f"email: activity {n / sides.activity:.0f} msg/s, raw {n / sides.raw:.0f} msg/s "
        f"(new connection each: {n / sides.raw_per_connection:.0f} msg/s), bare {n / sides.bare:.0f} msg/s, "
        f"compose alone {sides.compose / n * 1000:.2f} ms/msg"
    )
    return Figure(
        key="email_ratio",
        value=n / sides.activity,
        unit="msg/s through deliver_message",
        baseline=n / sides.raw,
        baseline_unit="msg/s",
        baseline_what="raw aiosmtplib sends of the same messages, one connection",
        target=Target("ratio", ">=", 0.5),
        details={
            "messages": n,
            "activity_ms_per_message": round(sides.activity / n * 1000, 2),
            "compose_ms_per_message": round(sides.compose / n * 1000, 2),
            "raw_ms_per_message": round(sides.raw / n * 1000, 2),
            "raw_new_connection_ms_per_message": round(sides.raw_per_connection / n * 1000, 2),
            "raw_new_connection_msg_per_s": round(n / sides.raw_per_connection, 1),
            "bare_ms_per_message": round(sides.bare / n * 1000, 2),
            "bare_ratio": round(sides.raw / sides.bare, 3),
            # Of which the two fsync'd ledger writes; raw plus these is the best any durable send can do.
            "bare_ledger_ms_per_message": round(sides.bare_ledger / n * 1000, 2),
            "durable_floor_ratio": round(sides.raw / (sides.raw + sides.bare_ledger), 3),
        },
    )
