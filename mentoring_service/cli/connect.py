"""Connecting from a command: an unreachable server or a missing encryption key is a
message, not a traceback."""

from __future__ import annotations

from temporalio.client import Client

from mentoring_service.cli.console import CommandError
from mentoring_service.connection import connect, target_address
from mentoring_service.keys import KeyConfigError


async def connect_or_explain() -> Client:
    try:
        return await connect()
    except KeyConfigError as error:
        raise CommandError(f"encryption keys: {error}") from None
    except RuntimeError as error:
        raise CommandError(
            f"cannot reach Temporal at {target_address()} ({error}). Is the server running? "
            "Set TEMPORAL_ADDRESS (or a temporal.toml profile) to point elsewhere."
        ) from None
