"""The weekly digest's pure parts: its week on the office's clock, what it says, when it
is skipped, and that every command it suggests is one ``ops.py`` takes."""

from __future__ import annotations

import shlex
import zoneinfo
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from activities.digest_week import digest_time, digest_times, digest_week
from activities.wall_clock import ClockChange, resolve
from mentoring.answers import PairHealth
from mentoring.reporting.digest import (
    DigestFacts,
    DigestPair,
    Help,
    Milestone,
    compose,
    digest_pair,
    hints,
)
from mentoring.reporting.facts import Outcome, PairFacts, SessionFact, SessionKind
from mentoring.reporting.figures import figures
from mentoring_service.cli.ops_parser import build_parser
from tests.digests import WEEK

ZONES = sorted(zoneinfo.available_timezones() - {"localtime", "posixrules", "Factory"})
MONDAY = WEEK.ends_at  # 29 March 2027, 08:00 in Berlin (CEST)
HEADLINE = figures([]).headline


def session(at: datetime, kind: SessionKind) -> SessionFact:
    return SessionFact(starts_at=at, ends_at=at + timedelta(hours=1), kind=kind)


def pair(pair_id: str, *sessions: SessionFact, **fields) -> DigestPair:
    return DigestPair(
        pair_id=pair_id, outcome=fields.pop("outcome", Outcome.RUNNING), sessions=list(sessions), **fields
    )


def facts(*pairs: DigestPair, finished: bool = False) -> DigestFacts:
    return DigestFacts(week=WEEK, headline=HEADLINE, pairs=list(pairs), cohort_finished=finished)


# ------------------------------------------------------------------ the week


@settings(max_examples=200, deadline=None)
@given(
    zone=st.sampled_from(ZONES), at=st.datetimes(datetime(2001, 1, 1), datetime(2098, 12, 1), timezones=st.just(UTC))
)
def test_the_week_ends_at_the_latest_monday_0800_on_the_offices_clock(zone, at):
    week = digest_week(at, zone)
    own = ZoneInfo(zone)
    assert week.ends_at <= at < week.next_ends_at
    assert week.starts_at < week.ends_at
    for moment, day in ((week.starts_at, -7), (week.ends_at, 0), (week.next_ends_at, 7)):
        monday = week.ends_on + timedelta(days=day)
        local = moment.astimezone(own)
        assert monday.weekday() == 0 and local.date() == monday
        # 08:00, unless the clocks skip 08:00 that Monday (then later by the gap, the one rule).
        assert local.time() == time(8) or resolve(datetime.combine(monday, time(8)), zone).change is ClockChange.GAP
        assert moment == digest_time(monday, zone)
    # A week is 7 days, give or take the clock change it holds.
    assert abs((week.ends_at - week.starts_at) - timedelta(days=7)) <= timedelta(hours=2)


@pytest.mark.parametrize(
    ("zone", "ends_on", "hours"),
    [
        ("Europe/Berlin", date(2027, 3, 29), 167),  # CET to CEST on the Sunday before
        ("Europe/Berlin", date(2027, 11, 1), 169),
        ("America/New_York", date(2027, 3, 15), 167),
        ("Australia/Lord_Howe", date(2027, 4, 5), 168.5),  # half an hour back
        ("Asia/Tokyo", date(2027, 3, 29), 168),
    ],
)
def test_a_week_across_a_clock_change_is_shorter_or_longer_and_still_monday_0800(zone, ends_on, hours):
    moment = datetime.combine(ends_on, time(8), tzinfo=ZoneInfo(zone))
    week = digest_week(moment, zone)
    assert week.ends_on == ends_on and week.ends_at == moment
    assert (week.ends_at - week.starts_at) == timedelta(hours=hours)
    assert week.starts_at.astimezone(ZoneInfo(zone)).strftime("%a %H:%M") == "Mon 08:00"


def test_a_digest_that_starts_late_or_early_covers_the_right_week():
    late = digest_week(MONDAY + timedelta(hours=20), "Europe/Berlin")
    assert late.ends_on == date(2027, 3, 29)
    early = digest_week(MONDAY - timedelta(seconds=1), "Europe/Berlin")
    assert early.ends_on == date(2027, 3, 22)


def test_the_mondays_a_preview_runs_are_the_schedules():
    times = digest_times(datetime(2027, 3, 20, tzinfo=UTC), datetime(2027, 4, 6, tzinfo=UTC), "Europe/Berlin")
    assert [t.isoformat() for t in times] == [
        "2027-03-22T07:00:00+00:00",
        "2027-03-29T06:00:00+00:00",
        "2027-04-05T06:00:00+00:00",
    ]


# ------------------------------------------------------------------ what it says


def test_the_past_week_counts_each_session_by_what_became_of_it():
    day = WEEK.starts_at
    decision = compose(
        "dw",
        facts(
            pair(
                "p1",
                session(day - timedelta(seconds=1), SessionKind.MISSED),  # the week before
                session(day, SessionKind.HELD),  # the first moment of the week counts
                session(day + timedelta(days=1), SessionKind.MISSED),
                session(day + timedelta(days=2), SessionKind.DECLINED),
                session(day + timedelta(days=3), SessionKind.AWAITING),
                session(day + timedelta(days=4), SessionKind.UPCOMING),  # its prompt is not out yet
                session(day + timedelta(days=5), SessionKind.CANCELLED),
                session(WEEK.ends_at, SessionKind.UPCOMING),  # the next week's first moment
                session(WEEK.next_ends_at, SessionKind.UPCOMING),  # beyond the next week
                health=PairHealth.AT_RISK,
            ),
        ),
    )
    digest = decision.digest
    assert digest is not None and decision.skipped is None
    assert digest.last_week.model_dump() == {"held": 1, "missed": 1, "declined": 1, "open": 2, "cancelled": 1}
    assert digest.sessions_next_week == 1
    (watched,) = digest.watch
    assert (watched.pair_id, watched.health, watched.not_held) == ("p1", PairHealth.AT_RISK, 2)


def test_only_running_pairs_that_are_quiet_or_at_risk_need_a_look_at_risk_first():
    day = WEEK.starts_at + timedelta(days=1)
    decision = compose(
        "dw",
        facts(
            pair("p1", session(day, SessionKind.HELD), health=PairHealth.HEALTHY),
            pair("p2", health=PairHealth.QUIET),
            pair("p3", health=PairHealth.AT_RISK),
            pair("p4", health=None),  # takes no answers (before v1.1.0)
            pair("p5", health=PairHealth.AT_RISK, outcome=Outcome.COMPLETED),
            pair("p6", health=PairHealth.QUIET, outcome=Outcome.WITHDRAWN),
            pair("p7", health=PairHealth.QUIET),
        ),
    )
    assert decision.digest is not None
    assert [(p.pair_id, p.health) for p in decision.digest.watch] == [
        ("p3", PairHealth.AT_RISK), ("p2", PairHealth.QUIET), ("p7", PairHealth.QUIET),
    ]  # fmt: skip
    assert [h.help for h in decision.digest.watch[0].hints] == [Help.SHOW, Help.RESCHEDULE, Help.PAUSE, Help.END]
    assert [h.help for h in decision.digest.watch[1].hints] == [Help.SHOW, Help.RESCHEDULE, Help.CHANGE_RHYTHM]


def test_midpoints_and_closings_of_the_next_week_not_yet_done_come_in_time_order():
    soon = WEEK.ends_at + timedelta(days=2)
    decision = compose(
        "dw",
        facts(
            pair("p1", midpoint_at=soon + timedelta(hours=3)),
            pair("p2", closing_at=soon),
            pair("p3", midpoint_at=soon, midpoint_done=True),  # sent early (the pair ended, say)
            pair("p4", closing_at=WEEK.next_ends_at),  # the week after
            pair("p5", closing_at=WEEK.ends_at - timedelta(seconds=1)),  # already past
            pair("p6", midpoint_at=soon, outcome=Outcome.ENDED_EARLY),
        ),
    )
    assert decision.digest is not None
    assert [(m.pair_id, m.milestone, m.at) for m in decision.digest.upcoming] == [
        ("p2", Milestone.CLOSING, soon), ("p1", Milestone.MIDPOINT, soon + timedelta(hours=3)),
    ]  # fmt: skip


@pytest.mark.parametrize(
    "only",
    [
        pair("p1", session(WEEK.starts_at + timedelta(days=1), SessionKind.CANCELLED)),
        pair("p1", session(WEEK.ends_at + timedelta(days=1), SessionKind.UPCOMING)),
        pair("p1", closing_at=WEEK.ends_at + timedelta(days=1)),
    ],
    ids=["a cancellation last week", "a session next week", "a closing next week"],
)
def test_one_thing_in_either_week_is_enough_for_a_digest(only):
    assert compose("dw", facts(only)).digest is not None


def test_nothing_in_the_past_week_and_nothing_coming_is_skipped_and_says_why():
    quiet_but_idle = pair(
        "p1",
        session(WEEK.starts_at - timedelta(days=3), SessionKind.MISSED),
        session(WEEK.next_ends_at + timedelta(days=1), SessionKind.UPCOMING),
        session(WEEK.ends_at + timedelta(days=1), SessionKind.CANCELLED),
        health=PairHealth.AT_RISK,
    )
    decision = compose("dw", facts(quiet_but_idle))
    assert decision.digest is None
    assert decision.skipped == "nothing happened in the week to 2027-03-29 and nothing is planned for the next"
    assert compose("dw", facts()).skipped == decision.skipped


def test_a_pairs_facts_are_cut_to_the_two_weeks_and_keep_no_text():
    sessions = [session(WEEK.starts_at + timedelta(days=d), SessionKind.HELD) for d in (-8, 1, 8, 15)]
    full = PairFacts(
        pair_id="p1", phase="sessions", outcome=Outcome.RUNNING, health=PairHealth.HEALTHY, sessions=sessions,
        comments=[{"stage": "midpoint", "role": "mentee", "text": "Mehr Zeit, bitte."}],
    )  # fmt: skip
    cut = digest_pair(full, WEEK)
    assert [s.starts_at for s in cut.sessions] == [sessions[1].starts_at, sessions[2].starts_at]
    assert "Mehr Zeit" not in cut.model_dump_json()


# ------------------------------------------------------------------ the commands


def filled_in(command: str) -> list[str]:
    """The command's arguments with each placeholder replaced by a value of its kind."""
    values = {"SESSION": "3", "YYYY-MM-DD HH:MM": "2027-04-01 10:00", "YYYY-MM-DD": "2027-04-30", "TEXT": "why"}
    values |= {"D": "thursday", "HH:MM": "09:30"}
    return [values.get(word, word) for word in shlex.split(command)]


@pytest.mark.parametrize("health", [PairHealth.QUIET, PairHealth.AT_RISK])
def test_every_suggested_command_is_one_ops_py_takes(health):
    for hint in hints("dw-2027", "p1", health):
        program, script, *args = filled_in(hint.command)
        assert (program, script) == (".venv/bin/python", "ops.py")
        parsed = build_parser().parse_args(args)
        assert (parsed.command, parsed.cohort, parsed.pair) == (args[0], "dw-2027", "p1")
