"""Connecting to Temporal the ecosystem's way: temporalio.envconfig.

TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TLS settings and
temporal.toml profiles all work; with nothing set it is localhost:7233.

Every payload is encrypted with the keys of ``KeySettings`` (MENTORING_ENCRYPTION_KEYS,
MENTORING_KEY_FILE, or make run's var/encryption-keys.json).
"""

from __future__ import annotations

from typing import Any

from temporalio.client import Client
from temporalio.envconfig import ClientConfig

from mentoring_service.codec import data_converter

DEFAULT_ADDRESS = "localhost:7233"


def connect_config() -> dict[str, Any]:
    config = dict(ClientConfig.load_client_connect_config())
    config.setdefault("target_host", DEFAULT_ADDRESS)
    return config


def target_address() -> str:
    """Where ``connect`` goes, for messages that say which server did not answer."""
    try:
        return str(connect_config()["target_host"])
    except Exception:  # a broken temporal.toml: the message is about the server, not the file
        return DEFAULT_ADDRESS


async def connect() -> Client:
    converter = data_converter()  # before connecting: a missing key is the first thing to hear about
    return await Client.connect(**connect_config(), data_converter=converter)
