"""The program office's weekly digest: when it goes out, what it is asked, what it says.

A Temporal Schedule per cohort (``mentoring_service.digest_schedule``) starts the
digest workflow (``workflows/digest.py``) every Monday at 08:00 on the office's clock.
The digest covers the week that ended then, Monday 08:00 to Monday 08:00, and looks
ahead to the next Monday 08:00.
"""

from __future__ import annotations

from datetime import date, time, timedelta
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel

from mentoring.answers import PairHealth
from mentoring.cohort import Program, Weekday

# When the digest goes out, on the program office's clock (``office_zone``): the
# schedule's calendar and the digest's week both come from these two.
DIGEST_WEEKDAY = Weekday.MONDAY
DIGEST_TIME = time(8, 0)
# A digest whose Monday 08:00 passed while the server or the workers were down still
# goes out within this window; after it, the next Monday's comes.
DIGEST_CATCHUP = timedelta(days=1)


def digest_when(zone: str) -> str:
    """For the office's eyes: "Mondays 08:00 Europe/Berlin"."""
    return f"{DIGEST_WEEKDAY.value.capitalize()}s {DIGEST_TIME:%H:%M} {zone}"


class DigestInput(BaseModel):
    """What the schedule gives every run: the program (its office, language, names of
    the cohort) and the office's zone."""

    program: Program
    timezone: str


class DigestWeek(BaseModel):
    """The week a digest covers, Monday 08:00 to Monday 08:00 on the office's clock, and
    the week it looks ahead to. Computed in an activity (``activities/digest_week.py``)."""

    timezone: str
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    next_ends_at: AwareDatetime
    # The Monday it ends on, in the office's zone: names the digest's email (the ledger key).
    ends_on: date


class Milestone(StrEnum):
    MIDPOINT = "midpoint"
    CLOSING = "closing"


class UpcomingMilestone(BaseModel):
    pair_id: str
    milestone: Milestone
    at: AwareDatetime


class PairToWatch(BaseModel):
    """A pair that is quiet or at risk as the week ends, and the ops commands that help."""

    pair_id: str
    health: PairHealth
    # Sessions of the week that did not take place (missed or declined), by start.
    not_held: int = 0
    commands: list[str] = []
