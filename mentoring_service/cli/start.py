"""``starter.py start``: start a cohort idempotently, with a progress bar."""

from __future__ import annotations

import asyncio

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowHandle
from temporalio.common import SearchAttributePair, TypedSearchAttributes, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from mentoring import search_attributes as sa
from mentoring.cohort import Cohort, office_zone
from mentoring.cohort_state import CohortInput, CohortProgress
from mentoring.digest import digest_when
from mentoring.ids import TASK_QUEUE, cohort_workflow_id, digest_schedule_id
from mentoring_service.cli.console import out
from mentoring_service.digest_schedule import ensure_digest_schedule
from workflows.cohort import CohortWorkflow

QUERY_TIMEOUT_SECONDS = 5.0
RUNNING = "is already running"


def cohort_summary(cohort: Cohort) -> str:
    p = cohort.program
    return f"Cohort {p.cohort_id}: {len(cohort.pairs)} pairs, {p.duration_months} months from {p.start_date}"


def proposed_times_line(cohort: Cohort) -> str | None:
    """What ``validate`` says of ``proposed_times`` when the pairs decide some proposals themselves."""
    rule = cohort.program.proposed_times
    if not rule.auto_approve:
        return None
    return (
        f"new times proposed from calendars are approved automatically when both can attend: Monday to Friday, "
        f"{rule.working_hours} on each participant's clock, at least {rule.notice_hours} hours ahead"
    )


def cohort_details(cohort: Cohort) -> str:
    # Visible to every UI user, so no names or addresses.
    p = cohort.program
    return (
        f"**{p.cohort_name}**  \n**Focus:** {p.focus}  \n**Language:** {p.language.value}  \n"
        f"**Program:** {p.start_date}, {p.duration_months} months  \n**Pairs:** {len(cohort.pairs)}"
    )


async def start_cohort(client: Client, cohort: Cohort) -> tuple[WorkflowHandle, bool]:
    """Start the cohort workflow; return its handle and whether this call started it.

    A cohort that already runs, or already finished, is never started again, so
    running the same command twice sends nobody a second email."""
    workflow_id = cohort_workflow_id(cohort.program.cohort_id)
    try:
        handle = await client.start_workflow(
            CohortWorkflow.run,
            CohortInput(cohort=cohort),
            id=workflow_id,
            task_queue=TASK_QUEUE,
            # Only a failed or terminated cohort may run again; its pairs are adopted, not doubled.
            id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
            search_attributes=TypedSearchAttributes([SearchAttributePair(sa.COHORT_ID, cohort.program.cohort_id)]),
            static_summary=cohort_summary(cohort),
            static_details=cohort_details(cohort),
        )
        return handle, True
    except WorkflowAlreadyStartedError:
        return client.get_workflow_handle(workflow_id), False


async def earlier_run(handle: WorkflowHandle) -> str:
    """How a cohort that this call did not start stands: running, or how it ended."""
    status = (await handle.describe()).status
    if status == WorkflowExecutionStatus.RUNNING:
        return RUNNING
    return f"already ran ({status.name.lower().replace('_', ' ') if status else 'ended'})"


async def schedule_digest(client: Client, cohort: Cohort) -> str:
    """The weekly digest's schedule, created unless it exists; one line saying which."""
    created = await ensure_digest_schedule(client, cohort)
    schedule = digest_schedule_id(cohort.program.cohort_id)
    if not created:
        return f"weekly digest: schedule {schedule} exists already, left as it is"
    return f"weekly digest: {digest_when(office_zone(cohort))}, to the program office (schedule {schedule})"


async def follow_start(handle: WorkflowHandle, total: int) -> CohortProgress | None:
    """Show pairs being started until all are, using the cohort's progress query."""
    columns = (TextColumn("starting pairs"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    progress: CohortProgress | None = None
    with Progress(*columns, console=out, transient=False) as bar:
        task = bar.add_task("pairs", total=total)
        while True:
            try:
                progress = await asyncio.wait_for(handle.query(CohortWorkflow.progress), timeout=QUERY_TIMEOUT_SECONDS)
            except TimeoutError:
                bar.console.print(f"[yellow]no answer yet: is a worker running on task queue '{TASK_QUEUE}'?[/]")
                continue
            bar.update(task, completed=progress.pairs_started)
            if progress.pairs_started >= total:
                return progress
            await asyncio.sleep(0.2)
