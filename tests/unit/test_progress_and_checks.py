"""``workflows.progress``, ``validation``, ``letters.recipients_of`` and ``courier.expires_at``."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from temporalio.exceptions import ApplicationError

from activities.planning import plan_program
from mentoring.answers import PairHealth
from mentoring.cohort import Cadence, Person, Role, Weekday
from mentoring.messages import MessageKind
from mentoring.operations import (
    CancelSession,
    ChangeRhythm,
    ExtendProgram,
    PausePair,
    ReplaceParticipant,
    RescheduleSession,
)
from mentoring.pair_labels import first_event_at, pair_search_attributes
from mentoring.plan import PlanRequest
from mentoring.state import PairState, ProgramPhase, SessionStatus
from tests import factories
from tests.unit.states import START, pair_state
from workflows import progress, validation
from workflows.agenda import Action, Due, due_items
from workflows.changes import take_plan
from workflows.courier import expires_at
from workflows.letters import LetterWriter, participants, recipients_of
from workflows.listening import start_listening
from workflows.reporter import started_with

NOW = START - timedelta(days=1)


def due(action: Action) -> Due:
    return Due(at=NOW, order=0, session_number=1, action=action)


def test_messages_counted_per_recipient_the_office_included():
    state = pair_state()
    assert [
        recipients_of(due(a), state)
        for a in (Action.INVITE, Action.CANCEL, Action.CLOSING, Action.OUTBOX, Action.RESUME)
    ] == [2, 2, 3, 1, 0]
    state.vacant_role = Role.MENTEE
    assert [recipients_of(due(a), state) for a in (Action.INVITE, Action.CANCEL, Action.CLOSING)] == [1, 2, 2]


def test_the_cohort_hears_of_milestones_only():
    state = pair_state()
    first = progress.progress(state, "p1", None)
    assert not progress.worth_reporting(None, first)
    sent = first.model_copy(update={"messages_sent": 4})
    assert progress.worth_reporting(None, sent)
    assert not progress.worth_reporting(sent, sent.model_copy(update={"messages_sent": 9}))
    assert progress.worth_reporting(sent, sent.model_copy(update={"phase": ProgramPhase.SESSIONS}))


def test_the_details_line_says_what_comes_next():
    state = pair_state()
    state.program_end = state.six_month_end + timedelta(days=3)
    line = progress.details_line(state, Due(at=START, order=0, session_number=1, action=Action.REMINDER))
    assert line == (
        "**kickoff** · 0 of 8 sessions held · next: reminder for session 1 at 2027-03-02 15:00 UTC"
        f" · runs past six months, to {state.program_end}"
    )


def test_the_details_line_names_the_health_and_why():
    state = pair_state()
    assert "healthy" not in progress.details_line(state, None)  # a pair that takes no answers
    state.listening = True
    assert progress.details_line(state, None) == "**kickoff** · 0 of 8 sessions held · healthy"
    for session in state.sessions[:2]:
        session.reflection_done = session.check_in_closed = True
    state.sessions[0].status = SessionStatus.HELD
    state.health = PairHealth.QUIET
    assert progress.details_line(state, None) == "**kickoff** · 1 of 8 sessions held · quiet: session 2 was not held"
    state.sessions[0].status = SessionStatus.MISSED
    state.health = PairHealth.AT_RISK
    assert progress.details_line(state, None).endswith(" · at risk: sessions 1 and 2 were not held")
    # Health is what nudges and alerts followed; until the pair records a change, no reason.
    state.health = PairHealth.HEALTHY
    assert progress.details_line(state, None).endswith(" sessions held · healthy")


def reason(check, *args) -> str:
    with pytest.raises(ApplicationError) as refused:
        check(*args)
    assert refused.value.non_retryable
    return refused.value.message


def test_each_operation_is_checked_against_the_pair_as_it_is():
    state = pair_state()
    start = START.date()
    late = datetime(2030, 1, 1, 10, 0)
    assert reason(
        validation.check_reschedule,
        state,
        RescheduleSession(request_id="r", session_number=9, new_local_start=late),
        start,
        NOW,
    ) == ("there is no session 9 (the sessions are numbered 1 to 8; see ops.py show)")
    assert reason(
        validation.check_reschedule,
        state,
        RescheduleSession(request_id="r", session_number=1, new_local_start=late),
        start,
        NOW,
    ).startswith("new time 2030-01-01 is outside the program")
    assert reason(
        validation.check_cancel, state, CancelSession(request_id="c", session_number=1, reason=" "), start, NOW
    ) == ("reason: is empty")
    assert reason(validation.check_change_rhythm, state, ChangeRhythm(request_id="h")) == (
        "say what to change: weekday, time, length, location or cadence"
    )
    assert (
        reason(validation.check_extend, state, ExtendProgram(request_id="e", weeks=27))
        == "weeks: must be from 1 to 26 weeks, but it is 27"
    )
    assert reason(validation.check_resume, state) == "the pair is not paused"
    state.program_end = None
    with pytest.raises(ApplicationError) as refused:
        validation.check_pause(state, PausePair(request_id="p", reason="x"), NOW)
    assert refused.value.type == validation.PLAN_NOT_READY


def test_a_replacement_is_someone_new_for_a_role_that_exists():
    state = pair_state()
    partner = Person(name="X", email=state.mentor.email.upper(), timezone="UTC")
    same = Person(name="X", email=state.mentee.email, timezone="UTC")
    assert reason(
        validation.check_replace,
        state,
        ReplaceParticipant(request_id="r", role=Role.MENTEE, person=partner, reason="r"),
    ) == (f"{partner.email} is already the other participant of this pair; choose someone else")
    assert reason(
        validation.check_replace, state, ReplaceParticipant(request_id="r", role=Role.MENTEE, person=same, reason="r")
    ) == (f"{same.email} is already the mentee")


def test_session_mail_expires_when_the_session_starts_and_notices_after_their_window():
    state = pair_state()
    letters = LetterWriter("pair:unit:p1", factories.program(START.date()), "p1", state)
    recipient = participants(state)[0]
    invite = letters.request(MessageKind.INVITE, recipient, NOW, state.sessions[0])
    assert expires_at(invite, NOW, NOW) == state.sessions[0].starts_at
    closing = letters.request(MessageKind.CLOSING_REVIEW, recipient, NOW)
    assert expires_at(closing, NOW, NOW + timedelta(days=1)) == NOW + timedelta(days=15)


def test_a_moved_session_gets_its_own_reminder_prompt_and_check_in_reminder():
    """The delivery ledger sends a key once: the mail about a session's new time needs a
    key of its own, or it is recorded as sent and never delivered."""
    state = pair_state()
    letters = LetterWriter("pair:unit:p1", factories.program(START.date()), "p1", state)
    recipient, session = participants(state)[0], state.sessions[0]
    kinds = (MessageKind.INVITE, MessageKind.REMINDER, MessageKind.REFLECTION, MessageKind.CHECK_IN_REMINDER)
    first = [letters.request(kind, recipient, NOW, session).key for kind in kinds]
    assert first == [
        "pair:unit:p1/session-1-invite/0/mentor",
        "pair:unit:p1/session-1-reminder/0/mentor",
        "pair:unit:p1/session-1-reflection/0/mentor",
        "pair:unit:p1/session-1-check-in-reminder/0/mentor",
    ]
    session.sequence = 1  # moved: ops.py reschedule, or "we need a new date"
    assert [letters.request(kind, recipient, NOW, session).key for kind in kinds] == [
        key.replace("/0/", "/1/") for key in first
    ]


@settings(max_examples=40, deadline=None)
@given(
    timezone=st.sampled_from(["Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Sydney", "UTC"]),
    cadence=st.sampled_from(list(Cadence)),
    weekday=st.sampled_from(list(Weekday)),
    hour=st.integers(0, 23),
    days_ahead=st.integers(0, 60),
    lead_days=st.integers(1, 21),
)
def test_the_starter_publishes_what_a_new_pair_would_when_it_first_parks(
    timezone, cadence, weekday, hour, days_ahead, lead_days
):
    """``start_pairs`` sets NextEventAt and PairHealth at the start from ``first_event_at``;
    the pair upserts nothing on its first task only if that is exactly what it publishes."""
    now = datetime(2027, 3, 1, 9, 30, tzinfo=UTC)
    program = factories.program((now + timedelta(days=days_ahead)).date()).model_copy(
        update={"invite_lead_days": lead_days}
    )
    pair = factories.pair(timezone=timezone, cadence=cadence, weekday=weekday, at=time(hour, 0))
    plan = plan_program(
        PlanRequest(
            start_date=program.start_date,
            duration_months=program.duration_months,
            pattern=pair.pattern,
            not_before=now,
        )
    )
    at = first_event_at(program, plan, now)
    attributes = pair_search_attributes(program.cohort_id, pair, at)
    # The pair's first task, a few minutes after the starter planned it.
    state = PairState(
        mentor=pair.mentor, mentee=pair.mentee, pattern=pair.pattern, started_at=now + timedelta(minutes=5)
    )
    start_listening(state)
    take_plan(state, "pair:dw:p1", plan, program.start_date)
    first = due_items(state, program)[0]
    if at is None:
        assert started_with(attributes) is None
        assert first.at <= now + timedelta(days=1)
    else:
        assert started_with(attributes) == progress.published(state, first)
