"""The cohort file: read, check and resolve it into a ``Cohort``.

``load_cohort(path, today=..., start_date=...)`` either returns a resolved
``mentoring.cohort.Cohort`` or raises ``CohortFileError`` listing *every*
problem found, each with its place (file, line, key or CSV column) and a
plain reason. It never raises anything else, whatever the input. This module
does I/O and uses zoneinfo: it is for the command-line tools, not for
workflow code.

Cohort file format
==================

A UTF-8 YAML file with one mapping at the top level::

    id: dw-2027                 # cohort id: 1-40 lowercase letters, digits, '-' or '_'
                                # (it becomes part of workflow IDs)
    name: "Digitale Arbeitswelt 2027"
    focus: "Digitale Zusammenarbeit und Social Media"
    language: de                # de | en (language of all emails)
    program_office:             # the team that runs the program
      name: "Programmbüro HR"
      email: "mentoring@example.com"
    start_date: 2027-02-02      # YYYY-MM-DD, the program's first day
    duration_months: 6          # 4, 5 or 6: a program runs four to six months
    cadence: biweekly           # weekly | biweekly | every_3_weeks | monthly (the same
                                # n-th weekday as the first session; a 5th means the last)
    session:                    # defaults for every pair (all four required)
      weekday: tuesday          # monday..sunday, or German montag..sonntag
      time: "16:00"             # HH:MM (24-hour; 9:30 and 16.30 work too), local time
                                # in the pair's meeting time zone
      length_minutes: 60        # 15..240
      location: "Microsoft Teams: https://teams.example.com/dw-2027"
    invite_lead_days: 14        # optional, default 14 (1..60)
    reminder_hours: 24          # optional, default 24 (1..168)
    reflection_delay_hours: 2   # optional, default 2 (0..72)
    pairs:                      # one entry per pair (or use pairs_csv, not both)
      - id: p1                  # pair id: same rules as the cohort id, unique in the cohort
        mentor: {name: "Lena Weber", email: "lena.weber@example.com", timezone: "Europe/Berlin"}
        mentee: {name: "Dr. Klaus Richter", email: "k.richter@example.com", timezone: "Europe/Berlin"}
        meeting_timezone: Europe/Berlin   # optional; default: the mentee's time zone
        weekday: thursday       # optional overrides of session.weekday / time /
        time: "08:30"           #   length_minutes / location for this pair
    # pairs_csv: pairs.csv      # instead of `pairs`: a CSV file, path relative to this file

Time zones are IANA names such as ``Europe/Berlin`` or ``America/New_York``.
Sessions keep their local time in the meeting time zone across DST changes; a
time the clocks skip or show twice follows ``activities.wall_clock``.
Unquoted values are read as text, so ``time: 16:00`` and ``name: No`` mean
what they say (no YAML 1.1 surprises); ``~``, ``null`` or nothing means empty.

Pairs CSV (``pairs_csv``)
-------------------------
UTF-8 (with or without BOM), comma- or semicolon-separated, header row
required. Columns: ``pair_id, mentor_name, mentor_email, mentor_timezone,
mentee_name, mentee_email, mentee_timezone`` (required) and
``meeting_timezone, weekday, time, length_minutes, location`` (optional; an
empty cell means "use the default"). Unknown columns are an error. Problems
name the file's line number (the header is line 1) and the column.

Checks
------
Unknown keys (with a "did you mean" hint), missing keys, duplicate keys,
wrong types, malformed YAML/CSV, non-UTF-8 files; email syntax; time zones;
duration 4..6 months; cadence, weekday, language, time and length; duplicate
pair ids; a person (by email, case-insensitive) as both mentor and mentee,
or in two pairs; line breaks or control characters in names, the cohort name,
focus and location (they go into email headers); a start date in the past
(when ``today`` is given) or outside 2000-01-01..2099-12-31; files over
5 MB or with more than 100,000 values; a CSV named by ``pairs_csv`` that is
not a regular file (a pipe or device would make the tool wait).
"""

from __future__ import annotations

import difflib
import os
import re
import stat
import unicodedata
import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import lru_cache
from pathlib import Path
from typing import Any, BinaryIO

import yaml
from pydantic import ValidationError

from mentoring import addresses
from mentoring.vocabulary import GERMAN_WEEKDAYS as _GERMAN_WEEKDAYS
from mentoring.vocabulary import ID_RE as _ID_RE
from mentoring.vocabulary import TIME_RE as _TIME_RE
from mentoring.vocabulary import UNUSABLE_ZONES as _UNUSABLE_ZONES
from mentoring.cohort import (
    Cadence,
    Cohort,
    Language,
    Pair,
    Person,
    Program,
    ProgramOffice,
    SessionPattern,
    Weekday,
)
from mentoring.cohort_csv import FIELD_COLUMN, MAX_VALUES, CsvPairs, read_pairs_csv, row_where, short

__all__ = ["Problem", "CohortFileError", "load_cohort"]


# --------------------------------------------------------------------------- API


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

    text = _read_text(path, display, add)
    if text is None:
        raise CohortFileError(problems)
    parsed = _parse_yaml(text, display, add)
    if parsed is None:
        raise CohortFileError(problems)
    data, lines, pending = parsed
    if not isinstance(data, dict):
        add(
            display,
            "the top level must be a mapping of keys such as 'id:', 'name:' and 'pairs:', "
            f"but it is {_describe(data)}",
        )
        raise CohortFileError(problems)
    checker = _Checker(display, data, lines, add)
    for where_path, message, line in pending:
        checker.add(where_path, message, line=line)
    try:
        cohort = checker.check(path.parent, today=today, start_date=start_date)
    except ValidationError as e:  # pragma: no cover - the checks above should catch everything
        for err in e.errors():
            add(display, f"{'.'.join(map(str, err['loc']))}: {err['msg']}")
        cohort = None
    if problems or cohort is None:
        raise CohortFileError(_in_file_order(problems, [display, *checker.csv_names]))
    return cohort


_LINE_AFTER_NAME = re.compile(r" line (\d+)")


def _in_file_order(problems: list[Problem], names: list[str]) -> list[Problem]:
    """Sort by file (cohort file, then CSV, then the rest), then by line; stable otherwise."""

    def key(p: Problem) -> tuple[int, int]:
        for rank, name in enumerate(names):
            if p.where.startswith(name):
                m = _LINE_AFTER_NAME.match(p.where, len(name))
                return rank, int(m[1]) if m else 0
        return len(names), 0

    return sorted(problems, key=key)


# ----------------------------------------------------------------- reading files

_MAX_BYTES = 5_000_000
_MAX_VALUES = MAX_VALUES  # the same for the cohort file and its CSV
_MAX_DEPTH = 30


def _as_date(value: date | None) -> date | None:
    return value.date() if isinstance(value, datetime) else value


class _NotRegular(Exception):
    pass


def _open_binary(path: Path, regular_only: bool) -> BinaryIO:
    """Open for reading; with ``regular_only``, refuse pipes, sockets and devices.

    The check opens without blocking: opening a FIFO (or a terminal, as with
    ``pairs_csv: /dev/stdin``) would otherwise wait for a writer for ever.
    """
    if not regular_only:
        return path.open("rb")
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(path)
        if not stat.S_ISREG(mode):
            raise _NotRegular(path)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _read_text(
    path: Path, display: str, add: Callable[[str, str], None], *, regular_only: bool = False
) -> str | None:
    try:
        with _open_binary(path, regular_only) as f:
            raw = f.read(_MAX_BYTES + 1)
    except _NotRegular:
        add(display, "is not a regular file (it is a pipe, socket or device); name a file")
        return None
    except FileNotFoundError:
        add(display, "file not found")
        return None
    except IsADirectoryError:
        add(display, "is a directory, not a file")
        return None
    except PermissionError:
        add(display, "cannot be read: permission denied")
        return None
    except (OSError, ValueError) as e:
        add(display, f"cannot be read: {getattr(e, 'strerror', None) or e}")
        return None
    if len(raw) > _MAX_BYTES:
        add(
            display,
            f"is too large (more than {_MAX_BYTES // 1_000_000} MB); a cohort file is a few kilobytes",
        )
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        add(
            f"{display} line {line}",
            f"is not UTF-8 text (byte 0x{raw[e.start]:02x} cannot be read); "
            "save the file with UTF-8 encoding",
        )
        return None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        add(f"{display} line {line}", "contains a NUL byte; this is not a text file")
        return None
    return text


# ----------------------------------------------------------------------- YAML

_NULL_TAG = "tag:yaml.org,2002:null"
_MERGE_TAG = "tag:yaml.org,2002:merge"
Path_ = tuple[Any, ...]


def _lines(a: int, b: int) -> str:
    return f"on line {a}" if a == b else f"lines {a} and {b}"


class _TooComplex(Exception):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


def _too_many_values(line: int) -> _TooComplex:
    return _TooComplex(line, f"the file holds more than {_MAX_VALUES} values; a cohort file is much smaller")


class _Loader(yaml.SafeLoader):
    """Composes like ``SafeLoader``, but stops after ``_MAX_VALUES`` nodes.

    PyYAML is slow (pure Python): a 5 MB file of tiny values took minutes to
    compose before ``convert`` could count them. Counting while composing
    keeps any file under the size limit to a few seconds.
    """

    def __init__(self, stream: str):
        super().__init__(stream)
        self.nodes = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self.nodes += 1
        if self.nodes > _MAX_VALUES:
            raise _too_many_values(self.peek_event().start_mark.line + 1)
        return super().compose_node(parent, index)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _join_surrogates(value: str) -> str:
    """Join escaped UTF-16 pairs: JSON writes an emoji as "\\ud83d\\ude00", PyYAML reads two halves.

    Lone halves stay, and the field checks refuse them.
    """
    if not _SURROGATE.search(value):
        return value
    try:
        return value.encode("utf-16-le", "surrogatepass").decode("utf-16-le")
    except UnicodeDecodeError:
        return value


def _parse_yaml(
    text: str, display: str, add: Callable[[str, str], None]
) -> tuple[Any, dict[Path_, int], list[tuple[Path_, str, int | None]]] | None:
    """Compose the YAML and turn it into dicts, lists, strings and None.

    Every scalar stays the text it was written as (``16:00``, ``no``, ``0123``
    and ``2027-02-01`` are all strings), so there are no YAML 1.1 type
    surprises; the field checks parse them. Returns the data, the line of each
    path, and problems found on the way (duplicate keys and the like).
    """
    # PyYAML's scanner is slow on deeply nested flow collections ("[[[[..."):
    # refuse them before it starts. Brackets in text count too; 50 is plenty.
    depth = 0
    opening = text.count("[") + text.count("{")
    for index, ch in enumerate(text if opening > 50 else ""):
        if ch in "[{":
            depth += 1
            if depth > 50:
                add(f"{display} line {text.count(chr(10), 0, index) + 1}", "the file is nested too deeply")
                return None
        elif ch in "]}":
            depth = max(0, depth - 1)
    loader: _Loader | None = None
    try:
        loader = _Loader(text)  # checks for unprintable characters already
        root = loader.get_single_node()  # what yaml.compose does, with the loader at hand
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        where = f"{display} line {mark.line + 1}, column {mark.column + 1}" if mark else display
        reason = e.problem or "unreadable YAML"
        if e.context:
            reason = f"{reason} ({e.context})"
        if "'\\t'" in reason:
            reason += "; YAML does not allow tabs for indentation, use spaces"
        add(where, f"malformed YAML: {reason}")
        return None
    except yaml.YAMLError as e:
        position = getattr(e, "position", None)
        where = f"{display} line {text[:position].count(chr(10)) + 1}" if position is not None else display
        add(where, f"malformed YAML: {getattr(e, 'reason', None) or e}")
        return None
    except RecursionError:
        add(display, "malformed YAML: nested too deeply")
        return None
    except _TooComplex as e:
        add(f"{display} line {e.line}", e.message)
        return None
    except ValueError:
        # PyYAML's scanner lets Python fail on "\U00110000" (past the last character)
        # and on a %YAML directive with thousands of digits.
        mark = loader.get_mark() if loader is not None else None
        lines_of_text = text.splitlines()
        line_text = lines_of_text[mark.line] if mark and mark.line < len(lines_of_text) else ""
        reason = (
            "a number in this directive is far too long"
            if line_text.startswith("%")
            else "an escape names no character (the last one is \\U0010FFFF)"
        )
        where = f"{display} line {mark.line + 1}, column {mark.column + 1}" if mark else display
        add(where, f"malformed YAML: {reason}")
        return None
    finally:
        if loader is not None:
            loader.dispose()
    if root is None or (isinstance(root, yaml.ScalarNode) and root.tag == _NULL_TAG):
        add(display, "the file is empty")
        return None

    lines: dict[Path_, int] = {}
    pending: list[tuple[Path_, str, int | None]] = []
    count = 0
    active: set[int] = set()

    def convert(node: yaml.Node, path: Path_, depth: int) -> Any:
        nonlocal count
        count += 1
        line = node.start_mark.line + 1
        if count > _MAX_VALUES:
            raise _too_many_values(line)
        if depth > _MAX_DEPTH:
            raise _TooComplex(line, "the file is nested too deeply")
        lines.setdefault(path, line)
        if isinstance(node, yaml.ScalarNode):
            return None if node.tag == _NULL_TAG else _join_surrogates(node.value)
        if id(node) in active:
            raise _TooComplex(line, "an alias (*name) refers to the value that contains it")
        active.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                return [convert(item, path + (i,), depth + 1) for i, item in enumerate(node.value)]
            result: dict[str, Any] = {}
            key_lines: dict[str, int] = {}
            merged: list[tuple[yaml.Node, int]] = []
            for key_node, value_node in node.value:
                key_line = key_node.start_mark.line + 1
                if key_node.tag == _MERGE_TAG:
                    merged.append((value_node, key_line))
                    continue
                if not isinstance(key_node, yaml.ScalarNode):
                    pending.append((path, "a key must be plain text, not a list or mapping", key_line))
                    continue
                key = key_node.value
                if key in key_lines:
                    pending.append(
                        (
                            path + (key,),
                            f"the key '{short(key)}' appears twice ({_lines(key_lines[key], key_line)}); keep one",
                            key_line,
                        )
                    )
                    continue
                key_lines[key] = key_line
                lines[path + (key,)] = key_line
                result[key] = convert(value_node, path + (key,), depth + 1)
            for value_node, _ in merged:  # "<<: *defaults": explicit keys win
                sources = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
                for source in sources:
                    value = convert(source, path + ("<<",), depth + 1)
                    if not isinstance(value, dict):
                        pending.append((path + ("<<",), "'<<' must refer to a mapping", None))
                        continue
                    for key, item in value.items():
                        result.setdefault(key, item)
            return result
        finally:
            active.discard(id(node))

    try:
        data = convert(root, (), 0)
    except _TooComplex as e:
        add(f"{display} line {e.line}", e.message)
        return None
    return data, lines, pending


# ---------------------------------------------------------------- field parsers


class _Bad(Exception):
    """A value is wrong; the message says why, in plain words."""


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


MISSING: Any = _Missing()
BAD: Any = object()  # a value that was wrong and has been reported

_LINE_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
_DATE_RE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_INT_RE = re.compile(r"[+-]?\d+")
# Start dates a program can have. Far-off years break the session plan
# (year 9999 + 6 months does not exist, year 1 minus the invite lead time
# neither) and timers longer than Temporal's ~290-year limit.
_EARLIEST_START = date(2000, 1, 1)
_LATEST_START = date(2099, 12, 31)



def _describe(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, dict):
        return "a mapping (key: value lines)"
    if isinstance(value, list):
        return "a list"
    return f"'{short(str(value))}'"


def _string(value: Any, what: str = "text") -> str:
    if not isinstance(value, str):
        raise _Bad(f"must be {what}, but it is {_describe(value)}")
    s = value.strip()
    if not s:
        raise _Bad("is empty")
    return s


def _one_line(s: str) -> str:
    for ch in s:
        if ch in _LINE_BREAKS:
            raise _Bad(
                "contains a line break; it must be a single line "
                "(line breaks here could inject email headers)"
            )
        category = unicodedata.category(ch)
        if category == "Cc":
            label = "a tab" if ch == "\t" else f"U+{ord(ch):04X}"
            raise _Bad(f"contains a control character ({label}); remove it")
        if category == "Cs":  # only from a YAML escape such as "\ud800"; not valid text
            raise _Bad(f"contains an invalid character (U+{ord(ch):04X}, half of a UTF-16 pair); remove it")
    return s


def _text(max_len: int) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        s = _one_line(_string(value))
        if len(s) > max_len:
            raise _Bad(f"is too long ({len(s)} characters; at most {max_len})")
        return s

    return parse


_name = _text(200)
_long_text = _text(500)


def _id(value: Any) -> str:
    s = _string(value)
    if _ID_RE.fullmatch(s):
        return s
    if len(s) > 40:
        raise _Bad(f"'{short(s)}' is too long for an id ({len(s)} characters; at most 40)")
    hint = f" (did you mean '{s.lower()}'?)" if _ID_RE.fullmatch(s.lower()) else ""
    raise _Bad(
        f"'{short(s)}' is not a valid id{hint}; use lowercase letters a-z, digits, '-' or '_' "
        "(e.g. 'dw-2027')"
    )


def _email(value: Any) -> str:
    s = _one_line(_string(value, "an email address"))
    try:
        return addresses.normalized(s)
    except addresses.AddressError as e:
        raise _Bad(f"'{short(s)}' is not a valid email address: {e}") from None


@lru_cache(maxsize=1)
def _zone_names() -> tuple[list[str], dict[str, str]]:
    names = sorted(zoneinfo.available_timezones() - _UNUSABLE_ZONES)
    by_lower: dict[str, str] = {}
    for n in names:
        by_lower.setdefault(n.lower(), n)
        by_lower.setdefault(n.rsplit("/", 1)[-1].lower().replace("_", " "), n)
    return names, by_lower


def _timezone(value: Any) -> str:
    s = _string(value, "a time zone name")
    if s not in _UNUSABLE_ZONES:
        try:
            zoneinfo.ZoneInfo(s)
            return s
        except Exception:  # ZoneInfoNotFoundError, ValueError for odd keys, ...
            pass
    raise _Bad(f"unknown time zone '{short(s)}'{_zone_hint(s)}")


@lru_cache(maxsize=1024)
def _zone_hint(s: str) -> str:
    """Cached: a CSV export often repeats the same wrong zone in every row, and the search is slow."""
    names, by_lower = _zone_names()
    guess = by_lower.get(s.lower()) or by_lower.get(s.lower().replace("_", " "))
    if not guess:
        close = difflib.get_close_matches(s, names, n=1, cutoff=0.8)
        guess = close[0] if close else None
    return f"; did you mean '{guess}'?" if guess else "; use a name like 'Europe/Berlin' or 'America/New_York'"


def _date(value: Any) -> date:
    s = _string(value, "a date like 2027-02-01")
    m = _DATE_RE.fullmatch(s)
    if m:
        try:
            return date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            raise _Bad(f"'{s}' is not a real date") from None
    if _DATE_RE.match(s):
        raise _Bad(f"must be a date without a time, like 2027-02-01, but it is '{short(s)}'")
    raise _Bad(f"'{short(s)}' is not a date; write it as YYYY-MM-DD, e.g. 2027-02-01")


def _time(value: Any) -> time:
    s = _string(value, "a time like '16:00'")
    m = _TIME_RE.fullmatch(s)
    if not m:
        raise _Bad(f"'{short(s)}' is not a time; write it as HH:MM in 24-hour form, e.g. '16:00'")
    return time(int(m[1]), int(m[2]))


def _int(lo: int, hi: int, unit: str = "") -> Callable[[Any], int]:
    suffix = f" {unit}" if unit else ""

    def parse(value: Any) -> int:
        s = value.strip() if isinstance(value, str) else None
        if s is None or not _INT_RE.fullmatch(s):
            raise _Bad(f"must be a whole number from {lo} to {hi}{suffix}, but it is {_describe(value)}")
        n = int(s) if len(s) <= 12 else None
        if n is None or not lo <= n <= hi:
            raise _Bad(f"must be from {lo} to {hi}{suffix}, but it is {short(s)}")
        return n

    return parse


def _duration(value: Any) -> int:
    try:
        return _int(4, 6)(value)
    except _Bad:
        raise _Bad(
            "a reverse-mentoring program runs 4 to 6 months, so this must be 4, 5 or 6, "
            f"but it is {_describe(value)}"
        ) from None


def _choice(what: str, allowed: dict[str, Any], shown: str) -> Callable[[Any], Any]:
    def parse(value: Any) -> Any:
        s = _string(value)
        key = re.sub(r"[\s-]+", "_", s.lower())
        if key in allowed:
            return allowed[key]
        close = difflib.get_close_matches(key, list(allowed), n=1, cutoff=0.7)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise _Bad(f"unknown {what} '{short(s)}'{hint}; use one of: {shown}")

    return parse


_language = _choice("language", {lang.value: lang for lang in Language}, "de, en")
_cadence = _choice("cadence", {c.value: c for c in Cadence}, ", ".join(c.value for c in Cadence))
_weekday = _choice(
    "weekday",
    {**{d.value: d for d in Weekday}, **_GERMAN_WEEKDAYS},
    ", ".join(d.value for d in Weekday) + " (or in German: montag ... sonntag)",
)


# -------------------------------------------------------------------- checking

_TOP_REQUIRED = {
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
_TOP_OPTIONAL = {"invite_lead_days", "reminder_hours", "reflection_delay_hours", "pairs", "pairs_csv"}
_SESSION_KEYS = {
    "weekday": "weekday: tuesday",
    "time": 'time: "16:00"',
    "length_minutes": "length_minutes: 60",
    "location": 'location: "Microsoft Teams: https://..."',
}
_OFFICE_KEYS = {"name": 'name: "Programmbüro HR"', "email": 'email: "mentoring@example.com"'}
_PERSON_KEYS = {
    "name": 'name: "Lena Weber"',
    "email": 'email: "lena.weber@example.com"',
    "timezone": "timezone: Europe/Berlin",
}
_PAIR_REQUIRED = {
    "id": "id: p1",
    "mentor": "mentor: {name: ..., email: ..., timezone: ...}",
    "mentee": "mentee: {name: ..., email: ..., timezone: ...}",
}
_PAIR_OPTIONAL = {"meeting_timezone", "weekday", "time", "length_minutes", "location"}


class _Site:
    """Where the fields of one pair live, in YAML or in a CSV row."""

    def add(self, field: str, message: str) -> None:
        raise NotImplementedError

    def absent_message(self, field: str) -> str | None:
        """Message for a required field that is not there; None if already reported."""
        raise NotImplementedError

    def ref(self) -> str:
        """How another problem refers to this pair, e.g. "pairs[0]" or "line 2"."""
        raise NotImplementedError


class _Checker:
    def __init__(
        self, display: str, data: dict[str, Any], lines: dict[Path_, int], add: Callable[[str, str], None]
    ):
        self.display = display
        self.data = data
        self.lines = lines
        self._add = add
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
            return head + (" → " + _dotted(path[2:]) if len(path) > 2 else "")
        return _dotted(path)

    def where(self, path: Path_, line: int | None = None) -> str:
        for n in range(len(path), 0 if line is None else len(path), -1):
            if path[:n] in self.lines:
                line = self.lines[path[:n]]
                break
        head = f"{self.display} line {line}" if line else self.display
        place = self.place(path)
        return f"{head}: {place}" if place else head

    def add(self, path: Path_, message: str, *, line: int | None = None) -> None:
        self._add(self.where(path, line), message)

    # --- structure

    def mapping(
        self, value: Any, path: Path_, required: dict[str, str], optional: Iterable[str], what: str
    ) -> bool:
        """Check that value is a mapping with the right keys; report what is wrong."""
        if value is MISSING:
            return False
        if not isinstance(value, dict):
            self.add(path, f"must be {what}, but it is {_describe(value)}")
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
        except _Bad as e:
            self.add(path + (key,), str(e))
            return BAD

    # --- the whole file

    def check(self, base_dir: Path, *, today: date | None, start_date: date | None) -> Cohort | None:
        d = self.data
        required = dict(_TOP_REQUIRED)
        optional = set(_TOP_OPTIONAL)
        if start_date is not None:  # the override makes the file's start date optional
            del required["start_date"]
            optional.add("start_date")
        self.mapping(d, (), required, optional, "a mapping")
        if "pairs" not in d and "pairs_csv" not in d and not self.suggested & {"pairs", "pairs_csv"}:
            self.add(
                ("pairs",),
                "missing (required): list the pairs under 'pairs:', or name a CSV file with 'pairs_csv:'",
            )
        if "pairs" in d and "pairs_csv" in d:
            self.add(("pairs_csv",), "use either 'pairs' or 'pairs_csv', not both")

        cohort_id = self.take(d, "id", _id)
        cohort_name = self.take(d, "name", _name)
        focus = self.take(d, "focus", _name)
        language = self.take(d, "language", _language)

        office = d.get("program_office", MISSING)
        self.mapping(office, ("program_office",), _OFFICE_KEYS, (), "a mapping with name and email")
        office_name = self.take(office, "name", _name, ("program_office",))
        office_email = self.take(office, "email", _email, ("program_office",))

        file_start = self.take(d, "start_date", _date, required=start_date is None)
        duration = self.take(d, "duration_months", _duration)
        cadence = self.take(d, "cadence", _cadence)
        invite_lead_days = self.take(d, "invite_lead_days", _int(1, 60, "days"), required=False)
        reminder_hours = self.take(d, "reminder_hours", _int(1, 168, "hours"), required=False)
        reflection_delay_hours = self.take(d, "reflection_delay_hours", _int(0, 72, "hours"), required=False)

        session = d.get("session", MISSING)
        self.mapping(
            session,
            ("session",),
            _SESSION_KEYS,
            (),
            "a mapping with weekday, time, length_minutes and location",
        )
        defaults = {
            "weekday": self.take(session, "weekday", _weekday, ("session",)),
            "time": self.take(session, "time", _time, ("session",)),
            "length_minutes": self.take(session, "length_minutes", _int(15, 240, "minutes"), ("session",)),
            "location": self.take(session, "location", _long_text, ("session",)),
        }

        effective_start = start_date if start_date is not None else file_start
        if isinstance(effective_start, date) and not _EARLIEST_START <= effective_start <= _LATEST_START:
            message = (
                f"start date {effective_start.isoformat()} is out of range; a program starts between "
                f"{_EARLIEST_START.isoformat()} and {_LATEST_START.isoformat()} (a typo in the year?)"
            )
            if start_date is not None:
                self._add("--start-date", message)
            else:
                self.add(("start_date",), message)
            effective_start = BAD
        elif today is not None and isinstance(effective_start, date) and effective_start < today:
            if start_date is not None:
                self._add(
                    "--start-date",
                    f"start date {effective_start.isoformat()} is in the past (today is {today.isoformat()}); "
                    "use today or a later date",
                )
            else:
                self.add(
                    ("start_date",),
                    f"start date {effective_start.isoformat()} is in the past "
                    f"(today is {today.isoformat()}); use a future date or --start-date",
                )

        sites: list[tuple[_Site, dict[str, Any]]] = []
        if "pairs" in d:
            sites = self.yaml_pairs()
        elif "pairs_csv" in d:
            sites = self.csv_pairs(base_dir)
        pairs = _check_pairs(sites, defaults, cadence)

        values = [
            cohort_id,
            cohort_name,
            focus,
            language,
            office_name,
            office_email,
            effective_start,
            duration,
            cadence,
            invite_lead_days,
            reminder_hours,
            reflection_delay_hours,
            pairs,
        ]
        if any(v is BAD for v in values) or effective_start is None or pairs is None:
            return None
        extra = {
            k: v
            for k, v in {
                "invite_lead_days": invite_lead_days,
                "reminder_hours": reminder_hours,
                "reflection_delay_hours": reflection_delay_hours,
            }.items()
            if v is not None
        }
        program = Program(
            cohort_id=cohort_id,
            cohort_name=cohort_name,
            focus=focus,
            language=language,
            program_office=ProgramOffice(name=office_name, email=office_email),
            start_date=effective_start,
            duration_months=duration,
            **extra,
        )
        return Cohort(program=program, pairs=pairs)

    def yaml_pairs(self) -> list[tuple[_Site, dict[str, Any]]]:
        raw = self.data["pairs"]
        if not isinstance(raw, list):
            self.add(
                ("pairs",),
                f"must be a list of pairs (each starting with '- id: ...'), but it is {_describe(raw)}",
            )
            return []
        if not raw:
            self.add(("pairs",), "the list is empty; add at least one pair")
        sites = []
        for i, entry in enumerate(raw):
            path = ("pairs", i)
            if not self.mapping(
                entry, path, _PAIR_REQUIRED, _PAIR_OPTIONAL, "a mapping with id, mentor and mentee"
            ):
                continue
            for role in ("mentor", "mentee"):
                self.mapping(
                    entry.get(role, MISSING),
                    path + (role,),
                    _PERSON_KEYS,
                    (),
                    "a mapping with name, email and timezone",
                )
            sites.append((_YamlSite(self, i), entry))
        return sites

    def csv_pairs(self, base_dir: Path) -> list[tuple[_Site, dict[str, Any]]]:
        raw = self.data["pairs_csv"]
        try:
            rel = _one_line(_string(raw, "the name of a CSV file"))
        except _Bad as e:
            self.add(("pairs_csv",), str(e))
            return []
        csv_path = base_dir / rel
        name = short(rel)
        self.csv_names.append(name)
        try:
            found = csv_path.exists()
        except (OSError, ValueError):
            found = True  # let _read_text report why it cannot be read
        if not found:
            self.add(("pairs_csv",), f"the CSV file '{rel}' was not found (looked for {csv_path})")
            return []
        # The file names this path, not the user: it must not make the tool wait on a pipe.
        text = _read_text(csv_path, name, self._add, regular_only=True)
        if text is None:
            return []
        table: CsvPairs | None = read_pairs_csv(text, name, self._add)
        if table is None:
            return []
        return [
            (_CsvSite(self._add, name, row.line, row.pair, table.absent_columns), row.pair)
            for row in table.rows
        ]


def _dotted(path: Path_) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + short(str(part))
    return out


class _YamlSite(_Site):
    def __init__(self, checker: _Checker, index: int):
        self.checker = checker
        self.index = index

    def path(self, field: str) -> Path_:
        return ("pairs", self.index, *field.split("."))

    def add(self, field: str, message: str) -> None:
        self.checker.add(self.path(field), message)

    def absent_message(self, field: str) -> str | None:
        return None  # ``mapping`` reported it

    def ref(self) -> str:
        line = self.checker.lines.get(("pairs", self.index))
        return f"pairs[{self.index}]" + (f" on line {line}" if line else "")


class _CsvSite(_Site):
    def __init__(
        self,
        add: Callable[[str, str], None],
        name: str,
        line: int,
        pair: dict[str, Any],
        absent_columns: set[str],
    ):
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


def _field(
    site: _Site, container: Any, field: str, parse: Callable[[Any], Any], *, required: bool = True
) -> Any:
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
    except _Bad as e:
        site.add(field, str(e))
        return BAD


def _check_pairs(
    sites: list[tuple[_Site, dict[str, Any]]], defaults: dict[str, Any], cadence: Any
) -> list[Pair] | None:
    """Check each pair, then across pairs; return resolved pairs, or None on any problem."""
    failed = False
    ids: dict[str, _Site] = {}
    people: dict[str, tuple[str, str, _Site]] = {}  # email (lowercase) -> pair id, role, site
    pairs: list[Pair] = []
    for site, entry in sites:
        pair_id = _field(site, entry, "id", _id)
        people_of_pair = {}
        for role in ("mentor", "mentee"):
            person = entry.get(role) if isinstance(entry, dict) else None
            name = _field(site, person, f"{role}.name", _name)
            email = _field(site, person, f"{role}.email", _email)
            zone = _field(site, person, f"{role}.timezone", _timezone)
            people_of_pair[role] = (name, email, zone)
        overrides = {
            "meeting_timezone": _field(site, entry, "meeting_timezone", _timezone, required=False),
            "weekday": _field(site, entry, "weekday", _weekday, required=False),
            "time": _field(site, entry, "time", _time, required=False),
            "length_minutes": _field(site, entry, "length_minutes", _int(15, 240, "minutes"), required=False),
            "location": _field(site, entry, "location", _long_text, required=False),
        }

        if isinstance(pair_id, str):
            if pair_id in ids:
                site.add(
                    "id",
                    f"pair id '{pair_id}' is already used ({ids[pair_id].ref()}); pair ids must be unique",
                )
                failed = True
            else:
                ids[pair_id] = site
        mentor_email, mentee_email = people_of_pair["mentor"][1], people_of_pair["mentee"][1]
        if (
            isinstance(mentor_email, str)
            and isinstance(mentee_email, str)
            and mentor_email.lower() == mentee_email.lower()
        ):
            site.add(
                "mentee.email",
                f"'{mentee_email}' is both the mentor and the mentee of this pair; "
                "they must be two different people",
            )
            people_of_pair["mentee"] = (people_of_pair["mentee"][0], BAD, people_of_pair["mentee"][2])
            failed = True
        for role in ("mentor", "mentee"):
            email = people_of_pair[role][1]
            if not isinstance(email, str):
                continue
            key = email.lower()
            if key in people:
                other_id, other_role, other_site = people[key]
                other = (
                    f"pair '{other_id}' ({other_site.ref()})"
                    if other_id
                    else f"the pair on {other_site.ref()}"
                )
                site.add(
                    f"{role}.email",
                    f"'{email}' is already in {other} as {other_role}; "
                    "a person can be in only one pair of a cohort",
                )
                failed = True
            else:
                people[key] = (pair_id if isinstance(pair_id, str) else "", role, site)

        resolved = {
            k: (overrides[k] if overrides[k] is not None else defaults.get(k))
            for k in ("weekday", "time", "length_minutes", "location")
        }
        meeting_tz = overrides["meeting_timezone"] or people_of_pair["mentee"][2]
        values = [
            pair_id,
            meeting_tz,
            cadence,
            *resolved.values(),
            *(v for p in people_of_pair.values() for v in p),
        ]
        if any(v is BAD for v in values) or any(v is BAD for v in overrides.values()):
            failed = True
            continue
        mentor, mentee = (Person(name=p[0], email=p[1], timezone=p[2]) for p in people_of_pair.values())
        pairs.append(
            Pair(
                id=pair_id,
                mentor=mentor,
                mentee=mentee,
                pattern=SessionPattern(
                    weekday=resolved["weekday"],
                    local_time=resolved["time"],
                    length_minutes=resolved["length_minutes"],
                    location=resolved["location"],
                    timezone=meeting_tz,
                    cadence=cadence,
                ),
            )
        )
    if failed or not sites:
        return None
    return pairs
