"""A Google service account's JSON key, and the signed assertion that asks for a token
with it (the JWT bearer grant, RFC 7523, as Google documents it for server-to-server
apps with domain-wide delegation).

The assertion is a JWT signed RS256 (RSASSA-PKCS1-v1_5 with SHA-256, RFC 7518 3.3):
``cryptography``, which the project has already, signs it; google-auth would add a
dependency, and its own token cache beside ``TokenSource``'s, for one signature.

The key file is read for each new token, like the client secret's file: a new key needs
no restart. What is wrong with it is one line naming INTAKE_OAUTH_SERVICE_ACCOUNT_FILE;
no line shows the key.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from mentoring_service.intake.mailbox import SignInRefused
from mentoring_service.settings import GOOGLE_SCOPE, IntakeSettings, env_var, token_endpoint_url

log = logging.getLogger("intake")

ENV_SERVICE_ACCOUNT_FILE = env_var(IntakeSettings, "oauth_service_account_file")
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
MAX_LIFETIME_SECONDS = 3600  # Google refuses an assertion that lives longer


@dataclass(frozen=True)
class ServiceAccount:
    client_email: str
    private_key: rsa.RSAPrivateKey
    token_uri: str


def read_service_account(path: Path) -> ServiceAccount:
    """The key file Google gives for a service account (Keys, Add key, JSON)."""
    try:
        text = path.read_text(encoding="utf-8")
        mode = path.stat().st_mode
    except (OSError, UnicodeDecodeError) as error:
        why = error.strerror if isinstance(error, OSError) and error.strerror else "not UTF-8 text"
        raise SignInRefused(f"cannot read {ENV_SERVICE_ACCOUNT_FILE} {path}: {why}") from None
    if os.name == "posix" and mode & (stat.S_IRWXG | stat.S_IRWXO):
        log.warning(
            "%s %s is readable by others (mode %o); chmod 600 it", ENV_SERVICE_ACCOUNT_FILE, path, stat.S_IMODE(mode)
        )
    try:
        key = json.loads(text)
    except ValueError:
        key = None
    if not isinstance(key, dict) or key.get("type", "service_account") != "service_account":
        raise SignInRefused(f"{ENV_SERVICE_ACCOUNT_FILE} {path} is not a service account's JSON key")
    fields = {name: key.get(name) for name in ("client_email", "private_key", "token_uri")}
    if missing := [name for name, value in fields.items() if not isinstance(value, str) or not value.strip()]:
        raise SignInRefused(f"{ENV_SERVICE_ACCOUNT_FILE} {path} lacks {', '.join(missing)}")
    try:
        private = serialization.load_pem_private_key(str(fields["private_key"]).encode(), password=None)
    except (ValueError, TypeError):  # the messages may quote the key's bytes: not shown
        private = None
    if not isinstance(private, rsa.RSAPrivateKey):
        raise SignInRefused(f"{ENV_SERVICE_ACCOUNT_FILE} {path}: private_key is not an unencrypted PEM RSA key")
    try:
        token_uri = token_endpoint_url(str(fields["token_uri"]).strip())
    except ValueError as error:
        raise SignInRefused(f"{ENV_SERVICE_ACCOUNT_FILE} {path}: token_uri: {error}") from None
    return ServiceAccount(str(fields["client_email"]).strip(), private, token_uri)


def claims(account: ServiceAccount, subject: str, now: int, lifetime: int = MAX_LIFETIME_SECONDS) -> dict[str, object]:
    """What the assertion says: the service account (iss) asks to act as the mailbox (sub)."""
    if not 0 < lifetime <= MAX_LIFETIME_SECONDS:
        raise ValueError(f"an assertion lives 1 to {MAX_LIFETIME_SECONDS} seconds, not {lifetime}")
    return {
        "iss": account.client_email,
        "sub": subject,
        "scope": GOOGLE_SCOPE,
        "aud": account.token_uri,
        "iat": now,
        "exp": now + lifetime,
    }


def assertion(account: ServiceAccount, subject: str, now: int, lifetime: int = MAX_LIFETIME_SECONDS) -> str:
    """The signed JWT: base64url(header).base64url(claims).base64url(signature)."""
    header = {"alg": "RS256", "typ": "JWT"}
    signed = f"{_part(header)}.{_part(claims(account, subject, now, lifetime))}"
    signature = account.private_key.sign(signed.encode("ascii"), padding.PKCS1v15(), hashes.SHA256())
    return f"{signed}.{_b64url(signature)}"


def _part(value: Mapping[str, object]) -> str:
    return _b64url(json.dumps(value, separators=(",", ":")).encode("utf-8"))


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")
