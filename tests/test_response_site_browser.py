"""A participant answers everything from the emails, in Debian's chromium on a phone's
width (390 px), driven by Playwright: links taken from real .eml files of the inbox,
a check-in by keyboard, a reflection shared and one not, a new date and a closing
review by clicks; in German for one pair and English for another. The workflow's
state, the emails sent and the resulting invites are checked after each.

`playwright install` is never run (it would download a browser): the test launches
/usr/bin/chromium, which scripts/install-system-deps.sh installs."""

from __future__ import annotations

import email
import email.policy
import os
import re
from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, async_playwright
from playwright.async_api import expect as expect_page

from activities.reflection_questions import questions_for
from mentoring.answers import CheckInAnswer, KeepMeeting, ReflectionAnswer, ReviewAnswer, ReviewStage
from mentoring.cohort import Language, Role
from mentoring.messages import MentoringFunction
from mentoring.state import SessionStatus
from tests.site_harness import SIGNER, link_name, site_program, text_part

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
PHONE = {"width": 390, "height": 844}
MENTOR, MENTEE = "mentor-p1@example.com", "mentee-p1@example.com"

WORDS = {
    Language.EN: {
        "locale": "en-GB",
        "met": "We met",
        "new_date": "We need a new date",
        "send": "Send",
        "thanks": "Thank you, {name}",
        "moved": "Your session moves to",
        "career": "Career and development",
        "emotional": "How you feel in it",
        "share": "Share with my partner",
        "focus": "Progress on your focus",
        "recommend": "Would you recommend reverse mentoring",
        "keep": "Will the two of you keep meeting after the program?",
        "yes": "Yes",
        "comment": "A comment to the program office (optional)",
        "shared_subject": "Reflection by Lena on session 1 of {total}",
        "own_subject": "Your reflection on session 1 of {total}",
    },
    Language.DE: {
        "locale": "de-DE",
        "met": "Wir haben uns getroffen",
        "new_date": "Wir brauchen einen neuen Termin",
        "send": "Absenden",
        "thanks": "Vielen Dank, {name}",
        "moved": "Ihr Termin wird auf",
        "career": "Berufliche Entwicklung",
        "emotional": "Ihr Erleben",
        "share": "Mit meinem Gegenüber teilen",
        "focus": "Fortschritt bei Ihrem Schwerpunkt",
        "recommend": "Würden Sie Reverse Mentoring",
        "keep": "Werden Sie sich nach dem Programm weiter treffen?",
        "yes": "Ja",
        "comment": "Ein Kommentar an das Programmbüro (freiwillig)",
        "shared_subject": "Reflexion von Lena zu Termin 1 von {total}",
        "own_subject": "Ihre Reflexion zu Termin 1 von {total}",
    },
}


# One browser for the module: each test opens a context of its own, which shares no
# cookie, storage or cache with another.
@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: run `bash scripts/install-system-deps.sh` (as root)")
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            await launched.close()


def eml_link(site, address: str, kind: str, name: str, folder: Path) -> str:
    """The link named ``name`` in the last ``kind`` email to ``address``, read back
    from the .eml file the inbox's message makes."""
    path = folder / f"{kind}-{address}.eml"
    path.write_bytes(site.messages(address, kind)[-1].as_bytes())
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    urls = re.findall(re.escape(site.site_url) + r"/a/[A-Za-z0-9_.-]+", text_part(message))
    return next(url for url in urls if link_name(SIGNER.read(url.rsplit("/", 1)[1], date.min)) == name)


async def fits_the_phone(page: Page) -> None:
    assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


async def tab_to(page: Page, selector: str) -> None:
    """Tab through the page until ``selector`` has the focus, as a keyboard user does."""
    for _ in range(20):
        await page.keyboard.press("Tab")
        if await page.evaluate(f"document.activeElement.matches({selector!r})"):
            return
    pytest.fail(f"the keyboard never reached {selector}")


async def focus_is_visible(page: Page) -> None:
    style = await page.evaluate("(e => [getComputedStyle(e).outlineStyle, getComputedStyle(e).outlineWidth])"
                                "(document.activeElement)")  # fmt: skip
    assert style == ["solid", "3px"]


@pytest.mark.parametrize("language", [Language.DE, Language.EN], ids=["de", "en"])
async def test_a_pair_answers_everything_from_its_emails_on_a_phone(language, browser, tmp_path):
    words = WORDS[language]
    context = await browser.new_context(viewport=PHONE, locale=words["locale"])
    context.set_default_timeout(10_000)
    page = await context.new_page()
    async with site_program() as site:
        await site.start_pair(language=language)
        state = await site.after_session(0)
        total = len(state.sessions)

        # Lena checks in by keyboard: her link chose "we met" already; Tab, Tab, Enter.
        await page.goto(eml_link(site, MENTOR, "reflection", "met", tmp_path))
        assert await page.evaluate("document.documentElement.lang") == language.value
        await expect_page(page.get_by_role("radio", name=words["met"])).to_be_checked()
        await fits_the_phone(page)
        await tab_to(page, "#choice-met")
        await focus_is_visible(page)
        await tab_to(page, "button[type=submit]")
        await focus_is_visible(page)
        await page.keyboard.press("Enter")
        await expect_page(page.get_by_role("heading", level=1)).to_have_text(words["thanks"].format(name="Lena"))
        state = await site.state()
        assert state.sessions[0].status == SessionStatus.HELD
        assert [(type(r.answer), r.answer.role) for r in state.answers] == [(CheckInAnswer, Role.MENTOR)]

        # Lena's reflection, shared with Klaus.
        questions = questions_for(Role.MENTOR, MentoringFunction.CAREER, 0, language)
        await page.goto(eml_link(site, MENTOR, "reflection", "reflection", tmp_path))
        await page.get_by_label(f"1. {questions[0]}").fill("Erste Antwort – first answer")
        await page.get_by_label(f"3. {questions[2]}").fill("Line one\nline two")
        await page.get_by_role("group", name=words["career"]).get_by_label("4", exact=True).check()
        await page.get_by_label(words["share"]).check()
        await fits_the_phone(page)
        await page.screenshot(path=tmp_path / "reflection.png", full_page=True)
        await page.get_by_role("button", name=words["send"]).click()
        await expect_page(page.get_by_role("heading", level=1)).to_have_text(words["thanks"].format(name="Lena"))
        journals = [r for r in site.smtp.handler.received if r.kind == "reflection_journal"]
        assert sorted(r.recipient for r in journals) == [MENTEE, MENTOR]
        assert journals[0].message["Subject"] == words["shared_subject"].format(total=total)
        assert "Erste Antwort – first answer" in text_part(journals[0].message)
        assert "Line one\nline two" in text_part(journals[0].message)

        # Klaus's reflection, for himself: by keyboard, Enter on the button.
        await page.goto(eml_link(site, MENTEE, "reflection", "reflection", tmp_path))
        await page.keyboard.press("Tab")
        await page.keyboard.type("Nur für mich")
        await page.get_by_role("group", name=words["emotional"]).get_by_label("5", exact=True).check()
        await tab_to(page, "button[type=submit]")
        await page.keyboard.press("Enter")
        await expect_page(page.get_by_role("heading", level=1)).to_have_text(words["thanks"].format(name="Klaus"))
        journals = [r for r in site.smtp.handler.received if r.kind == "reflection_journal"]
        assert [r.recipient for r in journals[2:]] == [MENTEE]
        assert journals[2].message["Subject"] == words["own_subject"].format(total=total)
        reflections = [r.answer for r in (await site.state()).answers if isinstance(r.answer, ReflectionAnswer)]
        assert [(a.role, a.ratings.career, a.ratings.emotional, a.shared) for a in reflections] == [
            (Role.MENTOR, 4, None, True),
            (Role.MENTEE, None, 5, False),
        ]

        # After session 2, Klaus needs a new date: the first one offered, by clicks.
        state = await site.after_session(1)
        second = state.sessions[1]
        await page.goto(eml_link(site, MENTEE, "reflection", "new_date", tmp_path))
        await expect_page(page.get_by_role("radio", name=words["new_date"])).to_be_checked()
        first_slot = page.locator("input[name=slot]").first
        chosen = await first_slot.get_attribute("value")
        await first_slot.check()
        await page.get_by_role("button", name=words["send"]).click()
        await expect_page(page.locator("main")).to_contain_text(words["moved"])
        await site.settle()
        moved = (await site.state()).sessions[1]
        assert (moved.local_start.isoformat(timespec="minutes"), moved.sequence) == (chosen, 1)
        for address in (MENTOR, MENTEE):
            assert site.calendar(address)[second.uid] == (moved.starts_at, 1)
        assert "new_date_chosen" in site.kinds(MENTOR) and "new_date_chosen" not in site.kinds(MENTEE)

        # The closing review, by clicks.
        await site.advance(state.closing_at + timedelta(minutes=1) - await site.now())
        await page.goto(eml_link(site, MENTEE, "closing_review", "review", tmp_path))
        await page.get_by_role("group", name=words["career"]).get_by_label("5", exact=True).check()
        await page.get_by_role("group", name=words["focus"]).get_by_label("4", exact=True).check()
        await page.get_by_role("group", name=words["recommend"]).get_by_label("9", exact=True).check()
        await page.get_by_role("group", name=words["keep"]).get_by_label(words["yes"], exact=True).check()
        await page.get_by_label(words["comment"]).fill("Gerne wieder – happy to do it again.")
        await fits_the_phone(page)
        await page.screenshot(path=tmp_path / "closing.png", full_page=True)
        await page.get_by_role("button", name=words["send"]).click()
        await expect_page(page.get_by_role("heading", level=1)).to_have_text(words["thanks"].format(name="Klaus"))
        (review,) = [r.answer for r in (await site.state()).answers if isinstance(r.answer, ReviewAnswer)]
        assert (review.role, review.stage, review.ratings.career, review.focus_progress) == (
            Role.MENTEE,
            ReviewStage.CLOSING,
            5,
            4,
        )
        assert (review.recommend, review.keep_meeting) == (9, KeepMeeting.YES)
        assert review.comment_to_office == "Gerne wieder – happy to do it again."
    await context.close()
