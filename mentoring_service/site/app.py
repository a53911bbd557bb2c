"""The response site as an aiohttp application, and serving it.

Every response carries headers that keep its pages out of caches, frames, search
engines and other sites' Referer headers, and a Content-Security-Policy that allows
no script at all. Every failure is a page in the participant's language, never a
stack trace; the log names the pair, the item and the outcome, never a person.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable

from aiohttp import web
from temporalio.client import Client

from mentoring_service.links import LinkSigner
from mentoring_service.serving import serve_forever
from mentoring_service.settings import MailSettings, ResponseSiteSettings
from mentoring_service.site.gateway import PairGateway
from mentoring_service.site.pages import notice
from mentoring_service.site.routes import SITE, Clock, Site, Stop, answer, pages_language, show, wall_clock
from mentoring_service.site.texts import Texts

log = logging.getLogger("response_site")

# Three reflection answers of 10,000 characters, each up to 4 bytes in UTF-8, and the rest.
MAX_BODY = 256 * 1024

HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "X-Robots-Tag": "noindex, nofollow",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
}

_HTTP_PAGES = {404: "not_found", 405: "method", 413: "too_large"}


def _http_page(request: web.Request, error: web.HTTPException) -> web.StreamResponse:
    language = pages_language(request)
    t = Texts(language)
    key = _HTTP_PAGES.get(error.status, "error" if error.status >= 500 else "not_found")
    response = notice(language, t(f"{key}_title"), t(key), status=error.status)
    if error.status == 405 and "Allow" in error.headers:
        response.headers["Allow"] = error.headers["Allow"]
    return response


def _failure(request: web.Request, error: Exception) -> web.StreamResponse:
    # The frames without the message: an exception's text may quote what was typed.
    frames = "".join(traceback.format_tb(error.__traceback__))
    log.error("unexpected %s while answering a request\n%s", type(error).__name__, frames)
    language = pages_language(request)
    t = Texts(language)
    return notice(language, t("error_title"), t("error"), status=500)


@web.middleware
async def pages_only(request: web.Request, handler: Callable[[web.Request], object]) -> web.StreamResponse:
    try:
        response = await handler(request)  # type: ignore[misc]
    except Stop as stop:
        response = stop.response
    except web.HTTPException as error:
        response = _http_page(request, error)
    except Exception as error:
        response = _failure(request, error)
    response.headers.update(HEADERS)
    return response


async def healthz(request: web.Request) -> web.StreamResponse:
    return web.Response(text="ok\n")


def create_app(
    settings: ResponseSiteSettings,
    client: Client,
    signer: LinkSigner,
    mail: MailSettings,
    *,
    clock: Clock | None = None,
) -> web.Application:
    """``clock``: where "now" comes from (default: the wall clock; a time-skipping
    server's for a preview, so that links and new dates follow program time)."""
    app = web.Application(middlewares=[pages_only], client_max_size=MAX_BODY)
    app[SITE] = Site(signer, PairGateway(client, settings.update_timeout_seconds), mail, clock or wall_clock)
    app.router.add_get("/a/{token}", show)
    app.router.add_post("/a/{token}", answer)
    app.router.add_get("/healthz", healthz)
    return app


async def serve(
    settings: ResponseSiteSettings,
    client: Client,
    signer: LinkSigner,
    mail: MailSettings,
    started: Callable[[], None] | None = None,
) -> None:
    """Until cancelled. ``started`` runs once the port is bound."""
    app = create_app(settings, client, signer, mail)

    def announce() -> None:
        log.info(
            "response site on http://%s:%s (links start with %s)", settings.host, settings.port, settings.public_url
        )

    await serve_forever(app, settings.host, settings.port, started or announce)
