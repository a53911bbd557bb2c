"""``workflows.attendance``: when both participants can attend a proposed time, so that a
cohort with ``proposed_times.auto_approve`` takes it without the office. The clocks are
computed here with zoneinfo, as the activity ``span_on_clocks`` does; the rule itself
never sees a zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from mentoring.cohort import ProposedTimes, Role, WorkingHours
from mentoring.plan import LocalSpan
from mentoring.replies import CounterHold, HoldReason
from mentoring.state import CounterProposal, PairState, SessionStatus
from tests import factories
from tests.unit.states import START, pair_state
from workflows import attendance
from workflows.attendance import Clocks

ON = ProposedTimes(auto_approve=True)
# Every hour of a weekday, for the rules that are not about working hours.
ALL_DAY = ProposedTimes(auto_approve=True, working_hours=WorkingHours(start=time(0), end=time(23, 59)))
# Zones with and without clock changes, on both sides of UTC, with half- and
# three-quarter-hour offsets, a 30-minute change (Lord Howe) and UTC+14 (Kiritimati).
ZONES = [
    "Europe/Berlin",
    "America/New_York",
    "America/St_Johns",
    "America/Santiago",
    "Australia/Sydney",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "Asia/Tokyo",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Etc/GMT+5",
    "Pacific/Kiritimati",
]
# 2027's clock changes in those zones, where the offset between two participants moves.
CHANGES = [date(2027, m, d) for m, d in ((3, 14), (3, 28), (4, 4), (4, 3), (9, 5), (9, 26), (10, 3), (10, 31), (11, 7))]
ROLES = (Role.MENTOR, Role.MENTEE)


def on(zone: str, starts_at: datetime, ends_at: datetime) -> LocalSpan:
    own = ZoneInfo(zone)
    return LocalSpan(
        timezone=zone,
        start=starts_at.astimezone(own).replace(tzinfo=None),
        end=ends_at.astimezone(own).replace(tzinfo=None),
    )


def judge(
    starts_at: datetime,
    mentor: str = "Europe/Berlin",
    mentee: str = "Europe/Berlin",
    *,
    meeting: str = "Europe/Berlin",
    rule: ProposedTimes = ON,
    now: datetime | None = None,
    state: PairState | None = None,
    place: int = 4,
    sequence: int | None = None,
) -> list[CounterHold]:
    """The holds on moving session ``place`` of an eight-week pair to ``starts_at``."""
    state = state or pair_state()
    session = state.sessions[place - 1]
    program = factories.program(START.date()).model_copy(update={"proposed_times": rule})
    proposal = CounterProposal(
        message_id="<counter@client.example>",
        session_number=session.number,
        role=Role.MENTEE,
        sequence=session.sequence if sequence is None else sequence,
        starts_at=starts_at,
        # The proposal's own end does not count: an approval keeps the session's length.
        ends_at=starts_at + timedelta(minutes=15),
        recorded_at=START,
    )
    ends_at = attendance.moved_end(session, proposal)
    clocks = Clocks(meeting=on(meeting, starts_at, ends_at), mentor=on(mentor, starts_at, ends_at),
                    mentee=on(mentee, starts_at, ends_at))  # fmt: skip
    return attendance.holds(state, program, session, proposal, clocks, now or START - timedelta(days=7))


def of(role: Role, holds: list[CounterHold]) -> list[HoldReason]:
    return [h.reason for h in holds if h.role == role]


def at(day: date, clock: time, zone: str) -> datetime:
    return datetime.combine(day, clock, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def exists(day: date, clock: time, zone: str) -> bool:
    """The wall-clock time happens that day (no clock change skips it)."""
    return at(day, clock, zone).astimezone(ZoneInfo(zone)).replace(tzinfo=None) == datetime.combine(day, clock)


working_hours = st.builds(
    lambda start, span: WorkingHours(start=time(*divmod(start, 60)), end=time(*divmod(min(start + span, 1439), 60))),
    st.integers(5 * 60, 11 * 60),
    st.integers(2 * 60, 12 * 60),
)
days = st.one_of(
    st.dates(date(2027, 1, 1), date(2027, 12, 31)),
    st.tuples(st.sampled_from(CHANGES), st.integers(-3, 3)).map(lambda t: t[0] + timedelta(days=t[1])),
)


# ------------------------------------------------------------------ each participant's working day


@settings(max_examples=300, deadline=None)
@given(
    mentor=st.sampled_from(ZONES),
    mentee=st.sampled_from(ZONES),
    minute=st.integers(0, 365 * 24 * 60),
    hours=working_hours,
)
def test_each_participant_is_held_exactly_when_the_session_leaves_their_working_week(mentor, mentee, minute, hours):
    starts_at = datetime(2027, 1, 1, tzinfo=UTC) + timedelta(minutes=minute)
    holds = judge(starts_at, mentor, mentee, rule=ProposedTimes(auto_approve=True, working_hours=hours))
    for role, zone in ((Role.MENTOR, mentor), (Role.MENTEE, mentee)):
        # The same question asked of instants: the session lies between the opening and
        # the closing of that participant's working day.
        day = starts_at.astimezone(ZoneInfo(zone)).date()
        opens, closes = at(day, hours.start, zone), at(day, hours.end, zone)
        expected = (
            [HoldReason.NOT_A_WORKDAY]
            if day.weekday() >= 5
            else []
            if opens <= starts_at and starts_at + timedelta(hours=1) <= closes
            else [HoldReason.OUTSIDE_WORKING_HOURS]
        )
        assert of(role, holds) == expected, (role, zone, starts_at)
        for hold in (h for h in holds if h.role == role):
            assert (hold.timezone, hold.local_start) == (
                zone,
                starts_at.astimezone(ZoneInfo(zone)).replace(tzinfo=None),
            )


@settings(max_examples=200, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    other=st.sampled_from(ZONES),
    role=st.sampled_from(ROLES),
    day=days,
    hours=working_hours,
)
def test_a_session_may_start_as_the_working_day_opens_and_end_as_it_closes_not_a_minute_outside(
    zone, other, role, day, hours
):
    assume(day.weekday() < 5 and exists(day, hours.start, zone) and exists(day, hours.end, zone))
    rule = ProposedTimes(auto_approve=True, working_hours=hours)
    zones = {role: zone, (ROLES[1] if role == Role.MENTOR else ROLES[0]): other}

    def held(starts_at: datetime) -> list[HoldReason]:
        return of(role, judge(starts_at, zones[Role.MENTOR], zones[Role.MENTEE], rule=rule))

    opens, closes = at(day, hours.start, zone), at(day, hours.end, zone) - timedelta(hours=1)
    minute = timedelta(minutes=1)
    assert held(opens) == [] and held(closes) == []
    assert held(opens - minute) == [HoldReason.OUTSIDE_WORKING_HOURS]
    assert held(closes + minute) == [HoldReason.OUTSIDE_WORKING_HOURS]


@settings(max_examples=100, deadline=None)
@given(zone=st.sampled_from(ZONES), day=days, minute=st.integers(0, 24 * 60 - 1))
def test_a_saturday_or_sunday_on_their_own_clock_is_no_working_day_whatever_the_hour(zone, day, minute):
    assume(day.weekday() >= 5)
    starts_at = at(day, time(*divmod(minute, 60)), zone)
    assume(starts_at.astimezone(ZoneInfo(zone)).date() == day)
    holds = judge(starts_at, zone, "Asia/Tokyo")
    assert of(Role.MENTOR, holds) == [HoldReason.NOT_A_WORKDAY]


def test_participants_in_different_zones_are_each_judged_on_their_own_clock():
    # Wednesday 10 March 2027: 09:00 in Berlin is 17:00 in Tokyo, so 09:00-10:00 in
    # Berlin ends at 18:00 in Tokyo, exactly as the mentee's working day closes.
    assert judge(at(date(2027, 3, 10), time(9), "Europe/Berlin"), mentee="Asia/Tokyo") == []
    # An hour later it runs past 18:00 in Tokyo; Berlin is still fine.
    (hold,) = judge(at(date(2027, 3, 10), time(10), "Europe/Berlin"), mentee="Asia/Tokyo")
    assert (
        attendance.describe(hold, ON)
        == "outside the mentee's working hours 08:00–18:00 (Asia/Tokyo): 18:00–19:00 there"
    )
    # 16:00 in Berlin is midnight in Tokyo, on Thursday already.
    (hold,) = judge(at(date(2027, 3, 10), time(16), "Europe/Berlin"), mentee="Asia/Tokyo")
    assert (
        attendance.describe(hold, ON)
        == "outside the mentee's working hours 08:00–18:00 (Asia/Tokyo): 00:00–01:00 there"
    )


def test_the_weeks_when_only_one_side_has_changed_its_clocks():
    nine_to_five = ProposedTimes(auto_approve=True, working_hours=WorkingHours(start=time(9), end=time(17)))
    # 14:00 in Berlin: 09:00 in New York while only the US is on summer time (14-27
    # March 2027), 08:00 once Europe follows.
    assert judge(at(date(2027, 3, 17), time(14), "Europe/Berlin"), mentee="America/New_York", rule=nine_to_five) == []
    (hold,) = judge(at(date(2027, 3, 31), time(14), "Europe/Berlin"), mentee="America/New_York", rule=nine_to_five)
    assert attendance.describe(hold, nine_to_five) == (
        "outside the mentee's working hours 09:00–17:00 (America/New_York): 08:00–09:00 there"
    )


def test_a_session_that_runs_past_midnight_is_outside_any_working_day():
    late = ProposedTimes(auto_approve=True, working_hours=WorkingHours(start=time(6), end=time(23, 59)))
    (hold,) = judge(at(date(2027, 3, 10), time(23, 30), "Europe/Berlin"), rule=late, mentee="Europe/Berlin")[:1]
    assert (hold.reason, hold.local_end) == (HoldReason.OUTSIDE_WORKING_HOURS, datetime(2027, 3, 11, 0, 30))


def test_a_weekend_day_is_named_with_the_time_there():
    (hold,) = judge(at(date(2027, 3, 13), time(10), "Asia/Kolkata"), mentor="Asia/Kolkata", mentee="Asia/Kolkata")[:1]
    assert attendance.describe(hold, ON) == "on a Saturday for the mentor (Asia/Kolkata), 10:00–11:00 there"


# ------------------------------------------------------------------ the program around it


@settings(max_examples=100, deadline=None)
@given(notice=st.integers(1, 336), ahead=st.integers(-2, 2))
def test_a_proposal_must_start_at_least_notice_hours_ahead(notice, ahead):
    # Session 8 (Tuesday 20 April) to the Monday before: it is still ahead, whatever the notice.
    starts_at = at(date(2027, 4, 19), time(11), "Europe/Berlin")
    now = starts_at - timedelta(hours=notice) + timedelta(minutes=ahead)
    holds = judge(starts_at, rule=ProposedTimes(auto_approve=True, notice_hours=notice), now=now, place=8)
    assert [h.reason for h in holds] == ([HoldReason.TOO_SOON] if ahead > 0 else [])
    if ahead > 0:
        assert attendance.describe(holds[0], ProposedTimes(notice_hours=notice)) == f"less than {notice} hours ahead"


def test_the_program_window_is_read_on_the_pairs_clock():
    state = pair_state()  # program from 2027-03-02, ends 2027-04-27
    assert state.program_end == date(2027, 4, 27)
    kiritimati = "Pacific/Kiritimati"  # UTC+14: already the next day
    # 26 April 11:00 UTC is 27 April 01:00 on the pair's clock: the day the program ends.
    monday_night = datetime(2027, 4, 26, 11, 0, tzinfo=UTC)
    holds = judge(monday_night, kiritimati, kiritimati, meeting=kiritimati, rule=ALL_DAY)
    assert [h.reason for h in holds] == [HoldReason.OUTSIDE_PROGRAM]
    assert attendance.describe(holds[0], ON) == "outside the program (2027-03-02 to 2027-04-27)"
    # The same instant in Berlin is still 26 April: inside.
    assert judge(monday_night) == []
    # And a day before the first one.
    before = [h.reason for h in judge(at(date(2027, 3, 1), time(10), "Europe/Berlin"))]
    assert before == [HoldReason.OUTSIDE_PROGRAM]


@settings(max_examples=100, deadline=None)
@given(offset=st.integers(-130, 130))
def test_a_proposal_clashes_with_any_other_session_it_overlaps_and_never_with_its_own(offset):
    state = pair_state()
    # Session 4 moves near session 5 (both an hour long), Tuesdays 15:00 UTC.
    other = state.sessions[4]
    holds = judge(other.starts_at + timedelta(minutes=offset), state=state, place=4, rule=ALL_DAY)
    assert [h.reason for h in holds] == ([HoldReason.CLASH] if -60 < offset < 60 else [])
    if holds:
        assert attendance.describe(holds[0], ON) == "clashes with session 5"
    # Near its own time, session 4 clashes with nothing.
    own = state.sessions[3]
    assert judge(own.starts_at + timedelta(minutes=offset), state=state, place=4, rule=ALL_DAY) == []


def test_a_cancelled_session_is_no_clash():
    state = pair_state()
    state.sessions[4].status = SessionStatus.CANCELLED
    assert judge(state.sessions[4].starts_at, state=state) == []


@pytest.mark.parametrize("change", ["moved", "cancelled", "begun"])
def test_a_session_changed_since_the_proposal_is_left_to_the_office(change):
    starts_at = at(date(2027, 3, 24), time(11), "Europe/Berlin")
    state = pair_state()
    session, now = state.sessions[3], None
    if change == "moved":
        session.sequence += 1  # the proposal answered SEQUENCE 0
    elif change == "cancelled":
        session.status = SessionStatus.CANCELLED
    else:
        now = session.starts_at
    holds = judge(starts_at, state=state, now=now, sequence=0)
    assert holds == [CounterHold(reason=HoldReason.SESSION_CHANGED)]
    assert attendance.describe(holds[0], ON) == "the session was moved or cancelled, or has begun, since the proposal"


def test_every_rule_broken_is_named_and_what_both_can_attend_is_said():
    saturday_night = at(date(2027, 3, 13), time(23), "Europe/Berlin")
    holds = judge(saturday_night, mentee="America/New_York", now=saturday_night - timedelta(hours=3))
    assert attendance.remark(holds, ON) == (
        "not approved automatically: less than 48 hours ahead; "
        "on a Saturday for the mentor (Europe/Berlin), 23:00–00:00 there; "
        "on a Saturday for the mentee (America/New_York), 17:00–18:00 there"
    )
    wednesday = at(date(2027, 3, 17), time(15), "Europe/Berlin")
    ends = wednesday + timedelta(hours=1)
    clocks = Clocks(on("Europe/Berlin", wednesday, ends), on("Europe/Berlin", wednesday, ends),
                    on("America/New_York", wednesday, ends))  # fmt: skip
    assert attendance.both_can_attend(clocks) == (
        "both can attend: mentor Wednesday 15:00–16:00 (Europe/Berlin), mentee Wednesday 10:00–11:00 (America/New_York)"
    )
