"""The pairs of a cohort, from ``pairs:`` in the YAML or from the CSV that ``pairs_csv:`` names.

Both give one entry per pair, shaped like a YAML pair entry, and a ``Site`` that says
where its fields are; from there on they are checked the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mentoring.cohort import Pair, Person, SessionPattern
from mentoring.cohort_file import fields as f
from mentoring.cohort_file.csv_pairs import FIELD_COLUMN, read_pairs_csv, row_where
from mentoring.cohort_file.fields import BAD, MISSING, describe
from mentoring.cohort_file.problems import Report
from mentoring.cohort_file.reading import read_text
from mentoring.cohort_file.structure import PAIR_OPTIONAL, PAIR_REQUIRED, PERSON_KEYS, Checker
from mentoring.cohort_file.yaml_tree import Path_
from mentoring.inputs import InputError, short

ROLES = ("mentor", "mentee")


class Site:
    """Where the fields of one pair live, in YAML or in a CSV row."""

    def add(self, field: str, message: str) -> None:
        raise NotImplementedError

    def absent_message(self, field: str) -> str | None:
        """Message for a required field that is not there; None if already reported."""
        raise NotImplementedError

    def ref(self) -> str:
        """How another problem refers to this pair, e.g. "pairs[0]" or "line 2"."""
        raise NotImplementedError


class _YamlSite(Site):
    def __init__(self, checker: Checker, index: int):
        self.checker = checker
        self.index = index

    def path(self, field: str) -> Path_:
        return ("pairs", self.index, *field.split("."))

    def add(self, field: str, message: str) -> None:
        self.checker.add(self.path(field), message)

    def absent_message(self, field: str) -> str | None:
        return None  # ``Checker.mapping`` reported it

    def ref(self) -> str:
        line = self.checker.lines.get(("pairs", self.index))
        return f"pairs[{self.index}]" + (f" on line {line}" if line else "")


class _CsvSite(Site):
    def __init__(self, add: Report, name: str, line: int, pair: dict[str, Any], absent_columns: set[str]):
        self._add = add
        self.name = name
        self.line = line
        self.pair_id = pair.get("id")
        self.absent_columns = absent_columns

    def add(self, field: str, message: str) -> None:
        self._add(row_where(self.name, self.line, self.pair_id, FIELD_COLUMN[field]), message)

    def absent_message(self, field: str) -> str | None:
        if FIELD_COLUMN[field] in self.absent_columns:
            return None
        return "is empty, but a value is required"

    def ref(self) -> str:
        return f"line {self.line}"


Sites = list[tuple[Site, dict[str, Any]]]


def yaml_pair_sites(checker: Checker) -> Sites:
    raw = checker.data["pairs"]
    if not isinstance(raw, list):
        checker.add(
            ("pairs",),
            f"must be a list of pairs (each starting with '- id: ...'), but it is {describe(raw)}",
        )
        return []
    if not raw:
        checker.add(("pairs",), "the list is empty; add at least one pair")
    sites: Sites = []
    for i, entry in enumerate(raw):
        path = ("pairs", i)
        if not checker.mapping(entry, path, PAIR_REQUIRED, PAIR_OPTIONAL, "a mapping with id, mentor and mentee"):
            continue
        for role in ROLES:
            checker.mapping(
                entry.get(role, MISSING), path + (role,), PERSON_KEYS, (), "a mapping with name, email and timezone"
            )
        sites.append((_YamlSite(checker, i), entry))
    return sites


def csv_pair_sites(checker: Checker, base_dir: Path) -> Sites:
    try:
        rel = f.file_name(checker.data["pairs_csv"])
    except InputError as e:
        checker.add(("pairs_csv",), str(e))
        return []
    csv_path = base_dir / rel
    name = short(rel)
    checker.csv_names.append(name)
    try:
        found = csv_path.exists()
    except (OSError, ValueError):
        found = True  # let read_text report why it cannot be read
    if not found:
        checker.add(("pairs_csv",), f"the CSV file '{rel}' was not found (looked for {csv_path})")
        return []
    # The file names this path, not the user: it must not make the tool wait on a pipe.
    text = read_text(csv_path, name, checker.report, regular_only=True)
    table = read_pairs_csv(text, name, checker.report) if text is not None else None
    if table is None:
        return []
    return [(_CsvSite(checker.report, name, row.line, row.pair, table.absent_columns), row.pair) for row in table.rows]


def _field(site: Site, container: Any, field: str, parse: Callable[[Any], Any], *, required: bool = True) -> Any:
    if not isinstance(container, dict):
        return BAD
    key = field.rpartition(".")[2]
    value = container.get(key, MISSING)
    if value is MISSING or value is None:
        if not required:
            return None
        message = "is empty, but a value is required" if value is None else site.absent_message(field)
        if message:
            site.add(field, message)
        return BAD
    try:
        return parse(value)
    except InputError as e:
        site.add(field, str(e))
        return BAD


@dataclass
class _Entry:
    """One pair's values as checked; BAD where a problem was reported."""

    pair_id: Any
    people: dict[str, list[Any]]  # role -> [name, email, time zone]
    overrides: dict[str, Any]


@dataclass
class _Seen:
    ids: dict[str, Site] = field(default_factory=dict)
    people: dict[str, tuple[str, str, Site]] = field(default_factory=dict)  # email (lowercase) -> pair id, role, site


def _entry(site: Site, entry: dict[str, Any]) -> _Entry:
    pair_id = _field(site, entry, "id", f.identifier)  # reported first: a CSV row's problems share a line
    people = {}
    for role in ROLES:
        person = entry.get(role) if isinstance(entry, dict) else None
        people[role] = [
            _field(site, person, f"{role}.name", f.name),
            _field(site, person, f"{role}.email", f.email),
            _field(site, person, f"{role}.timezone", f.timezone),
        ]
    overrides = {
        "meeting_timezone": _field(site, entry, "meeting_timezone", f.timezone, required=False),
        "weekday": _field(site, entry, "weekday", f.weekday, required=False),
        "time": _field(site, entry, "time", f.clock_time, required=False),
        "length_minutes": _field(site, entry, "length_minutes", f.session_length, required=False),
        "location": _field(site, entry, "location", f.location, required=False),
    }
    return _Entry(pair_id, people, overrides)


def _unique_id(site: Site, pair_id: Any, seen: _Seen) -> bool:
    if not isinstance(pair_id, str):
        return True
    if pair_id in seen.ids:
        site.add("id", f"pair id '{pair_id}' is already used ({seen.ids[pair_id].ref()}); pair ids must be unique")
        return False
    seen.ids[pair_id] = site
    return True


def _people_once(site: Site, entry: _Entry, seen: _Seen) -> bool:
    """Two people per pair, and nobody in two pairs (addresses compared case-insensitively)."""
    ok = True
    mentor_email, mentee_email = entry.people["mentor"][1], entry.people["mentee"][1]
    if isinstance(mentor_email, str) and isinstance(mentee_email, str) and mentor_email.lower() == mentee_email.lower():
        site.add(
            "mentee.email",
            f"'{mentee_email}' is both the mentor and the mentee of this pair; they must be two different people",
        )
        entry.people["mentee"][1] = BAD
        ok = False
    for role in ROLES:
        email = entry.people[role][1]
        if not isinstance(email, str):
            continue
        key = email.lower()
        if key not in seen.people:
            seen.people[key] = (entry.pair_id if isinstance(entry.pair_id, str) else "", role, site)
            continue
        other_id, other_role, other_site = seen.people[key]
        other = f"pair '{other_id}' ({other_site.ref()})" if other_id else f"the pair on {other_site.ref()}"
        site.add(
            f"{role}.email",
            f"'{email}' is already in {other} as {other_role}; a person can be in only one pair of a cohort",
        )
        ok = False
    return ok


def _resolve(entry: _Entry, defaults: dict[str, Any], cadence: Any) -> Pair | None:
    """The pair with its own settings over the cohort's defaults; None if anything was wrong."""
    overrides = entry.overrides
    resolved: dict[str, Any] = {
        k: (overrides[k] if overrides[k] is not None else defaults.get(k))
        for k in ("weekday", "time", "length_minutes", "location")
    }
    meeting_tz = overrides["meeting_timezone"] or entry.people["mentee"][2]
    values = [entry.pair_id, meeting_tz, cadence, *resolved.values(), *(v for p in entry.people.values() for v in p)]
    if any(v is BAD for v in values) or any(v is BAD for v in overrides.values()):
        return None
    mentor, mentee = (Person(name=p[0], email=p[1], timezone=p[2]) for p in entry.people.values())
    pattern = SessionPattern(
        weekday=resolved["weekday"],
        local_time=resolved["time"],
        length_minutes=resolved["length_minutes"],
        location=resolved["location"],
        timezone=meeting_tz,
        cadence=cadence,
    )
    return Pair(id=entry.pair_id, mentor=mentor, mentee=mentee, pattern=pattern)


def check_pairs(sites: Sites, defaults: dict[str, Any], cadence: Any) -> list[Pair] | None:
    """Check each pair, then across pairs; the resolved pairs, or None on any problem."""
    failed = False
    seen = _Seen()
    pairs: list[Pair] = []
    for site, raw in sites:
        entry = _entry(site, raw)
        failed |= not _unique_id(site, entry.pair_id, seen)
        failed |= not _people_once(site, entry, seen)
        pair = _resolve(entry, defaults, cadence)
        if pair is None:
            failed = True
        else:
            pairs.append(pair)
    if failed or not sites:
        return None
    return pairs
