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
from email.parser import BytesHeaderParser
from pathlib import Path

from temporalio.testing import WorkflowEnvironment

from activities.planning import plan_program
from mentoring.cohort import Cohort, office_zone
from mentoring.digest import DigestInput, DigestResult
from mentoring.ids import TASK_QUEUE, digest_workflow_id
from mentoring.plan import PlanRequest, SessionPlan
from tests.scripted_cohort import scripted_cohort
from workflows.digest import WeeklyDigestWorkflow

HEADERS = BytesHeaderParser(policy=email.policy.default)

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
            data = path.read_bytes()
            # Headers first: parsing every message whole, on every poll, was a sixth of the time.
            if HEADERS.parsebytes(data)["X-Mentoring-Kind"] == "weekly_digest":
                message = email.message_from_bytes(data, policy=email.policy.default)
                assert isinstance(message, EmailMessage)
                found.append(message)
        return found


@contextlib.asynccontextmanager
async def digest_program(folder: Path, responses: str) -> AsyncIterator[DigestProgram]:
    async with scripted_cohort(folder, cohort_yaml(), responses) as run:
        yield DigestProgram(run.env, run.cohort, run.outbox)
        assert run.participants.notes == []
