"""Links the site cannot take: tampered, made from another pair's, expired, for someone
who left, for a program that has finished or never was; and paths and methods it
does not serve. Each gets a clear page with its status in the right language, never a
stack trace, and nothing is recorded."""

from __future__ import annotations

import json
import logging
import zlib
from datetime import date, timedelta

import pytest
from aiohttp import web
from itsdangerous.encoding import base64_decode, base64_encode

from mentoring.cohort import Language, Person, Role
from mentoring.operations import ReplaceParticipant
from mentoring_service.links import Link
from mentoring_service.settings import MailSettings, ResponseSiteSettings
from mentoring_service.site import create_app
from tests.site_harness import SIGNER, site_program
from workflows.pair import PairProgramWorkflow

MENTOR, MENTEE = "mentor-p1@example.com", "mentee-p1@example.com"
TAMPERED_EN = "Link not valid This link is not valid. Please use the link from your email exactly as it is"
TAMPERED_DE = "Link ungültig Dieser Link ist ungültig. Bitte verwenden Sie den Link aus Ihrer E-Mail unverändert"


@pytest.fixture
async def site():
    async with site_program() as harness:
        yield harness


def token_of(url: str) -> str:
    return url.rsplit("/", 1)[1]


def with_token(url: str, token: str) -> str:
    return f"{url.rsplit('/', 1)[0]}/{token}"


def reworded(token: str, **changes: str) -> str:
    """The token with its payload changed and its signature kept."""
    payload, signature = token.rsplit(".", 1)
    compressed = payload.startswith(".")  # itsdangerous: "." and zlib when that is shorter
    raw = base64_decode(payload.lstrip("."))
    data = {**json.loads(zlib.decompress(raw) if compressed else raw), **changes}
    text = json.dumps(data, separators=(",", ":")).encode()
    body = base64_encode(zlib.compress(text) if compressed else text).decode()
    return f"{'.' if compressed else ''}{body}.{signature}"


async def test_tampered_and_cross_pair_tokens_get_the_not_valid_page(site):
    await site.start_pair(pair_id="p1")
    await site.start_pair(pair_id="p2")
    await site.after_session(0)
    mine = site.links(MENTOR, "reflection")["met"]
    theirs = site.links("mentor-p2@example.com", "reflection")["met"]
    payload, signature = token_of(mine).rsplit(".", 1)
    changed = {
        "a character": payload + "." + ("A" if signature[0] != "A" else "B") + signature[1:],
        "another pair's signature": payload + "." + token_of(theirs).rsplit(".", 1)[1],
        "another pair named inside": reworded(token_of(mine), w="pair:dw:p2"),
        "another role named inside": reworded(token_of(mine), r="mentee"),
        "cut short": token_of(mine)[:-6],
        "no token at all": "not-a-token",
    }
    csrf = (await site.get(mine)).csrf
    for what, token in changed.items():
        url = with_token(mine, token)
        page = await site.get(url)
        assert (page.status, page.said.startswith(f"Reverse mentoring {TAMPERED_EN}")) == (400, True), what
        assert '<html lang="en">' in page.text
        posted = await site.post(url, {"choice": "met"}, csrf=csrf)
        assert posted.status == 400 and TAMPERED_EN in posted.said, what
        # Without the link's own language, the browser's.
        german = await site.get(url, **{"Accept-Language": "de-CH,de;q=0.9,en;q=0.8"})
        assert german.status == 400 and '<html lang="de">' in german.text and TAMPERED_DE in german.said
    assert (await site.state()).answers == []


async def test_a_link_for_someone_who_left_the_pair_takes_no_answer(site):
    await site.start_pair()
    await site.after_session(0)
    old = site.links(MENTEE, "reflection")
    csrf = (await site.get(old["met"])).csrf
    newcomer = Person(name="Jonas Berg", email="jonas@example.com", timezone="Europe/Berlin")
    await site.update(
        PairProgramWorkflow.replace_participant,
        ReplaceParticipant(request_id="replace-1", role=Role.MENTEE, person=newcomer, reason="moved teams"),
    )
    for url in (old["met"], old["reflection"]):
        page = await site.get(url)
        assert page.status == 403
        assert "Link for someone else This link was for someone who has left the pair." in page.said
    posted = await site.post(old["met"], {"choice": "met"}, csrf=csrf)
    assert posted.status == 403
    assert (await site.state()).answers == []


async def test_after_the_program_its_links_say_it_finished_and_later_that_they_expired(site):
    state = await site.start_pair(language=Language.DE)
    await site.after_session(0)
    url = site.links(MENTOR, "reflection")["met"]
    csrf = (await site.get(url)).csrf
    # (Not handle.result(): the test server goes on skipping time after the end.)
    await site.advance((await site.state()).closing_at + timedelta(days=22) - await site.now())

    page = await site.get(url)
    assert page.status == 410 and '<html lang="de">' in page.text
    assert "Das Programm ist abgeschlossen Dieses Programm ist abgeschlossen. Vielen Dank für Ihre Teilnahme!" in (
        page.said
    )
    assert (await site.post(url, {"choice": "met"}, csrf=csrf)).status == 410

    # Links last 60 days after the program's end; then they say so, in German still.
    now = await site.now()
    await site.env.sleep(timedelta(days=(state.program_end - now.date()).days + 61))
    for response in (await site.get(url), await site.post(url, {"choice": "met"}, csrf=csrf)):
        assert response.status == 410
        assert "Link abgelaufen Dieser Link ist abgelaufen." in response.said
    assert (await site.state()).answers == []


async def test_a_link_to_a_program_that_never_ran_is_unknown(site):
    link = Link(
        workflow_id="pair:dw:nobody",
        role=Role.MENTOR,
        item="check_in",
        expires=date(2099, 1, 1),
        recipient=SIGNER.recipient_digest(MENTOR),
        language=Language.EN,
        session=1,
    )
    page = await site.get(f"{site.site_url}/a/{SIGNER.sign(link)}")
    assert page.status == 404
    assert "Unknown program We do not know this program (any more)." in page.said


async def test_other_paths_and_methods_get_pages_too(site):
    for path in ("/", "/a/", "/a/x/y", "/favicon.ico", "/a"):
        page = await site.get(site.site_url + path)
        assert page.status == 404 and "Page not found There is no page here." in page.said, path
    german = await site.get(site.site_url + "/", **{"Accept-Language": "de"})
    assert "Seite nicht gefunden Diese Seite gibt es nicht." in german.said
    async with site.http.put(f"{site.site_url}/a/some-token", data="x") as response:
        assert response.status == 405
        assert "GET" in response.headers["Allow"] and "POST" in response.headers["Allow"]
        assert "This page cannot be used that way." in await response.text()
    healthz = await site.get(site.site_url + "/healthz")
    assert (healthz.status, healthz.text) == (200, "ok\n")


async def test_an_unexpected_failure_is_a_page_and_a_log_line_without_the_token(site, caplog):
    async def broken_clock():
        raise RuntimeError(f"broken: {token}")

    link = Link("pair:dw:p1", Role.MENTOR, "check_in", date(2099, 1, 1), "digest", Language.EN, session=1)
    token = SIGNER.sign(link)
    app = create_app(ResponseSiteSettings(), site.env.client, SIGNER, MailSettings(), clock=broken_clock)
    runner = web.AppRunner(app)
    await runner.setup()
    server = web.TCPSite(runner, "127.0.0.1", 0)
    await server.start()
    try:
        port = server._server.sockets[0].getsockname()[1]
        with caplog.at_level(logging.ERROR, logger="response_site"):
            page = await site.get(f"http://127.0.0.1:{port}/a/{token}")
    finally:
        await runner.cleanup()
    assert page.status == 500
    assert "Something went wrong Something went wrong on our side. Please open the link from your email" in page.said
    assert "Traceback" not in page.text and "RuntimeError" not in page.text
    (record,) = caplog.records
    assert record.getMessage().startswith("unexpected RuntimeError while answering a request")
    assert token not in record.getMessage()
