"""Argument types for ``ops.py``: the input rules of ``mentoring.inputs``, as argparse wants them.

argparse adds the argument's name ("argument --to: ...") and exits with code 2.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from mentoring import inputs, vocabulary
from mentoring.inputs import EXTEND_WEEKS, SESSION_LENGTH, InputError, Range

Bad = argparse.ArgumentTypeError


def _argument(rule: Callable[[str], Any], name: str | None = None) -> Callable[[str], Any]:
    def parse(text: str) -> Any:
        try:
            return rule(text)
        except InputError as error:
            raise Bad(str(error)) from None

    parse.__name__ = name or rule.__name__  # argparse names the type in some messages
    return parse


identifier = _argument(inputs.identifier)
local_date = _argument(inputs.calendar_date)
local_time = _argument(inputs.clock_time)
local_datetime = _argument(inputs.local_datetime)
weekday = _argument(vocabulary.weekday)
cadence = _argument(vocabulary.cadence)
session_number = _argument(Range(1, 999, "(the session's number as `ops.py show` lists it)").parse, "session")
length_minutes = _argument(SESSION_LENGTH.parse, "minutes")
weeks = _argument(EXTEND_WEEKS.parse, "weeks")
reason = _argument(inputs.reason)
name = _argument(inputs.name)
subject = _argument(inputs.subject)
location = _argument(inputs.location)
request_id = _argument(inputs.request_id)
email = _argument(inputs.email)
timezone = _argument(inputs.time_zone)
_body = _argument(inputs.body)


def body_text(text: str) -> str:
    """An announcement body; a file written on Windows has CRLF line ends, which mean LF."""
    return _body(text.replace("\r\n", "\n"))
