"""``ops.py status`` merges the cohort's milestone reports with what visibility knows now."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from unittest import mock

from rich.console import Console

from mentoring.answers import PairHealth
from mentoring.cohort_state import CohortProgress
from mentoring.state import PairProgress, ProgramPhase
from mentoring_service.cli import console as cli_console
from mentoring_service.cli import ops_views
from mentoring_service.cli.ops_live import LivePair, with_live

T0 = datetime(2027, 3, 1, 9, tzinfo=UTC)


def reported(pair_id: str, phase: ProgramPhase, held: int, finished: bool = False) -> PairProgress:
    return PairProgress(
        pair_id=pair_id, phase=phase, sessions_held=held, sessions_planned=13, messages_sent=10 * held,
        messages_failed=0, next_event_at=T0, finished=finished,
    )  # fmt: skip


def test_phase_sessions_and_next_event_come_from_visibility_counts_from_the_cohort():
    progress = CohortProgress(
        cohort_id="c", pairs=[reported("a", ProgramPhase.SESSIONS, 2), reported("b", ProgramPhase.COMPLETED, 13, True)],
        pairs_total=2, pairs_started=2, pairs_by_phase={"sessions": 1, "completed": 1}, sessions_held=15,
        messages_sent=150, messages_failed=0,
    )  # fmt: skip
    later = datetime(2027, 3, 20, 15, tzinfo=UTC)
    live = {
        "a": LivePair(phase=ProgramPhase.MIDPOINT, sessions_held=6, next_event_at=later, started_at=T0),
        # A finished pair's own final report is exact; visibility adds nothing.
        "b": LivePair(phase=ProgramPhase.CLOSING, sessions_held=12, next_event_at=None, started_at=T0),
    }
    merged = with_live(progress, live)
    a, b = merged.pairs
    assert (a.phase, a.sessions_held, a.next_event_at, a.messages_sent) == (ProgramPhase.MIDPOINT, 6, later, 20)
    assert b == progress.pairs[1]
    assert merged.pairs_by_phase == {"midpoint": 1, "completed": 1}
    assert (merged.sessions_held, merged.messages_sent) == (19, 150)


def test_without_visibility_the_cohort_report_stands():
    progress = CohortProgress(
        cohort_id="c", pairs=[reported("a", ProgramPhase.SESSIONS, 2)], pairs_total=1, pairs_started=1,
        pairs_by_phase={"sessions": 1}, sessions_held=2, messages_sent=20, messages_failed=0,
    )  # fmt: skip
    assert with_live(progress, {}) == progress


def test_health_comes_from_visibility_and_a_pair_that_takes_no_answers_has_none():
    old = reported("old", ProgramPhase.SESSIONS, 2)  # started before v1.1.0: no health anywhere
    new = reported("new", ProgramPhase.SESSIONS, 2).model_copy(update={"health": PairHealth.HEALTHY})
    progress = CohortProgress(
        cohort_id="c", pairs=[old, new], pairs_total=2, pairs_started=2, pairs_by_phase={"sessions": 2},
        sessions_held=4, messages_sent=40, messages_failed=0,
    )  # fmt: skip
    live = {
        "old": LivePair(phase=ProgramPhase.SESSIONS, sessions_held=3, next_event_at=T0, started_at=T0),
        "new": LivePair(
            phase=ProgramPhase.SESSIONS, sessions_held=2, next_event_at=T0, started_at=T0, health=PairHealth.QUIET
        ),
    }
    assert [p.health for p in with_live(progress, live).pairs] == [None, PairHealth.QUIET]
    # Visibility a moment behind the pair's own report: the report's health stands.
    live["new"] = live["new"].model_copy(update={"health": None})
    assert [p.health for p in with_live(progress, live).pairs] == [None, PairHealth.HEALTHY]


def test_status_shows_each_pairs_health_and_a_dash_for_a_pair_that_takes_no_answers():
    pairs = [
        reported("old", ProgramPhase.SESSIONS, 2),
        reported("new", ProgramPhase.SESSIONS, 1).model_copy(
            update={"health": PairHealth.AT_RISK, "next_calendars": "acc/dec"}
        ),
    ]
    progress = CohortProgress(
        cohort_id="c", pairs=pairs, pairs_total=2, pairs_started=2, pairs_by_phase={"sessions": 2},
        sessions_held=3, messages_sent=30, messages_failed=0,
    )  # fmt: skip
    console = Console(file=io.StringIO(), width=80, color_system=None)
    with mock.patch.object(ops_views, "out", console), mock.patch.object(cli_console, "out", console):
        ops_views.print_status(progress)
    lines = console.file.getvalue().splitlines()
    assert lines[0] == "cohort c: 2 of 2 pairs started · 3 sessions held · 30 messages sent · 0 failed"
    rows = [" ".join(line.split()) for line in lines[1:] if line.strip("─ ")]
    assert rows == [
        "sessions next next event sent/",
        "pair phase health held/planned calendars (UTC) failed",
        "old sessions — 2/13 – 2027-03-01 09:00 20/0",
        "new sessions at_risk 1/13 acc/dec 2027-03-01 09:00 10/0",
    ]
