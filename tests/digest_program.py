"""A cohort for the weekly digest's tests: four weekly pairs from February 2031, across the
EU's and the US's clock changes, answering as a response script says, on the
time-skipping server with the real workers and a local SMTP inbox. The time-skipping
server has no schedules, so the test starts each digest at the Monday 08:00 that the
schedule would (``activities.digest_week.digest_times``, which the dev-server tests
hold against the server's own calendar)."""

from __future__ import annotations

import contextlib
import email
import email.policy
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from email.message import EmailMessage
from pathlib import Path

from temporalio.testing import WorkflowEnvironment

from activities.answer_links import AnswerLinks
from activities.planning import plan_program
from mentoring.cohort import Cohort, office_zone
from mentoring.cohort_file import load_cohort
from mentoring.digest import DigestInput, DigestResult
from mentoring.ids import TASK_QUEUE, digest_workflow_id
from mentoring.plan import PlanRequest, SessionPlan
from mentoring_service.cli.response_script import load_responses
from mentoring_service.cli.simulated_answers import SimulatedParticipants
from mentoring_service.cli.start import start_cohort
from mentoring_service.codec import EncryptionCodec, data_converter
from mentoring_service.inbox import start_inbox
from mentoring_service.links import LinkSigner
from mentoring_service.settings import MailSettings, ResponseSiteSettings, WorkerSettings
from mentoring_service.time_skipping import quiet_runtime, start_time_skipping
from mentoring_service.workers import create_workers
from workflows.digest import WeeklyDigestWorkflow

COHORT_ID = "dg-2031"
START = date(2031, 2, 4)  # a Tuesday
ZONES = {"p1": "Europe/Berlin", "p2": "Europe/Berlin", "p3": "America/New_York", "p4": "Europe/Berlin"}
OFFICE = "office@example.com"


def cohort_yaml() -> str:
    pairs = "".join(
        f"""  - id: {pair_id}
    mentor: {{name: "Mentor {pair_id}", email: "mentor-{pair_id}@example.com", timezone: "{zone}"}}
    mentee: {{name: "Mentee {pair_id}", email: "mentee-{pair_id}@example.com", timezone: "{zone}"}}
"""
        for pair_id, zone in ZONES.items()
    )
    return f"""id: {COHORT_ID}
name: "Digital Workplace 2031"
focus: "Working out loud"
language: en
program_office: {{name: "Program Office", email: "{OFFICE}"}}
start_date: {START.isoformat()}
duration_months: 4
cadence: weekly
session: {{weekday: tuesday, time: "16:00", length_minutes: 60, location: "Teams"}}
pairs:
{pairs}"""


def plans(cohort: Cohort) -> dict[str, SessionPlan]:
    """Each pair's plan as the cohort will make it, to write the script and the expectations."""
    program = cohort.program
    not_before = datetime.combine(program.start_date, time(0), tzinfo=UTC)
    return {
        pair.id: plan_program(
            PlanRequest(
                start_date=program.start_date,
                duration_months=program.duration_months,
                pattern=pair.pattern,
                not_before=not_before,
            )
        )
        for pair in cohort.pairs
    }


@dataclass
class DigestProgram:
    env: WorkflowEnvironment
    cohort: Cohort
    outbox: Path

    @property
    def client(self):
        return self.env.client

    async def now(self) -> datetime:
        return await self.env.get_current_time()

    async def run_digest_at(self, moment: datetime) -> DigestResult:
        """The schedule's run at ``moment``: program time passes until then, and the digest runs."""
        await self.env.sleep(moment - await self.now())
        return await self.run_digest()

    async def run_digest(self) -> DigestResult:
        now = await self.now()
        # At this moment, as the schedule would: no skipping ahead while it runs.
        with self.env.auto_time_skipping_disabled():
            return await self.client.execute_workflow(
                WeeklyDigestWorkflow.run,
                DigestInput(program=self.cohort.program, timezone=office_zone(self.cohort)),
                # As the schedule names its runs: the workflow id and the time.
                id=f"{digest_workflow_id(COHORT_ID)}-{now:%Y-%m-%dT%H:%M:%SZ}",
                task_queue=TASK_QUEUE,
            )

    def digests(self) -> list[EmailMessage]:
        """The weekly digests in the inbox, in order of arrival."""
        found = []
        for path in sorted(self.outbox.glob("*.eml")):
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            if message["X-Mentoring-Kind"] == "weekly_digest":
                assert isinstance(message, EmailMessage)
                found.append(message)
        return found


@contextlib.asynccontextmanager
async def digest_program(folder: Path, responses: str) -> AsyncIterator[DigestProgram]:
    cohort_file, responses_file = folder / "cohort.yaml", folder / "responses.yaml"
    cohort_file.write_text(cohort_yaml(), encoding="utf-8")
    responses_file.write_text(responses, encoding="utf-8")
    cohort = load_cohort(cohort_file)
    signer = LinkSigner.ephemeral()
    participants = SimulatedParticipants(load_responses(responses_file, cohort), signer)
    outbox = folder / "outbox"
    inbox = start_inbox(outbox, host="127.0.0.1", port=0, on_message=participants.on_message)
    env = await start_time_skipping(data_converter(EncryptionCodec.ephemeral()), quiet_runtime())
    mail = MailSettings(
        smtp_host="127.0.0.1", smtp_port=inbox.port, smtp_tls="none",
        delivery_ledger_url=f"sqlite:///{folder}/ledger.sqlite3",
    )  # fmt: skip
    links = AnswerLinks(signer, ResponseSiteSettings().public_url)
    try:
        async with contextlib.AsyncExitStack() as stack:
            for worker in create_workers(env.client, mail, WorkerSettings(email_rate_per_second=10_000), links):
                await stack.enter_async_context(worker)
            participants.attach(env)
            await start_cohort(env.client, cohort)
            yield DigestProgram(env, cohort, outbox)
            assert participants.notes == []
    finally:
        await env.shutdown()
        inbox.stop()
