"""A pair's session plan: computed once by an activity, then carried in workflow state."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import AwareDatetime, BaseModel

from mentoring.cohort import SessionPattern


class PlanRequest(BaseModel):
    start_date: date
    duration_months: int
    pattern: SessionPattern
    # Sessions that would start before this instant are left out, so a
    # program started late never invites to a meeting in the past.
    not_before: AwareDatetime


class PlannedSession(BaseModel):
    number: int
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    # Wall-clock start in ``timezone``; what the invite's DTSTART;TZID carries.
    local_start: datetime
    timezone: str
    location: str


class SessionPlan(BaseModel):
    sessions: list[PlannedSession]
    midpoint_at: AwareDatetime
    closing_at: AwareDatetime
    program_end: date
