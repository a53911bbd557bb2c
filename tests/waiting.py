"""Waiting for something that happens on a real server: poll until it holds or time runs out."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def eventually(check: Callable[[], Awaitable[T]], timeout: float = 30.0, every: float = 0.25) -> T:
    """The first truthy answer of ``check``, or its last answer when time is up (for the assert)."""
    deadline = time.monotonic() + timeout
    while True:
        result = await check()
        if result or time.monotonic() > deadline:
            return result
        await asyncio.sleep(every)


def eventually_sync(check: Callable[[], T], timeout: float = 60.0, every: float = 0.5) -> T:
    """``eventually`` for a test that drives processes rather than an event loop."""
    deadline = time.monotonic() + timeout
    while not (result := check()) and time.monotonic() < deadline:
        time.sleep(every)
    return result
