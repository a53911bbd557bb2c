"""report.html in Debian's Chromium with the network blocked (every request but the
file itself is aborted): the page renders whole, the timeline has a row for each pair,
and the headline numbers are on the page; a screenshot shows it drawn.

`playwright install` is never run: the test launches /usr/bin/chromium, which
scripts/install-system-deps.sh installs."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from PIL import Image
from playwright.async_api import Route, async_playwright

from mentoring.cohort import Language
from mentoring_service.reporting.gather import gather
from mentoring_service.reporting.output import write_report
from tests.report_program import COHORT_ID, PAIRS, simulated_cohort
from tests.test_response_site_browser import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.browser


async def test_the_report_renders_offline_with_its_picture_and_headline(tmp_path):
    async with simulated_cohort(tmp_path / "sim") as sim:
        await sim.advance(timedelta(weeks=5))
        await sim.operate()
        await sim.advance(timedelta(weeks=2))
        gathered = await gather(sim.client, COHORT_ID)
    folder = tmp_path / "report"
    write_report(gathered, folder, Language.EN, pdf=False)
    figures = json.loads((folder / "report.json").read_text(encoding="utf-8"))["figures"]
    page_url = (folder / "report.html").as_uri()
    requested: list[str] = []

    async def only_the_file(route: Route) -> None:
        requested.append(route.request.url)
        if route.request.url == page_url:
            await route.continue_()
        else:
            await route.abort()

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page(viewport={"width": 1100, "height": 900})
            await page.route("**/*", only_the_file)
            failed: list[str] = []
            page.on("requestfailed", lambda request: failed.append(request.url))
            await page.goto(page_url)
            shot = await page.locator("#timeline svg").screenshot()
            full = await page.screenshot(full_page=True)
            rows = await page.eval_on_selector_all("#timeline svg g[id^='pair-']", "groups => groups.map(g => g.id)")
            labels = await page.eval_on_selector_all("#timeline svg text", "texts => texts.map(t => t.textContent)")
            box = await page.locator("#timeline svg").bounding_box()
            headline = {
                key: await page.locator(f"#{key}").inner_text()
                for key in ("pairs-started", "sessions-held", "held-rate", "pairs-at-risk")
            }
        finally:
            await browser.close()
    (tmp_path / "report.png").write_bytes(full)

    assert requested == [page_url] and failed == []
    assert {row.split("-")[1] for row in rows} == set(PAIRS)
    assert [label for label in labels if label in PAIRS] == list(PAIRS)
    assert box is not None and box["width"] > 800 and box["height"] > 200
    # The picture was drawn: many colours, and the held sessions' green among them.
    picture = Image.open(io.BytesIO(shot)).convert("RGB")
    colours = picture.getcolors(maxcolors=1 << 20)
    assert colours is not None and len(colours) > 50
    assert any(abs(r - 0x2E) < 8 and abs(g - 0x7D) < 8 and abs(b - 0x32) < 8 for _, (r, g, b) in colours)
    sessions = figures["sessions"]
    assert headline == {
        "pairs-started": str(figures["pairs"]["started"]),
        "sessions-held": f"{sessions['held']} / {sessions['planned']}",
        "held-rate": f"{round(100 * figures['held_rate']['rate'])}%",
        "pairs-at-risk": str(figures["health"]["at_risk"]),
    }
    assert figures["pairs"]["started"] == 6 and sessions["held"] > 0
