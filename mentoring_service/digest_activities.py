"""The weekly digest's activities that talk to Temporal: gather the cohort's facts, and
delete the schedule once the cohort is over.

Gathering is the report's (``mentoring_service.reporting.gather``): the same pairs, the
same facts, the same headline. Here it is cut to the digest's two weeks, so the
workflow's history holds a few numbers per pair, whatever the cohort's size, and
nothing a participant addressed to the office.
"""

from __future__ import annotations

from temporalio import activity
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from activities.digest_week import digest_week
from mentoring.digest import DigestRequest, Retired, RetireRequest
from mentoring.ids import cohort_workflow_id, digest_schedule_id
from mentoring.reporting.digest import DigestFacts, digest_pair
from mentoring.reporting.figures import figures
from mentoring_service.cli.console import CommandError
from mentoring_service.reporting.gather import gather


class DigestActivities:
    def __init__(self, client: Client) -> None:
        self._client = client

    @activity.defn(name="gather_digest")
    async def gather_digest(self, request: DigestRequest) -> DigestFacts:
        # The office's week in its own zone: zoneinfo belongs in activities.
        week = digest_week(request.at, request.timezone)
        await self._check_cohort(request.cohort_id)
        try:
            gathered = await gather(self._client, request.cohort_id)
        except CommandError as error:
            # The report's sentence (no cohort, a pair that cannot answer, no server);
            # retried, since most of them pass.
            raise ApplicationError(f"cohort {request.cohort_id}: {error}", type="DigestGatherFailed") from None
        return DigestFacts(
            week=week,
            headline=figures(gathered.pairs).headline,
            pairs=[digest_pair(facts, week) for facts in gathered.pairs],
            cohort_finished=not gathered.cohort_running,
            missing_pairs=[missing.pair_id for missing in gathered.missing],
        )

    async def _check_cohort(self, cohort_id: str) -> None:
        """A cohort workflow that failed or was terminated is not over: its pairs may still
        run, and ``starter.py start`` adopts them. No digest can say how they are until
        then, and none may end the schedule: the run fails, visibly, and next week's tries
        again."""
        try:
            description = await self._client.get_workflow_handle(cohort_workflow_id(cohort_id)).describe()
        except RPCError as error:
            if error.status != RPCStatusCode.NOT_FOUND:
                raise
            raise ApplicationError(f"cohort {cohort_id}: no such cohort workflow", non_retryable=True) from None
        status = description.status
        if status not in (WorkflowExecutionStatus.RUNNING, WorkflowExecutionStatus.COMPLETED):
            how = status.name.lower() if status else "closed"
            raise ApplicationError(
                f"cohort {cohort_id}: its workflow {how}; `starter.py start` with the cohort file adopts its pairs again",
                type="CohortNotRunning",
                non_retryable=True,
            )

    @activity.defn(name="retire_digest")
    async def retire_digest(self, request: RetireRequest) -> Retired:
        try:
            await self._client.get_schedule_handle(digest_schedule_id(request.cohort_id)).delete()
        except RPCError as error:
            if error.status in (RPCStatusCode.NOT_FOUND, RPCStatusCode.UNIMPLEMENTED):
                return Retired(deleted=False)
            raise
        return Retired(deleted=True)
