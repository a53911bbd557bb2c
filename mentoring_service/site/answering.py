"""A sent form, for each kind of page: checked, handed to the pair, and answered with
a page that says what happened. A form with a mistake is shown again with what was
typed, and nothing is recorded."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from aiohttp import web

from mentoring.answers import CheckInChoice
from mentoring_service.links import Link
from mentoring_service.site import forms, journal
from mentoring_service.site.form_pages import Screen, form_page, question_set, questions
from mentoring_service.site.gateway import Outcome, Recorded
from mentoring_service.site.pages import notice, when_text
from mentoring_service.site.slots import free_slots
from mentoring_service.site.texts import Texts

if TYPE_CHECKING:
    from mentoring_service.site.routes import Site

log = logging.getLogger("response_site")


def _outcome_page(screen: Screen, recorded: Recorded, done: list[str], later: list[str]) -> web.Response:
    """The page after the pair was asked to record: ``done`` says what the answer did,
    ``later`` what will still happen when it is recorded later."""
    link, view = screen.link, screen.view
    language, t = link.language, Texts(link.language)
    # Pair, item and outcome only: never a name, an address, a token or what was written.
    log.info("pair %s: %s answer %s", link.workflow_id, link.item, recorded.outcome.value)
    thanks = t("thanks_title", name=view.first_name) if view else t("thanks_title_anonymous")
    match recorded.outcome:
        case Outcome.RECORDED:
            return notice(language, thanks, *done)
        case Outcome.RECORDED_BEFORE:
            return notice(language, thanks, t("already"))
        case Outcome.LATER:
            return notice(language, t("later_title"), t("later"), *later, status=202)
        case Outcome.ALREADY:
            return notice(language, t("already_title"), t("already"), status=409)
        case Outcome.REFUSED:
            return notice(language, t("refused_title"), t("refused", reason=recorded.reason or ""), status=409)
        case Outcome.FINISHED:
            return notice(language, t("finished_title"), t("finished"), status=410)
        case Outcome.UNKNOWN:
            return notice(language, t("unknown_title"), t("unknown"), status=404)
    # Not even the signal reached Temporal: the form again, as typed, to send later.
    screen.message = t("unavailable")
    return form_page(screen, 503)


async def check_in(site: Site, screen: Screen, data: dict[str, str], answer_id: str) -> web.Response:
    t, view = Texts(screen.language), screen.view
    screen.slots = free_slots(view, screen.now) if view else None
    answer, screen.form = forms.check_in(data, screen.link, answer_id, screen.slots, t)
    if answer is None:
        return form_page(screen, 400)
    recorded = await site.gateway.record(screen.link, answer, worker_down=view is None)
    if answer.choice != CheckInChoice.NEW_DATE:
        return _outcome_page(screen, recorded, [t(f"recorded_{answer.choice.value}")], [])
    # A new date is only offered with the pair's view at hand.
    assert view is not None and screen.slots
    slot = next(s for s in screen.slots if s.local == answer.new_local_start)
    when = when_text(slot.starts, slot.ends, view.own_timezone, screen.language)
    done = [t("recorded_new_date", when=when, partner=view.partner_first_name)]
    return _outcome_page(screen, recorded, done, [t("later_new_date")])


def _entries(link: Link, chosen: tuple[str, ...], texts: list[str]) -> tuple[tuple[int, str, str], ...]:
    if not chosen:
        return tuple((0, "", text) for text in texts if text)
    return tuple(
        (number, question, text) for number, (question, text) in enumerate(zip(chosen, texts, strict=True), 1) if text
    )


async def reflection(site: Site, screen: Screen, data: dict[str, str], answer_id: str) -> web.Response:
    """The text goes out by mail first and is then dropped: only the ratings and whether
    it was shared reach the pair, and only once the mail is out."""
    t, view, link = Texts(screen.language), screen.view, screen.link
    asked = questions(link, question_set(view) or data.get("set"))
    answer, texts, screen.form = forms.reflection(data, link, answer_id, len(asked) or 1, t)
    if answer is None:
        return form_page(screen, 400)
    if view is None:
        # Without the pair's answer there is nobody to mail the text to.
        screen.message = t("journal_unknown")
        return form_page(screen, 503)
    entry = journal.Journal(screen.language, view, _entries(link, asked, texts), answer.shared)
    try:
        await journal.send(entry, site.mail)
    except journal.JournalError as error:
        log.warning("pair %s: journal mail not sent (%s)", link.workflow_id, error)
        screen.message = t("journal_failed")
        return form_page(screen, 503)
    recorded = await site.gateway.record(link, answer)
    shared = t("recorded_reflection_shared", partner=view.partner_first_name)
    done = [shared if answer.shared else t("recorded_reflection"), t("text_not_kept")]
    return _outcome_page(screen, recorded, done, done)


async def review(site: Site, screen: Screen, data: dict[str, str], answer_id: str) -> web.Response:
    t = Texts(screen.language)
    answer, screen.form = forms.review(data, screen.link, answer_id, t)
    if answer is None:
        return form_page(screen, 400)
    recorded = await site.gateway.record(screen.link, answer, worker_down=screen.view is None)
    return _outcome_page(screen, recorded, [t("recorded_review")], [])


Answering = Callable[["Site", Screen, dict[str, str], str], Awaitable[web.Response]]
ANSWER: dict[str, Answering] = {"check_in": check_in, "reflection": reflection, "review": review}
