"""Session planning in the pair's own time zone (the activity's pure core)."""

from __future__ import annotations

import calendar
import itertools
import zoneinfo
from datetime import UTC, date, datetime, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from activities.planning import localize_times, plan_program, span_on_clocks
from activities.wall_clock import ClockChange, resolve
from mentoring.cohort import Cadence, SessionPattern, Weekday
from mentoring.inputs import UNUSABLE_ZONES
from mentoring.plan import LocalSpan, LocalTimes, PlanRequest, SpanOnClocks, add_months


def pattern(
    cadence: Cadence, weekday: Weekday = Weekday.TUESDAY, zone: str = "Europe/Berlin", at: time = time(16)
) -> SessionPattern:
    return SessionPattern(
        weekday=weekday, local_time=at, length_minutes=60, location="Teams", timezone=zone, cadence=cadence
    )


def plan(start: date, cadence: Cadence, *, not_before: datetime, months: int = 6, **kw):
    return plan_program(
        PlanRequest(start_date=start, duration_months=months, pattern=pattern(cadence, **kw), not_before=not_before)
    )


EARLY = datetime(2020, 1, 1, tzinfo=UTC)


def test_biweekly_keeps_local_time_across_both_dst_changes():
    result = plan(date(2027, 2, 2), Cadence.BIWEEKLY, not_before=EARLY)
    assert [s.local_start.date() for s in result.sessions][:5] == [
        date(2027, 2, 2),
        date(2027, 2, 16),
        date(2027, 3, 2),
        date(2027, 3, 16),
        date(2027, 3, 30),
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
        date(2027, 2, 9),
        date(2027, 3, 9),
        date(2027, 4, 13),
        date(2027, 5, 11),
        date(2027, 6, 8),
        date(2027, 7, 13),
    ]


def test_every_three_weeks():
    result = plan(date(2027, 2, 2), Cadence.EVERY_3_WEEKS, not_before=EARLY, months=4)
    assert [
        (b.local_start - a.local_start).days for a, b in zip(result.sessions, result.sessions[1:], strict=False)
    ] == [21] * 5


def test_a_restart_counts_the_cadence_from_the_next_slot():
    # A Friday: moving a biweekly pair to Thursdays starts next Thursday, not in two weeks.
    friday = datetime(2026, 12, 4, 12, tzinfo=UTC)
    request = PlanRequest(
        start_date=date(2026, 12, 3),
        duration_months=6,
        end_date=date(2027, 3, 1),
        pattern=pattern(Cadence.BIWEEKLY, weekday=Weekday.THURSDAY),
        not_before=friday,
        restart=True,
    )
    result = plan_program(request)
    assert [s.local_start.date() for s in result.sessions][:2] == [date(2026, 12, 10), date(2026, 12, 24)]
    request.restart = False
    assert plan_program(request).sessions[0].local_start.date() == date(2026, 12, 17)


def test_monthly_from_a_fifth_weekday_keeps_to_the_last_one_and_never_starts_early():
    # 2027-03-29 is the 5th Monday of March; April has none, so "the same Monday" is the last one.
    result = plan(date(2027, 3, 29), Cadence.MONTHLY, not_before=EARLY, weekday=Weekday.MONDAY)
    assert [s.local_start.date() for s in result.sessions] == [
        date(2027, 3, 29),
        date(2027, 4, 26),
        date(2027, 5, 31),
        date(2027, 6, 28),
        date(2027, 7, 26),
        date(2027, 8, 30),
        date(2027, 9, 27),
    ]
    assert result.program_end == date(2027, 9, 29)


def test_monthly_from_a_fourth_weekday_stays_on_the_fourth():
    # 2027-02-22 is the 4th and last Monday of February; March has five, and the 4th is the 22nd.
    result = plan(date(2027, 2, 22), Cadence.MONTHLY, not_before=EARLY, weekday=Weekday.MONDAY, months=4)
    assert [s.local_start.date() for s in result.sessions] == [
        date(2027, 2, 22),
        date(2027, 3, 22),
        date(2027, 4, 26),
        date(2027, 5, 24),
    ]


def test_a_planned_time_in_the_spring_gap_starts_later_by_the_gap():
    result = plan(date(2027, 3, 21), Cadence.WEEKLY, not_before=EARLY, weekday=Weekday.SUNDAY, at=time(2, 30), months=4)
    gap_day = next(s for s in result.sessions if s.local_start.date() == date(2027, 3, 28))
    # The plan keeps what was asked; the instant is that of 03:30 CEST, as in the invite.
    assert gap_day.local_start == datetime(2027, 3, 28, 2, 30)
    assert gap_day.starts_at == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)
    fold_day = plan(
        date(2027, 10, 31), Cadence.WEEKLY, not_before=EARLY, weekday=Weekday.SUNDAY, at=time(2, 30)
    ).sessions[0]
    assert fold_day.starts_at == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)  # the first 02:30 (CEST)


async def test_localize_times_follows_the_same_rule():
    result = await localize_times(
        LocalTimes(timezone="Europe/Berlin", local=[datetime(2027, 3, 28, 2, 30), datetime(2027, 10, 31, 2, 30)])
    )
    assert result.instants == [datetime(2027, 3, 28, 1, 30, tzinfo=UTC), datetime(2027, 10, 31, 0, 30, tzinfo=UTC)]


async def test_a_proposed_time_on_every_clock_across_a_clock_change():
    # 01:30-02:30 UTC on 28 March 2027: Berlin's clocks jump from 02:00 to 03:00 within it.
    starts, ends = datetime(2027, 3, 28, 0, 30, tzinfo=UTC), datetime(2027, 3, 28, 1, 30, tzinfo=UTC)
    zones = ["Europe/Berlin", "Asia/Tokyo", "America/St_Johns"]
    result = await span_on_clocks(SpanOnClocks(starts_at=starts, ends_at=ends, timezones=zones))
    assert result.spans == [
        LocalSpan(timezone="Europe/Berlin", start=datetime(2027, 3, 28, 1, 30), end=datetime(2027, 3, 28, 3, 30)),
        LocalSpan(timezone="Asia/Tokyo", start=datetime(2027, 3, 28, 9, 30), end=datetime(2027, 3, 28, 10, 30)),
        LocalSpan(timezone="America/St_Johns", start=datetime(2027, 3, 27, 22, 0), end=datetime(2027, 3, 27, 23, 0)),
    ]


STEP = {Cadence.WEEKLY: 7, Cadence.BIWEEKLY: 14, Cadence.EVERY_3_WEEKS: 21}
ZONES = sorted(zoneinfo.available_timezones() - UNUSABLE_ZONES)
# Times that fall into a gap or fold somewhere (00:30 in Chile and Cuba, 02:30 in Europe, ...).
CLOCK_CHANGE_TIMES = [time(0, 0), time(0, 30), time(1, 30), time(2, 0), time(2, 30), time(3, 0), time(23, 30)]


def _rank(day: date) -> int:
    """1..4 for the n-th weekday of its month, -1 for one that is also the last."""
    last = day + timedelta(days=7) > date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])
    return -1 if last else (day.day - 1) // 7 + 1


@given(
    cadence=st.sampled_from(list(Cadence)),
    weekday=st.sampled_from(list(Weekday)),
    start=st.dates(date(2024, 1, 1), date(2036, 12, 31)),
    months=st.integers(4, 6),
    zone=st.sampled_from(ZONES),
    at=st.one_of(st.sampled_from(CLOCK_CHANGE_TIMES), st.times().map(lambda t: t.replace(second=0, microsecond=0))),
)
@settings(deadline=None, derandomize=True, database=None, print_blob=False, max_examples=300)
def test_every_plan_lies_in_the_window_in_order_at_its_time_and_rhythm(cadence, weekday, start, months, zone, at):
    result = plan(start, cadence, not_before=EARLY, months=months, weekday=weekday, zone=zone, at=at)
    end = add_months(start, months)
    days = [s.local_start.date() for s in result.sessions]
    assert result.program_end == end
    assert days and all(start <= d < end for d in days), (days, start, end)
    # The first session is the first of the pair's weekdays in the window.
    assert days[0] - start < timedelta(days=7) and days[0].weekday() == weekday.day_number
    starts = [s.starts_at for s in result.sessions]
    assert starts == sorted(starts) and len(set(starts)) == len(starts)
    assert [s.number for s in result.sessions] == list(range(1, len(days) + 1))
    for s in result.sessions:
        # The wall-clock time asked for, and the instant the one rule gives it.
        assert s.local_start.time() == at
        wall = resolve(s.local_start, zone)
        assert s.starts_at == wall.instant
        assert wall.actual == s.local_start or (wall.change is ClockChange.GAP and wall.actual > s.local_start)
        assert s.ends_at - s.starts_at == timedelta(minutes=60)
    if cadence is Cadence.MONTHLY:
        months_of = [(d.year * 12 + d.month) for d in days]
        assert [b - a for a, b in itertools.pairwise(months_of)] == [1] * (len(days) - 1)
        assert {d.weekday() for d in days} == {weekday.day_number}
        if days[0].day > 28:  # a 5th weekday: the last one of every month
            assert {_rank(d) for d in days} == {-1}
        else:
            assert {(d.day - 1) // 7 + 1 for d in days} == {(days[0].day - 1) // 7 + 1}
        assert len(days) >= months - 1
    else:
        assert {(b - a).days for a, b in itertools.pairwise(days)} <= {STEP[cadence]}
        # No slot of the rhythm inside the window is left out.
        assert days[-1] + timedelta(days=STEP[cadence]) >= end
