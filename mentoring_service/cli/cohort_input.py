"""Loading a cohort file for a command, with every problem printed and nothing started."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from mentoring.cohort import Cohort
from mentoring.cohort_file import CohortFileError, load_cohort
from mentoring_service.cli.console import CommandError


def read_cohort(path: str, start_date: date | None = None) -> Cohort:
    try:
        return load_cohort(Path(path), today=date.today(), start_date=start_date)
    except CohortFileError as error:
        problems = "\n".join(f"  - {problem}" for problem in error.problems)
        count = len(error.problems)
        raise CommandError(
            f"{path}: {count} problem{'s' if count != 1 else ''}; nothing was started.\n{problems}",
            exit_code=2,
        ) from None
