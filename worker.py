"""The worker: pair and cohort workflows, planning, and (on its own, rate-limited
task queue) email delivery. Run as many of these as you like against one cluster."""

from __future__ import annotations

import asyncio
import logging

from temporalio.client import Client
from temporalio.worker import Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from activities.delivery import MailDelivery
from activities.pair_starts import PairStarter
from activities.planning import localize_times, plan_sessions
from cli.exit import exit_now
from connection import connect
from mentoring.codec import KeyConfigError
from mentoring.ids import EMAIL_TASK_QUEUE, TASK_QUEUE
from mentoring.settings import MailSettings, WorkerSettings
from workflows.cohort import CohortWorkflow
from workflows.pair import PairProgramWorkflow


def create_workers(
    client: Client, mail: MailSettings | None = None, settings: WorkerSettings | None = None
) -> list[Worker]:
    settings = settings or WorkerSettings()
    workers = []
    if settings.worker_queues in ("all", "workflows"):
        workers.append(
            Worker(
                client,
                task_queue=TASK_QUEUE,
                workflows=[CohortWorkflow, PairProgramWorkflow],
                max_cached_workflows=settings.max_cached_workflows,
                workflow_runner=workflow_runner(settings),
                activities=[plan_sessions, localize_times, PairStarter(client).start_pairs],
            )
        )
    if settings.worker_queues in ("all", "email"):
        workers.append(
            Worker(
                client,
                task_queue=EMAIL_TASK_QUEUE,
                activities=[MailDelivery(mail or MailSettings()).deliver_message],
                max_task_queue_activities_per_second=settings.email_rate_per_second,
            )
        )
    return workers


def workflow_runner(settings: WorkerSettings) -> SandboxedWorkflowRunner:
    if settings.reload_workflow_modules:
        return SandboxedWorkflowRunner()
    return SandboxedWorkflowRunner(restrictions=SandboxRestrictions.default.with_passthrough_all_modules())


async def run_workers(workers: list[Worker]) -> None:
    await asyncio.gather(*(w.run() for w in workers))


async def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        client = await connect()
    except (KeyConfigError, RuntimeError) as error:  # no key, or the SDK's "Failed client connect"
        what = "encryption keys" if isinstance(error, KeyConfigError) else "cannot reach Temporal"
        logging.error("%s: %s", what, error)
        exit_now(1)  # not a traceback; and no teardown under the client's threads (sdk-python#300)
    settings = WorkerSettings()
    workers = create_workers(client, settings=settings)
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
