"""The project's real workers, in the test process, pointed at a test SMTP server."""

from __future__ import annotations

import contextlib

from temporalio.client import Client

from mentoring_service.settings import MailSettings, WorkerSettings
from mentoring_service.workers import create_workers


@contextlib.asynccontextmanager
async def running_workers(client: Client, smtp_port: int, mail_from: str | None = None):
    mail = MailSettings(smtp_host="127.0.0.1", smtp_port=smtp_port, **({"mail_from": mail_from} if mail_from else {}))
    # Tests skip time or run many pairs at once; the production rate limit would only slow them.
    async with contextlib.AsyncExitStack() as stack:
        for worker in create_workers(client, mail, WorkerSettings(email_rate_per_second=1000)):
            await stack.enter_async_context(worker)
        yield
