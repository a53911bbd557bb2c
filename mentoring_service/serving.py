"""Serving an aiohttp application until the process is stopped."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from aiohttp import web


async def serve_forever(app: web.Application, host: str, port: int, started: Callable[[], None]) -> None:
    """``started`` runs once the port is bound, so that what it announces is true."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
        started()
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
