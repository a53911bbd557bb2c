"""The codec server: lets authorised admins read encrypted payloads in the Temporal UI
and with the ``temporal`` CLI, following Temporal's codec-server protocol.

    POST /decode   {"payloads": [<Payload as protobuf JSON>, ...]}  ->  {"payloads": [...]}
    POST /encode   the same, the other way (the UI encodes input it sends, e.g. a signal)

Each request names its namespace in ``X-Namespace``. Only the last path segment
selects the operation, so the server may be mounted under any prefix.

Who may decode: whoever presents one of the configured tokens, either

* as ``Authorization: Bearer <token>`` (the CLI: ``--codec-auth "Bearer <token>"``, or
  any HTTP client), or
* as the session cookie that ``/login`` sets after the token was typed in there once,
  or came in the fragment of a sign-in link ``/login#token=<token>`` (what ``make run``
  prints; a fragment never reaches a server or a log). The Temporal UI sends the cookie
  when its ``codec.includeCredentials`` is on (``TEMPORAL_CODEC_INCLUDE_CREDENTIALS=true``
  for the UI server; ``devstack/ui_gateway.py`` for the dev server's UI). The UI without
  its own login has no access token to pass, so the cookie is how a browser gets in.
  With ``--ui-url``, signing in goes straight on to that page of the UI.

Anything else gets 401. Browsers may call it only from the allowed origins (CORS);
a request from any other origin gets 403, and preflights (OPTIONS) need no token.

    python codec_server.py [--host 127.0.0.1] [--port 8081] [--allow-origin URL ...] [--ui-url URL]

Settings from the environment (``KeySettings`` and ``CodecServerSettings``):

* keys: ``MENTORING_ENCRYPTION_KEYS`` / ``MENTORING_ACTIVE_KEY_ID`` / ``MENTORING_KEY_FILE``
  (see ``mentoring_service/keys.py``);
* ``MENTORING_CODEC_TOKENS``: comma-separated tokens (at least 16 characters each), or
  ``MENTORING_CODEC_TOKEN_FILE``: a file with one token per line;
* ``MENTORING_CODEC_ORIGINS``: comma-separated browser origins of the Temporal UI,
  e.g. ``http://localhost:8080``.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import hmac
import html
import logging
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from aiohttp import web
from google.protobuf import json_format
from temporalio.api.common.v1 import Payloads
from temporalio.converter import PayloadCodec

from mentoring_service.codec import DecryptionError, EncryptionCodec, UnknownKeyError
from mentoring_service.keys import KeyConfigError
from mentoring_service.serving import CannotListen, serve_forever
from mentoring_service.settings import CodecServerSettings, env_var, env_vars

log = logging.getLogger("codec_server")

ENV_TOKENS = env_var(CodecServerSettings, "codec_tokens")
ENV_TOKEN_FILE = env_var(CodecServerSettings, "codec_token_file")
ENV_ORIGINS = env_var(CodecServerSettings, "codec_origins")
ENV_VARS = env_vars(CodecServerSettings)

DEFAULT_PORT = 8081
COOKIE = "mentoring_codec_session"
SESSION_SECONDS = 8 * 3600
MIN_TOKEN_LENGTH = 16
MAX_BODY = 16 * 1024 * 1024  # a batch of payloads of up to 2 MB each
ALLOWED_HEADERS = "Authorization, Content-Type, X-Namespace"

CODEC: web.AppKey[PayloadCodec] = web.AppKey("codec", PayloadCodec)
TOKENS: web.AppKey[tuple[bytes, ...]] = web.AppKey("tokens", tuple)
ORIGINS: web.AppKey[frozenset[str]] = web.AppKey("origins", frozenset)
UI_URL: web.AppKey[str] = web.AppKey("ui_url", str)


class ConfigError(ValueError):
    pass


# --- settings ---------------------------------------------------------------------------


def check_tokens(tokens: Iterable[str]) -> list[str]:
    """The tokens without blanks and comment lines; each long and plain enough for a header."""
    tokens = [t for t in tokens if t and not t.startswith("#")]
    if not tokens:
        raise ConfigError(
            f"no access token: set {ENV_TOKENS} (comma-separated) or {ENV_TOKEN_FILE}; "
            'e.g. python -c "import secrets; print(secrets.token_urlsafe(32))"'
        )
    for token in tokens:
        if len(token) < MIN_TOKEN_LENGTH:
            raise ConfigError(f"every codec token needs at least {MIN_TOKEN_LENGTH} characters")
        if any(c.isspace() or c in ',;"\\' for c in token) or not token.isprintable():
            raise ConfigError("a codec token may not contain spaces, commas, semicolons, quotes or backslashes")
    return tokens


def read_token_file(path: Path) -> list[str]:
    try:
        lines = path.read_text().splitlines()
    except OSError as error:
        raise ConfigError(f"cannot read {ENV_TOKEN_FILE} {path}: {error.strerror or error}") from None
    return check_tokens(line.strip() for line in lines)


def load_tokens(settings: CodecServerSettings | None = None) -> list[str]:
    settings = settings or CodecServerSettings()
    if settings.codec_tokens and settings.codec_token_file:
        raise ConfigError(f"set either {ENV_TOKENS} or {ENV_TOKEN_FILE}, not both")
    if settings.codec_token_file:
        return read_token_file(settings.codec_token_file)
    return check_tokens(t.strip() for t in settings.codec_tokens.split(","))


def load_origins(extra: Iterable[str] = (), settings: CodecServerSettings | None = None) -> list[str]:
    settings = settings or CodecServerSettings()
    origins = [o.strip().rstrip("/") for o in [*settings.codec_origins.split(","), *extra] if o.strip()]
    for origin in origins:
        scheme, sep, rest = origin.partition("://")
        if scheme not in ("http", "https") or not sep or not rest or "/" in rest or origin == "*":
            raise ConfigError(f"{origin!r} is not an origin like http://localhost:8080 (no path, no '*')")
    return origins


# --- HTTP -------------------------------------------------------------------------------


def cors_headers(request: web.Request) -> dict[str, str]:
    origin = request.headers.get("Origin")
    if origin and origin in request.app[ORIGINS]:
        return {
            "Access-Control-Allow-Origin": origin,
            "Access-Control-Allow-Credentials": "true",
            "Vary": "Origin",
        }
    return {"Vary": "Origin"}


def origin_refused(request: web.Request) -> bool:
    """A browser request from a page that is not the UI. (The CLI sends no Origin.)"""
    origin = request.headers.get("Origin")
    return origin is not None and origin not in request.app[ORIGINS]


def presented_token(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.cookies.get(COOKIE)


def authorised(request: web.Request) -> bool:
    token = presented_token(request)
    if not token:
        return False
    given = token.encode()
    # Compare against every token, in constant time each, so timing tells nothing.
    matches = [hmac.compare_digest(given, known) for known in request.app[TOKENS]]
    return any(matches)


def error(request: web.Request, status: int, message: str, **headers: str) -> web.Response:
    return web.json_response({"error": message}, status=status, headers={**cors_headers(request), **headers})


async def preflight(request: web.Request) -> web.Response:
    if origin_refused(request) or "Origin" not in request.headers:
        return web.Response(status=403, text="origin not allowed\n", headers={"Vary": "Origin"})
    return web.Response(
        status=204,
        headers={
            **cors_headers(request),
            "Access-Control-Allow-Methods": "POST, OPTIONS",
            "Access-Control-Allow-Headers": ALLOWED_HEADERS,
            "Access-Control-Max-Age": "600",
        },
    )


async def convert(request: web.Request) -> web.Response:
    operation = request.path.rstrip("/").rsplit("/", 1)[-1]
    if operation not in ("decode", "encode"):
        return error(request, 404, "POST to .../decode or .../encode")
    if origin_refused(request):
        return web.Response(status=403, text="origin not allowed\n", headers={"Vary": "Origin"})
    if not authorised(request):
        return error(
            request,
            401,
            "not signed in: sign in on this server's /login page with your access token "
            "(make run prints a sign-in link), or send Authorization: Bearer <token>",
            **{"WWW-Authenticate": 'Bearer realm="codec"'},
        )
    if request.content_type != "application/json":
        return error(request, 415, "send Content-Type: application/json")
    try:
        payloads = json_format.Parse(await request.text(), Payloads(), ignore_unknown_fields=True)
    except (json_format.ParseError, UnicodeDecodeError) as parse_error:
        return error(request, 400, f"body is not Payloads JSON: {parse_error}")
    codec = request.app[CODEC]
    namespace = request.headers.get("X-Namespace", "-")
    try:
        if operation == "decode":
            result = await codec.decode(payloads.payloads)
        else:
            result = await codec.encode(payloads.payloads)
    except (UnknownKeyError, DecryptionError) as codec_error:
        log.warning("%s for namespace %s refused: %s", operation, namespace, codec_error)
        return error(request, 422, str(codec_error))
    # The UI sends one request per payload it shows, so at INFO this would be a line per
    # payload; refusals and sign-ins are what an admin needs to see.
    log.debug("%s %d payloads for namespace %s", operation, len(result), namespace)
    body = {"payloads": [json_format.MessageToDict(p) for p in result]}
    return web.json_response(body, headers={**cors_headers(request), "Cache-Control": "no-store"})


LOGIN_SCRIPT = """
const token = new URLSearchParams(location.hash.slice(1)).get("token");
if (token) {
  history.replaceState(null, "", location.pathname + location.search);
  const form = document.getElementById("sign-in");
  form.elements.token.value = token;
  form.submit();
}
"""
# The sign-in link make run prints carries the token in the fragment, which the browser
# never sends to any server; this script (allowed by its hash, nothing else runs) posts it.
LOGIN_SCRIPT_HASH = base64.b64encode(hashlib.sha256(LOGIN_SCRIPT.encode()).digest()).decode()

LOGIN_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Codec server: sign in</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 3em auto">
<h1>Reverse mentoring: codec server</h1>
<p id="message">{message}</p>
<form id="sign-in" method="post" action="login">
<label>Access token <input type="password" name="token" autocomplete="off" size="50" autofocus></label>
<button type="submit">Sign in</button>
</form>
<p>Once you are signed in, the Temporal UI shows payloads decoded: summaries, details
and event history. Sessions last {hours} hours; <a href="logout">sign out</a>.</p>
<script>{script}</script>
</body></html>
"""


def page(request: web.Request, message: str, status: int = 200, **headers: str) -> web.Response:
    text = LOGIN_PAGE.format(message=html.escape(message), hours=SESSION_SECONDS // 3600, script=LOGIN_SCRIPT)
    # Signing in goes on to the UI, and a redirect after a POST counts as form-action.
    origins: frozenset[str] = request.app[ORIGINS]
    form_targets = " ".join(["'self'", *sorted(origins)])
    return web.Response(
        text=text,
        status=status,
        content_type="text/html",
        headers={
            "Cache-Control": "no-store",
            "Content-Security-Policy": (
                f"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{LOGIN_SCRIPT_HASH}'; "
                f"form-action {form_targets}; frame-ancestors 'none'"
            ),
            "X-Frame-Options": "DENY",
            "Referrer-Policy": "same-origin",  # "no-referrer" would make the form post Origin: null
            **headers,
        },
    )


async def login_form(request: web.Request) -> web.Response:
    if authorised(request):
        return page(request, "You are signed in.")
    return page(request, "Sign in with the access token an administrator gave you.")


async def login(request: web.Request) -> web.Response:
    origin = request.headers.get("Origin")
    if origin is not None and origin.partition("://")[2] != request.host:  # scheme may differ behind a TLS proxy
        return web.Response(status=403, text="sign in on this server's own page\n")
    form = await request.post()
    token = str(form.get("token", "")).strip()
    known = request.app[TOKENS]
    if not token or not any([hmac.compare_digest(token.encode(), k) for k in known]):
        log.warning("failed codec sign-in from %s", request.remote)
        return page(request, "That token is not valid.", status=401)
    if ui_url := request.app[UI_URL]:  # straight on to the UI, which now decodes
        response = web.Response(status=303, headers={"Location": ui_url, "Cache-Control": "no-store"})
    else:
        response = page(request, "You are signed in. Go back to the Temporal UI and reload it.")
    response.set_cookie(
        COOKIE,
        token,
        max_age=SESSION_SECONDS,
        httponly=True,
        samesite="Strict",
        secure=request.secure,
        path="/",
    )
    log.info("codec sign-in from %s", request.remote)
    return response


async def logout(request: web.Request) -> web.Response:
    response = page(request, "You are signed out.")
    response.del_cookie(COOKIE, path="/")
    return response


async def health(request: web.Request) -> web.Response:
    return web.Response(text="ok\n")


def ui_origin(ui_url: str, origins: Iterable[str]) -> str:
    """The origin of ``ui_url``, which must be one the codec server answers (no open redirect)."""
    scheme, sep, rest = ui_url.partition("://")
    origin = f"{scheme}{sep}{rest.split('/', 1)[0]}"
    if not sep or origin not in origins:
        raise ConfigError(f"--ui-url {ui_url!r} is not a page of an allowed UI origin ({', '.join(origins) or 'none'})")
    return origin


def create_app(
    codec: PayloadCodec, tokens: Sequence[str], origins: Iterable[str] = (), ui_url: str = ""
) -> web.Application:
    if not tokens:
        raise ConfigError("at least one token is required")
    allowed = frozenset(origins)
    if ui_url:
        ui_origin(ui_url, allowed)
    app = web.Application(client_max_size=MAX_BODY)
    app[CODEC] = codec
    app[TOKENS] = tuple(t.encode() for t in tokens)
    app[ORIGINS] = allowed
    app[UI_URL] = ui_url
    app.router.add_get("/healthz", health)
    app.router.add_get("/login", login_form)
    app.router.add_post("/login", login)
    app.router.add_get("/logout", logout)
    app.router.add_route("OPTIONS", "/{tail:.*}", preflight)
    app.router.add_post("/{tail:.*}", convert)
    return app


async def serve(app: web.Application, host: str, port: int) -> None:
    origins: frozenset[str] = app[ORIGINS]

    def started() -> None:
        log.info("codec server on http://%s:%d (origins: %s)", host, port, ", ".join(sorted(origins)) or "none")

    await serve_forever(app, host, port, started)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python codec_server.py", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    parser.add_argument(
        "--allow-origin",
        action="append",
        default=[],
        metavar="URL",
        help=f"a browser origin of the UI (adds to {ENV_ORIGINS})",
    )
    parser.add_argument(
        "--ui-url",
        default="",
        metavar="URL",
        help="where signing in goes on to: a page of the UI, on an allowed origin",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        codec = EncryptionCodec.from_settings()
        app = create_app(codec, load_tokens(), load_origins(args.allow_origin), args.ui_url)
    except (KeyConfigError, ConfigError) as config_error:
        print(f"codec server: {config_error}", file=sys.stderr)
        return 2
    log.info("keys: %s (active %s)", ", ".join(codec.key_ids), codec.active_key_id)
    try:
        asyncio.run(serve(app, args.host, args.port))
    except CannotListen as error:
        log.error("%s", error)
        return 1
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
