"""The project's workers: which workflows and activities run on which task queue.

``worker.py`` runs them in production; ``starter.py simulate``, the tests, the benchmark
and the history recorder run the same ones in their own process."""

from __future__ import annotations

import asyncio

from temporalio.client import Client
from temporalio.worker import Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from activities.answer_links import AnswerLinks
from activities.delivery import MailDelivery
from activities.pair_starts import PairStarter
from activities.planning import localize_times, plan_sessions, span_on_clocks, wall_clock_of
from mentoring.ids import EMAIL_TASK_QUEUE, TASK_QUEUE
from mentoring_service.digest_activities import DigestActivities
from mentoring_service.keys import load_keys
from mentoring_service.links import LinkSigner
from mentoring_service.settings import MailSettings, ResponseSiteSettings, WorkerSettings
from workflows.cohort import CohortWorkflow
from workflows.digest import WeeklyDigestWorkflow
from workflows.pair import PairProgramWorkflow


def create_workers(
    client: Client,
    mail: MailSettings | None = None,
    settings: WorkerSettings | None = None,
    links: AnswerLinks | None = None,
) -> list[Worker]:
    """``links`` writes the response-site links; by default signed with the payload keys."""
    settings = settings or WorkerSettings()
    workers = []
    if settings.worker_queues in ("all", "workflows"):
        digests = DigestActivities(client)
        workers.append(
            Worker(
                client,
                task_queue=TASK_QUEUE,
                workflows=[CohortWorkflow, PairProgramWorkflow, WeeklyDigestWorkflow],
                max_cached_workflows=settings.max_cached_workflows,
                workflow_runner=workflow_runner(settings),
                activities=[
                    plan_sessions,
                    localize_times,
                    wall_clock_of,
                    span_on_clocks,
                    PairStarter(client).start_pairs,
                    digests.gather_digest,
                    digests.retire_digest,
                ],
            )
        )
    if settings.worker_queues in ("all", "email"):
        delivery = MailDelivery(mail or MailSettings(), links or default_links())
        workers.append(
            Worker(
                client,
                task_queue=EMAIL_TASK_QUEUE,
                activities=[delivery.deliver_message, delivery.deliver_digest],
                max_task_queue_activities_per_second=settings.email_rate_per_second,
            )
        )
    return workers


def default_links() -> AnswerLinks:
    """Signed with the payload keys (a missing key is ``KeyConfigError``, at start-up)."""
    return AnswerLinks(LinkSigner(load_keys()), ResponseSiteSettings().public_url)


def workflow_runner(settings: WorkerSettings) -> SandboxedWorkflowRunner:
    if settings.reload_workflow_modules:
        return SandboxedWorkflowRunner()
    return SandboxedWorkflowRunner(restrictions=SandboxRestrictions.default.with_passthrough_all_modules())


async def run_workers(workers: list[Worker]) -> None:
    await asyncio.gather(*(w.run() for w in workers))
