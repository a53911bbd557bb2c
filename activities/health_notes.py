"""The words ``workflows.health`` gives for a pair's health, in German for the office.

The workflow writes why a pair turned quiet or at risk in English (``health.health``);
a German program office reads the same facts in German. A note this does not know is
shown as written, so a new wording in the workflow is never lost, only untranslated.
"""

from __future__ import annotations

import re

_ROLES = {"mentor": "des Mentors", "mentee": "des Mentees"}
_STAGES = {"midpoint": "Zwischenbilanz", "closing": "Abschlussbilanz"}
_REVIEW = re.compile(r"the (mentor|mentee)'s (midpoint|closing) review")


def _reviews(text: str) -> str | None:
    parts = text.split(", ")
    found = [_REVIEW.fullmatch(p) for p in parts]
    if not all(found):
        return None
    return ", ".join(f"der {_STAGES[m.group(2)]} {_ROLES[m.group(1)]}" for m in found if m)


def in_german(note: str) -> str:
    if m := re.fullmatch(r"sessions (\d+) and (\d+) were not held", note):
        return f"Die Termine {m.group(1)} und {m.group(2)} haben nicht stattgefunden."
    if m := re.fullmatch(r"session (\d+) was not held", note):
        return f"Termin {m.group(1)} hat nicht stattgefunden."
    if (m := re.fullmatch(r"a rating of (\d+) or lower in (.+)", note)) and (reviews := _reviews(m.group(2))):
        return f"Eine Bewertung von {m.group(1)} oder weniger in {reviews}."
    return note
