"""Argument types that reject bad input with a message naming the argument."""

from __future__ import annotations

import argparse
from datetime import date

from mentoring.inputs import InputError, calendar_date


def start_date(text: str) -> date:
    if text == "today":
        return date.today()
    try:
        return calendar_date(text)
    except InputError as error:
        raise argparse.ArgumentTypeError(f"{error} (or 'today')") from None
