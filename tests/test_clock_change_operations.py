"""Ops moving a session to a time the clocks skip or show twice: the same rule as
planning (activities.wall_clock), and the invite and the email agree on it."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from mentoring.cohort import Cadence
from mentoring.operations import CancelSession, RescheduleSession
from mentoring.state import PairProgramInput
from tests import factories
from tests import vtimezone_rules as rules
from tests.program_harness import ProgramHarness
from workflows.pair import PairProgramWorkflow

BERLIN = ZoneInfo("Europe/Berlin")
MENTOR, MENTEE = "mentor-p1@example.com", "mentee-p1@example.com"


def next_change(after: datetime, forward: bool) -> date:
    """The next day on which Berlin's clocks go forward (or back), at least 10 days after ``after``."""
    day = (after + timedelta(days=10)).date()
    while True:
        noon_before = datetime.combine(day, time(0), tzinfo=BERLIN).utcoffset()
        noon_after = datetime.combine(day, time(12), tzinfo=BERLIN).utcoffset()
        if noon_before != noon_after and (noon_after > noon_before) == forward:
            return day
        day += timedelta(days=1)


async def started_before(program: ProgramHarness, day: date) -> None:
    """A weekly Berlin pair whose program runs from a week before ``day``."""
    await program.start(
        PairProgramInput(
            program=factories.program(day - timedelta(days=7), months=4),
            pair=factories.pair(cadence=Cadence.WEEKLY, mentor_tz="America/New_York"),
        )
    )


async def invited(program: ProgramHarness, starts_at: datetime) -> None:
    """Let program time pass until the session's invite is out (14 days ahead)."""
    wait = starts_at - timedelta(days=13) - await program.now()
    if wait > timedelta(0):
        await program.advance(wait)
    await program.settle()


def invite_for(program: ProgramHarness, email: str, uid: str):
    """The latest invite ``email`` received for the event ``uid``: message, text and ICS."""
    for received in reversed(program.received(email)):
        message = received.message
        for part in message.walk():
            if part.get_content_type() == "text/calendar":
                ics = part.get_payload(decode=True)
                if f"UID:{uid}" in rules.unfolded(ics):
                    return message, message.get_body(("plain",)).get_content(), ics
    raise AssertionError(f"{email} has no invite for {uid}")


async def test_a_reschedule_into_the_spring_gap_starts_later_by_the_gap(program):
    gap_day = next_change(await program.now(), forward=True)
    await started_before(program, gap_day)
    asked = datetime.combine(gap_day, time(2, 30))
    await program.update(
        PairProgramWorkflow.reschedule_session,
        RescheduleSession(request_id="gap", session_number=1, new_local_start=asked),
    )
    moved = (await program.state()).sessions[0]
    await invited(program, moved.starts_at)
    actual = datetime.combine(gap_day, time(3, 30), tzinfo=BERLIN)
    assert moved.starts_at == actual.astimezone(UTC)
    message, text, ics = invite_for(program, MENTEE, moved.uid)
    # 02:30 as asked, on the offset before the change: 03:30 CEST.
    assert f'DTSTART;TZID="UTC+01:00":{asked:%Y%m%dT%H%M%S}' in rules.unfolded(ics)
    assert rules.event_instant(ics, "DTSTART") == moved.starts_at
    assert str(message["Subject"]).endswith("at 03:30 (Europe/Berlin)")
    assert "does not exist that day, so the session starts at 03:30 (Europe/Berlin)." in text
    # The mentor in New York reads the same instant on their own clock.
    message, text, _ = invite_for(program, MENTOR, moved.uid)
    assert str(message["Subject"]).endswith(
        f"at {moved.starts_at.astimezone(ZoneInfo('America/New_York')):%H:%M} (America/New_York)"
    )


async def test_a_replacement_in_the_autumn_fold_is_the_first_one_on_its_own_offset(program):
    fold_day = next_change(await program.now(), forward=False)
    await started_before(program, fold_day)
    asked = datetime.combine(fold_day, time(2, 30))
    await program.update(
        PairProgramWorkflow.cancel_session,
        CancelSession(request_id="fold", session_number=1, reason="Betriebsversammlung", replacement_local_start=asked),
    )
    state = await program.state()
    replacement = max(state.sessions, key=lambda s: s.number)
    # The first 02:30: still on summer time.
    assert replacement.starts_at == datetime.combine(fold_day, time(0, 30), tzinfo=UTC)
    await invited(program, replacement.starts_at)

    message, text, ics = invite_for(program, MENTEE, replacement.uid)
    lines = rules.unfolded(ics)
    assert f'DTSTART;TZID="UTC+02:00":{fold_day:%Y%m%d}T023000' in lines
    assert f'DTEND;TZID="UTC+02:00":{fold_day:%Y%m%d}T033000' in lines
    assert rules.event_instant(ics, "DTSTART") == replacement.starts_at
    assert str(message["Subject"]).endswith("at 02:30 CEST (Europe/Berlin)")
    assert "happens twice that day, and the session is at the first one (CEST, UTC+02:00)." in text
