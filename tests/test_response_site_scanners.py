"""Mail scanners open every link of every email (Safe Links, Mimecast, Proofpoint):
opening one only shows a page. A whole program, every link fetched as its email
arrives and once more after the end: nothing is recorded and no email is sent."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from temporalio.client import WorkflowExecutionStatus, WorkflowQueryRejectedError
from temporalio.common import QueryRejectCondition

from mentoring.cohort import Cadence
from tests.site_harness import html_part, site_program, text_part
from workflows.pair import PairProgramWorkflow

SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "X-Robots-Tag": "noindex, nofollow",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
}


@pytest.fixture
async def site():
    async with site_program() as harness:
        yield harness


async def finished(site) -> bool:
    try:
        await site.handle.query(PairProgramWorkflow.state, reject_condition=QueryRejectCondition.NOT_OPEN)
    except WorkflowQueryRejectedError as rejected:
        return rejected.status == WorkflowExecutionStatus.COMPLETED
    return False


async def scan(site, seen: set[str]) -> int:
    """Opens every link not opened before, as a scanner does (HEAD, then GET)."""
    opened = 0
    for received in list(site.smtp.handler.received):
        text = text_part(received.message) + html_part(received.message)
        for url in re.findall(re.escape(site.site_url) + r"/a/[A-Za-z0-9_.-]+", text):
            if url in seen:
                continue
            seen.add(url)
            before = len(site.smtp.handler.received)
            assert (await site.http.head(url)).status in (200, 410)
            page = await site.get(url)
            assert page.status in (200, 410), page.said
            assert {k: page.headers.get(k) for k in SECURITY_HEADERS} == SECURITY_HEADERS
            assert len(site.smtp.handler.received) == before
            opened += 1
    return opened


async def test_opening_every_link_of_a_whole_program_changes_nothing(site):
    await site.start_pair(cadence=Cadence.BIWEEKLY)
    seen: set[str] = set()
    opened = 0
    for _ in range(40):
        opened += await scan(site, seen)
        if await finished(site):
            break
        state = await site.state()
        assert state.answers == []
        await site.advance(timedelta(days=7))
    else:
        pytest.fail("the program did not finish")

    assert (await site.state()).answers == []
    # Every link of the program: 3 check-ins and a reflection per session and person,
    # and two reviews each. None recorded anything; no email but the program's own.
    sessions = len(state.sessions)
    assert opened == len(seen) == 2 * (4 * sessions + 2)
    assert {r.kind for r in site.smtp.handler.received} <= {
        "welcome", "invite", "reminder", "reflection", "check_in_reminder", "pair_nudge", "at_risk_alert",
        "midpoint_review", "closing_review", "completion_notice",
    }  # fmt: skip
    # After the end, each link says the program has finished.
    for url in seen:
        page = await site.get(url)
        assert (page.status, page.said) == (
            410,
            "Reverse mentoring The program has finished This program has finished. Thank you for taking part! "
            "This page keeps no cookies and runs no scripts.",
        )
