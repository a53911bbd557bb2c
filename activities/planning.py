"""Session planning: all calendar arithmetic happens here, in the pair's meeting
time zone, so a session keeps its wall-clock time across DST changes. The result
is recorded in history, so a later tzdata update can never change a replay."""

from __future__ import annotations

import calendar
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from temporalio import activity

from activities.wall_clock import resolve
from mentoring.cohort import Cadence
from mentoring.plan import (
    Instant,
    Instants,
    LocalSpan,
    LocalSpans,
    LocalTimes,
    PlannedSession,
    PlanRequest,
    SessionPlan,
    SpanOnClocks,
    WallClock,
    add_months,
)

# Reviews land at the start of a working day in the pair's own zone, never on a
# single company-wide clock.
REVIEW_LOCAL_TIME = time(9, 0)

_STEP_DAYS = {Cadence.WEEKLY: 7, Cadence.BIWEEKLY: 14, Cadence.EVERY_3_WEEKS: 21}


LAST = -1


def _nth_weekday(year: int, month: int, weekday: int, nth: int) -> date:
    """The ``nth`` (1..4, or ``LAST``) ``weekday`` of the month."""
    if nth == LAST:
        last = date(year, month, calendar.monthrange(year, month)[1])
        return last - timedelta(days=(last.weekday() - weekday) % 7)
    first = date(year, month, 1)
    offset = (weekday - first.weekday()) % 7
    return first + timedelta(days=offset + 7 * (nth - 1))


def monthly_rank(first: date) -> int:
    """Which weekday of its month ``first`` is: 1..4, or ``LAST`` for a 5th one.

    Not every month has a 5th Monday, so a series that starts on one keeps to the
    last Monday of each month; that is the same day in the first month, so no
    session ever comes before the first one.
    """
    nth = (first.day - 1) // 7 + 1
    return LAST if nth == 5 else nth


def session_dates(first: date, cadence: Cadence, end: date) -> list[date]:
    """Every meeting date from ``first`` up to (not including) ``end``.

    Monthly means "the same n-th weekday each month" (e.g. the 2nd Tuesday), as
    calendar apps do, counted from ``first``; a 5th weekday means the last one.
    """
    dates: list[date] = []
    if cadence == Cadence.MONTHLY:
        nth = monthly_rank(first)
        year, month = first.year, first.month
        while (current := _nth_weekday(year, month, first.weekday(), nth)) < end:
            dates.append(current)
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return dates
    current = first
    while current < end:
        dates.append(current)
        current += timedelta(days=_STEP_DAYS[cadence])
    return dates


def first_meeting_date(start: date, weekday: int) -> date:
    return start + timedelta(days=(weekday - start.weekday()) % 7)


def local_instant(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of ``at`` on ``day``; a time in a DST gap or fold follows ``resolve``."""
    return resolve(datetime.combine(day, at), zone.key).instant


def plan_program(request: PlanRequest) -> SessionPlan:
    pattern = request.pattern
    zone = ZoneInfo(pattern.timezone)
    program_end = request.end_date or add_months(request.start_date, request.duration_months)
    first = first_meeting_date(request.start_date, pattern.weekday.day_number)
    if request.restart:
        while local_instant(first, pattern.local_time, zone) < request.not_before:
            first += timedelta(days=7)
    length = timedelta(minutes=pattern.length_minutes)

    sessions: list[PlannedSession] = []
    for day in session_dates(first, pattern.cadence, program_end):
        starts_at = local_instant(day, pattern.local_time, zone)
        if starts_at < request.not_before:
            continue
        sessions.append(
            PlannedSession(
                number=len(sessions) + 1,
                starts_at=starts_at,
                ends_at=starts_at + length,
                local_start=datetime.combine(day, pattern.local_time),
                timezone=pattern.timezone,
                location=pattern.location,
            )
        )

    halfway = request.start_date + timedelta(days=(program_end - request.start_date).days // 2)
    midpoint_at = max(local_instant(halfway, REVIEW_LOCAL_TIME, zone), request.not_before)
    closing_day = (sessions[-1].local_start.date() if sessions else program_end) + timedelta(days=1)
    closing_at = max(local_instant(closing_day, REVIEW_LOCAL_TIME, zone), request.not_before)
    return SessionPlan(sessions=sessions, midpoint_at=midpoint_at, closing_at=closing_at, program_end=program_end)


@activity.defn
async def plan_sessions(request: PlanRequest) -> SessionPlan:
    return plan_program(request)


@activity.defn
async def localize_times(request: LocalTimes) -> Instants:
    """Wall-clock times in the pair's zone as UTC instants (for reschedules and pauses).

    A time in a DST gap or fold gets the same instant as a planned session would
    (``activities.wall_clock``), so the invite and the email agree with the timers."""
    return Instants(instants=[resolve(t, request.timezone).instant for t in request.local])


@activity.defn
async def wall_clock_of(request: Instant) -> WallClock:
    """What the clocks in the pair's zone show at an instant (a time proposed from a
    participant's calendar, in whatever zone their client wrote it)."""
    return WallClock(local=request.at.astimezone(ZoneInfo(request.timezone)).replace(tzinfo=None))


def on_clocks(request: SpanOnClocks) -> LocalSpans:
    spans = []
    for name in request.timezones:
        zone = ZoneInfo(name)
        start = request.starts_at.astimezone(zone).replace(tzinfo=None)
        end = request.ends_at.astimezone(zone).replace(tzinfo=None)
        spans.append(LocalSpan(timezone=name, start=start, end=end))
    return LocalSpans(spans=spans)


@activity.defn
async def span_on_clocks(request: SpanOnClocks) -> LocalSpans:
    """A proposed time on the pair's clock and on each participant's own, so the pair can
    tell whether both can attend (``workflows.attendance``)."""
    return on_clocks(request)
