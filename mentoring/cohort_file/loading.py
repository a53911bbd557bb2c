"""``load_cohort``: read, check and resolve a cohort file, reporting every problem at once."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from pydantic import ValidationError

from mentoring.cohort import Cohort
from mentoring.cohort_file.fields import describe
from mentoring.cohort_file.problems import CohortFileError, Problem, in_file_order
from mentoring.cohort_file.program import check_cohort
from mentoring.cohort_file.reading import read_text
from mentoring.cohort_file.structure import Checker
from mentoring.cohort_file.yaml_tree import parse_yaml


def load_cohort(path: str | Path, *, today: date | None = None, start_date: date | None = None) -> Cohort:
    """Read, check and resolve a cohort file.

    ``today``: when given, a start date before it is an error.
    ``start_date``: when given, replaces the file's start date (the file may
    then leave ``start_date`` out; if present, its form is still checked).
    Raises ``CohortFileError`` (and nothing else) with every problem found.
    """
    today = _as_date(today)
    start_date = _as_date(start_date)
    path = Path(path)
    display = str(path)
    problems: list[Problem] = []

    def add(where: str, message: str) -> None:
        problems.append(Problem(where, message))

    text = read_text(path, display, add)
    tree = parse_yaml(text, display, add) if text is not None else None
    if tree is None:
        raise CohortFileError(problems)
    if not isinstance(tree.data, dict):
        add(
            display,
            "the top level must be a mapping of keys such as 'id:', 'name:' and 'pairs:', "
            f"but it is {describe(tree.data)}",
        )
        raise CohortFileError(problems)
    checker = Checker(display, tree, add)
    for where_path, message, line in tree.pending:
        checker.add(where_path, message, line=line)
    try:
        cohort = check_cohort(checker, path.parent, today=today, start_date=start_date)
    except ValidationError as e:  # pragma: no cover - the checks above should catch everything
        for err in e.errors():
            add(display, f"{'.'.join(map(str, err['loc']))}: {err['msg']}")
        cohort = None
    if problems or cohort is None:
        raise CohortFileError(in_file_order(problems, [display, *checker.csv_names]))
    return cohort


def _as_date(value: date | None) -> date | None:
    return value.date() if isinstance(value, datetime) else value
