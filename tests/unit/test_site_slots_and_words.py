"""The response site's pure parts: the new dates a check-in offers, the language of a
page without a link, and times on the participant's own clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from temporalio.workflow import _Definition

from mentoring.answers import AnswerView
from mentoring.cohort import Language, Role
from mentoring_service.site import gateway
from mentoring_service.site.pages import accepted_language, when_text
from mentoring_service.site.slots import free_days, free_slots
from workflows import answer_checks
from workflows.pair import PairProgramWorkflow

TUESDAY = date(2027, 3, 2)


def test_a_weekly_pair_is_offered_its_time_on_the_next_working_days():
    taken = {TUESDAY + timedelta(weeks=n) for n in range(13)}
    # Today is Tuesday the 2nd (its session); Saturday and Sunday are skipped.
    assert free_days(TUESDAY, date(2027, 6, 1), TUESDAY, taken) == [
        date(2027, 3, 3),
        date(2027, 3, 4),
        date(2027, 3, 5),
        date(2027, 3, 8),
    ]


def test_a_fortnightly_pair_is_offered_its_weekday_in_the_weeks_between_and_the_nearest_days():
    taken = {TUESDAY + timedelta(weeks=2 * n) for n in range(7)}
    # Its other Tuesdays of the next four weeks, then the nearest working days.
    assert free_days(TUESDAY, date(2027, 6, 1), TUESDAY, taken) == [
        date(2027, 3, 3),
        date(2027, 3, 4),
        date(2027, 3, 9),
        date(2027, 3, 23),
    ]


def test_a_monthly_pair_is_offered_its_weekday_of_the_next_weeks():
    taken = {date(2027, 3, 2), date(2027, 4, 6)}
    assert free_days(TUESDAY, date(2027, 6, 1), TUESDAY, taken) == [
        date(2027, 3, 3),
        date(2027, 3, 9),
        date(2027, 3, 16),
        date(2027, 3, 23),
    ]


def test_near_the_end_the_few_weekdays_left_are_filled_with_working_days():
    end = date(2027, 3, 19)
    taken = {TUESDAY, date(2027, 3, 16)}
    assert free_days(TUESDAY, end, date(2027, 3, 10), taken) == [
        date(2027, 3, 11),
        date(2027, 3, 12),
        date(2027, 3, 15),
        date(2027, 3, 17),
    ]
    assert free_days(TUESDAY, end, date(2027, 3, 18), taken) == []  # the 19th is the end: no day is left


@settings(max_examples=60, deadline=None)
@given(
    anchor=st.dates(date(2026, 1, 1), date(2030, 12, 31)),
    weeks=st.integers(1, 30),
    today_offset=st.integers(-10, 200),
    taken=st.sets(st.integers(0, 220), max_size=40),
)
def test_every_date_offered_is_free_after_today_and_before_the_end(anchor, weeks, today_offset, taken):
    end = anchor + timedelta(weeks=weeks)
    today = anchor + timedelta(days=today_offset)
    taken_days = {anchor + timedelta(days=n) for n in taken}
    days = free_days(anchor, end, today, taken_days)
    assert days == sorted(set(days)) and len(days) <= 4
    for day in days:
        assert today < day < end and day not in taken_days
        assert day.weekday() == anchor.weekday() or day.weekday() < 5


def view(**fields) -> AnswerView:
    base = dict(
        open=True,
        language=Language.EN,
        first_name="Lena",
        partner_first_name="Klaus",
        email="l@example.com",
        partner_email="k@example.com",
        partner_role=Role.MENTEE,
        own_timezone="America/New_York",
        focus="Social collaboration",
        cadence="biweekly",
        local_time="02:30",
        length_minutes=60,
        rhythm_anchor="2027-03-14",  # a Sunday
        program_end="2027-06-01",
        taken_days=["2027-03-14"],
        pair_timezone="Europe/Berlin",
    )
    return AnswerView(**{**base, **fields})


def test_a_slot_in_the_night_the_clocks_go_forward_starts_when_the_plan_would():
    slots = free_slots(view(), datetime(2027, 3, 15, 12, tzinfo=UTC))
    assert [s.value for s in slots] == ["2027-03-21T02:30", "2027-03-28T02:30", "2027-04-04T02:30", "2027-04-11T02:30"]
    assert slots[0].starts == datetime(2027, 3, 21, 1, 30, tzinfo=UTC)
    # 02:30 does not exist in Berlin on the 28th: 03:30 CEST, a gap later, as the plan has it.
    assert slots[1].starts == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)
    assert slots[1].ends - slots[1].starts == timedelta(hours=1)


def test_without_the_rhythm_nothing_is_offered():
    assert free_slots(view(rhythm_anchor=None), datetime(2027, 3, 15, tzinfo=UTC)) == []


def test_times_are_written_in_each_language_on_the_participants_clock():
    starts = datetime(2026, 12, 1, 15, tzinfo=UTC)
    ends = starts + timedelta(hours=1)
    assert when_text(starts, ends, "Europe/Berlin", Language.DE) == (
        "Dienstag, 1. Dezember 2026, 16:00–17:00 Uhr (Europe/Berlin)"
    )
    assert when_text(starts, ends, "America/New_York", Language.EN) == (
        "Tuesday, 1 December 2026, 10:00–11:00 (America/New_York)"
    )
    # A time the clock shows twice that night says which one.
    fold = datetime(2027, 10, 31, 0, 30, tzinfo=UTC)
    assert when_text(fold, fold + timedelta(hours=1), "Europe/Berlin", Language.EN) == (
        "Sunday, 31 October 2027, 02:30 CEST–02:30 CET (Europe/Berlin)"
    )


def test_the_site_calls_the_pairs_handlers_by_their_names():
    pair = _Definition.from_class(PairProgramWorkflow)
    assert gateway.ANSWER_VIEW in pair.queries
    assert gateway.RECORD_ANSWER in pair.updates
    assert gateway.RECORD_ANSWER_LATER in pair.signals
    assert gateway.ALREADY_ANSWERED == answer_checks.ALREADY_ANSWERED


def test_a_page_without_a_link_speaks_the_browsers_language():
    assert accepted_language("de-CH,de;q=0.9,en;q=0.8") == Language.DE
    assert accepted_language("en-US,en;q=0.9,de;q=0.5") == Language.EN
    assert accepted_language("fr-FR,de;q=0.7") == Language.DE
    assert accepted_language("fr-FR") == Language.EN
    assert accepted_language("de;q=0, en;q=0.1") == Language.EN
    assert accepted_language("de;q=nonsense") == Language.EN
    assert accepted_language(None) == Language.EN
