"""The weekly digest: gather the cohort's facts, decide what the week's email says (or
that none is needed), deliver it to the program office, and end the schedule with the
cohort. Its schedule starts it on Mondays at 08:00 on the office's clock
(``mentoring_service.digest_schedule``); one run per week, nothing carried between runs.

Delivery is the one every message takes: the send activity with the delivery ledger,
under a key of the cohort and the week, so a second run for the same week (a manual
trigger, a retried workflow) never sends a second email.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, FailureError

with workflow.unsafe.imports_passed_through():
    from mentoring.cohort import Role
    from mentoring.digest import DigestInput, DigestRequest, DigestResult, Retired, RetireRequest
    from mentoring.ids import DIGEST_WORKFLOW_TYPE, EMAIL_TASK_QUEUE, digest_workflow_id
    from mentoring.messages import DeliveryReceipt, MessageKind, Recipient
    from mentoring.reporting.digest import DigestDelivery, DigestFacts, WeeklyDigest, compose
    from workflows.courier import SEND_HEARTBEAT_TIMEOUT, SEND_RETRY
    from workflows.letters import message_key

# Reading every pair takes seconds; a server or worker hiccup is retried, but a digest
# that cannot be gathered within the hour fails, visibly, and next Monday's comes.
GATHER_RETRY = RetryPolicy(maximum_interval=timedelta(minutes=5))
GATHER_WITHIN = timedelta(hours=1)
# After this the week's digest is stale: recorded as not delivered, never sent late.
DELIVER_WITHIN = timedelta(days=1)


@workflow.defn(name=DIGEST_WORKFLOW_TYPE)
class WeeklyDigestWorkflow:
    @workflow.run
    async def run(self, input: DigestInput) -> DigestResult:
        cohort_id = input.program.cohort_id
        facts = await workflow.execute_activity(
            "gather_digest",
            DigestRequest(cohort_id=cohort_id, timezone=input.timezone, at=workflow.now()),
            result_type=DigestFacts,
            start_to_close_timeout=timedelta(minutes=5),
            schedule_to_close_timeout=GATHER_WITHIN,
            retry_policy=GATHER_RETRY,
            summary=f"gather cohort {cohort_id}",
        )
        decision = compose(cohort_id, facts)
        result = DigestResult(cohort_id=cohort_id, week_ends_on=facts.week.ends_on, skipped=decision.skipped)
        if decision.digest is not None:
            await self._deliver(input, decision.digest, result)
        if facts.cohort_finished:
            # Every pair has finished: this was the last digest.
            await workflow.execute_activity(
                "retire_digest",
                RetireRequest(cohort_id=cohort_id),
                result_type=Retired,
                start_to_close_timeout=timedelta(minutes=1),
                summary="delete the digest's schedule",
            )
            result.last = True
        workflow.set_current_details(_details(result))
        return result

    async def _deliver(self, input: DigestInput, digest: WeeklyDigest, result: DigestResult) -> None:
        office = input.program.program_office
        recipient = Recipient(role=Role.PROGRAM_OFFICE, name=office.name, email=office.email, timezone=input.timezone)
        event = f"week-{digest.week.ends_on.isoformat()}"
        request = DigestDelivery(
            key=message_key(digest_workflow_id(input.program.cohort_id), event, 0, recipient),
            kind=MessageKind.WEEKLY_DIGEST,
            recipient=recipient,
            program=input.program,
            digest=digest,
            composed_at=workflow.now(),
        )
        try:
            receipt = await workflow.execute_activity(
                "deliver_digest",
                request,
                result_type=DeliveryReceipt,
                task_queue=EMAIL_TASK_QUEUE,
                start_to_close_timeout=timedelta(minutes=2),
                schedule_to_close_timeout=DELIVER_WITHIN,
                heartbeat_timeout=SEND_HEARTBEAT_TIMEOUT,
                retry_policy=SEND_RETRY,
                summary=f"{MessageKind.WEEKLY_DIGEST.value} → {Role.PROGRAM_OFFICE.value}",
            )
        except ActivityError as error:
            # A refusal names the cohort, the kind and the key, never an address; out of
            # time (an SMTP outage all day), the week's digest is not sent late.
            cause = error.cause
            why = cause.message if isinstance(cause, FailureError) else str(error)
            result.skipped = f"not delivered: {why}"
            return
        result.sent, result.message_id = True, receipt.message_id


def _details(result: DigestResult) -> str:
    """The UI's one line: which week, and what became of it."""
    what = "sent" if result.sent else f"no email ({result.skipped})"
    last = " · the last: every pair has finished" if result.last else ""
    return f"week to {result.week_ends_on.isoformat()}: {what}{last}"
