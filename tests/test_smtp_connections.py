"""The send activity keeps SMTP connections open between sends, against a real SMTP server."""

from __future__ import annotations

import asyncio

import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.answer_links import AnswerLinks
from activities.delivery import MailDelivery
from activities.ledger import LedgerStats
from mentoring_service.settings import MailSettings
from tests.smtp_server import SmtpServer
from tests.test_delivery_ledger import MENTEE, delivery, invite_request
from tests.workers import SITE_URL, test_signer


async def test_consecutive_sends_share_one_connection(smtp, tmp_path):
    mail, env = delivery(smtp, tmp_path), ActivityEnvironment()
    for n in range(1, 6):
        await env.run(mail.deliver_message, invite_request(f"wf/session-{n}-invite/0/mentee"))
    assert len(smtp.handler.for_recipient(MENTEE)) == 5
    assert smtp.handler.sessions == 1


async def test_a_connection_the_server_dropped_is_replaced_and_the_message_sent_once(tmp_path):
    with SmtpServer() as first:
        mail, env = delivery(first, tmp_path), ActivityEnvironment()
        await env.run(mail.deliver_message, invite_request("wf/session-1-invite/0/mentee"))
    # The server restarts on the same port: the kept connection is dead.
    with SmtpServer.on_port(first.port, first.handler):
        receipt = await env.run(mail.deliver_message, invite_request("wf/session-2-invite/0/mentee"))
    assert receipt.smtp_code == 250
    assert [str(r.message["Message-ID"]) for r in first.handler.for_recipient(MENTEE)][-1] == receipt.message_id
    assert len(first.handler.for_recipient(MENTEE)) == 2
    assert first.handler.sessions == 2
    assert await mail.ledger.stats() == LedgerStats(claimed=0, accepted=2, released=0, ambiguous_resends=0)


async def test_a_refused_recipient_does_not_leave_its_connection_behind(smtp, tmp_path):
    smtp.handler.refused[MENTEE] = "550 5.1.1 No such user"
    mail, env = delivery(smtp, tmp_path), ActivityEnvironment()
    with pytest.raises(ApplicationError, match=r"refused permanently \(550 5.1.1\)$"):
        await env.run(mail.deliver_message, invite_request("wf/session-1-invite/0/mentee"))
    del smtp.handler.refused[MENTEE]
    await env.run(mail.deliver_message, invite_request("wf/session-2-invite/0/mentee"))
    # The refused transaction's connection was closed; the next send opened its own.
    assert smtp.handler.sessions == 2
    assert len(smtp.handler.for_recipient(MENTEE)) == 1


def keeping_open(smtp: SmtpServer, tmp_path, seconds: float) -> MailDelivery:
    return MailDelivery(
        MailSettings(
            smtp_host="127.0.0.1", smtp_port=smtp.port, smtp_keep_open_seconds=seconds,
            delivery_ledger_url=f"sqlite:///{tmp_path}/ledger.sqlite3",
        ),
        AnswerLinks(test_signer(), SITE_URL),
    )  # fmt: skip


async def test_an_idle_connection_is_closed_after_its_time(smtp, tmp_path):
    mail, env = keeping_open(smtp, tmp_path, 0.2), ActivityEnvironment()
    await env.run(mail.deliver_message, invite_request("wf/session-1-invite/0/mentee"))
    await env.run(mail.deliver_message, invite_request("wf/session-2-invite/0/mentee"))
    await asyncio.sleep(0.3)
    await env.run(mail.deliver_message, invite_request("wf/session-3-invite/0/mentee"))
    assert smtp.handler.sessions == 2
    assert len(smtp.handler.for_recipient(MENTEE)) == 3


async def test_keep_open_zero_opens_a_connection_per_message(smtp, tmp_path):
    mail, env = keeping_open(smtp, tmp_path, 0), ActivityEnvironment()
    for n in (1, 2, 3):
        await env.run(mail.deliver_message, invite_request(f"wf/session-{n}-invite/0/mentee"))
    assert smtp.handler.sessions == 3
