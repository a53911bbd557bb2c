"""Access tokens for signing in to the office's mailbox with XOAUTH2 (``INTAKE_AUTH=oauth2``).

One form POST to the token endpoint, answered with a bearer token and its lifetime, by
one of two grants (``INTAKE_OAUTH_PROVIDER``):

- microsoft: the OAuth2 client credentials grant (RFC 6749 4.4), as Microsoft 365 wants
  it for an app that reads a mailbox without a user at the keyboard (IMAP.AccessAsApp):
  the app's id, its secret and the scope.
- google: the JWT bearer grant (RFC 7523) with a service account's signed assertion
  that it acts for the mailbox (domain-wide delegation; ``service_account.py``).

With aiohttp, which the project has already: a grant is one request, and MSAL or
google-auth would add a dependency (and its own cache) for no more than that.

A token is kept until shortly before it expires (``refresh_at``); ``token(fresh=True)``
gets a new one whatever the cache holds, for a server that refused the cached one.

A refusal by the token endpoint (a wrong secret, an unknown app, a scope not granted) is
``TokenRefused``, permanent, and says which setting to look at; the secret and the token
are never in a message or a log line. A token endpoint out of reach, or answering 5xx,
is a ``MailboxError`` like any other lost connection, tried again later.
"""

from __future__ import annotations

import json
import logging
import os
import re
import stat
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp

from mentoring_service.intake.mailbox import MailboxError, SignInRefused
from mentoring_service.intake.service_account import (
    ENV_SERVICE_ACCOUNT_FILE,
    JWT_BEARER,
    assertion,
    read_service_account,
)
from mentoring_service.settings import IntakeSettings, OAuthProvider, env_var

log = logging.getLogger("intake")

TIMEOUT_SECONDS = 30.0
REFRESH_MARGIN_SECONDS = 300.0  # a token is replaced this long before it expires ...
REFRESH_MARGIN_SHARE = 0.1  # ... or this share of its lifetime before, when that is less

ENV_CLIENT_ID = env_var(IntakeSettings, "oauth_client_id")
ENV_SECRET = env_var(IntakeSettings, "oauth_client_secret")
ENV_SECRET_FILE = env_var(IntakeSettings, "oauth_client_secret_file")
ENV_SCOPE = env_var(IntakeSettings, "oauth_scope")
ENV_TENANT = env_var(IntakeSettings, "oauth_tenant")
ENV_TOKEN_URL = env_var(IntakeSettings, "oauth_token_url")

# Microsoft's error descriptions start with a code (AADSTS7000215: invalid secret) that
# says exactly what is wrong; the rest holds trace ids and times.
_AADSTS = re.compile(r"^(AADSTS\d+)\b")


class TokenRefused(SignInRefused):
    """The token endpoint refused the client: a setting is wrong, trying again won't help."""


@dataclass(frozen=True)
class Token:
    value: str
    refresh_at: float  # on ``clock``'s scale
    expires_at: float


def refresh_margin(lifetime: float) -> float:
    """How long before its expiry a token of ``lifetime`` seconds is replaced."""
    return min(REFRESH_MARGIN_SECONDS, lifetime * REFRESH_MARGIN_SHARE)


class TokenSource:
    """Tokens for the client the settings name (``auth_problem`` must be None)."""

    def __init__(
        self,
        settings: IntakeSettings,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,  # for the times a signed assertion states
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.wall = wall
        self.google = settings.oauth_provider == OAuthProvider.GOOGLE
        self._token: Token | None = None
        self.fetched = 0  # tokens got so far

    @property
    def due_at(self) -> float | None:
        """When the cached token should be replaced (None: there is none)."""
        return self._token.refresh_at if self._token else None

    async def token(self, fresh: bool = False) -> str:
        cached = self._token
        if cached is not None and not fresh and self.clock() < cached.refresh_at:
            return cached.value
        self._token = await self._fetch()
        self.fetched += 1
        return self._token.value

    async def _fetch(self) -> Token:
        settings = self.settings
        url, form = self._grant()
        asked = self.clock()
        try:
            timeout = aiohttp.ClientTimeout(total=TIMEOUT_SECONDS)
            async with aiohttp.ClientSession(timeout=timeout) as session:
                async with session.post(url, data=form, headers={"Accept": "application/json"}) as response:
                    status, body = response.status, await response.text()
        except (aiohttp.ClientError, TimeoutError, OSError) as error:
            raise MailboxError(f"cannot reach the token endpoint {_where(url)}: {_why(error)}") from None
        answer = _json(body)
        if status >= 500 or status == 429:
            raise MailboxError(f"the token endpoint {_where(url)} answered {status}")
        if status != 200 and self.google:
            raise TokenRefused(_google_refusal(status, answer))
        if status != 200:
            raise TokenRefused(_refusal(status, answer, ENV_TENANT if settings.oauth_tenant else ENV_TOKEN_URL))
        value, lifetime = answer.get("access_token"), answer.get("expires_in")
        try:
            seconds = float(str(lifetime)) if lifetime is not None else 3600.0  # RFC 6749 5.1: RECOMMENDED
        except (TypeError, ValueError):
            seconds = -1.0
        if not isinstance(value, str) or not value or seconds <= 0:
            raise MailboxError(f"the token endpoint {_where(url)} answered without a usable access_token")
        expires_at = asked + seconds
        return Token(value, expires_at - refresh_margin(seconds), expires_at)

    def _grant(self) -> tuple[str, dict[str, str]]:
        """The token endpoint, and the form that asks it for a token."""
        settings = self.settings
        if self.google:
            if settings.oauth_service_account_file is None:  # auth_problem says so before
                raise SignInRefused(f"INTAKE_OAUTH_PROVIDER=google needs {ENV_SERVICE_ACCOUNT_FILE}")
            account = read_service_account(settings.oauth_service_account_file)
            signed = assertion(account, settings.user, int(self.wall()))
            return account.token_uri, {"grant_type": JWT_BEARER, "assertion": signed}
        form = {
            "grant_type": "client_credentials",
            "client_id": settings.oauth_client_id or "",
            "client_secret": self._secret(),
            "scope": settings.oauth_scope,
        }
        return settings.token_url(), form

    def _secret(self) -> str:
        path = self.settings.oauth_client_secret_file
        if path is None:
            return self.settings.oauth_client_secret or ""
        return read_secret_file(path)


def read_secret_file(path: Path) -> str:
    """The client secret from its file: read at every new token, so a rotated secret
    needs no restart; a file others may read is warned about, as key files are."""
    try:
        secret = path.read_text(encoding="utf-8").strip()
        mode = path.stat().st_mode
    except OSError as error:
        raise SignInRefused(f"cannot read {ENV_SECRET_FILE} {path}: {error.strerror or error}") from None
    if os.name == "posix" and mode & (stat.S_IRWXG | stat.S_IRWXO):
        log.warning("%s %s is readable by others (mode %o); chmod 600 it", ENV_SECRET_FILE, path, stat.S_IMODE(mode))
    if not secret:
        raise SignInRefused(f"{ENV_SECRET_FILE} {path} is empty")
    return secret


def _refusal(status: int, answer: dict[str, object], where: str) -> str:
    """One line naming the setting to look at, from the endpoint's error (RFC 6749 5.2)."""
    error = str(answer.get("error") or "no error code")
    code = _AADSTS.match(str(answer.get("error_description") or ""))
    said = f"{status} {error}" + (f", {code.group(1)}" if code else "")
    if error == "invalid_client":
        return f"{ENV_SECRET}: the token endpoint refused the app's secret ({said}); is it the current one?"
    if error == "unauthorized_client":
        return f"{ENV_CLIENT_ID}: the token endpoint knows no such app, or it may not use this grant ({said})"
    if error == "invalid_scope":
        return f"{ENV_SCOPE}: the token endpoint refused the scope ({said})"
    return f"{where}: the token endpoint refused the request ({said})"


def _google_refusal(status: int, answer: dict[str, object]) -> str:
    """One line naming the key file, with Google's own short reason (such as "Invalid
    JWT Signature." for a key the service account no longer has)."""
    error = str(answer.get("error") or "no error code")
    reason = " ".join(str(answer.get("error_description") or "").split())[:200]
    said = f"{status} {error}" + (f": {reason}" if reason else "")
    if error == "unauthorized_client":
        return (
            f"{ENV_SERVICE_ACCOUNT_FILE}: the service account may not act for INTAKE_USER ({said}); "
            "has the Workspace admin given it domain-wide delegation with the scope https://mail.google.com/?"
        )
    if error == "invalid_grant":
        return (
            f"{ENV_SERVICE_ACCOUNT_FILE}: the token endpoint refused the signed request ({said}); "
            "is the key current, and INTAKE_USER a mailbox of the domain?"
        )
    return f"{ENV_SERVICE_ACCOUNT_FILE}: the token endpoint refused the request ({said})"


def _json(body: str) -> dict[str, object]:
    try:
        data = json.loads(body)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _where(url: str) -> str:
    """The endpoint's host, for a log line."""
    return urlsplit(url).netloc


def _why(error: BaseException) -> str:
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error) or type(error).__name__
