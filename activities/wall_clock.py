"""What a wall-clock time in a zone means on a day the clocks change: one rule for
planning, ops reschedules, invites, emails and the office's previews.

- A time in a spring-forward gap (02:30 on 2027-03-28 in Europe/Berlin) does not
  exist. The session moves forward by the length of the gap (to 03:30), which is how
  RFC 5545 and calendar clients read such a time.
- A time in a fall-back fold (02:30 on 2027-10-31 in Europe/Berlin) happens twice.
  The session is at the first occurrence, still on summer time, as RFC 5545 says.

zoneinfo's ``fold=0`` gives exactly these instants; this module names the cases so
that the ICS, the email text and the office's output can say what happened.
Activity and command-line code only: workflows never touch zoneinfo.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo


class ClockChange(StrEnum):
    GAP = "gap"  # the time does not exist; the session starts later by the gap
    FOLD = "fold"  # the time happens twice; the session is at the first one


@dataclass(frozen=True)
class WallClock:
    """A wall-clock time asked for in ``zone``, and when that session really starts."""

    asked: datetime  # naive, as planned or typed
    zone: str
    instant: datetime  # UTC
    actual: datetime  # naive: what the clock in ``zone`` shows at ``instant``
    change: ClockChange | None

    def describe(self) -> str:
        """For the program office: which time, which day, and what the rule made of it."""
        day, asked = f"{self.asked:%Y-%m-%d}", f"{self.asked:%H:%M}"
        if self.change is ClockChange.GAP:
            return (
                f"{asked} does not exist on {day} in {self.zone} (clocks go forward); "
                f"the session starts at {self.actual:%H:%M}"
            )
        if self.change is ClockChange.FOLD:
            local = self.instant.astimezone(ZoneInfo(self.zone))
            return (
                f"{asked} happens twice on {day} in {self.zone} (clocks go back); "
                f"the session is at the first {asked} ({local:%Z}, {utc_offset(local)})"
            )
        return f"{day} {asked} in {self.zone}"


def resolve(local: datetime, zone: str) -> WallClock:
    """The session that ``local`` (naive, or aware and then read in ``zone``) in ``zone`` means."""
    tz = ZoneInfo(zone)
    if local.tzinfo is not None:
        local = local.astimezone(tz)
    asked = local.replace(tzinfo=None, fold=0)
    first = asked.replace(tzinfo=tz)
    instant = first.astimezone(UTC)
    actual = instant.astimezone(tz).replace(tzinfo=None)
    change = None
    if actual != asked:
        change = ClockChange.GAP
    elif asked.replace(tzinfo=tz, fold=1).utcoffset() != first.utcoffset():
        change = ClockChange.FOLD
    return WallClock(asked=asked, zone=zone, instant=instant, actual=actual, change=change)


def utc_offset(moment: datetime) -> str:
    """``UTC+02:00``, ``UTC-03:30``: which of two equal wall-clock times is meant."""
    offset = moment.strftime("%z")
    return f"UTC{offset[:3]}:{offset[3:5]}"


def shows_twice(moment: datetime) -> bool:
    """True when the clock shows ``moment`` (aware, as ``astimezone`` gives it in a
    ZoneInfo zone) twice that night: the other ``fold`` has another offset."""
    return moment.replace(fold=1 - moment.fold).utcoffset() != moment.utcoffset()


@dataclass(frozen=True)
class Span:
    """A meeting's start and end as clocks in one zone show them."""

    start: datetime
    end: datetime
    zone: str
    # The clock shows the start or the end twice that night: the text names CEST or CET.
    ambiguous: bool = False

    @classmethod
    def on_clock(cls, starts: datetime, ends: datetime, zone: str) -> Span:
        own = ZoneInfo(zone)
        start, end = starts.astimezone(own), ends.astimezone(own)
        ambiguous = shows_twice(start) or shows_twice(end)
        return cls(start, end, zone, ambiguous)
