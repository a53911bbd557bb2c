"""Each value of the cohort file, checked by the rules every input follows (``mentoring.inputs``).

A field parser takes what the YAML or CSV holds (text, or a list or mapping where
text belongs) and returns the value, or raises ``InputError`` saying why not.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time
from typing import Any

from mentoring import inputs, vocabulary
from mentoring.inputs import DURATION_MONTHS, InputError, Range, short


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


MISSING: Any = _Missing()
BAD: Any = object()  # a value that was wrong and has been reported


def describe(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, dict):
        return "a mapping (key: value lines)"
    if isinstance(value, list):
        return "a list"
    return f"'{short(str(value))}'"


def string(value: Any, what: str = "text") -> str:
    if not isinstance(value, str):
        raise InputError(f"must be {what}, but it is {describe(value)}")
    return value


def _text_rule(rule: Callable[[str], Any], what: str = "text") -> Callable[[Any], Any]:
    def parse(value: Any) -> Any:
        return rule(string(value, what))

    return parse


identifier = _text_rule(inputs.identifier)
name = _text_rule(inputs.name)
location = _text_rule(inputs.location)
email = _text_rule(inputs.email, "an email address")
timezone = _text_rule(inputs.time_zone, "a time zone name")
start_date: Callable[[Any], date] = _text_rule(inputs.calendar_date, "a date like 2027-02-01")
clock_time: Callable[[Any], time] = _text_rule(inputs.clock_time, "a time like '16:00'")
language = _text_rule(vocabulary.language)
cadence = _text_rule(vocabulary.cadence)
weekday = _text_rule(vocabulary.weekday)
yes_no = _text_rule(vocabulary.yes_no, "yes or no")
working_hours = _text_rule(inputs.working_hours, 'hours like "08:00-18:00"')


def file_name(value: Any) -> str:
    return inputs.one_line(string(value, "the name of a CSV file"), None)


def number(bounds: Range) -> Callable[[Any], int]:
    def parse(value: Any) -> int:
        if not isinstance(value, str):
            raise InputError(f"must be {bounds.wanted}, but it is {describe(value)}")
        return bounds.parse(value)

    return parse


session_length = number(inputs.SESSION_LENGTH)
invite_lead_days = number(inputs.INVITE_LEAD_DAYS)
reminder_hours = number(inputs.REMINDER_HOURS)
reflection_delay_hours = number(inputs.REFLECTION_DELAY_HOURS)
notice_hours = number(inputs.NOTICE_HOURS)


def duration(value: Any) -> int:
    try:
        return number(DURATION_MONTHS)(value)
    except InputError:
        lo, hi = DURATION_MONTHS.lo, DURATION_MONTHS.hi
        allowed = ", ".join(str(n) for n in range(lo, hi)) + f" or {hi}"
        raise InputError(
            f"a reverse-mentoring program runs {lo} to {hi} months, so this must be {allowed}, "
            f"but it is {describe(value)}"
        ) from None
