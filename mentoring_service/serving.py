"""Serving an aiohttp application until the process is stopped."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from aiohttp import web

SHUTDOWN_SECONDS = 5.0


async def serve_forever(app: web.Application, host: str, port: int, started: Callable[[], None]) -> None:
    """``started`` runs once the port is bound, so that what it announces is true."""
    # Stopping waits at most this long for requests still in flight (aiohttp's default is a
    # minute): Ctrl-C, a supervisor's restart and a test's SIGINT end promptly.
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=SHUTDOWN_SECONDS)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
        started()
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
