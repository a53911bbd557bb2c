"""The cohort file's shape: which keys belong where, and how a problem names its place."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from typing import Any

from mentoring.cohort_file.fields import BAD, MISSING, describe
from mentoring.cohort_file.problems import Report
from mentoring.cohort_file.yaml_tree import Path_, Tree
from mentoring.inputs import InputError, short

TOP_REQUIRED = {
    "id": "id: dw-2027",
    "name": 'name: "Digitale Arbeitswelt 2027"',
    "focus": 'focus: "Digitale Zusammenarbeit"',
    "language": "language: de",
    "program_office": 'program_office: {name: "Programmbüro HR", email: "mentoring@example.com"}',
    "start_date": "start_date: 2027-02-02",
    "duration_months": "duration_months: 6",
    "cadence": "cadence: biweekly",
    "session": 'session: {weekday: tuesday, time: "16:00", length_minutes: 60, location: ...}',
}
TOP_OPTIONAL = {
    "invite_lead_days",
    "reminder_hours",
    "reflection_delay_hours",
    "proposed_times",
    "pairs",
    "pairs_csv",
}
SESSION_KEYS = {
    "weekday": "weekday: tuesday",
    "time": 'time: "16:00"',
    "length_minutes": "length_minutes: 60",
    "location": 'location: "Microsoft Teams: https://..."',
}
PROPOSED_TIMES_KEYS = {"auto_approve", "working_hours", "notice_hours"}
OFFICE_KEYS = {"name": 'name: "Programmbüro HR"', "email": 'email: "mentoring@example.com"'}
OFFICE_OPTIONAL = {"timezone"}
PERSON_KEYS = {
    "name": 'name: "Lena Weber"',
    "email": 'email: "lena.weber@example.com"',
    "timezone": "timezone: Europe/Berlin",
}
PAIR_REQUIRED = {
    "id": "id: p1",
    "mentor": "mentor: {name: ..., email: ..., timezone: ...}",
    "mentee": "mentee: {name: ..., email: ..., timezone: ...}",
}
PAIR_OPTIONAL = {"meeting_timezone", "weekday", "time", "length_minutes", "location"}


def dotted(path: Path_) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + short(str(part))
    return out


class Checker:
    """Reports problems at their place in the cohort file: its line, key path and pair."""

    def __init__(self, display: str, tree: Tree, add: Report):
        self.display = display
        self.data: dict[str, Any] = tree.data
        self.lines = tree.lines
        self.report = add
        self.suggested: set[str] = set()  # keys that the last ``mapping`` call suggested for typos
        self.csv_names: list[str] = []

    # --- places

    def place(self, path: Path_) -> str:
        if len(path) >= 2 and path[0] == "pairs" and isinstance(path[1], int):
            head = f"pairs[{path[1]}]"
            pairs = self.data.get("pairs")
            entry = pairs[path[1]] if isinstance(pairs, list) and path[1] < len(pairs) else None
            pair_id = entry.get("id") if isinstance(entry, dict) else None
            if isinstance(pair_id, str) and pair_id.strip():
                head += f" (id '{short(pair_id.strip(), 40)}')"
            return head + (" → " + dotted(path[2:]) if len(path) > 2 else "")
        return dotted(path)

    def where(self, path: Path_, line: int | None = None) -> str:
        for n in range(len(path), 0 if line is None else len(path), -1):
            if path[:n] in self.lines:
                line = self.lines[path[:n]]
                break
        head = f"{self.display} line {line}" if line else self.display
        place = self.place(path)
        return f"{head}: {place}" if place else head

    def add(self, path: Path_, message: str, *, line: int | None = None) -> None:
        self.report(self.where(path, line), message)

    # --- structure

    def mapping(self, value: Any, path: Path_, required: dict[str, str], optional: Iterable[str], what: str) -> bool:
        """Check that value is a mapping with the right keys; report what is wrong."""
        if value is MISSING:
            return False
        if not isinstance(value, dict):
            self.add(path, f"must be {what}, but it is {describe(value)}")
            return False
        allowed = sorted(set(required) | set(optional))
        suggested = self.suggested = set()
        for key in value:
            if key in allowed:
                continue
            close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
            if close:
                suggested.add(close[0])
                self.add(path + (key,), f"unknown key '{short(key)}'; did you mean '{close[0]}'?")
            else:
                self.add(path + (key,), f"unknown key '{short(key)}'; allowed here: {', '.join(allowed)}")
        for key, example in required.items():
            if key not in value and key not in suggested:
                self.add(path + (key,), f"missing (required), e.g. {example}")
        return True

    def take(
        self,
        container: Any,
        key: str,
        parse: Callable[[Any], Any],
        path: Path_ = (),
        *,
        required: bool = True,
    ) -> Any:
        """Parse container[key]; absent keys were reported by ``mapping``."""
        if not isinstance(container, dict):
            return BAD
        value = container.get(key, MISSING)
        if value is MISSING or value is None:
            if not required:
                return None
            if value is None:
                self.add(path + (key,), "is empty, but a value is required")
            return BAD
        try:
            return parse(value)
        except InputError as e:
            self.add(path + (key,), str(e))
            return BAD
