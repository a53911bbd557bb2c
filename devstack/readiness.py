"""Is a port free, and is each of ``make run``'s children ready: Temporal with every search
attribute registered, and the others listening."""

from __future__ import annotations

import asyncio
import socket
import time

from rich.console import Console

from devstack.settings import HOST
from devstack.supervisor import Abort
from mentoring.search_attributes import ALL as SEARCH_ATTRIBUTES


def port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            return True
    return False


async def wait_for_temporal(port: int, namespace: str, console: Console, timeout: float = 60.0) -> None:
    """Wait until the server answers, then make sure every search attribute is registered."""
    from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest, ListSearchAttributesRequest
    from temporalio.client import Client

    deadline = time.monotonic() + timeout
    while True:
        try:
            client = await Client.connect(f"{HOST}:{port}", namespace=namespace)
            listed = await client.operator_service.list_search_attributes(
                ListSearchAttributesRequest(namespace=namespace)
            )
            break
        except Exception as error:  # not up yet
            if time.monotonic() > deadline:
                raise Abort(f"The Temporal server did not answer within {timeout:.0f} s: {error}") from None
            await asyncio.sleep(0.5)

    existing = dict(listed.custom_attributes)
    missing = {}
    for key in SEARCH_ATTRIBUTES:
        wanted = int(key.indexed_value_type)
        if key.name not in existing:
            missing[key.name] = wanted
        elif existing[key.name] != wanted:
            raise Abort(
                f"Search attribute {key.name} exists in var/temporal.db with another type. "
                "Delete var/temporal.db (this loses local workflow history) and run again."
            )
    if missing:  # a database created before these keys existed; start-dev adds flags only to new ones
        await client.operator_service.add_search_attributes(
            AddSearchAttributesRequest(search_attributes=missing, namespace=namespace)  # type: ignore[arg-type]
        )
        console.print(f"  registered search attributes: {', '.join(sorted(missing))}")


async def wait_for_port(port: int, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            _, writer = await asyncio.open_connection(HOST, port)
            writer.close()
            await writer.wait_closed()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise Abort(f"Nothing listens on {HOST}:{port} after {timeout:.0f} s.") from None
            await asyncio.sleep(0.2)
