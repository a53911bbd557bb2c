"""The worker: pair and cohort workflows, planning, and (on its own, rate-limited
task queue) email delivery. Run as many of these as you like against one cluster.

    python worker.py

Settings: docs/configuration.md."""

from __future__ import annotations

import asyncio
import logging

from pydantic import ValidationError

from mentoring_service.cli.exit import exit_now
from mentoring_service.connection import connect
from mentoring_service.keys import KeyConfigError
from mentoring_service.settings import MailSettings, WorkerSettings, settings_problem
from mentoring_service.workers import create_workers, run_workers


async def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:  # before connecting: a mistyped setting needs no server to be found
        settings = WorkerSettings()
        mail = MailSettings() if settings.worker_queues != "workflows" else None
    except ValidationError as error:
        logging.error("settings: %s", settings_problem(error))
        exit_now(1)
    try:
        client = await connect()
    except (KeyConfigError, RuntimeError) as error:  # no key, or the SDK's "Failed client connect"
        what = "encryption keys" if isinstance(error, KeyConfigError) else "cannot reach Temporal"
        logging.error("%s: %s", what, error)
        exit_now(1)  # not a traceback; and no teardown under the client's threads (sdk-python#300)
    workers = create_workers(client, mail, settings)
    logging.info(
        "worker polling %s (email at most %.1f/s)",
        " and ".join(w.task_queue for w in workers),
        settings.email_rate_per_second,
    )
    await run_workers(workers)


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
