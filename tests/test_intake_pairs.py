"""From the mailbox to the pair: the intake hands each reply to its pair workflow as the
``record_calendar_reply`` update (mentoring_service/intake/pairs.py), against a real
IMAP server and a Temporal test server, with a stand-in pair (tests/intake_workflow.py).

What the intake counts and records is the pair's answer: recorded, not recorded (seen
before), refused, unknown or finished pair. A reply nobody takes waits in the mailbox."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections import Counter
from email import message_from_bytes

import pytest
from temporalio.worker import Worker

from devstack.temporal_servers import start_time_skipping
from mentoring.replies import CalendarReply, PartStat, ReplyMethod, ReplyRequest
from mentoring_service.intake.ledger import IntakeLedger, LedgerState
from mentoring_service.intake.mailbox import ImapMailbox
from mentoring_service.intake.pairs import PairDelivery, update_id
from mentoring_service.intake.service import Intake
from tests.imap_server import ImapServer
from tests.intake_workflow import ReplyRecorder
from tests.test_intake import StubIgnored

QUEUE = "intake-tests"


def parse(raw: bytes) -> CalendarReply | StubIgnored:
    """A stand-in for read_reply that needs no calendar: the pair and session in headers."""
    message = message_from_bytes(raw)
    if "X-Test-Pair" not in message:
        return StubIgnored("no calendar part")
    return CalendarReply(
        message_id=str(message["Message-ID"]),
        method=ReplyMethod.REPLY,
        workflow_id=message["X-Test-Pair"],
        session=int(message["X-Session"]),
        attendee="ana@example.org",
        partstat=PartStat.ACCEPTED,
    )


def reply_mail(number: int, pair: str, session: int = 1) -> bytes:
    return (
        f"From: ana@example.org\r\nTo: office@example.org\r\nSubject: Accepted\r\n"
        f"Message-ID: <{number}@calendar.example.org>\r\nX-Test-Pair: {pair}\r\nX-Session: {session}\r\n\r\n"
        "Accepted.\r\n"
    ).encode()


@pytest.fixture(scope="module")
async def temporal():
    env = await start_time_skipping()
    async with Worker(env.client, task_queue=QUEUE, workflows=[ReplyRecorder]):
        yield env
    await env.shutdown()


async def start_pair(temporal) -> str:
    workflow_id = f"pair:test:{uuid.uuid4().hex[:12]}"
    await temporal.client.start_workflow(ReplyRecorder.run, id=workflow_id, task_queue=QUEUE)
    return workflow_id


async def sweep_once(imap: ImapServer, delivery: PairDelivery):
    settings = imap.settings()
    ledger = IntakeLedger.open(settings.ledger_url)
    intake = Intake(settings, ledger, parse, delivery.deliver)
    async with ImapMailbox(settings) as mailbox:
        return await intake.sweep(mailbox), ledger


async def test_each_reply_reaches_its_pair_once_and_the_pair_answer_is_the_outcome(tmp_path, temporal):
    pair, finished = await start_pair(temporal), await start_pair(temporal)
    await temporal.client.get_workflow_handle(finished).signal(ReplyRecorder.finish)
    await temporal.client.get_workflow_handle(finished).result()
    with ImapServer(tmp_path) as imap:
        for raw in (
            reply_mail(1, pair),
            reply_mail(2, pair, session=2),
            reply_mail(3, pair, session=9),  # no such session: the validator refuses it
            reply_mail(4, "pair:test:nobody"),
            reply_mail(5, finished),
        ):
            imap.deliver(raw)
        sweep, ledger = await sweep_once(imap, PairDelivery(temporal.client))
        assert imap.count("INBOX") == 0 and imap.count("Processed") == 5

    assert sweep.outcomes == {"recorded": 2, "refused (UnknownSession)": 1, "unknown pair": 1, "finished pair": 1}
    handle = temporal.client.get_workflow_handle(pair)
    recorded = await handle.query(ReplyRecorder.replies)
    assert [(r["message_id"], r["session"]) for r in recorded] == [
        ("<1@calendar.example.org>", 1),
        ("<2@calendar.example.org>", 2),
    ]
    assert Counter(e.state for e in ledger.entries()) == {LedgerState.RECORDED: 5}


async def test_the_same_reply_twice_is_one_update(temporal):
    pair = await start_pair(temporal)
    delivery = PairDelivery(temporal.client)
    reply = CalendarReply(
        message_id="<twice@calendar.example.org>",
        method=ReplyMethod.REPLY,
        workflow_id=pair,
        session=1,
        attendee="ana@example.org",
        partstat=PartStat.ACCEPTED,
    )
    # The intake died after handing it on and before recording that: it hands it on again.
    assert await delivery.deliver(reply) == "recorded"
    assert await delivery.deliver(reply) == "recorded"  # Temporal's answer to the same update id
    handle = temporal.client.get_workflow_handle(pair)
    assert await handle.query(ReplyRecorder.times_handled) == 1
    # Another intake's update (another id) with the same Message-ID: the pair knows it.
    other = await handle.execute_update("record_calendar_reply", ReplyRequest(reply=reply), id="another-id")
    assert other["recorded"] is False
    assert len(await handle.query(ReplyRecorder.replies)) == 1
    assert update_id(reply.message_id) == update_id("<twice@calendar.example.org>")
    assert "twice" not in update_id(reply.message_id) and "calendar" not in update_id(reply.message_id)[15:]


async def test_a_reply_no_worker_takes_waits_in_the_mailbox(tmp_path):
    env = await start_time_skipping()
    try:
        pair = f"pair:test:{uuid.uuid4().hex[:12]}"
        await env.client.start_workflow(ReplyRecorder.run, id=pair, task_queue=QUEUE)
        with ImapServer(tmp_path) as imap:
            imap.deliver(reply_mail(1, pair))
            sweep, ledger = await sweep_once(imap, PairDelivery(env.client, timeout_seconds=1))
            assert sweep.failed and imap.count("INBOX") == 1
            assert [(e.state, e.times_taken) for e in ledger.entries()] == [(LedgerState.TAKEN, 1)]
            ledger.close()
            async with Worker(env.client, task_queue=QUEUE, workflows=[ReplyRecorder]):
                sweep, ledger = await sweep_once(imap, PairDelivery(env.client))
            assert sweep.outcomes == {"recorded": 1} and imap.count("Processed") == 1
            assert [(e.state, e.times_taken) for e in ledger.entries()] == [(LedgerState.RECORDED, 2)]
    finally:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(env.shutdown(), 10)
