"""A simulated cohort for the report's tests: six pairs with distinctive non-ASCII names
and addresses, answering as a response script says (``simulate --responses``), on the
time-skipping server with the real workers and a local inbox. The test drives it: lets
program time pass, operates on pairs (a pause, an end, a withdrawal, a replacement, a
declined invite), reads the report's facts, and lets it finish."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from mentoring.cohort import Cohort, Person, Role
from mentoring.ids import pair_workflow_id
from mentoring.operations import EndProgram, PausePair, ReplaceParticipant, WithdrawPair
from mentoring.replies import CalendarReply, PartStat, ReplyMethod, ReplyRequest
from mentoring.state import PairState
from mentoring_service.cli.simulated_answers import SimulatedParticipants
from tests.scripted_cohort import scripted_cohort
from workflows.cohort import CohortWorkflow
from workflows.pair import PairProgramWorkflow

COHORT_ID = "rpt-2030"
PAIRS = ("p1", "p2", "p3", "p4", "p5", "p6")
# (name, address) of every participant, the one who joins later included: none of
# these may appear in anything the report writes.
PEOPLE = {
    ("p1", Role.MENTOR): ("Żaneta Ŋgorō-Øster", "zaneta.ngoro@example.com"),
    ("p1", Role.MENTEE): ("Dr. Þórhildur Ærøskøbing", "thorhildur@müller.example"),
    ("p2", Role.MENTOR): ("Łukasz Ğündoğdu", "lukasz.gundogdu@example.com"),
    ("p2", Role.MENTEE): ("Prof. Ängelika Šťastná", "jürgen.šťastný@example.com"),
    ("p3", Role.MENTOR): ("Ŧomás Ñúñez", "tomas.nunez@example.com"),
    ("p3", Role.MENTEE): ("Ådne Ĳsselmeer", "adne.ijsselmeer@example.com"),
    ("p4", Role.MENTOR): ("Ǿrjan Đorđević", "orjan.dordevic@example.com"),
    ("p4", Role.MENTEE): ("Maëlys Çelikkaya", "maelys.celikkaya@example.com"),
    ("p5", Role.MENTOR): ("Ŵenna Ŷnysddu", "wenna.ynysddu@example.com"),
    ("p5", Role.MENTEE): ("Ğökçe Ünaldı", "gokce.unaldi@example.com"),
    ("p6", Role.MENTOR): ("Ŕóża Ŝkłodowska", "roza.sklodowska@example.com"),
    ("p6", Role.MENTEE): ("Ỳgritte Ẅhitlock", "ygritte.whitlock@example.com"),
}
NEWCOMER = Person(name="Øyvind Ŧhorsæter", email="oyvind.thorsaeter@example.com", timezone="Europe/Oslo")
ZONES = {"p1": "Europe/Berlin", "p2": "America/New_York", "p3": "Asia/Kolkata"}
# Reasons the office types: as private as names, never in a report.
PRIVATE_REASONS = ("Ŋ-Elternzeit von Żaneta", "Ŋ-Umzug nach Þórshöfn", "Ŋ-Team aufgelöst", "Ŋ-Wechsel zu Øyvind")
COMMENTS = ("Mehr Zeit für Übungen, bitte.", "Great format — thank you!", "Weniger Termine im Sommer.")
RESPONSES = f"""\
default: met
pairs:
  p2:
    sessions: {{3: not_met, 4: none, 5: {{mentor: met, mentee: not_met}}}}
    reviews:
      midpoint:
        mentor: {{career: 2, psychosocial: 4, emotional: 3, focus_progress: 3}}
      closing:
        mentor: {{career: 3, recommend: 6, keep_meeting: maybe, comment: "{COMMENTS[0]}"}}
  p3:
    default: none
  p1:
    reviews:
      midpoint:
        mentor: {{career: 5, psychosocial: 5, emotional: 4, focus_progress: 4}}
        mentee: {{career: 4, psychosocial: 3, emotional: 5, focus_progress: 5}}
      closing:
        mentor: {{career: 5, recommend: 10, keep_meeting: yes, comment: "{COMMENTS[1]}"}}
        mentee: {{career: 4, recommend: 9, keep_meeting: yes}}
  p4:
    reviews:
      midpoint:
        mentor: {{career: 4, psychosocial: 4, emotional: 4}}
      closing:
        mentor: {{career: 4, recommend: 9, keep_meeting: no}}
        mentee: {{career: 2, recommend: 3, keep_meeting: no, comment: "{COMMENTS[2]}"}}
  p5:
    reviews:
      closing:
        mentor: {{career: 3, recommend: 8, keep_meeting: maybe}}
"""


def cohort_yaml(start: date) -> str:
    pairs = "".join(
        f"""  - id: {pair_id}
    mentor: {{name: "{PEOPLE[(pair_id, Role.MENTOR)][0]}", email: "{PEOPLE[(pair_id, Role.MENTOR)][1]}", timezone: "{ZONES.get(pair_id, "Europe/Berlin")}"}}
    mentee: {{name: "{PEOPLE[(pair_id, Role.MENTEE)][0]}", email: "{PEOPLE[(pair_id, Role.MENTEE)][1]}", timezone: "{ZONES.get(pair_id, "Europe/Berlin")}"}}
"""
        for pair_id in PAIRS
    )
    return f"""id: {COHORT_ID}
name: "Digitale Arbeitswelt 2030"
focus: "Zusammenarbeit im Netz"
language: de
program_office: {{name: "Programmbüro", email: "office@example.com"}}
start_date: {start.isoformat()}
duration_months: 4
cadence: biweekly
session: {{weekday: monday, time: "09:00", length_minutes: 45, location: "Teams"}}
pairs:
{pairs}"""


@dataclass
class SimulatedCohort:
    env: WorkflowEnvironment
    cohort: Cohort
    handle: WorkflowHandle
    participants: SimulatedParticipants
    outbox: Path

    @property
    def client(self):
        return self.env.client

    async def advance(self, duration: timedelta) -> None:
        await self.env.sleep(duration)

    async def now(self) -> datetime:
        return await self.env.get_current_time()

    def pair(self, pair_id: str) -> WorkflowHandle:
        return self.client.get_workflow_handle_for(PairProgramWorkflow.run, pair_workflow_id(COHORT_ID, pair_id))

    async def state(self, pair_id: str) -> PairState:
        """The pair's state as its query gives it; a closed pair's too (the worker replays it)."""
        return await self.pair(pair_id).query(PairProgramWorkflow.state)

    async def states(self) -> dict[str, PairState]:
        return {pair_id: await self.state(pair_id) for pair_id in PAIRS}

    async def operate(self) -> None:
        """What the office does in the program's first weeks: p4 pauses for two weeks,
        p2's mentee declines the next session in their calendar, p1's mentee is
        replaced, p5 ends early and p6 leaves the cohort."""
        now = await self.now()
        until = (now + timedelta(days=14)).date()
        await self.pair("p4").execute_update(
            PairProgramWorkflow.pause, PausePair(request_id="pause-p4", reason=PRIVATE_REASONS[0], until=until)
        )
        p2 = await self.state("p2")
        session = next(s for s in p2.sessions if s.starts_at > now and s.invited_sequence is not None)
        reply = CalendarReply(
            message_id="<decline-p2@calendar.example>", method=ReplyMethod.REPLY,
            workflow_id=pair_workflow_id(COHORT_ID, "p2"), session=session.number, sequence=session.sequence,
            attendee=PEOPLE[("p2", Role.MENTEE)][1], partstat=PartStat.DECLINED,
        )  # fmt: skip
        await self.pair("p2").execute_update(PairProgramWorkflow.record_calendar_reply, ReplyRequest(reply=reply))
        await self.pair("p1").execute_update(
            PairProgramWorkflow.replace_participant,
            ReplaceParticipant(request_id="replace-p1", role=Role.MENTEE, person=NEWCOMER, reason=PRIVATE_REASONS[3]),
        )
        await self.pair("p5").execute_update(
            PairProgramWorkflow.end_program, EndProgram(request_id="end-p5", reason=PRIVATE_REASONS[1])
        )
        await self.handle.execute_update(
            CohortWorkflow.withdraw_pair,
            WithdrawPair(request_id="withdraw-p6", pair_id="p6", reason=PRIVATE_REASONS[2]),
        )

    async def finish(self) -> None:
        await self.handle.result()
        await self.participants.finish()


def next_monday(after: date) -> date:
    return after + timedelta(days=7 - after.weekday())


@contextlib.asynccontextmanager
async def simulated_cohort(folder: Path) -> AsyncIterator[SimulatedCohort]:
    start = next_monday(datetime.now(UTC).date() + timedelta(days=2))
    async with scripted_cohort(folder, cohort_yaml(start), RESPONSES) as run:
        yield SimulatedCohort(run.env, run.cohort, run.handle, run.participants, run.outbox)
