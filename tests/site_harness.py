"""The response site on localhost in front of a pair program on the time-skipping
server: the project's workers write their links to this site, the SMTP inbox keeps
every message, and an HTTP client opens the links found in those messages."""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from email.message import EmailMessage
from html import unescape

import aiohttp
from aiohttp import web
from google.protobuf.message import Message
from temporalio.api.common.v1 import Payload

from activities.answer_links import AnswerLinks
from devstack.temporal_servers import fixed_key_codec, start_time_skipping
from mentoring.cohort import Cadence, Language
from mentoring.ids import TASK_QUEUE, pair_workflow_id
from mentoring.state import PairProgramInput, PairState
from mentoring_service.links import Link
from mentoring_service.settings import MailSettings, ResponseSiteSettings, WorkerSettings
from mentoring_service.site import create_app
from mentoring_service.workers import create_workers
from tests import factories
from tests.program_harness import ProgramHarness
from tests.smtp_server import SmtpServer
from tests.workers import test_signer
from workflows.agenda import active_sessions
from workflows.pair import PairProgramWorkflow

SIGNER = test_signer()
MAIL_FROM = "Mentoring <m@example.org>"
CSRF = re.compile(r'<input type="hidden" name="csrf" value="([^"]+)">')


@dataclass(frozen=True)
class Page:
    status: int
    text: str
    headers: dict[str, str]

    @property
    def said(self) -> str:
        """The words of the page's main part, as a reader sees them."""
        main = self.text.split("<main>", 1)[-1].split("</main>", 1)[0]
        return " ".join(unescape(re.sub(r"<[^>]+>", " ", main)).split())

    @property
    def csrf(self) -> str:
        found = CSRF.search(self.text)
        assert found, f"no form on the page ({self.status})"
        return unescape(found.group(1))


@contextlib.asynccontextmanager
async def site_program(**options) -> AsyncIterator[SiteHarness]:
    """A time-skipping server, an SMTP inbox, the site and the workers, for one test."""
    env = await start_time_skipping()
    try:
        with SmtpServer() as smtp:
            async with SiteHarness(env, smtp, **options) as harness:
                yield harness
    finally:
        await env.shutdown()


def _messages(message: Message) -> Iterator[Message]:
    """``message`` and every message nested in it."""
    yield message
    for field, value in message.ListFields():
        if field.type != field.TYPE_MESSAGE:
            continue
        if field.message_type.GetOptions().map_entry:
            if field.message_type.fields_by_name["value"].type == field.TYPE_MESSAGE:
                for item in value.values():
                    yield from _messages(item)
        elif isinstance(value, Message):
            yield from _messages(value)
        else:
            for item in value:
                yield from _messages(item)


def text_part(message: EmailMessage) -> str:
    """With the line feeds it was written with (SMTP carried CRLF)."""
    part = message.get_body(("plain",))
    assert part is not None
    return part.get_content().replace("\r\n", "\n")


def html_part(message: EmailMessage) -> str:
    part = message.get_body(("html",))
    assert part is not None
    return part.get_content().replace("\r\n", "\n")


def link_name(link: Link) -> str:
    """met / not_met / new_date (check-in), reflection or review."""
    return link.choice.value if link.choice else link.item


class SiteHarness(ProgramHarness):
    """A ``ProgramHarness`` whose workers write links to a site served here."""

    def __init__(self, env, smtp, *, update_timeout: float = 5.0, cache: bool = True) -> None:
        super().__init__(env, smtp)
        self.cache = cache
        self.update_timeout = update_timeout
        self.site_url = ""
        self.http: aiohttp.ClientSession | None = None
        self._runner: web.AppRunner | None = None
        self._workers: contextlib.AsyncExitStack | None = None

    async def __aenter__(self) -> SiteHarness:
        settings = ResponseSiteSettings(update_timeout_seconds=self.update_timeout)
        mail = MailSettings(smtp_host="127.0.0.1", smtp_port=self.smtp.port, mail_from=MAIL_FROM)
        app = create_app(settings, self.env.client, SIGNER, mail, clock=self.env.get_current_time)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.site_url = f"http://127.0.0.1:{port}"
        self.http = aiohttp.ClientSession()
        await self.start_workers()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.stop_workers()
        assert self.http is not None and self._runner is not None
        await self.http.close()
        await self._runner.cleanup()

    async def start_workers(self) -> None:
        """The workers ``running_workers`` runs. Without a workflow cache when asked:
        the time-skipping server never hands a stopped worker's sticky tasks to the
        next one (the real server does, after the sticky timeout)."""
        self._workers = contextlib.AsyncExitStack()
        mail = MailSettings(smtp_host="127.0.0.1", smtp_port=self.smtp.port, mail_from=MAIL_FROM)
        settings = WorkerSettings(email_rate_per_second=1000, max_cached_workflows=1000 if self.cache else 0)
        for worker in create_workers(self.env.client, mail, settings, AnswerLinks(SIGNER, self.site_url)):
            await self._workers.enter_async_context(worker)

    async def stop_workers(self) -> None:
        if self._workers is not None:
            await self._workers.aclose()
            self._workers = None

    # ------------------------------------------------------------------ the program

    async def start_pair(
        self, language: Language = Language.EN, cadence: Cadence = Cadence.WEEKLY, pair_id: str = "p1"
    ) -> PairState:
        """A four-month pair whose program starts tomorrow."""
        now = await self.now()
        program = factories.program((now + timedelta(days=1)).date(), months=4, language=language)
        pair = factories.pair(pair_id, cadence=cadence)
        # The id the links name, as the cohort starts its pairs.
        self.handle = await self.env.client.start_workflow(
            PairProgramWorkflow.run,
            PairProgramInput(program=program, pair=pair),
            id=pair_workflow_id(program.cohort_id, pair_id),
            task_queue=TASK_QUEUE,
            # A workflow task handed to a worker as it stopped is tried again this soon.
            task_timeout=None if self.cache else timedelta(seconds=2),
        )
        await self.settle()
        return await self.state()

    async def after_session(self, index: int = 0) -> PairState:
        """Program time just after the reflection prompt of the ``index``-th session."""
        state = await self.state()
        session = active_sessions(state)[index]
        prompt = session.ends_at + timedelta(hours=2, minutes=1)
        await self.advance(prompt - await self.now())
        return await self.state()

    async def history_text(self) -> str:
        """The pair's whole history as text, every payload decrypted and decoded."""
        assert self.handle is not None
        history = await self.handle.fetch_history()
        sealed = [m for event in history.events for m in _messages(event) if isinstance(m, Payload)]
        opened = await fixed_key_codec().decode(sealed)
        return history.to_json() + "\n".join(p.data.decode("utf-8", "replace") for p in opened)

    # ------------------------------------------------------------------ the inbox

    def messages(self, email: str, kind: str) -> list[EmailMessage]:
        return [r.message for r in self.received(email) if r.kind == kind]

    def links(self, email: str, kind: str, index: int = -1) -> dict[str, str]:
        """The site links of one received message (the last of its kind by default),
        by what they answer, read from its plain-text part."""
        text = text_part(self.messages(email, kind)[index])
        urls = re.findall(re.escape(self.site_url) + r"/a/\S+", text)
        found = {link_name(SIGNER.read(url.rsplit("/", 1)[1], date.min)): url for url in urls}
        assert found, f"no links in the {kind} to {email}"
        return found

    # ------------------------------------------------------------------ the site

    async def get(self, url: str, **headers: str) -> Page:
        assert self.http is not None
        async with self.http.get(url, headers=headers, allow_redirects=False) as response:
            return Page(response.status, await response.text(), dict(response.headers))

    async def post(self, url: str, fields: dict[str, str], *, csrf: str | None = None) -> Page:
        """The form as the page sends it: with the CSRF token of a fresh GET unless given."""
        assert self.http is not None
        if csrf is None:
            csrf = (await self.get(url)).csrf
        async with self.http.post(url, data={"csrf": csrf, **fields}, allow_redirects=False) as response:
            return Page(response.status, await response.text(), dict(response.headers))
