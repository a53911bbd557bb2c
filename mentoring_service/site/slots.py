"""The dates a pair can move a session to from the check-in page: the next free days
on its rhythm inside the program window, as the pair's own plan would place them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from activities.planning import session_dates
from activities.wall_clock import resolve
from mentoring.answers import AnswerView
from mentoring.cohort import Cadence

OFFERED = 4


@dataclass(frozen=True)
class Slot:
    local: datetime  # naive, in the pair's meeting zone: what the answer carries
    starts: datetime  # aware (UTC)
    ends: datetime

    @property
    def value(self) -> str:
        """The form's value for this slot."""
        return self.local.strftime("%Y-%m-%dT%H:%M")


def free_slots(view: AnswerView, now: datetime, count: int = OFFERED) -> list[Slot]:
    """The first ``count`` days on the rhythm after today (in the pair's zone) that no
    other session takes, before the program ends."""
    if not (view.rhythm_anchor and view.cadence and view.program_end and view.local_time and view.pair_timezone):
        return []
    zone = view.pair_timezone
    today = now.astimezone(ZoneInfo(zone)).date()
    taken = {date.fromisoformat(d) for d in view.taken_days}
    at = time.fromisoformat(view.local_time)
    length = timedelta(minutes=view.length_minutes or 60)
    slots = []
    for day in session_dates(
        date.fromisoformat(view.rhythm_anchor), Cadence(view.cadence), date.fromisoformat(view.program_end)
    ):
        if day <= today or day in taken:
            continue
        clock = resolve(datetime.combine(day, at), zone)
        slots.append(Slot(local=clock.asked, starts=clock.instant, ends=clock.instant + length))
        if len(slots) == count:
            break
    return slots
