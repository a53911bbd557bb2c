"""``workflows.health``: the rule, checked against a model written from the issue's
words, and who hears when health turns."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from mentoring.answers import CheckInAnswer, CheckInChoice, PairHealth, Ratings, ReviewAnswer, ReviewStage
from mentoring.cohort import Cadence, Role
from mentoring.messages import MessageKind
from mentoring.state import EndRecord, PairState, SessionStatus
from tests import factories
from tests.unit.states import START, pair_state
from workflows import health
from workflows.answers import record
from workflows.listening import start_listening

PROGRAM = factories.program(START.date())
NOW = START + timedelta(weeks=9)
# What became of a session's check-in: held, missed ("we didn't meet", check-in closed),
# closed without an answer, "we didn't meet" while the check-in is still open, or open.
OUTCOMES = st.sampled_from(["held", "missed", "silent", "missed-open", "open"])


def settle(state: PairState, outcomes: list[str]) -> None:
    for session, outcome in zip(state.sessions, outcomes, strict=False):
        session.reflection_done = True
        if outcome == "held":
            session.status = SessionStatus.HELD
        elif outcome in ("missed", "missed-open"):
            session.status = SessionStatus.MISSED
            session.check_in_closed = outcome == "missed"
        elif outcome == "silent":
            session.check_in_closed = True


def expected(outcomes: list[str]) -> PairHealth:
    """The issue's rule: at risk after two sessions in a row not held, quiet after one."""
    settled = [o for o in outcomes if o not in ("open", "missed-open")]
    if len(settled) >= 2 and all(o != "held" for o in settled[-2:]):
        return PairHealth.AT_RISK
    if settled and settled[-1] != "held":
        return PairHealth.QUIET
    return PairHealth.HEALTHY


@given(st.lists(OUTCOMES, max_size=8))
def test_health_follows_the_latest_settled_sessions(outcomes: list[str]) -> None:
    state = pair_state()
    start_listening(state)
    settle(state, outcomes)
    assert health.health(state)[0] == expected(outcomes)


def test_the_reason_names_sessions_by_the_number_people_read():
    state = pair_state()
    start_listening(state)
    settle(state, ["held", "silent", "missed"])
    assert health.health(state) == (PairHealth.AT_RISK, "sessions 2 and 3 were not held")
    state.sessions[2].status = SessionStatus.HELD
    assert health.health(state) == (PairHealth.HEALTHY, "sessions are held")


def test_a_low_review_rating_puts_the_pair_at_risk_until_a_session_is_held_after_it():
    state = pair_state()
    start_listening(state)
    settle(state, ["held", "held"])
    state.midpoint_done = True
    low = ReviewAnswer(answer_id="review-low", role=Role.MENTEE, stage=ReviewStage.MIDPOINT, ratings=Ratings(career=2))
    record(state, low, START + timedelta(weeks=2))
    assert health.health(state) == (PairHealth.AT_RISK, "a rating of 2 or lower in the mentee's midpoint review")
    settle(state, ["held", "held", "held"])
    assert health.health(state)[0] == PairHealth.HEALTHY


def outbox_kinds(state: PairState) -> list[tuple[MessageKind, Role]]:
    return [(m.kind, m.recipient.role) for m in state.outbox]


def test_going_quiet_nudges_the_pair_and_going_at_risk_alerts_the_office_once():
    state = pair_state()
    start_listening(state)
    settle(state, ["held", "silent"])
    assert health.update(state, PROGRAM, NOW) == PairHealth.QUIET
    assert outbox_kinds(state) == [(MessageKind.PAIR_NUDGE, Role.MENTOR), (MessageKind.PAIR_NUDGE, Role.MENTEE)]
    assert state.outbox[0].note == "session 2 was not held"
    assert health.update(state, PROGRAM, NOW) is None  # no change, nothing sent
    settle(state, ["held", "silent", "silent"])
    assert health.update(state, PROGRAM, NOW) == PairHealth.AT_RISK
    assert outbox_kinds(state)[2:] == [(MessageKind.AT_RISK_ALERT, Role.PROGRAM_OFFICE)]
    assert state.outbox[2].note == "sessions 2 and 3 were not held"


@given(
    st.sampled_from(list(Cadence)),
    st.lists(st.tuples(st.sampled_from(["held", "silent"]), st.integers(0, 40)), min_size=1, max_size=12),
)
def test_never_more_than_one_nudge_per_cadence_period(cadence: Cadence, steps: list[tuple[str, int]]) -> None:
    state = pair_state(sessions=12)
    assert state.pattern is not None
    state.pattern.cadence = cadence
    start_listening(state)
    now, outcomes, nudged_at, alerts, turns_at_risk = NOW, [], [], 0, 0
    for outcome, days in steps:
        now += timedelta(days=days)
        outcomes.append(outcome)
        settle(state, outcomes)
        before = state.health
        if health.update(state, PROGRAM, now) == PairHealth.AT_RISK and before != PairHealth.AT_RISK:
            turns_at_risk += 1
        nudges = [m for m in state.outbox if m.kind == MessageKind.PAIR_NUDGE]
        if len(nudges) > 2 * len(nudged_at):
            nudged_at.append(now)
        alerts = sum(1 for m in state.outbox if m.kind == MessageKind.AT_RISK_ALERT)
    period = health.CADENCE_PERIOD[cadence]
    assert all(b - a >= period for a, b in zip(nudged_at, nudged_at[1:], strict=False))
    assert alerts == turns_at_risk


def test_an_ended_pair_hears_nothing_and_after_the_closing_only_the_office_does():
    state = pair_state()
    start_listening(state)
    state.ended = EndRecord(reason="reorganisation", at=NOW, closing_review=True)
    settle(state, ["silent", "silent"])
    assert health.update(state, PROGRAM, NOW) == PairHealth.AT_RISK and state.outbox == []
    state = pair_state()
    start_listening(state)
    state.closing_done = True
    settle(state, ["held", "silent"])
    assert health.update(state, PROGRAM, NOW) == PairHealth.QUIET and state.outbox == []  # no nudge
    settle(state, ["held", "silent", "silent"])
    assert health.update(state, PROGRAM, NOW) == PairHealth.AT_RISK
    assert outbox_kinds(state) == [(MessageKind.AT_RISK_ALERT, Role.PROGRAM_OFFICE)]


def test_we_did_not_meet_counts_once_the_check_in_closes_since_the_partner_may_say_we_met():
    state = pair_state()
    start_listening(state)
    settle(state, ["open", "open"])
    for number in (1, 2):
        answer = CheckInAnswer(
            answer_id=f"check-in-{number}", role=Role.MENTOR, session=number, choice=CheckInChoice.NOT_MET
        )
        record(state, answer, NOW)
    assert health.health(state)[0] == PairHealth.HEALTHY
    state.sessions[0].check_in_closed = True
    assert health.health(state)[0] == PairHealth.QUIET
    # Both said so: nobody is left to say they met, so it counts at once.
    both = CheckInAnswer(answer_id="check-in-2-mentee", role=Role.MENTEE, session=2, choice=CheckInChoice.NOT_MET)
    record(state, both, NOW)
    assert health.health(state)[0] == PairHealth.AT_RISK
