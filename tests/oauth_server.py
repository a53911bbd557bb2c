"""A small OAuth2 authorization server for tests (aiohttp, in a thread of its own), in the
shape of Microsoft's identity platform as the intake meets it:

- ``token_url``: the client credentials grant, ``/{tenant}/oauth2/v2.0/token``. The
  right client id, secret and scope get a bearer token that lives ``lifetime`` seconds;
  a wrong secret gets Microsoft's 401 ``invalid_client`` (AADSTS7000215).
- ``google_token_url``: Google's JWT bearer grant (RFC 7523) for a service account with
  domain-wide delegation. The assertion's RS256 signature is verified against the test
  service account's public key, and its iss, sub, scope, aud, iat and exp checked, as
  Google does; a bad signature gets Google's 400 ``invalid_grant`` "Invalid JWT Signature.".
- ``introspection_url``: what Dovecot's oauth2 passdb asks (RFC 7662, POST ``token=``):
  ``{"active": true, "username": <user>}`` for a token it issued that has neither expired
  nor been revoked, ``{"active": false}`` otherwise.

    with OAuthServer(user="office") as oauth:
        ImapServer(tmp_path, oauth2_introspection_url=oauth.introspection_url)
        oauth.settings()        # the INTAKE_OAUTH_* values that reach it
        oauth.google_settings(oauth.key_file(tmp_path))   # ... as a Google service account
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import os
import secrets
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from aiohttp import web
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

TENANT = "contoso.example"
CLIENT_ID = "00000000-1111-2222-3333-444444444444"
SCOPE = "https://outlook.office365.com/.default"
CLIENT_EMAIL = "intake@mentoring-test.iam.gserviceaccount.com"
GOOGLE_SCOPE = "https://mail.google.com/"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
# Google's words for an assertion whose times are wrong.
SHORT_LIVED = (
    "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. "
    "Check your iat and exp values in the JWT claim."
)


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class Issued:
    user: str
    expires_at: float  # time.monotonic()
    revoked: bool = False


@dataclass
class OAuthServer:
    user: str = "office"
    lifetime: float = 3600.0  # expires_in of the tokens it issues
    client_secret: str = field(default_factory=lambda: "s3cr3t-" + secrets.token_urlsafe(12))
    # Every token refused at introspection (a mailbox the app has no right to).
    refuse_all: bool = False
    # Introspection answers 503 (the authorization server is down).
    introspection_down: bool = False
    # The service account's key (Google keeps its public half) and whether the Workspace
    # admin gave it domain-wide delegation for GOOGLE_SCOPE.
    service_account_key: rsa.RSAPrivateKey = field(default_factory=new_key)
    delegated: bool = True
    token_requests: list[dict[str, str]] = field(default_factory=list)
    assertions: list[dict[str, Any]] = field(default_factory=list)  # the claims of each signed one
    introspections: list[bool] = field(default_factory=list)  # what each answered: active?
    issued: dict[str, Issued] = field(default_factory=dict)
    port: int = 0

    def __post_init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None

    # -- where it is ----------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def token_url(self) -> str:
        return f"{self.base_url}/{TENANT}/oauth2/v2.0/token"

    @property
    def google_token_url(self) -> str:
        return f"{self.base_url}/token"

    @property
    def introspection_url(self) -> str:
        return f"{self.base_url}/introspect"

    def settings(self, **overrides: Any) -> dict[str, Any]:
        """IntakeSettings' values for signing in with this server's tokens."""
        return {
            "auth": "oauth2",
            "password": None,
            "oauth_token_url": self.token_url,
            "oauth_client_id": CLIENT_ID,
            "oauth_client_secret": self.client_secret,
            **overrides,
        }

    def key_file(self, directory: Path, key: rsa.RSAPrivateKey | None = None, **fields: Any) -> Path:
        """A service account's JSON key file as Google gives it (mode 0600), with this
        server's key unless ``key``; ``fields`` replace or add its fields."""
        pem = (key or self.service_account_key).private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        content = {
            "type": "service_account",
            "project_id": "mentoring-test",
            "private_key_id": secrets.token_hex(20),
            "private_key": pem.decode(),
            "client_email": CLIENT_EMAIL,
            "client_id": "109876543210987654321",
            "auth_uri": "https://accounts.google.com/o/oauth2/auth",
            "token_uri": self.google_token_url,
            **fields,
        }
        path = directory / "service-account.json"
        path.write_text(json.dumps(content, indent=2))
        os.chmod(path, 0o600)
        return path

    def google_settings(self, key_file: Path, **overrides: Any) -> dict[str, Any]:
        """IntakeSettings' values for signing in as the service account of ``key_file``."""
        return {
            "auth": "oauth2",
            "password": None,
            "oauth_provider": "google",
            "oauth_service_account_file": str(key_file),
            **overrides,
        }

    def revoke_all(self) -> None:
        for token in self.issued.values():
            token.revoked = True

    # -- the endpoints --------------------------------------------------------------------

    async def _token(self, request: web.Request) -> web.Response:
        form = {key: str(value) for key, value in (await request.post()).items()}
        self.token_requests.append(form)
        if request.match_info["tenant"] != TENANT:
            return web.json_response(
                {"error": "invalid_request", "error_description": "AADSTS90002: Tenant"}, status=400
            )
        if form.get("grant_type") != "client_credentials":
            return web.json_response({"error": "unsupported_grant_type"}, status=400)
        if form.get("client_id") != CLIENT_ID:
            return web.json_response(
                {"error": "unauthorized_client", "error_description": "AADSTS700016: Application not found"},
                status=400,
            )
        if form.get("client_secret") != self.client_secret:
            return web.json_response(
                {
                    "error": "invalid_client",
                    "error_description": "AADSTS7000215: Invalid client secret provided. Trace ID: 1234",
                    "error_codes": [7000215],
                },
                status=401,
            )
        if form.get("scope") != SCOPE:
            return web.json_response({"error": "invalid_scope"}, status=400)
        token = secrets.token_urlsafe(24)
        self.issued[token] = Issued(self.user, time.monotonic() + self.lifetime)
        answer = {"token_type": "Bearer", "expires_in": int(self.lifetime), "access_token": token}
        return web.json_response(answer)

    async def _google_token(self, request: web.Request) -> web.Response:
        form = {key: str(value) for key, value in (await request.post()).items()}
        self.token_requests.append(form)
        if form.get("grant_type") != JWT_BEARER:
            return web.json_response({"error": "unsupported_grant_type"}, status=400)
        try:
            header, body, signature = form["assertion"].split(".")
            said, claims = json.loads(_unb64(header)), json.loads(_unb64(body))
            self.service_account_key.public_key().verify(
                _unb64(signature), f"{header}.{body}".encode(), padding.PKCS1v15(), hashes.SHA256()
            )
        except (KeyError, ValueError, binascii.Error, InvalidSignature):
            return _google_error("invalid_grant", "Invalid JWT Signature.")
        self.assertions.append(claims)
        if said != {"alg": "RS256", "typ": "JWT"} or claims.get("iss") != CLIENT_EMAIL:
            return _google_error("invalid_grant", "Invalid JWT Signature.")
        if claims.get("aud") != self.google_token_url:
            return _google_error("invalid_grant", "Invalid JWT: Failed audience check.")
        iat, exp, now = claims.get("iat"), claims.get("exp"), time.time()
        if not (isinstance(iat, int) and isinstance(exp, int) and iat - 60 <= now < exp <= iat + 3600):
            return _google_error("invalid_grant", SHORT_LIVED)
        if claims.get("sub") != self.user:
            return _google_error("invalid_grant", "Invalid email or User ID")
        if claims.get("scope") != GOOGLE_SCOPE or not self.delegated:
            return _google_error(
                "unauthorized_client",
                "Client is unauthorized to retrieve access tokens using this method, "
                "or client not authorized for any of the scopes requested.",
                status=401,
            )
        token = "ya29." + secrets.token_urlsafe(24)
        self.issued[token] = Issued(self.user, time.monotonic() + self.lifetime)
        return web.json_response({"access_token": token, "expires_in": int(self.lifetime), "token_type": "Bearer"})

    async def _introspect(self, request: web.Request) -> web.Response:
        token = str((await request.post()).get("token", ""))
        if self.introspection_down:
            return web.json_response({"error": "temporarily_unavailable"}, status=503)
        issued = self.issued.get(token)
        active = (
            issued is not None and not issued.revoked and time.monotonic() < issued.expires_at and not self.refuse_all
        )
        self.introspections.append(active)
        if not active or issued is None:
            return web.json_response({"active": False})
        return web.json_response({"active": True, "username": issued.user})

    # -- running --------------------------------------------------------------------------

    def start(self) -> OAuthServer:
        ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, args=(ready,), daemon=True, name="oauth-server")
        self._thread.start()
        if not ready.wait(10) or not self.port:
            raise RuntimeError("the test OAuth2 server did not start")
        return self

    def _serve(self, ready: threading.Event) -> None:
        loop = self._loop = asyncio.new_event_loop()
        app = web.Application()
        app.router.add_post("/{tenant}/oauth2/v2.0/token", self._token)
        app.router.add_post("/token", self._google_token)
        app.router.add_post("/introspect", self._introspect)
        self._runner = web.AppRunner(app, access_log=None)
        loop.run_until_complete(self._runner.setup())
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        loop.run_until_complete(site.start())
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        ready.set()
        loop.run_forever()
        loop.run_until_complete(self._runner.cleanup())
        loop.close()

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
        self._loop = self._thread = None

    def __enter__(self) -> OAuthServer:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()


def _unb64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _google_error(error: str, description: str, status: int = 400) -> web.Response:
    return web.json_response({"error": error, "error_description": description}, status=status)
