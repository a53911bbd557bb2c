"""The dates a pair can move a session to from the check-in page.

The rhythm's own dates are the pair's sessions, so every one of them is taken. The
free ones nearest to it are:

1. the pair's weekday at its usual time in the weeks between its sessions, in the
   next four weeks (a fortnightly pair's other Tuesdays);
2. filled up with the usual time on the nearest working days, Monday to Friday (all
   a weekly pair has, and what catches up soonest).

Only days after today (in the pair's zone), without a session of the pair, and
before the program ends; ``OFFERED`` of them, by date. A time the clocks skip that
night starts later, as the pair's plan would have it (``wall_clock``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from activities.planning import session_dates
from activities.wall_clock import resolve
from mentoring.answers import AnswerView
from mentoring.cohort import Cadence

OFFERED = 4
RHYTHM_HORIZON = timedelta(weeks=4)
_SATURDAY = 5


@dataclass(frozen=True)
class Slot:
    local: datetime  # naive, in the pair's meeting zone: what the answer carries
    starts: datetime  # aware (UTC)
    ends: datetime

    @property
    def value(self) -> str:
        """The form's value for this slot."""
        return self.local.strftime("%Y-%m-%dT%H:%M")


def free_days(anchor: date, end: date, today: date, taken: set[date], count: int = OFFERED) -> list[date]:
    def free(day: date) -> bool:
        return today < day < end and day not in taken

    soon = min(end, today + RHYTHM_HORIZON)
    days = [day for day in session_dates(anchor, Cadence.WEEKLY, soon) if free(day)][:count]
    day = today
    while len(days) < count and (day := day + timedelta(days=1)) < end:
        if day.weekday() < _SATURDAY and free(day) and day not in days:
            days.append(day)
    return sorted(days)[:count]


def free_slots(view: AnswerView, now: datetime, count: int = OFFERED) -> list[Slot]:
    if not (view.rhythm_anchor and view.program_end and view.local_time and view.pair_timezone):
        return []
    zone = view.pair_timezone
    days = free_days(
        date.fromisoformat(view.rhythm_anchor),
        date.fromisoformat(view.program_end),
        now.astimezone(ZoneInfo(zone)).date(),
        {date.fromisoformat(d) for d in view.taken_days},
        count,
    )
    at = time.fromisoformat(view.local_time)
    length = timedelta(minutes=view.length_minutes or 60)
    slots = []
    for day in days:
        clock = resolve(datetime.combine(day, at), zone)
        slots.append(Slot(local=clock.asked, starts=clock.instant, ends=clock.instant + length))
    return slots
