"""The worker under test, in its own process so that its RSS and CPU are its own.

    python -m bench.worker_process --target HOST:PORT --smtp-port N [--email-rate R] [--queues all|workflows|email]
        [--site-url URL]

It runs exactly what ``mentoring_service.workers.create_workers`` builds, with the bare baseline
workflows and a no-op activity added to the same workers (same task queues, same
settings). It prints ``ready <pid>`` once polling and stops cleanly on SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal

from temporalio.client import Client
from temporalio.worker import Worker

from bench.baselines import WORKFLOWS, noop_activity
from bench.harness import answer_links, data_converter
from mentoring_service.settings import MailSettings, WorkerSettings
from mentoring_service.time_skipping import quiet_runtime
from mentoring_service.workers import create_workers


def with_baselines(worker: Worker, client: Client) -> Worker:
    """The same worker (queue, limits, cache) plus the bench workflows and no-op activity."""
    config = worker.config()
    if config["workflows"]:
        config["workflows"] = [*config["workflows"], *WORKFLOWS]
    config["activities"] = [*config["activities"], noop_activity]
    config["client"] = client
    return Worker(**config)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--target", required=True)
    parser.add_argument("--namespace", default="default")
    parser.add_argument("--smtp-port", type=int, required=True)
    parser.add_argument("--email-rate", type=float, default=None, help="default: WorkerSettings()")
    parser.add_argument("--ledger-url", required=True)
    parser.add_argument("--queues", choices=["all", "workflows", "email"], default="all")
    parser.add_argument("--site-url", default="http://localhost:8090", help="where the links in the emails point")
    args = parser.parse_args()

    runtime = quiet_runtime()

    async def connect() -> Client:
        return await Client.connect(
            args.target, namespace=args.namespace, data_converter=data_converter(), runtime=runtime
        )

    # A worker registers its task queue with its client when it is built, so the
    # workers from create_workers are built on a client of their own, never run,
    # and only their configuration is used.
    blueprint, client = await connect(), await connect()
    mail = MailSettings(
        smtp_host="127.0.0.1", smtp_port=args.smtp_port, smtp_tls="none", delivery_ledger_url=args.ledger_url
    )
    settings = WorkerSettings(worker_queues=args.queues)
    if args.email_rate is not None:
        settings = settings.model_copy(update={"email_rate_per_second": args.email_rate})
    # Links signed with the bench's key, not the checkout's (a fresh checkout has none).
    links = answer_links(args.site_url)
    workers = [with_baselines(w, client) for w in create_workers(blueprint, mail, settings, links)]

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with contextlib.AsyncExitStack() as stack:
        for w in workers:
            await stack.enter_async_context(w)
        print(f"ready {os.getpid()}", flush=True)
        await stop.wait()


if __name__ == "__main__":
    asyncio.run(main())
