"""What a link does: GET shows its page and changes nothing (mail scanners open every
link); POST, from that page with its CSRF token, answers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from aiohttp import web

from mentoring.answers import AnswerView
from mentoring.cohort import Language
from mentoring_service.links import Link, LinkError, LinkSigner
from mentoring_service.settings import MailSettings
from mentoring_service.site import answering
from mentoring_service.site.form_pages import Screen, form_page
from mentoring_service.site.forms import Form
from mentoring_service.site.gateway import PairGateway, Reach, Viewed
from mentoring_service.site.pages import accepted_language, notice, when_text
from mentoring_service.site.slots import free_slots
from mentoring_service.site.texts import Texts

Clock = Callable[[], Awaitable[datetime]]


async def wall_clock() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Site:
    signer: LinkSigner
    gateway: PairGateway
    mail: MailSettings
    # The site's "now": the wall clock, or a time-skipping server's for previews and tests.
    clock: Clock = wall_clock


SITE = web.AppKey("site", Site)


class Stop(Exception):
    """A page instead of the form; the middleware sends it."""

    def __init__(self, response: web.Response) -> None:
        super().__init__(response.status)
        self.response = response


def read_link(site: Site, request: web.Request, now: datetime) -> Link:
    try:
        return site.signer.read(request.match_info["token"], now.astimezone(UTC).date())
    except LinkError as error:
        if error.reason == "expired" and error.language is not None:
            t = Texts(error.language)
            raise Stop(notice(error.language, t("expired_title"), t("expired"), status=410)) from None
        language = accepted_language(request.headers.get("Accept-Language"))
        t = Texts(language)
        raise Stop(notice(language, t("tampered_title"), t("tampered"), status=400)) from None


def _closed(link: Link, view: AnswerView, post: bool) -> web.Response:
    language, t = link.language, Texts(link.language)
    status = 409 if post else 200
    reason = view.closed_because
    if reason == "answered":
        return notice(language, t("already_title"), t("already"), status=status)
    if reason in ("paused", "ended", "cancelled"):
        return notice(language, t("closed_title"), t(f"closed_{reason}"), status=status)
    if reason == "not_yet":
        session = view.session
        line = (
            t("closed_not_yet", when=when_text(session.starts_at, session.ends_at, view.own_timezone, language))
            if session
            else t("closed_not_yet_plain")
        )
        return notice(language, t("closed_title"), line, status=status)
    return notice(language, t("closed_title"), t("closed_unknown"), status=404)


def usable_view(site: Site, link: Link, viewed: Viewed, *, post: bool) -> AnswerView | None:
    """The view, when its page takes an answer; None when the pair cannot be asked
    right now (the page then does without). Any other case stops with its page."""
    t = Texts(link.language)
    if viewed.reach == Reach.FINISHED:
        raise Stop(notice(link.language, t("finished_title"), t("finished"), status=410))
    if viewed.reach == Reach.UNKNOWN:
        raise Stop(notice(link.language, t("unknown_title"), t("unknown"), status=404))
    view = viewed.view
    if view is None:
        return None
    if not site.signer.same_recipient(link, view.email):
        raise Stop(notice(link.language, t("left_title"), t("left"), status=403))
    if not view.open:
        raise Stop(_closed(link, view, post))
    return view


async def show(request: web.Request) -> web.StreamResponse:
    site = request.app[SITE]
    token = request.match_info["token"]
    now = await site.clock()
    link = read_link(site, request, now)
    view = usable_view(site, link, await site.gateway.view(link), post=False)
    screen = Screen(link, site.signer.csrf_token(token), view, now)
    if link.item == "check_in":
        screen.slots = free_slots(view, now) if view else None
        # The email has one link per answer: the page opens with that one chosen.
        screen.form = Form(values={"choice": link.choice.value} if link.choice else {})
    return form_page(screen)


def _csrf(site: Site, link: Link, token: str, data: dict[str, str]) -> None:
    t = Texts(link.language)
    ok = site.signer.csrf_ok(token, data["csrf"]) if data.get("csrf") else False
    if ok is None:
        raise Stop(notice(link.language, t("csrf_title"), t("csrf_old"), status=400, again=""))
    if not ok:
        raise Stop(notice(link.language, t("csrf_title"), t("csrf_bad"), status=400))


async def answer(request: web.Request) -> web.StreamResponse:
    site = request.app[SITE]
    token = request.match_info["token"]
    now = await site.clock()
    link = read_link(site, request, now)
    posted = await request.post()
    # Text fields only; anything else (a file) counts as not filled in.
    data = {key: value for key, value in posted.items() if isinstance(value, str)}
    _csrf(site, link, token, data)
    view = usable_view(site, link, await site.gateway.view(link), post=True)
    # A fresh token: a page shown again gets the whole time to be sent again.
    screen = Screen(link, site.signer.csrf_token(token), view, now)
    answer_id = LinkSigner.answer_id(token)
    return await answering.ANSWER[link.item](site, screen, data, answer_id)


def pages_language(request: web.Request) -> Language:
    return accepted_language(request.headers.get("Accept-Language"))
