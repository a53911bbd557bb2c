"""The project's real workers, in the test process, pointed at a test SMTP server."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from temporalio.client import Client

from activities.answer_links import AnswerLinks
from devstack.temporal_servers import TEST_KEY, TEST_KEY_ID
from mentoring_service.keys import KeyRing
from mentoring_service.links import LinkSigner
from mentoring_service.settings import MailSettings, WorkerSettings
from mentoring_service.workers import create_workers

SITE_URL = "http://127.0.0.1:8090"


def test_signer() -> LinkSigner:
    """Signs as the workers the tests run do (the test key, as ``fixed_key_converter``)."""
    return LinkSigner(KeyRing({TEST_KEY_ID: TEST_KEY}, TEST_KEY_ID))


test_signer.__test__ = False  # type: ignore[attr-defined]  # a helper: pytest would collect it where imported


@contextlib.asynccontextmanager
async def running_workers(
    client: Client,
    smtp_port: int,
    mail_from: str | None = None,
    *,
    rate: float = 1000,
    site_url: str = SITE_URL,
    **mail: Any,
) -> AsyncIterator[None]:
    """Every worker `worker.py` runs. Tests skip time or run many pairs at once, so the
    production rate limit (``rate``) would only slow them. Links point at ``site_url``."""
    if mail_from:
        mail["mail_from"] = mail_from
    settings = MailSettings(smtp_host="127.0.0.1", smtp_port=smtp_port, **mail)
    async with contextlib.AsyncExitStack() as stack:
        links = AnswerLinks(test_signer(), site_url)
        for worker in create_workers(client, settings, WorkerSettings(email_rate_per_second=rate), links):
            await stack.enter_async_context(worker)
        yield
