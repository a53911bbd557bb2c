"""``ops.py status`` merges the cohort's milestone reports with what visibility knows now."""

from __future__ import annotations

from datetime import UTC, datetime

from mentoring.state import CohortProgress, PairProgress, ProgramPhase
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
