"""Answers while no worker runs: the site hands a check-in or a review to Temporal as
a signal and says so honestly; the pair records it, once, when a worker runs again.
A reflection waits: without the pair's answer there is nobody to mail it to. And with
Temporal itself out of reach, the form stays on the page to be sent again."""

from __future__ import annotations

import asyncio
import re
from datetime import date

import pytest
from aiohttp import web
from temporalio.client import Client

from devstack.temporal_servers import fixed_key_converter
from mentoring.answers import CheckInChoice, ReflectionAnswer, ReviewStage
from mentoring.cohort import Language, Role
from mentoring.state import SessionStatus
from mentoring_service.links import Link
from mentoring_service.settings import MailSettings, ResponseSiteSettings
from mentoring_service.site import create_app
from tests.ports import unused_port
from tests.site_harness import SIGNER, Page, site_program
from tests.waiting import eventually

MENTOR, MENTEE = "mentor-p1@example.com", "mentee-p1@example.com"
RECEIVED = (
    "Received We have received your answer. It will be recorded as soon as the service catches up; "
    "you need not do anything."
)


@pytest.fixture
async def site():
    # Without a workflow cache, and a short answer timeout: see SiteHarness.
    async with site_program(update_timeout=1.0, cache=False) as harness:
        yield harness


async def answers_once_settled(site, count: int):
    async def recorded():
        state = await site.state()
        return state if len(state.answers) >= count else None

    state = await eventually(recorded, timeout=20)
    assert state is not None, "the answer was not recorded"
    return state


async def test_a_check_in_without_a_worker_is_recorded_once_it_is_back(site):
    await site.start_pair()
    await site.after_session(0)
    met = site.links(MENTOR, "reflection")["met"]
    csrf = (await site.get(met)).csrf
    await site.stop_workers()

    page = await site.get(met)
    assert page.status == 200
    assert "The service is catching up right now, so this page shows less than usual. You can still answer." in (
        page.said
    )
    for _ in range(2):  # sent twice: recorded once
        done = await site.post(met, {"choice": "met"}, csrf=csrf)
        assert (done.status, done.said.startswith(f"Reverse mentoring {RECEIVED}")) == (202, True)

    await site.start_workers()
    # Both signals came before the worker: its first workflow task takes both.
    state = await answers_once_settled(site, 1)
    assert [(r.answer.role, r.answer.choice) for r in state.answers] == [(Role.MENTOR, CheckInChoice.MET)]
    assert state.sessions[0].status == SessionStatus.HELD


async def test_a_reflection_waits_for_the_pair_and_is_never_lost(site):
    await site.start_pair()
    await site.after_session(0)
    url = site.links(MENTOR, "reflection")["reflection"]
    opened = await site.get(url)  # the page came while the worker ran: with the questions
    asked = re.search(r'name="set" value="([^"]*)"', opened.text).group(1)
    await site.stop_workers()
    page = await site.get(url)
    assert "you can write your reflection, but it can only be sent in a few minutes." in page.said
    assert 'for="answer_1">Your reflection</label>' in page.text  # which questions, the pair would say

    fields = {"answer_1": "My notes, kept <here>", "set": asked, "share": "yes"}
    waiting = await site.post(url, fields, csrf=opened.csrf)
    assert waiting.status == 503
    assert "cannot send your journal email, so nothing was recorded. Your text is still below" in waiting.said
    assert "My notes, kept &lt;here&gt;</textarea>" in waiting.text
    assert "1. Which part of your expertise was most useful to your mentee, and why?" in waiting.said
    assert 'id="share" name="share" value="yes" checked' in waiting.text  # still ticked
    assert [r for r in site.smtp.handler.received if r.kind == "reflection_journal"] == []

    # The worker goes away while the journal email is on its way: the email is out,
    # the pair takes the answer by signal, and records it when the worker is back.
    await site.start_workers()
    await site.state()  # the worker answers again
    site.smtp.handler.data_delay_seconds = 1.0
    sending = asyncio.create_task(site.post(url, {**fields, "career": "2", "share": ""}, csrf=waiting.csrf))
    assert await eventually(lambda: _journal_arrived(site), timeout=10)
    await site.stop_workers()
    done: Page = await sending
    assert done.status == 202, done.said
    assert RECEIVED in done.said and "Your journal entry is on its way to your inbox." in done.said
    await site.start_workers()
    state = await answers_once_settled(site, 1)
    (answer,) = [r.answer for r in state.answers]
    assert isinstance(answer, ReflectionAnswer) and answer.ratings.career == 2 and not answer.shared


async def _journal_arrived(site) -> bool:
    return any(r.kind == "reflection_journal" for r in site.smtp.handler.received)


async def test_with_temporal_out_of_reach_the_form_stays_to_be_sent_again(site):
    nobody = await Client.connect(f"127.0.0.1:{unused_port()}", lazy=True, data_converter=fixed_key_converter())
    settings = ResponseSiteSettings(update_timeout_seconds=1.0)
    app = create_app(settings, nobody, SIGNER, MailSettings(smtp_port=site.smtp.port))
    runner = web.AppRunner(app)
    await runner.setup()
    server = web.TCPSite(runner, "127.0.0.1", 0)
    await server.start()
    port = server._server.sockets[0].getsockname()[1]
    link = Link("pair:dw:p1", Role.MENTOR, "review", date(2099, 1, 1), "d", Language.DE, stage=ReviewStage.CLOSING)
    url = f"http://127.0.0.1:{port}/a/{SIGNER.sign(link)}"
    try:
        page = await site.get(url)
        assert page.status == 200 and "Der Dienst holt gerade Rückstände auf" in page.said
        done = await site.post(url, {"recommend": "9", "comment": "Danke für alles"}, csrf=page.csrf)
    finally:
        await runner.cleanup()
    assert done.status == 503
    assert "Der Dienst ist gerade nicht erreichbar; Ihre Antwort wurde deshalb nicht erfasst." in done.said
    assert "Danke für alles</textarea>" in done.text
    assert 'id="recommend-9" name="recommend" value="9" checked' in done.text
