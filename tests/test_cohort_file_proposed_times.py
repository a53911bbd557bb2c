"""``proposed_times`` in the cohort file: whether the pairs approve by themselves the new
times both participants can attend, their working hours and the notice. Off unless
the file says so; every bad value is named with its file, line and field."""

from __future__ import annotations

from datetime import time

import pytest
from pydantic import ValidationError

from mentoring.cohort import ProposedTimes, WorkingHours
from mentoring.cohort_file import load_cohort
from tests.test_cohort_file import base_with, problems, write

# After ``cadence`` (line 8): ``proposed_times`` is line 9, its keys lines 10 to 12.
AFTER = "cadence: biweekly\n"


def with_setting(lines: str) -> str:
    return base_with(AFTER, f"{AFTER}proposed_times:\n{lines}")


def test_without_the_setting_every_proposal_waits_for_the_office(tmp_path):
    program = load_cohort(write(tmp_path, base_with(AFTER, AFTER))).program
    assert program.proposed_times == ProposedTimes()
    assert (program.proposed_times.auto_approve, str(program.proposed_times.working_hours)) == (False, "08:00–18:00")
    assert program.proposed_times.notice_hours == 48
    empty = load_cohort(write(tmp_path, base_with(AFTER, f"{AFTER}proposed_times:\n"))).program
    assert empty.proposed_times == ProposedTimes()


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        ("  auto_approve: yes\n", ProposedTimes(auto_approve=True)),
        ("  auto_approve: Ja\n  notice_hours: 72\n", ProposedTimes(auto_approve=True, notice_hours=72)),
        ("  auto_approve: off\n", ProposedTimes()),
        # Empty, as for the other optional keys: the default.
        ("  auto_approve:\n  notice_hours: ~\n", ProposedTimes()),
        (
            '  auto_approve: true\n  working_hours: "9:30 – 17.00"\n',
            ProposedTimes(auto_approve=True, working_hours=WorkingHours(start=time(9, 30), end=time(17))),
        ),
        (
            '  working_hours: "07:00 bis 16:00"\n',
            ProposedTimes(working_hours=WorkingHours(start=time(7), end=time(16))),
        ),
    ],
)
def test_the_setting_as_the_office_writes_it(tmp_path, lines, expected):
    assert load_cohort(write(tmp_path, with_setting(lines))).program.proposed_times == expected


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (
            "  auto_approve: maybe\n",
            "line 10: proposed_times.auto_approve: unknown yes/no value 'maybe'; "
            "use one of: yes or no (true/false, on/off, ja/nein work too)",
        ),
        ("  auto_approve: [yes]\n", "line 10: proposed_times.auto_approve: must be yes or no, but it is a list"),
        (
            '  working_hours: "18:00-08:00"\n',
            "line 10: proposed_times.working_hours: must end after it starts, but 18:00-08:00 does not",
        ),
        (
            "  working_hours: 9-17\n",
            "line 10: proposed_times.working_hours: '9-17' is not a span of hours; write it as \"08:00-18:00\"",
        ),
        (
            '  working_hours: "08:00-25:00"\n',
            "line 10: proposed_times.working_hours: '08:00-25:00' is not a span of hours; write it as \"08:00-18:00\"",
        ),
        ("  notice_hours: 0\n", "line 10: proposed_times.notice_hours: must be from 1 to 336 hours, but it is 0"),
        (
            "  notice_hours: two days\n",
            "line 10: proposed_times.notice_hours: must be a whole number from 1 to 336 hours, but it is 'two days'",
        ),
        (
            "  auto_aprove: yes\n",
            "line 10: proposed_times.auto_aprove: unknown key 'auto_aprove'; did you mean 'auto_approve'?",
        ),
    ],
)
def test_each_bad_value_is_named_with_its_line_and_field(tmp_path, lines, message):
    path = write(tmp_path, with_setting(lines))
    assert problems(path) == [f"{path} {message}"]


def test_every_problem_at_once_and_a_value_that_is_no_mapping(tmp_path):
    path = write(tmp_path, with_setting("  auto_approve: vielleicht\n  notice_hours: 999\n"))
    assert [p.split(": ", 2)[1] for p in problems(path)] == [
        "proposed_times.auto_approve",
        "proposed_times.notice_hours",
    ]
    path = write(tmp_path, base_with(AFTER, f"{AFTER}proposed_times: yes\n"))
    assert problems(path) == [
        f"{path} line 9: proposed_times: must be a mapping with auto_approve, working_hours, notice_hours, "
        "but it is 'yes'"
    ]


def test_the_model_keeps_the_same_rule_for_working_hours():
    with pytest.raises(ValidationError, match="must end after it starts, but 18:00-08:00 does not"):
        WorkingHours(start=time(18), end=time(8))
    with pytest.raises(ValidationError):
        ProposedTimes(notice_hours=337)
