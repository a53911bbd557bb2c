"""Connecting from a command: an unreachable server or a missing encryption key is a
message, not a traceback."""

from __future__ import annotations

import os

from temporalio.client import Client

from cli.console import CommandError
from connection import connect
from mentoring.codec import KeyConfigError


async def connect_or_explain() -> Client:
    try:
        return await connect()
    except KeyConfigError as error:
        raise CommandError(f"encryption keys: {error}") from None
    except RuntimeError as error:
        address = os.environ.get("TEMPORAL_ADDRESS", "localhost:7233")
        raise CommandError(
            f"cannot reach Temporal at {address} ({error}). Is the server running? "
            "Set TEMPORAL_ADDRESS (or a temporal.toml profile) to point elsewhere."
        ) from None
