"""A whole program through the real activities: planning, composing, ICS and SMTP
(aiosmtpd) on the time-skipping server."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import timedelta
from email.utils import parsedate_to_datetime

from icalendar import Calendar

from mentoring.cohort import Cadence
from mentoring.ids import TASK_QUEUE
from mentoring.state import DeliveryStatus, PairProgramInput, ProgramPhase
from tests import factories
from tests.smtp_server import SmtpServer
from tests.test_pair_agenda import next_february_tuesday
from tests.workers import running_workers
from workflows.pair import PairProgramWorkflow

MENTOR, MENTEE, OFFICE = "mentor-p1@example.com", "mentee-p1@example.com", "office@example.com"


async def run_program(env, smtp: SmtpServer, input: PairProgramInput):
    async with running_workers(env.client, smtp.port, mail_from="Mentoring <mentoring@example.org>"):
        return await env.client.execute_workflow(
            PairProgramWorkflow.run, input, id=f"pair-e2e-{uuid.uuid4()}", task_queue=TASK_QUEUE
        )


async def test_every_message_arrives_once_with_correct_invites(skipping_env, smtp):
    now = await skipping_env.get_current_time()
    start = next_february_tuesday(now)
    input = PairProgramInput(program=factories.program(start), pair=factories.pair(cadence=Cadence.BIWEEKLY))
    result = await run_program(skipping_env, smtp, input)

    assert result.phase == ProgramPhase.COMPLETED
    assert result.messages_failed == 0
    received = smtp.handler.received
    # Nobody checks in: 13 sessions x (invite, reminder, reflection, check-in reminder) +
    # welcome, midpoint, closing + one nudge when the pair went quiet = 56 per participant;
    # the office hears once that the pair is at risk, and at the end.
    assert Counter(r.recipient for r in received) == {MENTOR: 56, MENTEE: 56, OFFICE: 2}
    assert Counter(r.kind for r in smtp.handler.for_recipient(MENTEE)) == {
        "welcome": 1,
        "invite": 13,
        "reminder": 13,
        "reflection": 13,
        "check_in_reminder": 13,
        "pair_nudge": 1,
        "midpoint_review": 1,
        "closing_review": 1,
    }
    assert [r.kind for r in smtp.handler.for_recipient(OFFICE)] == ["at_risk_alert", "completion_notice"]
    assert len({r.message["Message-ID"] for r in received}) == len(received) == result.messages_sent

    by_id = {m.message_id: m for m in result.messages}
    for r in received:
        record = by_id[r.message["Message-ID"]]
        assert r.recipient == record.email
        assert r.kind == record.kind.value
        # Date shows program time, not the wall clock of the machine running the preview.
        assert abs(parsedate_to_datetime(r.message["Date"]) - record.due_at) < timedelta(seconds=2)

    invites = [r for r in smtp.handler.for_recipient(MENTEE) if r.kind == "invite"]
    uids = []
    for r in invites:
        calendar_part = next(p for p in r.message.walk() if p.get_content_type() == "text/calendar")
        assert calendar_part.get_param("method") == "REQUEST"
        event = Calendar.from_ical(calendar_part.get_content()).walk("VEVENT")[0]
        uids.append(str(event["UID"]))
        assert int(event["SEQUENCE"]) == 0
        start_local = event.decoded("DTSTART")
        assert (start_local.hour, start_local.minute, str(start_local.tzinfo)) in {(16, 0, "Europe/Berlin")}
    assert len(set(uids)) == 13


async def test_a_451_is_retried_and_delivered_exactly_once(skipping_env, smtp):
    now = await skipping_env.get_current_time()
    smtp.handler.rcpt_faults[MENTEE] = ["451 4.7.1 Greylisted, try again later"]
    input = PairProgramInput(
        program=factories.program(next_february_tuesday(now), months=4),
        pair=factories.pair(cadence=Cadence.MONTHLY),
    )
    result = await run_program(skipping_env, smtp, input)

    welcome = [r for r in smtp.handler.for_recipient(MENTEE) if r.kind == "welcome"]
    assert len(welcome) == 1
    assert result.messages_failed == 0
    assert smtp.handler.rcpt_faults[MENTEE] == []


async def test_a_550_is_recorded_the_office_told_once_and_the_program_goes_on(skipping_env, smtp):
    now = await skipping_env.get_current_time()
    smtp.handler.refused[MENTEE] = "550 5.1.1 No such user"
    input = PairProgramInput(
        program=factories.program(next_february_tuesday(now), months=4),
        pair=factories.pair(cadence=Cadence.MONTHLY),
    )
    result = await run_program(skipping_env, smtp, input)

    assert result.phase == ProgramPhase.COMPLETED
    mentee_records = [m for m in result.messages if m.email == MENTEE]
    assert {m.status for m in mentee_records} == {DeliveryStatus.FAILED}
    assert {m.smtp_code for m in mentee_records} == {550}
    assert mentee_records[0].detail == "550 5.1.1 No such user"
    assert smtp.handler.for_recipient(MENTEE) == []
    # The mentor's program is unaffected.
    assert all(m.status == DeliveryStatus.SENT for m in result.messages if m.email == MENTOR)
    office = smtp.handler.for_recipient(OFFICE)
    assert [r.kind for r in office] == ["delivery_failure_notice", "at_risk_alert", "completion_notice"]
    notice = office[0].message.get_body(("plain",)).get_content()
    assert MENTEE in notice
    # The code once, then the server's words.
    assert "reply: 550 5.1.1 No such user" in notice and "550 550" not in notice
