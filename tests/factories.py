"""Ready-made cohorts for tests, built from the wire models directly."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from mentoring.cohort import (
    Cadence,
    Cohort,
    Language,
    Pair,
    Person,
    Program,
    ProgramOffice,
    SessionPattern,
    Weekday,
)


def program(start: date, *, cohort_id: str = "dw", months: int = 6, language: Language = Language.EN) -> Program:
    return Program(
        cohort_id=cohort_id,
        cohort_name="Digital Workplace",
        focus="Social collaboration",
        language=language,
        program_office=ProgramOffice(name="Program Office", email="office@example.com"),
        start_date=start,
        duration_months=months,
    )


def pair(
    pair_id: str = "p1",
    *,
    timezone: str = "Europe/Berlin",
    cadence: Cadence = Cadence.BIWEEKLY,
    weekday: Weekday = Weekday.TUESDAY,
    at: time = time(16, 0),
    mentor_tz: str = "Europe/Berlin",
    mentee_tz: str = "Europe/Berlin",
) -> Pair:
    return Pair(
        id=pair_id,
        mentor=Person(name=f"Lena Weber {pair_id}", email=f"mentor-{pair_id}@example.com", timezone=mentor_tz),
        mentee=Person(name=f"Klaus Richter {pair_id}", email=f"mentee-{pair_id}@example.com", timezone=mentee_tz),
        pattern=SessionPattern(
            weekday=weekday,
            local_time=at,
            length_minutes=60,
            location="Teams: https://teams.example.com/meet/1",
            timezone=timezone,
            cadence=cadence,
        ),
    )


def cohort(start: date, pair_ids: list[str], *, cohort_id: str = "dw") -> Cohort:
    return Cohort(program=program(start, cohort_id=cohort_id), pairs=[pair(p) for p in pair_ids])


def weekday_ahead(now: datetime, days: int = 3) -> Weekday:
    """A rhythm's weekday whose first session is ``days`` to six days after ``now``, and
    whose day after is a working day, whatever day and hour a test runs: the first Monday
    to Thursday (in Berlin) at least ``days`` ahead. With 3, a weekly pair started now is
    invited to two sessions at once (both within 14 days) and reminded of neither yet (an
    invite within a session's reminder hours would be its reminder)."""
    day = now.astimezone(ZoneInfo("Europe/Berlin")).date() + timedelta(days=days)
    while day.weekday() > 3:
        day += timedelta(days=1)
    return list(Weekday)[day.weekday()]
