"""The rhythm ``factories.weekday_ahead`` picks keeps the tests that start a pair "now"
independent of the day and hour they run (they failed on Monday afternoons before)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from mentoring.cohort import Weekday
from tests import factories

BERLIN = ZoneInfo("Europe/Berlin")


@given(st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)))
def test_the_first_session_is_outside_its_reminder_hours_and_the_second_within_the_invite_window(now):
    weekday = factories.weekday_ahead(now)
    assert weekday in (Weekday.MONDAY, Weekday.TUESDAY, Weekday.WEDNESDAY, Weekday.THURSDAY)
    day = now.astimezone(BERLIN).date() + timedelta(days=1)  # programs start tomorrow
    while day.weekday() != list(Weekday).index(weekday):
        day += timedelta(days=1)
    first = datetime.combine(day, time(16), BERLIN)  # the factories' time
    assert first - now > timedelta(hours=48)
    assert first + timedelta(weeks=1) - now < timedelta(days=14)
