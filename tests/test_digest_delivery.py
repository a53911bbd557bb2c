"""The digest workflow's own logic on the time-skipping server: it delivers through the
send activity and the ledger like every message, records a refusal instead of failing,
and ends the schedule after the cohort's last week. The gathering is given (the test is
about what the workflow does with the facts); delivery is the real one, to real SMTP."""

from __future__ import annotations

import contextlib
import uuid
from datetime import timedelta

import pytest
from temporalio import activity
from temporalio.client import WorkflowFailureError
from temporalio.exceptions import ActivityError, ApplicationError
from temporalio.worker import Worker

from activities.answer_links import AnswerLinks
from activities.delivery import MailDelivery
from activities.ledger import LedgerStatus
from mentoring.answers import PairHealth
from mentoring.cohort import Language
from mentoring.digest import DigestInput, DigestRequest, Retired, RetireRequest
from mentoring.ids import EMAIL_TASK_QUEUE, TASK_QUEUE
from mentoring.reporting.digest import DigestFacts, DigestPair
from mentoring.reporting.facts import Outcome, SessionFact, SessionKind
from mentoring.reporting.figures import figures
from mentoring_service.cli.start import start_cohort
from mentoring_service.settings import MailSettings, WorkerSettings
from mentoring_service.workers import workflow_runner
from tests import factories
from tests import workers as test_workers
from tests.digests import WEEK
from workflows.digest import WeeklyDigestWorkflow

OFFICE = "office@example.com"


def something_happened(finished: bool = False) -> DigestFacts:
    held = SessionFact(
        starts_at=WEEK.starts_at + timedelta(days=1), ends_at=WEEK.starts_at + timedelta(days=1, hours=1),
        kind=SessionKind.HELD,
    )  # fmt: skip
    pair = DigestPair(pair_id="p1", outcome=Outcome.RUNNING, health=PairHealth.HEALTHY, sessions=[held])
    return DigestFacts(week=WEEK, headline=figures([]).headline, pairs=[pair], cohort_finished=finished)


class Given:
    """The facts the gathering would find, and the schedules the last digest deleted."""

    def __init__(self, facts: DigestFacts) -> None:
        self.facts = facts
        self.asked: list[DigestRequest] = []
        self.retired: list[str] = []

    @activity.defn(name="gather_digest")
    async def gather_digest(self, request: DigestRequest) -> DigestFacts:
        self.asked.append(request)
        return self.facts

    @activity.defn(name="retire_digest")
    async def retire_digest(self, request: RetireRequest) -> Retired:
        self.retired.append(request.cohort_id)
        return Retired(deleted=True)


@contextlib.asynccontextmanager
async def digest_workers(env, smtp, given: Given):
    delivery = MailDelivery(
        MailSettings(smtp_host="127.0.0.1", smtp_port=smtp.port),
        AnswerLinks(test_workers.test_signer(), test_workers.SITE_URL),
    )
    workers = [
        Worker(
            env.client, task_queue=TASK_QUEUE, workflows=[WeeklyDigestWorkflow],
            activities=[given.gather_digest, given.retire_digest], workflow_runner=workflow_runner(WorkerSettings()),
        ),
        Worker(env.client, task_queue=EMAIL_TASK_QUEUE, activities=[delivery.deliver_digest]),
    ]  # fmt: skip
    async with contextlib.AsyncExitStack() as stack:
        for worker in workers:
            await stack.enter_async_context(worker)
        yield delivery


async def run(env, language: Language = Language.EN):
    program = factories.program(WEEK.ends_on, cohort_id="dw", language=language)
    return await env.client.execute_workflow(
        WeeklyDigestWorkflow.run,
        DigestInput(program=program, timezone="Europe/Berlin"),
        id=f"digest:dw-{uuid.uuid4().hex[:8]}",
        task_queue=TASK_QUEUE,
    )


async def test_the_digest_goes_through_the_ledger_to_the_office_alone(skipping_env, smtp):
    given = Given(something_happened())
    async with digest_workers(skipping_env, smtp, given) as delivery:
        result = await run(skipping_env)
        rows = await delivery.ledger.rows()
    assert result.sent and result.skipped is None and not result.last
    assert given.asked[0].cohort_id == "dw" and given.asked[0].timezone == "Europe/Berlin"
    (received,) = smtp.handler.received
    assert (received.recipient, received.kind) == (OFFICE, "weekly_digest")
    assert received.message["X-Mentoring-Pair"] is None
    assert str(received.message["Message-ID"]) == result.message_id
    # One key per cohort and week: a second run of the week is recognised and not sent.
    assert [(r.key, r.status) for r in rows] == [("digest:dw/week-2027-03-29/0/program_office", LedgerStatus.ACCEPTED)]
    assert given.retired == []


async def test_a_refused_office_address_is_recorded_and_names_no_address(skipping_env, smtp):
    smtp.handler.refused[OFFICE] = "550 5.1.1 <office@example.com>: no such user"
    async with digest_workers(skipping_env, smtp, Given(something_happened())):
        result = await run(skipping_env)
    assert not result.sent and result.message_id is None
    assert result.skipped == (
        "not delivered: cohort dw: weekly_digest digest:dw/week-2027-03-29/0/program_office: "
        "refused permanently (550 5.1.1)"
    )
    assert smtp.handler.received == []


@pytest.mark.parametrize("happened", [True, False])
async def test_the_digest_after_the_cohort_ends_is_the_last_and_deletes_its_schedule(skipping_env, smtp, happened):
    facts = (
        something_happened(finished=True)
        if happened
        else something_happened(finished=True).model_copy(update={"pairs": []})
    )
    given = Given(facts)
    async with digest_workers(skipping_env, smtp, given):
        result = await run(skipping_env)
    assert result.last and given.retired == ["dw"]
    assert result.sent == happened
    assert len(smtp.handler.received) == (1 if happened else 0)


async def test_a_cohort_whose_workflow_was_terminated_fails_the_digest_and_keeps_the_schedule(skipping_env, smtp):
    """Its pairs may still run (``starter.py start`` adopts them): no digest can tell how
    they are, and none may end the schedule. The real activities, no fakes."""
    cohort = factories.cohort(WEEK.ends_on, ["p1"], cohort_id="dw")
    async with test_workers.running_workers(skipping_env.client, smtp.port):
        handle, _ = await start_cohort(skipping_env.client, cohort)
        await handle.terminate(reason="test: the cohort workflow is lost")
        with pytest.raises(WorkflowFailureError) as failed:
            await run(skipping_env)
    cause = failed.value.cause
    assert isinstance(cause, ActivityError) and isinstance(cause.cause, ApplicationError)
    assert cause.cause.message == (
        "cohort dw: its workflow terminated; `starter.py start` with the cohort file adopts its pairs again"
    )
    assert [r.kind for r in smtp.handler.received if r.recipient == OFFICE] == []
