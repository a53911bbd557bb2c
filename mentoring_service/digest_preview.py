"""The weekly digest in a preview (``starter.py simulate``, and the tests).

The time-skipping test server has no schedules, so the preview starts each digest
itself, at the Mondays 08:00 the cohort's schedule would (``digest_times``, which the
tests hold against the dev server's calendar), from the week before the program starts
until the digest that finds the cohort over, as the schedule's last one does.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from temporalio.testing import WorkflowEnvironment

from activities.digest_week import digest_times
from mentoring.cohort import Cohort, office_zone
from mentoring.digest import DigestInput, DigestResult
from mentoring.ids import TASK_QUEUE, digest_workflow_id
from mentoring.plan import add_months
from mentoring_service.digest_schedule import digest_search_attributes
from workflows.digest import WeeklyDigestWorkflow

# A cohort is over by then at the latest: its end, a pause or an extension of half a
# year, and the weeks of late answers. The loop never runs on past it.
_AT_MOST_BEYOND_THE_END = timedelta(weeks=40)


async def run_digests(env: WorkflowEnvironment, cohort: Cohort) -> list[DigestResult]:
    """Each Monday's digest, on the server's skipped time, until the last one."""
    program = cohort.program
    zone = office_zone(cohort)
    digest = DigestInput(program=program, timezone=zone)
    week_before = datetime.combine(program.start_date - timedelta(days=7), time(0), tzinfo=UTC)
    give_up = datetime.combine(add_months(program.start_date, program.duration_months), time(0), tzinfo=UTC)
    after = max(await env.get_current_time(), week_before)
    results: list[DigestResult] = []
    while after < give_up + _AT_MOST_BEYOND_THE_END:
        monday = digest_times(after, after + timedelta(days=8), zone)[0]
        await env.sleep(max(monday - await env.get_current_time(), timedelta(0)))
        # The digest has no timer: it runs at the Monday's time. Waiting on its result
        # would otherwise let the server skip ahead to the pairs' next timers (weeks, on
        # a busy machine) before the digest's first task has read the clock.
        with env.auto_time_skipping_disabled():
            result = await env.client.execute_workflow(
                WeeklyDigestWorkflow.run,
                digest,
                # As the schedule names its runs: the workflow id and the time.
                id=f"{digest_workflow_id(program.cohort_id)}-{monday:%Y-%m-%dT%H:%M:%SZ}",
                task_queue=TASK_QUEUE,
                search_attributes=digest_search_attributes(program.cohort_id),
            )
        results.append(result)
        if result.last:
            break
        after = monday
    return results
