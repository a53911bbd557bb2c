"""Argument types that reject bad input with a message naming the argument."""

from __future__ import annotations

import argparse
from datetime import date


def start_date(text: str) -> date:
    if text == "today":
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date; use YYYY-MM-DD or 'today'") from None
