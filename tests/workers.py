"""The project's real workers, in the test process, pointed at a test SMTP server."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from temporalio.client import Client

from mentoring_service.settings import MailSettings, WorkerSettings
from mentoring_service.workers import create_workers


@contextlib.asynccontextmanager
async def running_workers(
    client: Client, smtp_port: int, mail_from: str | None = None, *, rate: float = 1000, **mail: Any
) -> AsyncIterator[None]:
    """Every worker `worker.py` runs. Tests skip time or run many pairs at once, so the
    production rate limit (``rate``) would only slow them."""
    if mail_from:
        mail["mail_from"] = mail_from
    settings = MailSettings(smtp_host="127.0.0.1", smtp_port=smtp_port, **mail)
    async with contextlib.AsyncExitStack() as stack:
        for worker in create_workers(client, settings, WorkerSettings(email_rate_per_second=rate)):
            await stack.enter_async_context(worker)
        yield
