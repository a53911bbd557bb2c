"""The intake against a real IMAP server (Dovecot, tests/imap_server.py): each message
is read once, handed on once and moved; a restart in the middle loses nothing and
hands nothing on twice; big and numerous messages cost bounded time and memory; IDLE
wakes it at once and polling works where there is no IDLE.

The parser here is a stand-in (a message "is a reply" when it carries X-Test-Pair), and
so is the pair: ``Pairs`` records each reply once per Message-ID, as the pair workflow
does, and counts every hand-over."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import stat
import time
import tracemalloc
from collections import Counter
from dataclasses import dataclass, field
from email import message_from_bytes
from pathlib import Path

import pytest

from mentoring_service.intake.ledger import IntakeLedger, LedgerState
from mentoring_service.intake.mailbox import ImapMailbox, SignInRefused
from mentoring_service.intake.service import Intake
from tests.imap_server import BASIC_CAPABILITIES, ImapServer
from tests.waiting import eventually

OFFICE = "office@mentoring.example"


@dataclass(frozen=True)
class StubReply:
    message_id: str
    workflow_id: str


@dataclass(frozen=True)
class StubIgnored:
    reason: str


def stub_parse(raw: bytes) -> StubReply | StubIgnored:
    message = message_from_bytes(raw)
    pair = message.get("X-Test-Pair")
    if pair is None:
        return StubIgnored("no calendar part")
    return StubReply(str(message.get("Message-ID", "")).strip(), pair)


def mail(number: int, *, reply: bool = True, message_id: str | None = "default", body_bytes: int = 0) -> bytes:
    """A small message from a participant; ``reply`` marks it as a calendar reply."""
    headers = [
        f"From: Ana Lima <ana.lima{number}@example.org>",
        f"To: {OFFICE}",
        f"Subject: Accepted: Session {number} with Ben",
        "Date: Mon, 01 Mar 2027 09:00:00 +0000",
    ]
    if message_id == "default":
        message_id = f"<reply-{number}@calendar.example.org>"
    if message_id is not None:
        headers.append(f"Message-ID: {message_id}")
    if reply:
        headers.append(f"X-Test-Pair: pair:cohort:{number}")
    body = f"Ana Lima has accepted session {number}.\r\n" + "x" * body_bytes
    return ("\r\n".join(headers) + "\r\n\r\n" + body + "\r\n").encode()


@dataclass
class Pairs:
    """The pairs' side: a reply is recorded once per Message-ID; every hand-over counts."""

    handed: Counter[str] = field(default_factory=Counter)
    recorded: list[str] = field(default_factory=list)
    block_on: str | None = None  # hand this one over, then hang (the intake is killed there)
    blocked: asyncio.Event = field(default_factory=asyncio.Event)
    fail: bool = False  # Temporal unreachable
    times: dict[str, float] = field(default_factory=dict)

    async def deliver(self, reply: StubReply) -> str:
        if self.fail:
            raise ConnectionError("Temporal is unreachable")
        self.handed[reply.message_id] += 1
        self.times.setdefault(reply.message_id, time.monotonic())
        if reply.message_id in self.recorded:
            return "not recorded"
        self.recorded.append(reply.message_id)
        if reply.message_id == self.block_on:
            self.blocked.set()
            await asyncio.Event().wait()  # until the intake is killed
        return "recorded"


@pytest.fixture
def imap(tmp_path):
    with ImapServer(tmp_path) as server:
        yield server


@contextlib.asynccontextmanager
async def running(intake: Intake[StubReply]):
    task = asyncio.create_task(intake.run())
    try:
        yield task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def new_intake(server: ImapServer, pairs: Pairs, **settings) -> Intake[StubReply]:
    config = server.settings(**settings)
    return Intake(config, IntakeLedger.open(config.ledger_url), stub_parse, pairs.deliver)


async def drained(server: ImapServer, timeout: float = 10.0) -> bool:
    async def empty() -> bool:
        return server.count("INBOX") == 0

    return await eventually(empty, timeout=timeout, every=0.05)


async def test_each_message_is_handed_on_once_and_moved(imap, caplog):
    caplog.set_level(logging.INFO, logger="intake")
    replies = [mail(n) for n in range(1, 4)]
    for raw in [*replies, mail(4, reply=False), mail(5, reply=False), mail(6, message_id=None)]:
        imap.deliver(raw)
    pairs = Pairs()
    intake = new_intake(imap, pairs)
    async with running(intake):
        assert await drained(imap)
        # The same reply again (a client that sends twice): moved, not handed on again.
        imap.deliver(mail(2))
        assert await drained(imap)

        # The batch's log line comes once its last message is moved.
        async def summed_up() -> bool:
            return any("1 already recorded" in r.getMessage() for r in caplog.records if r.name == "intake")

        assert await eventually(summed_up)

    assert imap.folders() == ["INBOX", "Ignored", "Processed"]  # created by the intake
    assert imap.count("Processed") == 5 and imap.count("Ignored") == 2
    assert sorted(imap.messages("Ignored")) == sorted([mail(4, reply=False), mail(5, reply=False)])
    assert sorted(pairs.handed) == ["", "<reply-1@calendar.example.org>", "<reply-2@calendar.example.org>", "<reply-3@calendar.example.org>"]  # fmt: skip
    assert set(pairs.handed.values()) == {1}
    states = Counter((entry.state, entry.outcome) for entry in intake.ledger.entries())
    assert states == {(LedgerState.RECORDED, "recorded"): 4, (LedgerState.IGNORED, "no calendar part"): 2}
    without_id = [e.key for e in intake.ledger.entries() if e.key.endswith("@no-message-id.invalid>")]
    assert len(without_id) == 1
    assert stat.S_IMODE(Path(intake.ledger.path).stat().st_mode) == 0o600
    # Counts and outcomes only: no address, name, subject or Message-ID.
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name == "intake")
    assert "6 messages: 4 recorded, 2 ignored (no calendar part)" in logged
    assert "1 message: 1 already recorded" in logged
    for secret in ("@", "Ana", "Lima", "Accepted", "Session", "pair:"):
        assert secret not in logged


async def test_killed_between_fetching_and_recording_each_reply_counts_once(imap):
    ids = [f"<reply-{n}@calendar.example.org>" for n in range(1, 7)]
    for n in range(1, 7):
        imap.deliver(mail(n))
    imap.deliver(mail(7, reply=False))
    # The 4th reply reaches the pair, and the intake dies before it records that.
    pairs = Pairs(block_on=ids[3])
    first = new_intake(imap, pairs)
    async with running(first):
        await asyncio.wait_for(pairs.blocked.wait(), 10)
    first.ledger.close()
    # Nothing was moved yet (moves go in batches), and the ledger knows what it took.
    assert imap.count("INBOX") == 7
    states = {e.key: (e.state, e.times_taken) for e in IntakeLedger.open(first.settings.ledger_url).entries()}
    assert states == {
        **{key: (LedgerState.RECORDED, 1) for key in ids[:3]},
        ids[3]: (LedgerState.TAKEN, 1),
    }

    pairs.block_on = None
    second = new_intake(imap, pairs)
    async with running(second):
        assert await drained(imap)

    assert pairs.recorded == ids  # each once, in order
    # Only the one in flight went to the pair again, and the pair knew it.
    assert pairs.handed == {**dict.fromkeys(ids, 1), ids[3]: 2}
    assert imap.count("Processed") == 6 and imap.count("Ignored") == 1
    entries = {e.key: (e.state, e.outcome, e.times_taken) for e in second.ledger.entries()}
    assert entries[ids[3]] == (LedgerState.RECORDED, "not recorded", 2)
    assert [entries[key][:2] for key in ids[:3] + ids[4:]] == [(LedgerState.RECORDED, "recorded")] * 5


async def test_a_reply_that_cannot_be_handed_on_waits_in_the_folder(imap, monkeypatch):
    monkeypatch.setattr("mentoring_service.intake.service.RETRY_SECONDS", (0.2,))
    imap.deliver(mail(1, reply=False))
    imap.deliver(mail(2))
    imap.deliver(mail(3))
    pairs = Pairs(fail=True)
    intake = new_intake(imap, pairs)
    async with running(intake):
        await eventually(lambda: _after(intake, 2), timeout=10, every=0.05)
        # What came before the failure is done; the reply and what follows it wait.
        assert imap.count("Ignored") == 1 and imap.count("INBOX") == 2
        pairs.fail = False
        assert await drained(imap)
    assert pairs.handed == {"<reply-2@calendar.example.org>": 1, "<reply-3@calendar.example.org>": 1}
    assert imap.count("Processed") == 2


async def _after(intake: Intake[StubReply], sweeps: int) -> bool:
    return intake.sweeps >= sweeps


async def test_thousands_of_unrelated_messages_in_bounded_time_and_memory(imap):
    count = 2000
    for n in range(count):
        imap.deliver(mail(n, reply=n % 500 == 0, body_bytes=600))
    pairs = Pairs()
    intake = new_intake(imap, pairs)
    tracemalloc.start()
    try:
        started = time.monotonic()
        async with ImapMailbox(intake.settings) as mailbox:
            sweep = await intake.sweep(mailbox)
        elapsed = time.monotonic() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert sweep.total == count and sweep.ignored == {"no calendar part": count - 4}
    assert len(pairs.recorded) == 4
    assert imap.count("INBOX") == 0 and imap.count("Ignored") == count - 4
    print(f"{count} messages in {elapsed:.1f} s, peak {peak / 1e6:.1f} MB")
    assert elapsed < 30
    # 2,000 UIDs, envelopes a batch at a time, one body at a time: well below the 1.8 MB
    # that the bodies take together (measured: 0.45 MB).
    assert peak < 1_000_000


async def test_a_huge_message_goes_to_ignored_without_being_downloaded(imap):
    huge = mail(1, body_bytes=5 * 1024 * 1024)
    imap.deliver(huge)
    imap.deliver(mail(2))
    parsed: list[int] = []

    def parse(raw: bytes) -> StubReply | StubIgnored:
        parsed.append(len(raw))
        return stub_parse(raw)

    pairs = Pairs()
    config = imap.settings()
    intake = Intake(config, IntakeLedger.open(config.ledger_url), parse, pairs.deliver)
    tracemalloc.start()
    try:
        async with ImapMailbox(config) as mailbox:
            sweep = await intake.sweep(mailbox)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert sweep.ignored == {"over 2 MB": 1} and sweep.outcomes == {"recorded": 1}
    assert imap.messages("Ignored") == [huge]
    assert parsed == [len(mail(2))]
    assert peak < 1_000_000
    # Dovecot's own count of what it sent in that session: the envelope, not the body.
    sent = await eventually(lambda: _sessions_ended(imap), timeout=5)
    assert sent and max(sent) < 100_000


async def _sessions_ended(imap: ImapServer) -> list[int]:
    return imap.bytes_sent()


async def test_idle_wakes_the_intake_within_a_second(imap):
    pairs = Pairs()
    intake = new_intake(imap, pairs, poll_seconds=60)
    async with running(intake):
        await eventually(lambda: _after(intake, 1), timeout=10, every=0.02)
        for n in (1, 2):
            await asyncio.sleep(0.3)  # it has swept the folder and waits in IDLE
            sent = time.monotonic()
            imap.deliver(mail(n))
            await eventually(lambda n=n: _handed(pairs, n), timeout=5, every=0.01)
            # Polling would take a minute.
            assert pairs.times[f"<reply-{n}@calendar.example.org>"] - sent < 1.0
        assert await drained(imap)


async def _handed(pairs: Pairs, count: int) -> bool:
    return len(pairs.recorded) >= count


async def test_polling_when_the_server_offers_no_idle_and_no_move(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="intake")
    with ImapServer(tmp_path, capabilities=BASIC_CAPABILITIES) as server:
        pairs = Pairs()
        intake = new_intake(server, pairs, poll_seconds=0.3)
        async with running(intake):
            await eventually(lambda: _after(intake, 1), timeout=10, every=0.02)
            server.deliver(mail(1))
            server.deliver(mail(2, reply=False))
            assert await drained(server, timeout=5)
            sweeps = intake.sweeps
            await eventually(lambda: _after(intake, sweeps + 2), timeout=5, every=0.05)
        # COPY, \Deleted and EXPUNGE instead of MOVE: each message is in one folder only.
        assert (server.count("INBOX"), server.count("Processed"), server.count("Ignored")) == (0, 1, 1)
    assert pairs.handed == {"<reply-1@calendar.example.org>": 1}
    assert "reading INBOX (polling)" in caplog.text


async def test_the_intake_reconnects_when_the_server_comes_back(tmp_path, monkeypatch):
    monkeypatch.setattr("mentoring_service.intake.service.RETRY_SECONDS", (0.2,))
    server = ImapServer(tmp_path).start()
    port = server.port
    pairs = Pairs()
    intake = new_intake(server, pairs, poll_seconds=60)
    try:
        async with running(intake):
            await eventually(lambda: _after(intake, 1), timeout=10, every=0.02)
            server.stop()
            await asyncio.sleep(0.5)
            server.dovecot.requested_port = port
            server.start()
            server.deliver(mail(1))
            assert await drained(server, timeout=10)
    finally:
        server.stop()
    assert pairs.handed == {"<reply-1@calendar.example.org>": 1}


async def test_a_password_the_mailbox_refuses_stops_the_intake_instead_of_retrying(imap, monkeypatch):
    """Changed on the server while the intake runs: the same password would be refused
    again, so it stops with the reason (intake.py makes it one line) rather than loop."""
    monkeypatch.setattr("mentoring_service.intake.service.RETRY_SECONDS", (0.05,))
    intake = new_intake(imap, Pairs(), password="not-the-password")
    with pytest.raises(SignInRefused) as refused:
        await asyncio.wait_for(intake.run(), timeout=20)
    assert str(refused.value) == (
        "LOGIN refused: NO [AUTHENTICATIONFAILED] Authentication failed. (INTAKE_USER, INTAKE_PASSWORD)"
    )
