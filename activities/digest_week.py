"""Monday 08:00 on the program office's clock: the digest's week, across clock changes.

Activity and command-line code only (zoneinfo). The schedule's calendar names the
same weekday and time with the office's zone (``mentoring_service.digest_schedule``),
so the server starts each digest at the instant this module computes; the tests
check the two against each other in many zones.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from activities.wall_clock import resolve
from mentoring.digest import DIGEST_TIME, DIGEST_WEEKDAY, DigestWeek

_WEEK = timedelta(days=7)


def digest_time(day: date, zone: str) -> datetime:
    """08:00 of ``day`` in ``zone``, in UTC. A clock change at that hour (no zone has
    one today) follows the one wall-clock rule (``activities.wall_clock``)."""
    return resolve(datetime.combine(day, DIGEST_TIME), zone).instant


def last_digest_day(at: datetime, zone: str) -> date:
    """The Monday whose 08:00 in ``zone`` is the latest at or before ``at``."""
    local = at.astimezone(ZoneInfo(zone))
    day = local.date() - timedelta(days=(local.weekday() - DIGEST_WEEKDAY.day_number) % 7)
    return day if digest_time(day, zone) <= at else day - _WEEK


def digest_week(at: datetime, zone: str) -> DigestWeek:
    """The week a digest started at ``at`` covers: it ends at the latest Monday 08:00 at or
    before ``at``. A digest that starts late (caught up) still covers that week."""
    ends_on = last_digest_day(at, zone)
    return DigestWeek(
        timezone=zone,
        starts_at=digest_time(ends_on - _WEEK, zone),
        ends_at=digest_time(ends_on, zone),
        next_ends_at=digest_time(ends_on + _WEEK, zone),
        ends_on=ends_on,
    )


def digest_times(after: datetime, until: datetime, zone: str) -> list[datetime]:
    """Every Monday 08:00 in ``zone`` after ``after`` and up to ``until`` (UTC instants):
    when the schedule starts a digest. A preview runs its digests at these."""
    day = last_digest_day(after, zone) + _WEEK
    times = []
    while (moment := digest_time(day, zone)) <= until:
        times.append(moment)
        day += _WEEK
    return times
