"""The two sides ``bench.answers`` compares: participants answering closing reviews on
the response site, and trivial updates to bare workflows (which ``bench.replies``
compares calendar replies with too, on a cohort started the same way)."""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import aiohttp
from aiohttp import web
from temporalio.client import Client, WorkflowQueryFailedError
from temporalio.service import RPCError

from bench.baselines import AnswerableWorkflow
from bench.harness import gather_limited, link_signer, wait_until
from mentoring.answers import AnswerView, AnswerViewRequest, ReviewStage
from mentoring.cohort import Cohort, Role
from mentoring.ids import TASK_QUEUE, pair_workflow_id
from mentoring.operations import EndProgram
from mentoring_service.cli.start import follow_start, start_cohort
from mentoring_service.links import Link
from mentoring_service.settings import MailSettings, ResponseSiteSettings
from mentoring_service.site import create_app
from tests import factories
from workflows.pair import PairProgramWorkflow

IN_FLIGHT = 20
COHORT = "bench-answers"
CSRF = re.compile(r'name="csrf"\s+value="([^"]+)"')
# A closing review answered in full, as a participant who fills in every field sends it.
REVIEW = {"career": "4", "psychosocial": "5", "emotional": "4", "focus_progress": "4", "recommend": "9"}
REVIEW |= {"keep_meeting": "yes", "comment": "Thank you for the programme."}
# The site's pages: recorded by the update, or handed over as a signal (no worker in time).
RECORDED, LATER = 200, 202


@dataclass
class Answerer:
    """One participant's closing review link, and the CSRF token of its page."""

    workflow_id: str
    role: Role
    token: str
    csrf: str = ""


# ---------------------------------------------------------------- the site


@contextlib.asynccontextmanager
async def serving_site(client: Client, smtp_port: int) -> AsyncIterator[str]:
    """The site's application, as ``response_site.py`` builds it, on a free local port."""
    # Nothing from the environment: of these settings only the update timeout counts
    # here, and it is the default.
    timeout = ResponseSiteSettings.model_fields["update_timeout_seconds"].default
    settings = ResponseSiteSettings(update_timeout_seconds=timeout)
    mail = MailSettings(smtp_host="127.0.0.1", smtp_port=smtp_port, smtp_tls="none")
    runner = web.AppRunner(create_app(settings, client, link_signer(), mail), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


async def planned_cohort(client: Client, count: int, cohort_id: str) -> Cohort:
    """A cohort of ``count`` pairs whose program starts in three weeks, started, with
    every pair planned and parked until its first invite."""
    start_date = datetime.now(UTC).date() + timedelta(days=21)
    cohort = factories.cohort(start_date, [f"p{i:04d}" for i in range(count)], cohort_id=cohort_id)
    handle, started = await start_cohort(client, cohort)
    assert started
    await follow_start(handle, count)

    # A pair takes updates once its first task has taken the plan into its state. Its
    # search attributes do not tell: the starter sets them with the start.
    async def planned(pair_id: str) -> None:
        handle = client.get_workflow_handle(pair_workflow_id(cohort_id, pair_id))

        async def has_plan() -> bool:
            try:
                return bool((await handle.query(PairProgramWorkflow.state)).sessions)
            except (RPCError, WorkflowQueryFailedError):
                return False

        await wait_until(has_plan, timeout=120, what=f"pair {pair_id} to plan", every=0.2)

    await gather_limited((lambda p=p: planned(p.id) for p in cohort.pairs), 20)
    return cohort


async def ended_pairs(client: Client, count: int) -> list[tuple[Answerer, Answerer]]:
    """``count`` pairs, each ended with its closing review (as ``ops.py end`` does); the
    review links of mentor and mentee of each."""
    cohort = await planned_cohort(client, count, COHORT)
    start_date = cohort.program.start_date
    pair_ids = [p.id for p in cohort.pairs]
    end = EndProgram(request_id="bench-end", reason="The bench answers its closing review.")
    await gather_limited(
        (
            lambda p=p: client.get_workflow_handle(pair_workflow_id(COHORT, p)).execute_update(
                PairProgramWorkflow.end_program, end
            )
            for p in pair_ids
        ),
        IN_FLIGHT,
    )
    signer, expires = link_signer(), start_date + timedelta(days=365)

    def answerer(pair_id: str, role: Role, email: str) -> Answerer:
        link = Link(
            workflow_id=pair_workflow_id(COHORT, pair_id),
            role=role,
            item="review",
            expires=expires,
            recipient=signer.recipient_digest(email),
            language=cohort.program.language,
            stage=ReviewStage.CLOSING,
        )
        return Answerer(link.workflow_id, role, signer.sign(link))

    return [
        (answerer(p.id, Role.MENTOR, p.mentor.email), answerer(p.id, Role.MENTEE, p.mentee.email)) for p in cohort.pairs
    ]


def role_by_role(pairs: list[tuple[Answerer, Answerer]]) -> list[Answerer]:
    """Every mentor, then every mentee. Sent in this order, the two answers of one pair
    are never in flight together: a second query while a pair's workflow task runs
    can find its buffer full (the dev server buffers one)."""
    return [mentor for mentor, _ in pairs] + [mentee for _, mentee in pairs]


async def shown(client: Client, answerer: Answerer) -> AnswerView:
    """What the review page of this link shows (the site's own query)."""
    request = AnswerViewRequest(role=answerer.role, item="review", stage=ReviewStage.CLOSING)
    return await client.get_workflow_handle(answerer.workflow_id).query(PairProgramWorkflow.answer_view, request)


async def reviews_open(client: Client, pairs: list[tuple[Answerer, Answerer]]) -> bool:
    try:
        views = await gather_limited((lambda m=mentor: shown(client, m) for mentor, _ in pairs), IN_FLIGHT)
    except RPCError:  # a pair busy sending its review can refuse a query; asked again
        return False
    return all(view.open for view in views)


async def open_pages(http: aiohttp.ClientSession, site_url: str, answerers: list[Answerer]) -> None:
    """GET every review page, which must offer its form, and keep its CSRF token."""

    async def one(answerer: Answerer) -> None:
        async with http.get(f"{site_url}/a/{answerer.token}") as response:
            page = await response.text()
        found = CSRF.search(page)
        if response.status != 200 or not found:
            raise RuntimeError(f"the review page of {answerer.workflow_id} has no form: {response.status}\n{page}")
        answerer.csrf = found[1]

    await gather_limited((lambda a=a: one(a) for a in answerers), IN_FLIGHT)


async def post_answer(http: aiohttp.ClientSession, site_url: str, answerer: Answerer) -> int:
    """The page's form sent: ``RECORDED`` or ``LATER`` (counted by the bench, not hidden)."""
    data = {"csrf": answerer.csrf, **REVIEW}
    async with http.post(f"{site_url}/a/{answerer.token}", data=data, allow_redirects=False) as response:
        page = await response.text()
    if response.status not in (RECORDED, LATER):
        raise RuntimeError(f"the answer of {answerer.workflow_id} was not taken: {response.status}\n{page}")
    return response.status


def site_visible(client: Client, answerer: Answerer) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        return (await shown(client, answerer)).answered is not None

    return check


# ---------------------------------------------------------------- bare workflows


async def bare_workflows(client: Client, count: int) -> list[str]:
    ids = [f"bench-answerable-{i}" for i in range(count)]
    await gather_limited(
        (lambda i=i: client.start_workflow(AnswerableWorkflow.run, 30, id=i, task_queue=TASK_QUEUE) for i in ids),
        IN_FLIGHT,
    )
    return ids


def bare_update(client: Client, workflow_id: str, answer_id: str) -> Callable[[], Awaitable[int]]:
    return lambda: client.get_workflow_handle(workflow_id).execute_update(AnswerableWorkflow.answer, answer_id)


def bare_visible(client: Client, workflow_id: str, answer_id: str) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        return answer_id in await client.get_workflow_handle(workflow_id).query(AnswerableWorkflow.answers)

    return check


async def all_recorded(client: Client, pairs: list[tuple[Answerer, Answerer]], bare: list[str]) -> bool:
    """Each pair holds both its answers, each bare workflow both its updates."""
    views = await gather_limited((lambda a=a: shown(client, a) for a in role_by_role(pairs)), IN_FLIGHT)
    counts = await gather_limited(
        (lambda w=w: client.get_workflow_handle(w).query(AnswerableWorkflow.answers) for w in bare), IN_FLIGHT
    )
    return all(view.answered is not None for view in views) and all(len(c) == 2 for c in counts)
