"""Argument types for ``ops.py``: each rejects bad input with a message naming what is wrong.

argparse adds the argument's name ("argument --to: ...") and exits with code 2.
The parsers in ``mentoring.cohort_file`` are private to the file checker, so these
are small local ones that accept the same forms (German weekdays, 16:00 or 16.00).
"""

from __future__ import annotations

import argparse
import re
import unicodedata
import zoneinfo
from datetime import date, datetime, time

from mentoring import addresses
from mentoring.vocabulary import GERMAN_WEEKDAYS as _GERMAN_WEEKDAYS
from mentoring.vocabulary import ID_RE as _ID_RE
from mentoring.vocabulary import TIME_RE as _TIME_RE
from mentoring.vocabulary import UNUSABLE_ZONES as _UNUSABLE_ZONES
from mentoring.cohort import Cadence, Weekday

_DATE_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_DATETIME_RE = re.compile(r"(\d{4}-\d{2}-\d{2})[ T](\d{1,2}[:.]\d{2})")

Bad = argparse.ArgumentTypeError


def identifier(text: str) -> str:
    if _ID_RE.fullmatch(text):
        return text
    hint = f" (did you mean '{text.lower()}'?)" if _ID_RE.fullmatch(text.lower()) else ""
    raise Bad(f"'{text}' is not an id{hint}; ids are 1-40 lowercase letters, digits, '-' or '_'")


def local_date(text: str) -> date:
    match = _DATE_RE.fullmatch(text.strip())
    if not match:
        raise Bad(f"'{text}' is not a date; use YYYY-MM-DD, e.g. 2027-03-16")
    try:
        return date.fromisoformat(match[0])
    except ValueError:
        raise Bad(f"'{text}' is not a real date") from None


def local_time(text: str) -> time:
    match = _TIME_RE.fullmatch(text.strip())
    if not match:
        raise Bad(f"'{text}' is not a time; use HH:MM in 24-hour form, e.g. 16:00")
    return time(int(match[1]), int(match[2]))


def local_datetime(text: str) -> datetime:
    """A wall-clock time in the pair's meeting time zone: 'YYYY-MM-DD HH:MM'."""
    match = _DATETIME_RE.fullmatch(text.strip())
    if not match:
        raise Bad(f"'{text}' is not a date and time; use \"YYYY-MM-DD HH:MM\", e.g. \"2027-03-16 16:00\"")
    try:
        return datetime.combine(date.fromisoformat(match[1]), local_time(match[2]))
    except ValueError:
        raise Bad(f"'{text}' is not a real date") from None


def _choice(what: str, allowed: dict[str, object], shown: str):
    def parse(text: str):
        key = re.sub(r"[\s-]+", "_", text.strip().lower())
        if key in allowed:
            return allowed[key]
        raise Bad(f"unknown {what} '{text}'; use one of: {shown}")

    parse.__name__ = what
    return parse


weekday = _choice(
    "weekday",
    {**{d.value: d for d in Weekday}, **_GERMAN_WEEKDAYS},
    ", ".join(d.value for d in Weekday),
)
cadence = _choice("cadence", {c.value: c for c in Cadence}, ", ".join(c.value for c in Cadence))


def whole_number(lo: int, hi: int, unit: str):
    def parse(text: str) -> int:
        if not re.fullmatch(r"\d{1,6}", text.strip()) or not lo <= int(text) <= hi:
            raise Bad(f"'{text}' must be a whole number from {lo} to {hi} {unit}")
        return int(text)

    parse.__name__ = unit
    return parse


session_number = whole_number(1, 999, "(the session's number as `ops.py show` lists it)")
length_minutes = whole_number(15, 240, "minutes")
weeks = whole_number(1, 26, "weeks")


def _single_line(text: str, limit: int) -> str:
    for ch in text:
        if ch in "\r\n\x85\u2028\u2029" or unicodedata.category(ch) == "Cc":
            label = {"\n": "a line break (LF)", "\r": "a carriage return (CR)", "\t": "a tab"}.get(
                ch, f"the control character U+{ord(ch):04X}"
            )
            raise Bad(f"contains {label}; it must be one line of plain text")
    value = text.strip()
    if not value:
        raise Bad("is empty; write a few words")
    if len(value) > limit:
        raise Bad(f"is too long ({len(value)} characters; at most {limit})")
    return value


def one_line(limit: int):
    def parse(text: str) -> str:
        return _single_line(text, limit)

    parse.__name__ = "text"
    return parse


reason = one_line(500)
name = one_line(200)
subject = one_line(200)
location = one_line(500)


def request_id(text: str) -> str:
    value = _single_line(text, 100)
    if value != text:
        raise Bad("must not start or end with spaces")
    return value


def email(text: str) -> str:
    value = _single_line(text, 254)
    try:
        return addresses.normalized(value)
    except addresses.AddressError as error:
        raise Bad(f"'{value}' is not a valid email address: {error}") from None


def timezone(text: str) -> str:
    value = text.strip()
    if value and value not in _UNUSABLE_ZONES:
        try:
            zoneinfo.ZoneInfo(value)
            return value
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            pass
    raise Bad(f"unknown time zone '{text}'; use an IANA name like Europe/Berlin or America/New_York")


def body_text(text: str) -> str:
    """An announcement body: several lines are fine, other control characters are not."""
    value = text.replace("\r\n", "\n").strip()
    for ch in value:
        if ch not in "\n\t" and unicodedata.category(ch) == "Cc":
            raise Bad(f"contains the control character U+{ord(ch):04X}; remove it")
    if not value:
        raise Bad("is empty; write the announcement")
    if len(value) > 20_000:
        raise Bad(f"is too long ({len(value)} characters; at most 20000)")
    return value
