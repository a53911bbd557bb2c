"""Loading a cohort file for a command, with every problem printed and nothing started."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from mentoring.cohort import Cohort
from mentoring.cohort_file import CohortFileError, Problem, load_cohort
from mentoring_service.cli.console import CommandError
from mentoring_service.cli.response_script import ResponseFileError, ResponseScript, load_responses


def file_problems(path: str, problems: list[Problem]) -> CommandError:
    listed = "\n".join(f"  - {problem}" for problem in problems)
    count = len(problems)
    return CommandError(f"{path}: {count} problem{'s' if count != 1 else ''}; nothing was started.\n{listed}", 2)


def read_cohort(path: str, start_date: date | None = None) -> Cohort:
    try:
        return load_cohort(Path(path), today=date.today(), start_date=start_date)
    except CohortFileError as error:
        raise file_problems(path, error.problems) from None


def read_responses(path: str, cohort: Cohort) -> ResponseScript:
    """``simulate --responses``: who answers what, checked against the cohort."""
    try:
        return load_responses(Path(path), cohort)
    except ResponseFileError as error:
        raise file_problems(path, error.problems) from None
