"""A pair's session plan: computed once by an activity, then carried in workflow state."""

from __future__ import annotations

import calendar
from datetime import date, datetime

from pydantic import AwareDatetime, BaseModel

from mentoring.cohort import SessionPattern


def add_months(start: date, months: int) -> date:
    """Calendar months, clamped to the month's last day (pure date arithmetic, no zones)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


class PlanRequest(BaseModel):
    start_date: date
    duration_months: int
    pattern: SessionPattern
    # Replaces start + duration as the end, when a program is re-planned or extended.
    end_date: date | None = None
    # Sessions that would start before this instant are left out, so a
    # program started late never invites to a meeting in the past.
    not_before: AwareDatetime
    # A re-plan (new rhythm, end of a pause) counts its cadence from the first
    # slot after ``not_before`` rather than from ``start_date``.
    restart: bool = False


class PlannedSession(BaseModel):
    number: int
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    # Wall-clock start in ``timezone`` as planned or asked for. A time the clocks skip
    # that night starts later by the gap (activities.wall_clock): ``starts_at`` and the
    # invite carry that real start.
    local_start: datetime
    timezone: str
    location: str


class SessionPlan(BaseModel):
    sessions: list[PlannedSession]
    midpoint_at: AwareDatetime
    closing_at: AwareDatetime
    program_end: date


class LocalTimes(BaseModel):
    """Wall-clock times in one zone, to be turned into instants by an activity."""

    timezone: str
    local: list[datetime]


class Instants(BaseModel):
    instants: list[AwareDatetime]


class Instant(BaseModel):
    """One instant, to be shown on the clocks of one zone by an activity."""

    timezone: str
    at: AwareDatetime


class WallClock(BaseModel):
    local: datetime


class SpanOnClocks(BaseModel):
    """A meeting's start and end, to be shown on the clocks of several zones by an activity."""

    starts_at: AwareDatetime
    ends_at: AwareDatetime
    timezones: list[str]


class LocalSpan(BaseModel):
    """What the clocks in one zone show at a meeting's start and end."""

    timezone: str
    start: datetime
    end: datetime


class LocalSpans(BaseModel):
    # In the order of ``SpanOnClocks.timezones``.
    spans: list[LocalSpan]
