"""The words the program office may type, in English or German, shared by the cohort file
and the ops commands. The shapes of other values are in ``mentoring.inputs``."""

from __future__ import annotations

from mentoring.answers import KeepMeeting
from mentoring.cohort import Cadence, Language, Weekday
from mentoring.inputs import choice

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

weekday = choice(
    "weekday",
    {**{d.value: d for d in Weekday}, **GERMAN_WEEKDAYS},
    ", ".join(d.value for d in Weekday) + " (or in German: montag ... sonntag)",
)
cadence = choice("cadence", {c.value: c for c in Cadence}, ", ".join(c.value for c in Cadence))
language = choice("language", {lang.value: lang for lang in Language}, ", ".join(lang.value for lang in Language))
keep_meeting = choice(
    "keep-meeting answer",
    {
        **{k.value: k for k in KeepMeeting},
        "ja": KeepMeeting.YES,
        "vielleicht": KeepMeeting.MAYBE,
        "nein": KeepMeeting.NO,
    },
    "yes, maybe or no (or in German: ja, vielleicht, nein)",
)
yes_no = choice(
    "yes/no value",
    {"yes": True, "no": False, "true": True, "false": False, "on": True, "off": False, "ja": True, "nein": False},
    "yes or no (true/false, on/off, ja/nein work too)",
)
