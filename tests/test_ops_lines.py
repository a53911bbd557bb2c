"""Lines of prose that ops.py prints stay whole through a pipe (80 columns), so that
they can be read and grepped; a terminal wraps them itself. Tables fold in their own way
(tests/test_ops_show.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mentoring.cohort_state import CohortProgress
from mentoring.operations import OperationResult
from mentoring_service.cli.console import out
from mentoring_service.cli.ops_report import print_result
from mentoring_service.cli.ops_views import print_status


@pytest.fixture
def printed():
    """What ``out`` printed, as through a pipe: 80 columns, no colours."""
    width, out.width = out.width, 80
    out.begin_capture()
    taken: list[str] = []

    def text() -> str:
        taken.append(out.end_capture())
        return taken[-1]

    try:
        yield text
    finally:
        if not taken:
            out.end_capture()
        out.width = width


def test_the_status_summary_is_one_line_at_80_columns(printed):
    progress = CohortProgress(
        cohort_id="leadership-exchange-2027-q1",
        pairs_total=120,
        pairs_started=120,
        pairs_by_phase={},
        sessions_held=1234,
        messages_sent=98765,
        messages_failed=12,
    )
    print_status(progress)
    first = printed().splitlines()[0]
    assert first == (
        "cohort leadership-exchange-2027-q1: 120 of 120 pairs started · 1234 sessions held · "
        "98765 messages sent · 12 failed"
    )


def test_already_applied_is_one_line_at_80_columns(printed):
    result = OperationResult(
        request_id="reschedule-602b93984b6a",
        operation="reschedule",
        summary="session 4 moved to 2027-03-18 10:00 Europe/Berlin",
        applied_at=datetime(2026, 11, 30, 9, 21, tzinfo=UTC),
    )
    print_result(result, repeat=True)
    assert printed().splitlines()[-1] == (
        "This request was already applied at 2026-11-30 09:21 UTC; nothing was done again. "
        "To do the same thing once more, pass a new --request-id."
    )
