"""The dev server's Temporal UI, with the two codec settings its flags cannot set.

``temporal server start-dev`` (CLI 1.9.1, UI 2.54) configures its UI only with
``--ui-codec-endpoint``: it has no flag, environment variable or config file for the UI's
``codec.includeCredentials``, ``defaultErrorMessage`` or ``defaultErrorLink``. Without
``includeCredentials`` the UI calls the codec server without its session cookie, every
decode gets 401, and the UI says "Codec Server could not connect". Admins could fix that
per browser in the UI's codec settings, in about seven clicks.

This gateway stands where admins open the UI and passes every request through to the
dev server's UI unchanged, except the answer to ``GET /api/v1/settings``, where it sets

* ``Codec.IncludeCredentials``: the UI sends the codec server's session cookie, as the
  docker-compose UI does (``TEMPORAL_CODEC_INCLUDE_CREDENTIALS=true``);
* ``Codec.DefaultErrorMessage`` and ``DefaultErrorLink``: when decoding fails, the UI
  tells the admin to sign in and links to the codec server's sign-in page.

For ``make run`` only; a deployed UI server takes these settings from its own config.

    python -m devstack.ui_gateway --port 8233 --upstream http://127.0.0.1:8234 --sign-in-url URL
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Mapping

import aiohttp
from aiohttp import web
from multidict import CIMultiDict

from mentoring_service.serving import CannotListen, serve_forever

SETTINGS_PATH = "/api/v1/settings"
SIGN_IN_MESSAGE = "Payloads stay encrypted until you sign in to the codec server. Sign in, then reload this page"
# Headers of one connection, which aiohttp sets for its own; Accept-Encoding is replaced below.
HOP_BY_HOP = frozenset(
    h.casefold()
    for h in (
        "Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization", "TE", "Trailer",
        "Transfer-Encoding", "Upgrade", "Content-Length", "Accept-Encoding",
    )
)  # fmt: skip
UPSTREAM: web.AppKey[str] = web.AppKey("upstream", str)
SIGN_IN_URL: web.AppKey[str] = web.AppKey("sign_in_url", str)
SESSION: web.AppKey[aiohttp.ClientSession] = web.AppKey("session", aiohttp.ClientSession)


def patch_settings(settings: dict, sign_in_url: str) -> dict:
    codec = settings.setdefault("Codec", {})
    codec["IncludeCredentials"] = True
    codec["DefaultErrorMessage"] = SIGN_IN_MESSAGE
    codec["DefaultErrorLink"] = sign_in_url
    return settings


def forwarded(headers: Mapping[str, str]) -> CIMultiDict[str]:
    # A multidict: several Set-Cookie headers must all get through.
    return CIMultiDict((k, v) for k, v in headers.items() if k.casefold() not in HOP_BY_HOP)


async def relay(request: web.Request) -> web.StreamResponse:
    session = request.app[SESSION]
    url = request.app[UPSTREAM] + request.rel_url.raw_path_qs
    body = await request.read() if request.can_read_body else None
    try:
        upstream = await session.request(
            request.method,
            url,
            # Uncompressed: the settings answer must be read, and on one machine gzip gains nothing.
            headers=[*forwarded(request.headers).items(), ("Accept-Encoding", "identity")],
            data=body,
            allow_redirects=False,
        )
    except aiohttp.ClientError as error:
        return web.Response(status=502, text=f"The dev server's UI does not answer: {error}\n")
    async with upstream:
        headers = forwarded(upstream.headers)
        if request.method == "GET" and request.path == SETTINGS_PATH and upstream.status == 200:
            settings = patch_settings(json.loads(await upstream.read()), request.app[SIGN_IN_URL])
            headers.popall("Content-Type", None)
            return web.json_response(settings, headers=headers)
        response = web.StreamResponse(status=upstream.status, reason=upstream.reason, headers=headers)
        await response.prepare(request)
        async for chunk in upstream.content.iter_any():
            await response.write(chunk)
        await response.write_eof()
        return response


async def _session(app: web.Application):
    # Cookies pass through as headers: the gateway itself keeps none.
    async with aiohttp.ClientSession(
        cookie_jar=aiohttp.DummyCookieJar(),
        auto_decompress=False,
        timeout=aiohttp.ClientTimeout(total=None, sock_connect=10),  # the UI may hold a request open
    ) as session:
        app[SESSION] = session
        yield


def create_app(upstream: str, sign_in_url: str) -> web.Application:
    app = web.Application(client_max_size=64 * 1024 * 1024)
    app[UPSTREAM] = upstream.rstrip("/")
    app[SIGN_IN_URL] = sign_in_url
    app.cleanup_ctx.append(_session)
    app.router.add_route("*", "/{tail:.*}", relay)
    return app


async def serve(app: web.Application, host: str, port: int) -> None:
    await serve_forever(
        app, host, port, lambda: print(f"UI gateway on http://{host}:{port} for {app[UPSTREAM]}", flush=True)
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devstack.ui_gateway", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, required=True, help="where admins open the UI")
    parser.add_argument("--upstream", required=True, help="the dev server's own UI, e.g. http://127.0.0.1:8234")
    parser.add_argument(
        "--sign-in-url", required=True, help="the codec server's sign-in page, linked when decoding fails"
    )
    args = parser.parse_args(argv)
    try:
        asyncio.run(serve(create_app(args.upstream, args.sign_in_url), args.host, args.port))
    except CannotListen as error:
        print(f"UI gateway: {error}", file=sys.stderr, flush=True)
        return 1
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
