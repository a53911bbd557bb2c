"""Session planning in the pair's own time zone (the activity's pure core)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from activities.planning import plan_program
from mentoring.cohort import Cadence, SessionPattern, Weekday
from mentoring.plan import PlanRequest


def pattern(cadence: Cadence, weekday: Weekday = Weekday.TUESDAY, zone: str = "Europe/Berlin") -> SessionPattern:
    return SessionPattern(weekday=weekday, local_time=time(16), length_minutes=60, location="Teams", timezone=zone, cadence=cadence)


def plan(start: date, cadence: Cadence, *, not_before: datetime, months: int = 6, **kw):
    return plan_program(PlanRequest(start_date=start, duration_months=months, pattern=pattern(cadence, **kw), not_before=not_before))


EARLY = datetime(2020, 1, 1, tzinfo=UTC)


def test_biweekly_keeps_local_time_across_both_dst_changes():
    result = plan(date(2027, 2, 2), Cadence.BIWEEKLY, not_before=EARLY)
    assert [s.local_start.date() for s in result.sessions][:5] == [
        date(2027, 2, 2), date(2027, 2, 16), date(2027, 3, 2), date(2027, 3, 16), date(2027, 3, 30),
    ]
    assert {s.local_start.time() for s in result.sessions} == {time(16)}
    # 15:00 UTC in winter, 14:00 UTC from 28 March (EU summer time).
    assert result.sessions[3].starts_at == datetime(2027, 3, 16, 15, tzinfo=UTC)
    assert result.sessions[4].starts_at == datetime(2027, 3, 30, 14, tzinfo=UTC)
    assert (len(result.sessions), result.program_end) == (13, date(2027, 8, 2))
    assert result.midpoint_at == datetime(2027, 5, 3, 7, tzinfo=UTC)  # 09:00 in Berlin, half-way
    assert result.closing_at == datetime(2027, 7, 21, 7, tzinfo=UTC)  # the morning after the last session


def test_new_york_moves_in_utc_on_its_own_date():
    result = plan(date(2027, 3, 2), Cadence.WEEKLY, not_before=EARLY, zone="America/New_York", months=4)
    assert result.sessions[1].starts_at == datetime(2027, 3, 9, 21, tzinfo=UTC)
    assert result.sessions[2].starts_at == datetime(2027, 3, 16, 20, tzinfo=UTC)  # US summer time from 14 March


def test_monthly_means_the_same_nth_weekday():
    result = plan(date(2027, 2, 9), Cadence.MONTHLY, not_before=EARLY)
    assert [s.local_start.date() for s in result.sessions] == [
        date(2027, 2, 9), date(2027, 3, 9), date(2027, 4, 13), date(2027, 5, 11), date(2027, 6, 8), date(2027, 7, 13),
    ]


def test_every_three_weeks():
    result = plan(date(2027, 2, 2), Cadence.EVERY_3_WEEKS, not_before=EARLY, months=4)
    assert [(b.local_start - a.local_start).days for a, b in zip(result.sessions, result.sessions[1:])] == [21] * 5


def test_a_restart_counts_the_cadence_from_the_next_slot():
    # A Friday: moving a biweekly pair to Thursdays starts next Thursday, not in two weeks.
    friday = datetime(2026, 12, 4, 12, tzinfo=UTC)
    request = PlanRequest(
        start_date=date(2026, 12, 3), duration_months=6, end_date=date(2027, 3, 1),
        pattern=pattern(Cadence.BIWEEKLY, weekday=Weekday.THURSDAY), not_before=friday, restart=True,
    )
    result = plan_program(request)
    assert [s.local_start.date() for s in result.sessions][:2] == [date(2026, 12, 10), date(2026, 12, 24)]
    request.restart = False
    assert plan_program(request).sessions[0].local_start.date() == date(2026, 12, 17)
