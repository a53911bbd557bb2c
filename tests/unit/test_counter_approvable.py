"""``workflows.attendance.cannot_approve`` and ``workflows.counters.check_approve``: the
rules that make a proposed time approvable at all, in every cohort (inside the program
window on the pair's clock, no clash with the pair's other sessions, the session not
changed since), applied on arrival and again when the office approves. The clocks are
computed here with zoneinfo, as the activities ``span_on_clocks`` and ``wall_clock_of``
do; the rules never see a zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from temporalio.exceptions import ApplicationError

from mentoring.cohort import ProposedTimes, Role
from mentoring.operations import ApproveCounter
from mentoring.replies import UNAPPROVABLE, CounterHold, HoldReason, unapprovable
from mentoring.state import CounterProposal, PairState, SessionState, SessionStatus
from tests import factories
from tests.unit.states import START, pair_state
from tests.unit.test_attendance import CHANGES, ZONES, on
from workflows import attendance
from workflows.attendance import Clocks
from workflows.counters import check_approve
from workflows.validation import INVALID_OPERATION

OFF = ProposedTimes()
EARLY = START - timedelta(days=30)
MINUTE = timedelta(minutes=1)
FIRST_DAY = START.date()


def proposal_for(session: SessionState, starts_at: datetime, sequence: int | None = None) -> CounterProposal:
    return CounterProposal(
        message_id="<counter@client.example>",
        session_number=session.number,
        role=Role.MENTOR,
        sequence=session.sequence if sequence is None else sequence,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=30),
        recorded_at=EARLY,
    )


def blocked(
    state: PairState,
    starts_at: datetime,
    *,
    zone: str = "Europe/Berlin",
    start_day: date = FIRST_DAY,
    place: int = 4,
    now: datetime = EARLY,
) -> list[CounterHold]:
    """What keeps anyone from moving session ``place`` to ``starts_at``, the pair meeting in ``zone``."""
    session = state.sessions[place - 1]
    program = factories.program(start_day)
    proposal = proposal_for(session, starts_at)
    local = on(zone, starts_at, attendance.moved_end(session, proposal)).start
    return attendance.cannot_approve(state, program, session, proposal, local, now)


def first_instant(day: date, zone: str) -> datetime:
    """When ``day`` begins in ``zone``. Where a clock change skips midnight, zoneinfo
    reads 00:00 with the offset before it: the instant the day begins."""
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(zone)).astimezone(UTC)


program_days = st.one_of(
    st.dates(date(2027, 1, 1), date(2027, 12, 31)),
    st.tuples(st.sampled_from(CHANGES), st.integers(-2, 2)).map(lambda t: t[0] + timedelta(days=t[1])),
)


# ------------------------------------------------------------------ the program window, on the pair's clock


@settings(max_examples=150, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    first_day=program_days,
    weeks=st.integers(1, 30),
    minutes=st.integers(-26 * 60, 26 * 60),
    at_end=st.booleans(),
)
def test_a_time_is_inside_the_program_exactly_from_its_first_days_start_to_its_end_days_start(
    zone, first_day, weeks, minutes, at_end
):
    state = pair_state()
    state.program_end = first_day + timedelta(weeks=weeks)
    opens, closes = first_instant(first_day, zone), first_instant(state.program_end, zone)
    starts_at = (closes if at_end else opens) + timedelta(minutes=minutes)
    holds = [h for h in blocked(state, starts_at, zone=zone, start_day=first_day) if h.reason != HoldReason.CLASH]
    if opens <= starts_at < closes:
        assert holds == [], (zone, starts_at)
    else:
        assert holds == [
            CounterHold(reason=HoldReason.OUTSIDE_PROGRAM, program_start=first_day, program_end=state.program_end)
        ], (zone, starts_at)


@settings(max_examples=60, deadline=None)
@given(zone=st.sampled_from(ZONES), first_day=program_days, weeks=st.integers(1, 30))
def test_the_first_and_last_program_days_are_in_to_the_minute_on_the_pairs_clock(zone, first_day, weeks):
    state = pair_state()
    state.program_end = first_day + timedelta(weeks=weeks)
    opens, closes = first_instant(first_day, zone), first_instant(state.program_end, zone)

    def outside(starts_at: datetime) -> bool:
        holds = blocked(state, starts_at, zone=zone, start_day=first_day)
        return HoldReason.OUTSIDE_PROGRAM in [h.reason for h in holds]

    # The first minute of the first day, and the last minute of the last day (the day
    # before the program's end date), on the pair's clock.
    assert not outside(opens) and not outside(closes - MINUTE)
    assert outside(opens - MINUTE) and outside(closes)


def test_the_window_is_the_pairs_day_not_utcs():
    state = pair_state()  # program 2027-03-02 to 2027-04-27
    # 1 March 23:30 UTC is already 2 March in Berlin, still 1 March in New York.
    late = datetime(2027, 3, 1, 23, 30, tzinfo=UTC)
    assert blocked(state, late) == []
    (hold,) = blocked(state, late, zone="America/New_York")
    assert attendance.describe(hold, OFF) == "outside the program (2027-03-02 to 2027-04-27)"


# ------------------------------------------------------------------ clashes


@settings(max_examples=150, deadline=None)
@given(own=st.integers(15, 180), other=st.integers(15, 180), offset=st.integers(-200, 200))
def test_a_time_clashes_exactly_when_it_overlaps_another_session_and_touching_is_no_clash(own, other, offset):
    state = pair_state()
    moving, neighbour = state.sessions[3], state.sessions[4]
    moving.ends_at = moving.starts_at + timedelta(minutes=own)
    neighbour.ends_at = neighbour.starts_at + timedelta(minutes=other)
    starts_at = neighbour.starts_at + timedelta(minutes=offset)
    holds = blocked(state, starts_at, zone="UTC")
    # The moved session keeps its own length: [offset, offset + own) against [0, other).
    overlaps = offset < other and 0 < offset + own
    assert holds == ([CounterHold(reason=HoldReason.CLASH, session=5)] if overlaps else [])


def test_every_session_it_overlaps_is_named_in_the_order_show_numbers_them():
    state = pair_state()
    state.sessions[3].ends_at = state.sessions[3].starts_at + timedelta(weeks=1, hours=1)
    long = attendance.remark(blocked(state, state.sessions[4].starts_at - timedelta(minutes=30), zone="UTC"), OFF)
    assert long == "cannot be approved: clashes with session 5; clashes with session 6"


# ------------------------------------------------------------------ the rules of every cohort, and only those


@settings(max_examples=150, deadline=None)
@given(
    meeting=st.sampled_from(ZONES),
    mentor=st.sampled_from(ZONES),
    mentee=st.sampled_from(ZONES),
    minute=st.integers(-10 * 24 * 60, 70 * 24 * 60),
    ahead=st.integers(-2, 72),
)
def test_the_auto_rule_holds_every_time_the_plain_rule_holds_and_adds_only_working_week_and_notice(
    meeting, mentor, mentee, minute, ahead
):
    state = pair_state()
    session = state.sessions[3]
    starts_at = START + timedelta(minutes=minute)
    now = min(starts_at - timedelta(hours=ahead), session.starts_at - MINUTE)
    proposal = proposal_for(session, starts_at)
    ends_at = attendance.moved_end(session, proposal)
    clocks = Clocks(on(meeting, starts_at, ends_at), on(mentor, starts_at, ends_at), on(mentee, starts_at, ends_at))
    program = factories.program(START.date()).model_copy(update={"proposed_times": ProposedTimes(auto_approve=True)})
    plain = attendance.cannot_approve(state, program, session, proposal, clocks.meeting.start, now)
    auto = attendance.holds(state, program, session, proposal, clocks, now)
    # One definition of each rule: what the plain rule finds, the auto rule finds too.
    assert unapprovable(auto) == plain
    assert all(hold.reason in UNAPPROVABLE for hold in plain)


def test_without_auto_approval_a_saturday_night_an_hour_ahead_can_be_approved():
    state = pair_state()
    saturday = datetime(2027, 3, 27, 2, 0, tzinfo=UTC)
    # Session 8 (20 April) to the Saturday before, 03:00 in Berlin.
    assert blocked(state, saturday, place=8, now=saturday - timedelta(hours=1)) == []


@pytest.mark.parametrize("change", ["moved", "cancelled", "begun"])
def test_a_session_changed_since_the_proposal_cannot_be_approved_as_it_stands(change):
    state = pair_state()
    session, now = state.sessions[3], EARLY
    if change == "moved":
        session.sequence += 1
    elif change == "cancelled":
        session.status = SessionStatus.CANCELLED
    else:
        now = session.starts_at
    proposal = proposal_for(session, START + timedelta(days=1), sequence=0)
    program = factories.program(START.date())
    local = proposal.starts_at.replace(tzinfo=None)
    holds = attendance.cannot_approve(state, program, session, proposal, local, now)
    assert holds == [CounterHold(reason=HoldReason.SESSION_CHANGED)]


def test_the_office_reads_why_nobody_can_approve_and_not_the_working_hours():
    program = ProposedTimes(auto_approve=True)
    window = CounterHold(reason=HoldReason.OUTSIDE_PROGRAM, program_start=date(2027, 3, 1),
                         program_end=date(2027, 8, 31))  # fmt: skip
    hours = CounterHold(reason=HoldReason.OUTSIDE_WORKING_HOURS, role=Role.MENTEE, timezone="Asia/Tokyo",
                        local_start=datetime(2027, 9, 1, 23), local_end=datetime(2027, 9, 2, 0))  # fmt: skip
    too_soon, clash = CounterHold(reason=HoldReason.TOO_SOON), CounterHold(reason=HoldReason.CLASH, session=3)
    assert attendance.remark([too_soon, window, clash, hours], program) == (
        "cannot be approved: outside the program (2027-03-01 to 2027-08-31); clashes with session 3"
    )
    assert attendance.remark([too_soon, hours], program) == (
        "not approved automatically: less than 48 hours ahead; "
        "outside the mentee's working hours 08:00–18:00 (Asia/Tokyo): 23:00–00:00 there"
    )


# ------------------------------------------------------------------ approve-counter's validator


def refusal(state: PairState, starts_at: datetime, now: datetime = EARLY) -> str | None:
    session = state.sessions[3]
    state.counters = [proposal_for(session, starts_at, sequence=0)]
    try:
        check_approve(state, factories.program(START.date()), ApproveCounter(request_id="a", session_number=4), now)
    except ApplicationError as error:
        assert (error.type, error.non_retryable) == (INVALID_OPERATION, True)
        return error.message
    return None


def test_approve_counter_refuses_a_clash_or_a_changed_session_and_takes_a_free_time():
    state = pair_state()
    assert refusal(state, state.sessions[4].starts_at + timedelta(minutes=30)) == (
        "the proposed time cannot be approved: clashes with session 5; refuse it, or reschedule the session"
    )
    assert refusal(state, state.sessions[4].ends_at) is None  # touching is no clash
    state.sessions[3].sequence = 1  # the office moved it after the proposal
    assert refusal(state, state.sessions[4].ends_at) == (
        "the proposed time cannot be approved: the session was moved or cancelled, or has begun, since the "
        "proposal; refuse it, or reschedule the session"
    )
