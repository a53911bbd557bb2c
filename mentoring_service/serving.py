"""Serving an aiohttp application until the process is stopped."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable

from aiohttp import web

SHUTDOWN_SECONDS = 5.0


class CannotListen(Exception):
    """The port is taken, or the host is not this machine's: a line for the console, not a traceback."""


async def serve_forever(app: web.Application, host: str, port: int, started: Callable[[], None]) -> None:
    """``started`` runs once the port is bound, so that what it announces is true."""
    # Stopping waits at most this long for requests still in flight (aiohttp's default is a
    # minute): Ctrl-C, a supervisor's restart and a test's SIGINT end promptly.
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=SHUTDOWN_SECONDS)
    await runner.setup()
    try:
        try:
            await web.TCPSite(runner, host, port).start()
        except OSError as error:
            why = os.strerror(error.errno) if error.errno else str(error)
            raise CannotListen(f"cannot listen on {host}:{port}: {why}") from None
        started()
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
