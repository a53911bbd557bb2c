"""The words and shapes the program office may type, shared by the cohort file and the ops commands."""

from __future__ import annotations

import re

from mentoring.cohort import Weekday

# Ids go into workflow ids, so they stay short and plain.
ID_RE = re.compile(r"[a-z0-9_-]{1,40}")
# HH:MM, also 9:30 and 16.30 as people write them.
TIME_RE = re.compile(r"([01]?\d|2[0-3])[:.]([0-5]\d)")
# Names zoneinfo accepts that depend on the machine or are not real zones.
UNUSABLE_ZONES = frozenset({"localtime", "posixrules", "Factory"})
GERMAN_WEEKDAYS = {
    "montag": Weekday.MONDAY,
    "dienstag": Weekday.TUESDAY,
    "mittwoch": Weekday.WEDNESDAY,
    "donnerstag": Weekday.THURSDAY,
    "freitag": Weekday.FRIDAY,
    "samstag": Weekday.SATURDAY,
    "sonnabend": Weekday.SATURDAY,
    "sonntag": Weekday.SUNDAY,
}
