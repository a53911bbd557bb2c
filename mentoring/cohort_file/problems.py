"""What ``load_cohort`` reports: every problem, each with its place, in file order."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

# How every part of the loader reports a problem: add(where, message).
Report = Callable[[str, str], None]


@dataclass(frozen=True)
class Problem:
    """One input error: where it is, and why it is wrong."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class CohortFileError(Exception):
    """The cohort file has problems; ``problems`` lists all of them."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems: list[Problem] = list(problems)
        super().__init__(self.problems)

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


_LINE_AFTER_NAME = re.compile(r" line (\d+)")


def in_file_order(problems: list[Problem], names: list[str]) -> list[Problem]:
    """Sort by file (cohort file, then CSV, then the rest), then by line; stable otherwise."""

    def key(p: Problem) -> tuple[int, int]:
        for rank, name in enumerate(names):
            if p.where.startswith(name):
                m = _LINE_AFTER_NAME.match(p.where, len(name))
                return rank, int(m[1]) if m else 0
        return len(names), 0

    return sorted(problems, key=key)
