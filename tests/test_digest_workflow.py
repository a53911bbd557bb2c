"""The weekly digest on the time-skipping server, with the real workers, a real SMTP inbox
and participants who answer as a script says: a digest at each Monday 08:00 in Berlin
across the EU's clock change, the week of the midpoint in full, a week with nothing in
it skipped, and a week never sent twice."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

from temporalio.client import WorkflowExecutionStatus

from activities.digest_week import digest_time, digest_times, digest_week, last_digest_day
from mentoring.cohort_file import load_cohort
from mentoring.ids import pair_workflow_id
from mentoring.state import PairState, SessionStatus
from mentoring_service.digest_preview import run_digests
from tests.digest_program import COHORT_ID, OFFICE, ZONES, DigestProgram, cohort_yaml, digest_program, plans
from workflows.pair import PairProgramWorkflow

BERLIN = "Europe/Berlin"


def body(message) -> str:
    return message.get_body(("plain",)).get_content().replace("\r\n", "\n")


def script(session: int) -> str:
    """Everyone meets, except: p2 misses this session and the one before (at risk), p3
    misses this one (quiet), and nobody in p4 answers for this one yet."""
    return f"""\
default: met
pairs:
  p2:
    sessions: {{{session - 1}: not_met, {session}: not_met}}
  p3:
    sessions: {{{session}: not_met}}
  p4:
    sessions: {{{session}: none}}
"""


async def states(program: DigestProgram) -> dict[str, PairState]:
    return {
        pair_id: await program.client.get_workflow_handle(pair_workflow_id(COHORT_ID, pair_id)).query(
            PairProgramWorkflow.state
        )
        for pair_id in ZONES
    }


async def test_digests_on_mondays_at_0800_berlin_with_the_weeks_facts(tmp_path):
    (tmp_path / "plan.yaml").write_text(cohort_yaml(), encoding="utf-8")
    planned = plans(load_cohort(tmp_path / "plan.yaml"))
    # The midpoint (Saturday 5 April 2031) is in the week after Monday 31 March, the first
    # Monday on summer time: the week before it crosses the clock change.
    monday = last_digest_day(planned["p1"].midpoint_at, BERLIN)
    week = digest_week(digest_time(monday, BERLIN), BERLIN)
    numbers = {
        p: [s.number for s in plan.sessions if week.starts_at <= s.starts_at < week.ends_at]
        for p, plan in planned.items()
    }
    assert set(map(tuple, numbers.values())) == {(8,)}
    mondays = digest_times(week.starts_at - timedelta(weeks=3), week.ends_at + timedelta(weeks=2), BERLIN)
    assert [m.astimezone(ZoneInfo(BERLIN)).strftime("%d %b %H:%M %Z") for m in mondays] == [
        "10 Mar 08:00 CET", "17 Mar 08:00 CET", "24 Mar 08:00 CET", "31 Mar 08:00 CEST", "07 Apr 08:00 CEST", "14 Apr 08:00 CEST",
    ]  # fmt: skip

    async with digest_program(tmp_path, script(8)) as program:
        # Now, years before the program: nothing happened, nothing is coming.
        first = await program.run_digest()
        assert not first.sent and program.digests() == []
        assert first.skipped == (
            f"nothing happened in the week to {first.week_ends_on.isoformat()} and nothing is planned for the next"
        )
        results = [await program.run_digest_at(moment) for moment in mondays]
        pairs_now = await states(program)

    assert [r.week_ends_on.isoformat() for r in results] == [
        "2031-03-10", "2031-03-17", "2031-03-24", "2031-03-31", "2031-04-07", "2031-04-14",
    ]  # fmt: skip
    assert all(r.sent and r.skipped is None and not r.last for r in results)
    digests = program.digests()
    assert len(digests) == 6
    for message, moment in zip(digests, mondays, strict=True):
        # Written at 08:00 on the office's clock, before and after the change.
        written = parsedate_to_datetime(message["Date"])
        assert timedelta(0) <= written - moment < timedelta(minutes=1)
        assert written.astimezone(ZoneInfo(BERLIN)).strftime("%H:%M") == "08:00"
        assert message["To"] == f"Program Office <{OFFICE}>"
        assert message["X-Mentoring-Pair"] is None
    subjects = [str(m["Subject"]) for m in digests]
    assert subjects[3] == 'Weekly digest: "Digital Workplace 2031", the week to Monday, 31 March 2031'

    text = body(digests[3])
    # The week of the clock change, 7 days less one hour.
    assert (
        'here is the week of the cohort "Digital Workplace 2031" (dg-2031), from Monday, 24 March 2031 '
        "to Monday, 31 March 2031, 08:00 (Europe/Berlin)." in text
    )
    assert "Sessions held: 1\nSessions not held: 2\nNot answered yet: 1\nCancelled: 0\n" in text
    ops = ".venv/bin/python ops.py"
    assert (
        "PAIRS THAT NEED A LOOK\n"
        "- Pair p2: at risk, 1 of last week's sessions not held\n"
        f"  See the plan, the check-ins and the reviews:\n    {ops} show dg-2031 p2\n"
        f'  Move a session to a date that suits both:\n    {ops} reschedule dg-2031 p2 SESSION --to "YYYY-MM-DD HH:MM"\n'
        f"  Give the pair a break:\n    {ops} pause dg-2031 p2 --reason TEXT --until YYYY-MM-DD\n"
        f"  End the pair early (the closing review goes out):\n    {ops} end dg-2031 p2 --reason TEXT\n"
        "- Pair p3: quiet, 1 of last week's sessions not held\n"
        f"  See the plan, the check-ins and the reviews:\n    {ops} show dg-2031 p3\n"
        f'  Move a session to a date that suits both:\n    {ops} reschedule dg-2031 p3 SESSION --to "YYYY-MM-DD HH:MM"\n'
        f"  Give the pair another day or time:\n    {ops} change-rhythm dg-2031 p3 --weekday D --time HH:MM\n\n"
    ) in text
    # The midpoints of the week to come, on the office's clock (p3's is 09:00 in New York).
    assert (
        "NEXT WEEK, TO MONDAY, 7 APRIL 2031\n"
        "Sessions planned: 4\n"
        "- Pair p1: midpoint review, Saturday, 5 April 2031, 09:00\n"
        "- Pair p2: midpoint review, Saturday, 5 April 2031, 09:00\n"
        "- Pair p4: midpoint review, Saturday, 5 April 2031, 09:00\n"
        "- Pair p3: midpoint review, Saturday, 5 April 2031, 15:00\n"
    ) in text
    assert "NEXT WEEK, TO MONDAY, 17 MARCH 2031\nSessions planned: 4\n\n" in body(digests[0])
    # Only the midpoint's week lists it.
    assert [("midpoint review" in body(m)) for m in digests] == [False, False, False, True, False, False]
    # The weeks before: everyone met; then p2 missed session 7, its first not held: quiet.
    assert "Sessions held: 4\nSessions not held: 0\nNot answered yet: 0\n" in body(digests[1])
    assert "Sessions held: 3\nSessions not held: 1\nNot answered yet: 0\n" in body(digests[2])
    assert "- Pair p2: quiet, 1 of last week's sessions not held\n" in body(digests[2])

    # The headline is the report's, here as the pairs' own states give it at the end.
    held = sum(1 for s in (s for st in pairs_now.values() for s in st.sessions) if s.status == SessionStatus.HELD)
    planned_now = sum(1 for st in pairs_now.values() for s in st.sessions if s.status != SessionStatus.CANCELLED)
    last = body(digests[-1])
    assert f"- pairs started: 4, running: 4, completed: 0\n- sessions held: {held} of {planned_now} planned\n" in last
    assert "- recommendation score (NPS): mentors fewer than 3 answers, mentees fewer than 3 answers\n" in last

    # Nothing a participant is called or writes with appears: pair ids, counts and dates only.
    everything = "\n".join(body(m) + m.get_body(("html",)).get_content() for m in digests)
    for pair_id in ZONES:
        for role in ("Mentor", "Mentee"):
            assert f"{role} {pair_id}" not in everything
            assert f"{role.lower()}-{pair_id}@example.com" not in everything


async def test_a_week_is_sent_once_and_the_digests_end_with_the_cohort(tmp_path):
    async with digest_program(tmp_path, "default: met\n") as program:
        monday = digest_times(datetime(2031, 2, 10, tzinfo=UTC), datetime(2031, 2, 17, 12, tzinfo=UTC), BERLIN)[0]
        first = await program.run_digest_at(monday)
        # A second run in the same week (a manual trigger, a retried workflow): the same
        # ledger key, so the mail server sees nothing new.
        again = await program.run_digest_at(monday + timedelta(hours=5))
        assert (first.week_ends_on, again.week_ends_on) == (monday.date(), monday.date())
        assert first.sent and again.sent and first.message_id == again.message_id
        assert len(program.digests()) == 1
        assert "Sessions held: 4\nSessions not held: 0\nNot answered yet: 0\nCancelled: 0\n" in body(
            program.digests()[0]
        )
        # Every Monday after, as the schedule would, until the digest that finds the cohort over.
        rest = await run_digests(program.env, program.cohort)
        cohort = await program.client.get_workflow_handle(f"cohort:{COHORT_ID}").describe()
        digests = program.digests()

    assert cohort.status == WorkflowExecutionStatus.COMPLETED
    weeks = [r.week_ends_on for r in rest]
    assert weeks[0] == date(2031, 2, 17) and all(
        b - a == timedelta(days=7) for a, b in zip(weeks, weeks[1:], strict=False)
    )
    assert [r.last for r in rest] == [False] * (len(rest) - 1) + [True]
    # The program's last session is on 3 June, its closing reviews on 4 June, and its
    # pairs take late answers for three weeks more: the weeks after have nothing in them.
    sent = [r.week_ends_on for r in rest if r.sent]
    assert sent[-1] == date(2031, 6, 9)
    assert all(r.skipped.startswith("nothing happened") for r in rest if not r.sent)
    assert len(digests) == 1 + len(sent)
    assert "- pairs started: 4, running: 0, completed: 4\n" in body(digests[-1])
    assert "- Pair p1: closing review, Wednesday, 4 June 2031, 09:00\n" in body(digests[-2])
