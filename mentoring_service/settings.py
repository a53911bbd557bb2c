"""Every setting the service reads from the environment, in one place (pydantic-settings).

Each class is what one kind of process reads; a field reads the variable named by the
class's prefix and the field's name in upper case (``env_var``). docs/configuration.md
lists every one of them, and tests/unit/test_configuration_table.py keeps it complete.

Connecting to Temporal is not here: ``temporalio.envconfig`` reads ``TEMPORAL_*`` and
``temporal.toml`` itself (``mentoring_service/connection.py``).

This module imports nothing else of the project, so any side may read its settings.
"""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, BeforeValidator, Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict


class SmtpTls(StrEnum):
    NONE = "none"
    STARTTLS = "starttls"  # port 587
    TLS = "tls"  # implicit TLS, port 465


class MailSettings(BaseSettings):
    """SMTP connection and sender. Every field reads the env var of the same name."""

    model_config = SettingsConfigDict(env_prefix="", case_sensitive=False, extra="ignore", hide_input_in_errors=True)

    smtp_host: str = "localhost"
    smtp_port: int = 1025
    # Explicit, because aiosmtplib's default silently falls back to plaintext.
    smtp_tls: SmtpTls = SmtpTls.NONE
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_timeout_seconds: float = 30.0
    # How long an open connection is kept for the next message; 0 opens one per message.
    # Below the server's own idle timeout (Postfix: 300 s), so it is rarely found closed.
    smtp_keep_open_seconds: float = Field(default=30.0, ge=0)
    mail_from: str = Field(default="Reverse Mentoring <mentoring@localhost>")
    # Where the worker remembers what it sent: sqlite:///path or postgresql://user:pw@host/db.
    delivery_ledger_url: str = "sqlite:///var/delivery-ledger.sqlite3"


class WorkerSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", case_sensitive=False, extra="ignore", hide_input_in_errors=True)

    # SMTP servers throttle; this caps sends across every worker on the email queue.
    email_rate_per_second: float = 10.0
    # Workflows kept in memory between tasks (Temporal's default); 0 turns off sticky caching.
    max_cached_workflows: int = 1000
    # The SDK's default sandbox re-imports the workflow modules for every workflow run:
    # for a pair that is ~140 KB of memory while cached and a re-import whenever it is
    # woken. Off, the modules are imported once and shared; the sandbox still refuses
    # clocks, randomness and I/O at run time, and the replay tests keep the strict mode.
    reload_workflow_modules: bool = False
    # Which task queues this process polls. "workflows" and "email" split one worker into
    # two processes: composing never delays a workflow task, each uses a core of its own,
    # and only the email worker needs the SMTP credentials and the delivery ledger.
    worker_queues: Literal["all", "workflows", "email"] = "all"


def _blank_is_unset(value: object) -> object:
    if isinstance(value, str):
        return value.strip() or None
    return value


# A path, where an empty or blank variable means "not set" (compose files pass `${X:-}`).
OptionalPath = Annotated[Path | None, BeforeValidator(_blank_is_unset)]

# Secrets and their companions: empty counts as unset, and a refusal never echoes a value.
_SECRETS = SettingsConfigDict(
    env_prefix="MENTORING_",
    case_sensitive=False,
    extra="ignore",
    env_ignore_empty=True,
    str_strip_whitespace=True,
    hide_input_in_errors=True,
)


class KeySettings(BaseSettings):
    """The payload encryption keys: every client, worker and codec server reads them.
    ``mentoring_service/keys.py`` turns them into a key ring and says what is wrong."""

    model_config = _SECRETS

    # "id1:base64key,id2:base64key", each key 32 random bytes; the first is the active one.
    encryption_keys: str = ""
    # Makes another of the keys the active one (the one new payloads are sealed with).
    active_key_id: str = ""
    # Instead of encryption_keys: a JSON file {"active": "<id>", "keys": {"<id>": "<base64>"}}.
    # With neither set, a checkout's var/encryption-keys.json (made by `make run`) is used.
    key_file: OptionalPath = None


class CodecServerSettings(BaseSettings):
    """Who may use the codec server, and from which browser origins."""

    model_config = _SECRETS

    # Comma-separated access tokens, at least 16 characters each.
    codec_tokens: str = ""
    # Instead of codec_tokens: a file with one token per line ('#' starts a comment line).
    codec_token_file: OptionalPath = None
    # Comma-separated browser origins of the Temporal UI, e.g. http://localhost:8080.
    codec_origins: str = ""


class ResponseSiteSettings(BaseSettings):
    """The response site participants reach from the links in our emails (docs/responses.md).
    The email worker reads ``public_url`` to write the links; the site reads all of it."""

    model_config = SettingsConfigDict(
        env_prefix="RESPONSE_SITE_", case_sensitive=False, extra="ignore", hide_input_in_errors=True
    )

    # The address participants' browsers reach the site at; links start with it.
    public_url: str = "http://localhost:8090"
    # Where the site listens.
    host: str = "127.0.0.1"
    port: int = Field(default=8090, ge=1, le=65535)
    # How long a submitted answer waits for a worker to take it, before the site hands it
    # to Temporal as a signal (recorded once a worker runs again).
    update_timeout_seconds: float = Field(default=5.0, gt=0)


class ImapTls(StrEnum):
    NONE = "none"  # port 143; the password crosses the network in the clear
    STARTTLS = "starttls"  # port 143, upgraded before logging in
    TLS = "tls"  # implicit TLS, port 993


def _imap_folder(name: str) -> str:
    # IMAP writes other names in modified UTF-7, which the intake does not speak.
    if not name or not name.isascii() or not name.isprintable():
        raise ValueError("a folder name must be printable ASCII")
    return name


ImapFolder = Annotated[str, AfterValidator(_imap_folder)]


class IntakeAuth(StrEnum):
    PASSWORD = "password"  # IMAP LOGIN: a password or an app password
    OAUTH2 = "oauth2"  # SASL XOAUTH2 with an access token the intake gets itself


class OAuthProvider(StrEnum):
    MICROSOFT = "microsoft"  # the client credentials grant: an app's id and secret
    GOOGLE = "google"  # the JWT bearer grant: a service account's key, domain-wide delegation


def _tenant(name: str) -> str:
    # A directory (tenant) id or a verified domain: it goes into the token URL's path.
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9.-]{0,252}", name):
        raise ValueError("a tenant is the directory id (a GUID) or a domain such as example.org")
    return name


def token_endpoint_url(url: str) -> str:
    """``url`` if a token endpoint may be there (else ValueError): the client secret or a
    signed assertion travels in the request, so https only, but for a token server on
    this machine (the tests, a local proxy). Also the rule for a key file's token_uri."""
    parsed = urlsplit(url)
    local = parsed.scheme == "http" and parsed.hostname in ("127.0.0.1", "localhost", "::1")
    if parsed.scheme != "https" and not local or not parsed.hostname:
        raise ValueError("the token endpoint must be an https:// URL")
    return url


OptionalTenant = Annotated[str | None, BeforeValidator(_blank_is_unset), AfterValidator(lambda v: v and _tenant(v))]
OptionalTokenUrl = Annotated[
    str | None, BeforeValidator(_blank_is_unset), AfterValidator(lambda v: v and token_endpoint_url(v))
]
OptionalSecret = Annotated[str | None, BeforeValidator(_blank_is_unset)]

MICROSOFT_TOKEN_URL = "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token"
# Gmail's IMAP takes no narrower scope than the whole mailbox.
GOOGLE_SCOPE = "https://mail.google.com/"


class IntakeSettings(BaseSettings):
    """The intake (``intake.py``): it reads participants' calendar replies from the
    program office's mailbox over IMAP (docs/intake.md)."""

    model_config = SettingsConfigDict(
        env_prefix="INTAKE_", case_sensitive=False, extra="ignore", hide_input_in_errors=True
    )

    # The IMAP server; make run's own Dovecot by default. Empty is an error, not
    # localhost: docker-compose passes an unset INTAKE_HOST as "".
    host: str = Field(default="localhost", min_length=1)
    port: int = Field(default=1143, ge=1, le=65535)
    # Explicit, like SMTP_TLS: never a silent fallback to plaintext.
    tls: ImapTls = ImapTls.NONE
    user: str = Field(default="office", min_length=1)
    # How the intake signs in: IMAP LOGIN with the password, or XOAUTH2 with a token
    # from the OAuth2 client credentials below (Microsoft 365) or a Google service account.
    auth: IntakeAuth = IntakeAuth.PASSWORD
    password: str | None = None
    # Whose tokens: Microsoft's (the app's id and secret below) or Google's (the service
    # account's JSON key, whose token_uri is the endpoint; the scope is GOOGLE_SCOPE).
    oauth_provider: OAuthProvider = OAuthProvider.MICROSOFT
    oauth_service_account_file: OptionalPath = None
    # The OAuth2 client (an app registration) and where it gets its tokens: the tenant
    # for Microsoft's endpoint, or the endpoint itself.
    oauth_tenant: OptionalTenant = None
    oauth_token_url: OptionalTokenUrl = None
    oauth_client_id: OptionalSecret = None
    oauth_client_secret: OptionalSecret = None
    oauth_client_secret_file: OptionalPath = None
    oauth_scope: str = Field(default="https://outlook.office365.com/.default", min_length=1)
    # Where replies arrive, and where the intake moves each message it is done with.
    folder: ImapFolder = "INBOX"
    processed_folder: ImapFolder = "Processed"
    ignored_folder: ImapFolder = "Ignored"
    # How often the folder is looked at when the server offers no IDLE (with IDLE, how
    # often it is looked at anyway).
    poll_seconds: float = Field(default=60.0, gt=0)
    # Which messages the intake has handed on (by Message-ID): sqlite:///path.
    ledger_url: str = "sqlite:///var/intake-ledger.sqlite3"

    def folders_problem(self) -> str | None:
        """Why the three folders cannot work together (checked by intake.py, not here,
        so that each variable can still be read on its own)."""
        if len({self.folder, self.processed_folder, self.ignored_folder}) < 3:
            return "INTAKE_FOLDER, INTAKE_PROCESSED_FOLDER and INTAKE_IGNORED_FOLDER must differ"
        return None

    def auth_problem(self) -> str | None:
        """What INTAKE_AUTH's way of signing in lacks (checked by intake.py, like the folders)."""
        if self.auth == IntakeAuth.PASSWORD:
            return None if self.password else "INTAKE_PASSWORD is not set"
        if self.oauth_provider == OAuthProvider.GOOGLE:
            return self._google_problem()
        if self.oauth_service_account_file:
            return "INTAKE_OAUTH_SERVICE_ACCOUNT_FILE is for INTAKE_OAUTH_PROVIDER=google"
        if not self.oauth_client_id:
            return "INTAKE_AUTH=oauth2 needs INTAKE_OAUTH_CLIENT_ID (the app's client id)"
        if self.oauth_client_secret and self.oauth_client_secret_file:
            return "set either INTAKE_OAUTH_CLIENT_SECRET or INTAKE_OAUTH_CLIENT_SECRET_FILE, not both"
        if not (self.oauth_client_secret or self.oauth_client_secret_file):
            return "INTAKE_AUTH=oauth2 needs INTAKE_OAUTH_CLIENT_SECRET or INTAKE_OAUTH_CLIENT_SECRET_FILE"
        if self.oauth_tenant and self.oauth_token_url:
            return "set either INTAKE_OAUTH_TENANT or INTAKE_OAUTH_TOKEN_URL, not both"
        if not (self.oauth_tenant or self.oauth_token_url):
            return "INTAKE_AUTH=oauth2 needs INTAKE_OAUTH_TENANT (Microsoft 365) or INTAKE_OAUTH_TOKEN_URL"
        return None

    def _google_problem(self) -> str | None:
        if not self.oauth_service_account_file:
            return "INTAKE_OAUTH_PROVIDER=google needs INTAKE_OAUTH_SERVICE_ACCOUNT_FILE (the service account's key)"
        # Microsoft's settings would be silently unused: a mix-up, said rather than guessed at.
        microsoft = (
            "oauth_tenant",
            "oauth_token_url",
            "oauth_client_id",
            "oauth_client_secret",
            "oauth_client_secret_file",
        )
        if named := [env_var(IntakeSettings, field) for field in microsoft if getattr(self, field)]:
            return f"INTAKE_OAUTH_PROVIDER=google takes its client from the key file: unset {', '.join(named)}"
        return None

    def token_url(self) -> str:
        """Where the intake gets its access tokens (with ``auth_problem`` None)."""
        return self.oauth_token_url or MICROSOFT_TOKEN_URL.format(tenant=self.oauth_tenant)


class CommandSettings(BaseSettings):
    """For ``ops.py``: its unexpected failures are one line unless this asks for more."""

    model_config = SettingsConfigDict(env_prefix="", case_sensitive=False, extra="ignore", hide_input_in_errors=True)

    # Show the traceback of an unexpected failure (a bug in ops.py) instead of one line.
    ops_traceback: bool = False


ALL: tuple[type[BaseSettings], ...] = (
    MailSettings,
    WorkerSettings,
    KeySettings,
    CodecServerSettings,
    ResponseSiteSettings,
    IntakeSettings,
    CommandSettings,
)


def env_var(settings: type[BaseSettings], field: str) -> str:
    """The environment variable that ``field`` of ``settings`` reads."""
    if field not in settings.model_fields:
        raise KeyError(f"{settings.__name__} has no setting {field!r}")
    return f"{settings.model_config.get('env_prefix', '')}{field}".upper()


def env_vars(settings: type[BaseSettings]) -> tuple[str, ...]:
    return tuple(env_var(settings, field) for field in settings.model_fields)


def settings_problem(error: ValidationError) -> str:
    """One line naming each bad variable and what is wrong, never its value (it may be a secret)."""
    settings = next((s for s in ALL if s.__name__ == error.title), None)
    problems = []
    for item in error.errors(include_input=False, include_url=False):
        field = str(item["loc"][0]) if item["loc"] else ""
        name = env_var(settings, field) if settings and field in settings.model_fields else field or error.title
        problems.append(f"{name}: {item['msg']}")
    return "; ".join(problems)
