"""The program office's weekly digest: when it goes out, what it is asked, what it says.

A Temporal Schedule per cohort (``mentoring_service.digest_schedule``) starts the
digest workflow (``workflows/digest.py``) every Monday at 08:00 on the office's clock.
The digest covers the week that ended then, Monday 08:00 to Monday 08:00, and looks
ahead to the next Monday 08:00.
"""

from __future__ import annotations

from datetime import date, time, timedelta

from pydantic import AwareDatetime, BaseModel

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


class DigestRequest(BaseModel):
    """For the gathering activity: which cohort, on whose clock, as of when (the
    workflow's clock, so a preview's skipped time counts)."""

    cohort_id: str
    timezone: str
    at: AwareDatetime


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


class DigestResult(BaseModel):
    """What a digest run did: sent, or skipped and why; and whether it was the last."""

    cohort_id: str
    week_ends_on: date
    sent: bool = False
    # Why no email went out: nothing happened and nothing is coming, or delivery failed.
    skipped: str | None = None
    message_id: str | None = None
    # Every pair had finished: the schedule was deleted after this run.
    last: bool = False


class RetireRequest(BaseModel):
    cohort_id: str


class Retired(BaseModel):
    # False when there was no schedule to delete (never created, deleted already, or a
    # preview's server, which has no schedules).
    deleted: bool
