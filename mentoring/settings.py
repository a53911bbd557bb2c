"""Worker configuration from the environment (pydantic-settings)."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class SmtpTls(StrEnum):
    NONE = "none"
    STARTTLS = "starttls"  # port 587
    TLS = "tls"  # implicit TLS, port 465


class MailSettings(BaseSettings):
    """SMTP connection and sender. Every field reads the env var of the same name."""

    model_config = SettingsConfigDict(env_prefix="", case_sensitive=False, extra="ignore")

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
    model_config = SettingsConfigDict(env_prefix="", case_sensitive=False, extra="ignore")

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
