"""Connecting to Temporal the ecosystem's way: temporalio.envconfig.

TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TLS settings and
temporal.toml profiles all work; with nothing set it is localhost:7233.

Every payload is encrypted with the keys of mentoring.codec (MENTORING_ENCRYPTION_KEYS,
MENTORING_KEY_FILE, or make run's var/encryption-keys.json).
"""

from __future__ import annotations

from temporalio.client import Client
from temporalio.envconfig import ClientConfig

from mentoring.codec import data_converter


async def connect() -> Client:
    converter = data_converter()  # before connecting: a missing key is the first thing to hear about
    config = ClientConfig.load_client_connect_config()
    config.setdefault("target_host", "localhost:7233")
    return await Client.connect(**config, data_converter=converter)
