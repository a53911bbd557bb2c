"""Every rule for what the program office types, each defined once.

The cohort file (``mentoring.cohort_file``), the command-line arguments (``cli/``)
and the update validators (``workflows/validation.py``) check values with these
functions, so a value is refused, or accepted, the same way wherever it is typed.
A rule takes the text as written and returns the value to use (surrounding
whitespace trimmed), or raises ``InputError``. Its message says what is wrong; the
caller says where (file and line, argument, or field).

Pure: no clock, no network; the only files read are the time-zone database's.
Workflow code imports it passed through the sandbox.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import lru_cache
from typing import Any

from pydantic import Field

from mentoring import addresses


class InputError(ValueError):
    """A value breaks an input rule; the message says why, in plain words, not where."""


# ------------------------------------------------------------------------- limits

# Names of people, of the cohort and of the program office, and the cohort's focus.
NAME_MAX = 200
# A Teams or Zoom link with its parameters runs to a few hundred characters.
LOCATION_MAX = 500
REASON_MAX = 500
SUBJECT_MAX = 200
BODY_MAX = 20_000
REQUEST_ID_MAX = 100
# What participants write on the response site: a comment to the program office, and a
# reflection (mailed to them, never kept).
COMMENT_MAX = 2000
REFLECTION_MAX = 10_000
# Ids go into workflow ids, so they stay short and plain.
ID_MAX = 40
ID_RE = re.compile(r"[a-z0-9_-]{1,40}")


@dataclass(frozen=True)
class Range:
    """A whole number within bounds: the one place its bounds are written."""

    lo: int
    hi: int
    unit: str = ""

    @property
    def _suffix(self) -> str:
        return f" {self.unit}" if self.unit else ""

    @property
    def wanted(self) -> str:
        return f"a whole number from {self.lo} to {self.hi}{self._suffix}"

    def check(self, n: int) -> int:
        if not self.lo <= n <= self.hi:
            raise InputError(f"must be from {self.lo} to {self.hi}{self._suffix}, but it is {n}")
        return n

    def parse(self, text: str) -> int:
        s = text.strip()
        if not _INT_RE.fullmatch(s):
            raise InputError(f"must be {self.wanted}, but it is '{short(s)}'")
        if len(s) > 12:  # int() of a huge number is slow, and it is out of range anyway
            raise InputError(f"must be from {self.lo} to {self.hi}{self._suffix}, but it is {short(s)}")
        return self.check(int(s))

    def field(self, default: Any = ...) -> Any:
        """The same bounds for a pydantic model field."""
        return Field(default, ge=self.lo, le=self.hi)


_INT_RE = re.compile(r"[+-]?[0-9]+")

SESSION_LENGTH = Range(15, 240, "minutes")
# A reverse-mentoring program runs four to six months.
DURATION_MONTHS = Range(4, 6, "months")
INVITE_LEAD_DAYS = Range(1, 60, "days")
REMINDER_HOURS = Range(1, 168, "hours")
REFLECTION_DELAY_HOURS = Range(0, 72, "hours")
EXTEND_WEEKS = Range(1, 26, "weeks")
# A new time proposed from a calendar is approved by itself only this far ahead, so that
# both calendars have the update in good time (docs/calendar-replies.md).
NOTICE_HOURS = Range(1, 336, "hours")
# What participants rate on the response site (and a preview's script): each function of
# mentoring and the progress on the focus, and whether they would recommend the program.
RATING = Range(1, 5)
RECOMMENDATION = Range(0, 10)


# -------------------------------------------------------------- showing a value

# Characters that must not reach a message as they are: control characters (line
# breaks, tabs, ESC, NUL), line/paragraph separators and lone surrogates (which
# cannot even be printed as UTF-8).
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cs", "Zl", "Zp"})


def visible(value: str) -> str:
    """``value`` with unsafe characters written as escapes (``\\n``, ``\\x1b``, ``\\u2028``, ``\\ud800``).

    Messages quote what was typed; this keeps every message one printable line.
    """
    if not any(unicodedata.category(ch) in _UNSAFE_CATEGORIES for ch in value):
        return value
    return "".join(
        ch.encode("unicode_escape").decode("ascii") if unicodedata.category(ch) in _UNSAFE_CATEGORIES else ch
        for ch in value
    )


def short(value: str, limit: int = 60) -> str:
    """``value`` for a message: made ``visible`` and cut to ``limit`` characters."""
    shown = visible(value[:limit])
    if len(value) <= limit and len(shown) <= limit:
        return shown
    cut = ""
    for ch in value[:limit]:
        piece = visible(ch)
        if len(cut) + len(piece) > limit - 1:
            break
        cut += piece
    return cut + "…"


# ------------------------------------------------------------------------- text

# What str.splitlines() splits on. In a name or subject any of them could start a
# new email header.
_LINE_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")


def _required(text: str) -> str:
    s = text.strip()
    if not s:
        raise InputError("is empty")
    return s


# Embeddings, overrides and isolates reorder how text around them is shown: a name with
# U+202E can make an email or a calendar show words the office never wrote. Right-to-left
# names need none of them (the marks U+200E and U+200F stay allowed). Text of several
# lines (a comment, a reflection) keeps them: apps put isolates around pasted names.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _refuse_unprintable(ch: str) -> None:
    category = unicodedata.category(ch)
    if category == "Cc":
        label = "a tab" if ch == "\t" else f"U+{ord(ch):04X}"
        raise InputError(f"contains a control character ({label}); remove it")
    if category == "Cs":  # only from an escape such as "\ud800"; not valid text
        raise InputError(f"contains an invalid character (U+{ord(ch):04X}, half of a UTF-16 pair); remove it")


def _within(s: str, max_length: int | None) -> str:
    if max_length is not None and len(s) > max_length:
        raise InputError(f"is too long ({len(s)} characters; at most {max_length})")
    return s


def one_line(text: str, max_length: int | None) -> str:
    """Single-line text: no line break, tab or other control character."""
    s = _required(text)
    for ch in s:
        if ch in _LINE_BREAKS:
            raise InputError("contains a line break; it must be a single line")
        if ch in _BIDI_CONTROLS:
            raise InputError(
                f"contains a bidirectional control character (U+{ord(ch):04X}), which changes the order "
                "text is shown in; remove it"
            )
        _refuse_unprintable(ch)
    return _within(s, max_length)


def several_lines(text: str, max_length: int) -> str:
    """Text of several lines: line feeds and tabs are fine, other control characters are not."""
    s = _required(text)
    for ch in s:
        if ch in "\n\t":
            continue
        if ch in _LINE_BREAKS and unicodedata.category(ch) != "Cc":
            raise InputError(f"contains an unusual line break (U+{ord(ch):04X}); use plain line breaks")
        _refuse_unprintable(ch)
    return _within(s, max_length)


def name(text: str) -> str:
    return one_line(text, NAME_MAX)


def location(text: str) -> str:
    return one_line(text, LOCATION_MAX)


def reason(text: str) -> str:
    """Why a change is made; the participants read it, and ``ops.py`` prints it on one line."""
    return one_line(text, REASON_MAX)


def subject(text: str) -> str:
    return one_line(text, SUBJECT_MAX)


def body(text: str) -> str:
    return several_lines(text, BODY_MAX)


def comment(text: str) -> str:
    return several_lines(text, COMMENT_MAX)


def reflection(text: str) -> str:
    return several_lines(text, REFLECTION_MAX)


def identifier(text: str) -> str:
    """A cohort or pair id; it becomes part of workflow ids."""
    s = _required(text)
    if ID_RE.fullmatch(s):
        return s
    if len(s) > ID_MAX:
        raise InputError(f"'{short(s)}' is too long for an id ({len(s)} characters; at most {ID_MAX})")
    hint = f" (did you mean '{s.lower()}'?)" if ID_RE.fullmatch(s.lower()) else ""
    raise InputError(
        f"'{short(s)}' is not a valid id{hint}; use lowercase letters a-z, digits, '-' or '_' (e.g. 'dw-2027')"
    )


def request_id(text: str) -> str:
    s = one_line(text, REQUEST_ID_MAX)
    if s != text:
        raise InputError("must not start or end with spaces")
    return s


def email(text: str) -> str:
    """The address as it is stored; the syntax rule itself is ``mentoring.addresses``."""
    s = one_line(text, None)  # a line break would start a new header
    try:
        return addresses.normalized(s)
    except addresses.AddressError as error:
        raise InputError(f"'{short(s)}' is not a valid email address: {error}") from None


# -------------------------------------------------------------------- time zones

# Names zoneinfo accepts that depend on the machine or are not real zones.
UNUSABLE_ZONES = frozenset({"localtime", "posixrules", "Factory"})


def time_zone(text: str) -> str:
    """An IANA time zone name such as ``Europe/Berlin``."""
    s = _required(text)
    if s not in UNUSABLE_ZONES:
        try:
            zoneinfo.ZoneInfo(s)
            return s
        # ValueError: not a key ("../x", "Europe/") or not a zone file ("zone.tab");
        # OSError: a directory ("Europe") or a name too long for the file system.
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
            pass
    raise InputError(f"unknown time zone '{short(s)}'{_zone_hint(s)}")


@lru_cache(maxsize=1)
def _zone_names() -> tuple[list[str], dict[str, str]]:
    names = sorted(zoneinfo.available_timezones() - UNUSABLE_ZONES)
    by_lower: dict[str, str] = {}
    for n in names:
        by_lower.setdefault(n.lower(), n)
        by_lower.setdefault(n.rsplit("/", 1)[-1].lower().replace("_", " "), n)
    return names, by_lower


@lru_cache(maxsize=1024)
def _zone_hint(s: str) -> str:
    """Cached: a CSV export often repeats the same wrong zone in every row, and the search is slow."""
    names, by_lower = _zone_names()
    guess = by_lower.get(s.lower()) or by_lower.get(s.lower().replace("_", " "))
    if not guess:
        close = difflib.get_close_matches(s, names, n=1, cutoff=0.8)
        guess = close[0] if close else None
    return f"; did you mean '{guess}'?" if guess else "; use a name like 'Europe/Berlin' or 'America/New_York'"


# ------------------------------------------------------------------ dates, times

_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_LOOSE_DATE_RE = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
# HH:MM, also 9:30 and 16.30 as people write them.
TIME_RE = re.compile(r"([01]?[0-9]|2[0-3])[:.]([0-5][0-9])")
_DATETIME_RE = re.compile(r"([0-9]{4}-[0-9]{1,2}-[0-9]{1,2})[ T]([0-9]{1,2}[:.][0-9]{2})")


def calendar_date(text: str) -> date:
    """A date written YYYY-MM-DD, the ISO form, with two-digit month and day."""
    s = _required(text)
    if _DATE_RE.fullmatch(s):
        try:
            return date.fromisoformat(s)
        except ValueError:
            raise InputError(f"'{s}' is not a real date") from None
    loose = _LOOSE_DATE_RE.fullmatch(s)
    if loose:
        try:
            hint = f"did you mean {date(int(loose[1]), int(loose[2]), int(loose[3])).isoformat()}?"
        except ValueError:
            hint = "e.g. 2027-02-01"
        raise InputError(f"'{s}' is not a date; write it as YYYY-MM-DD with two-digit month and day ({hint})")
    if _LOOSE_DATE_RE.match(s):
        raise InputError(f"must be a date without a time, like 2027-02-01, but it is '{short(s)}'")
    raise InputError(f"'{short(s)}' is not a date; write it as YYYY-MM-DD, e.g. 2027-02-01")


def clock_time(text: str) -> time:
    """A wall-clock time, 24-hour HH:MM; 9:30 and 16.30 too."""
    s = _required(text)
    m = TIME_RE.fullmatch(s)
    if not m:
        raise InputError(f"'{short(s)}' is not a time; write it as HH:MM in 24-hour form, e.g. '16:00'")
    return time(int(m[1]), int(m[2]))


_HOURS_RE = re.compile(r"(.+?)\s*(?:-|–|to|bis)\s*(.+)")


def working_hours(text: str) -> tuple[time, time]:
    """A working day on a participant's own clock: 'HH:MM-HH:MM' (an en dash, 'to' or
    'bis' works too)."""
    s = _required(text)
    m = _HOURS_RE.fullmatch(s)
    if not m:
        raise InputError(f"'{short(s)}' is not a span of hours; write it as \"08:00-18:00\"")
    try:
        start, end = clock_time(m[1]), clock_time(m[2])
    except InputError:
        raise InputError(f"'{short(s)}' is not a span of hours; write it as \"08:00-18:00\"") from None
    return check_working_hours(start, end)


def check_working_hours(start: time, end: time) -> tuple[time, time]:
    if end <= start:
        raise InputError(f"must end after it starts, but {start:%H:%M}-{end:%H:%M} does not")
    return start, end


def local_datetime(text: str) -> datetime:
    """A wall-clock time in the pair's meeting time zone: 'YYYY-MM-DD HH:MM'."""
    s = _required(text)
    m = _DATETIME_RE.fullmatch(s)
    if not m:
        raise InputError(f'\'{short(s)}\' is not a date and time; use "YYYY-MM-DD HH:MM", e.g. "2027-03-16 16:00"')
    return datetime.combine(calendar_date(m[1]), clock_time(m[2]))


# ----------------------------------------------------------------------- choices


def choice(what: str, allowed: dict[str, Any], shown: str) -> Callable[[str], Any]:
    """One of a few words; case, spaces and '-' do not matter (``Every-3-Weeks``)."""

    def parse(text: str) -> Any:
        s = _required(text)
        key = re.sub(r"[\s-]+", "_", s.lower())
        if key in allowed:
            return allowed[key]
        close = difflib.get_close_matches(key, list(allowed), n=1, cutoff=0.7)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise InputError(f"unknown {what} '{short(s)}'{hint}; use one of: {shown}")

    parse.__name__ = what
    return parse
