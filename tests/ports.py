"""Ports for the servers a test starts.

``bind(0)`` hands out a port from the kernel's ephemeral range, and so does every outgoing
connection for its local end. A server started in another process binds its port seconds
after the test chose it, and in between any connection of the four test processes may take
it (a fresh-clone run failed so: the Temporal UI's port was "already in use"). Ports below
that range are never handed out implicitly, and each test process takes its ports from its
own slice of them, so nothing takes a port between choosing and binding it."""

from __future__ import annotations

import itertools
import os
import random
import socket
from pathlib import Path

LOWEST = 10_000  # above the usual ports of `make run` and of system services
HOST = "127.0.0.1"


def _ephemeral_start() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32_768


def _own_slice() -> range:
    workers = max(int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1")), 1)
    worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
    width = (_ephemeral_start() - LOWEST) // workers
    start = LOWEST + worker * width
    return range(start, start + width - 1, 2)  # every other port: see unused_port


_SLICE = _own_slice()
# Where a test session starts in its slice: another session on the machine starts elsewhere.
_TURNS = itertools.count(random.randrange(len(_SLICE)))


def _bindable(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind((HOST, port))
        except OSError:
            return False
    return True


def unused_port() -> int:
    """A port nothing listens on; the one after it is free too and never handed out, for a
    server that takes the next port as well (the dev server's own UI behind the gateway)."""
    for _ in range(len(_SLICE)):
        port = _SLICE[next(_TURNS) % len(_SLICE)]
        if _bindable(port) and _bindable(port + 1):
            return port
    raise RuntimeError(f"no two free ports in a row in {_SLICE.start}–{_SLICE.stop}")


def unused_ports(count: int) -> list[int]:
    return [unused_port() for _ in range(count)]
