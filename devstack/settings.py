"""What ``make run`` reads from the environment (pydantic-settings): where its parts listen.

Tests run a stack beside one on the usual ports by moving them. docs/configuration.md
lists these with the service's own settings."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict

# Every part of the local stack listens on the loopback interface only.
HOST = "127.0.0.1"


class DevstackSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DEVSTACK_", case_sensitive=False, extra="ignore")

    # The Temporal dev server's gRPC port.
    temporal_port: int = 7233
    # The Temporal UI admins open; the dev server's own UI listens on the next port.
    ui_port: int = 8233
    # The local SMTP inbox.
    smtp_port: int = 1025
    # The codec server.
    codec_port: int = 8081
    # The response site participants answer on (the links in the emails point here).
    response_site_port: int = 8090
    # The program office's local mailbox (Dovecot, IMAP), which the intake reads.
    imap_port: int = 1143
