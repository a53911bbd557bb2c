"""``workflows.replies``: what a calendar reply records and sets off."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from temporalio.exceptions import ApplicationError

from mentoring.answers import AnswerViewRequest, CheckInAnswer, CheckInChoice, PairHealth
from mentoring.cohort import ProposedTimes, Role
from mentoring.messages import MessageKind
from mentoring.replies import CalendarReply, CounterHold, HoldReason, PartStat, ReplyMethod, parse_uid
from mentoring.state import CounterStatus, PairState, current_partstat
from tests import factories
from tests.unit.states import START, WORKFLOW_ID, pair_state
from workflows import health, replies
from workflows.answer_checks import check_answer
from workflows.answers import view
from workflows.changes import session_uid
from workflows.listening import start_listening

PROGRAM = factories.program(START.date())
NOW = START - timedelta(days=3)  # before the first session


def listening() -> PairState:
    state = pair_state()
    start_listening(state)
    return state


def reply(session: int, partstat: PartStat | None, attendee: str, **extra: object) -> CalendarReply:
    fields: dict[str, object] = {
        "message_id": f"<{session}-{attendee}-{partstat}@client.example>",
        "method": ReplyMethod.REPLY,
        "workflow_id": WORKFLOW_ID,
        "session": session,
        "attendee": attendee,
        "partstat": partstat,
    }
    fields.update(extra)
    return CalendarReply(**fields)  # type: ignore[arg-type]


def kinds(state: PairState) -> list[tuple[MessageKind, Role]]:
    return [(m.kind, m.recipient.role) for m in state.outbox]


def test_an_accept_is_kept_per_participant_and_version_whatever_the_address_case():
    state = listening()
    mentee = state.mentee.email.upper()  # type: ignore[union-attr]
    summary = replies.record(state, PROGRAM, reply(1, PartStat.ACCEPTED, mentee), NOW)
    assert summary == "session 1: the mentee accepted"
    assert current_partstat(state.sessions[0], Role.MENTEE) == PartStat.ACCEPTED
    assert current_partstat(state.sessions[0], Role.MENTOR) is None
    assert state.outbox == []


def test_a_decline_tells_the_partner_and_the_office_and_offers_the_decliner_a_new_date():
    state = listening()
    mentor = state.mentor.email  # type: ignore[union-attr]
    summary = replies.record(state, PROGRAM, reply(2, PartStat.DECLINED, mentor), NOW)
    assert summary == "session 2: the mentor declined; the partner and the program office were told"
    assert kinds(state) == [
        (MessageKind.SESSION_DECLINED, Role.MENTEE),
        (MessageKind.SESSION_DECLINED, Role.PROGRAM_OFFICE),
        (MessageKind.DECLINED_NEW_DATE, Role.MENTOR),
    ]
    # The decliner may now choose a new date before the session, and only that.
    new_date = state.sessions[1].local_start + timedelta(days=2)
    answer = CheckInAnswer(answer_id="decline-new-date", role=Role.MENTOR, session=2, choice=CheckInChoice.NEW_DATE,
                           new_local_start=new_date)  # fmt: skip
    check_answer(state, answer, PROGRAM.start_date, NOW)
    with pytest.raises(ApplicationError):
        check_answer(state, answer.model_copy(update={"choice": CheckInChoice.MET, "new_local_start": None}),
                     PROGRAM.start_date, NOW)  # fmt: skip
    with pytest.raises(ApplicationError):
        check_answer(state, answer.model_copy(update={"role": Role.MENTEE}), PROGRAM.start_date, NOW)
    page = view(state, PROGRAM, AnswerViewRequest(role=Role.MENTOR, item="check_in", session=2), NOW)
    assert page.open


def test_a_reply_to_an_earlier_version_or_a_past_session_is_kept_and_changes_nothing():
    state = listening()
    session = state.sessions[0]
    session.sequence = 2
    mentee = state.mentee.email  # type: ignore[union-attr]
    stale = reply(1, PartStat.DECLINED, mentee, sequence=1)
    assert replies.record(state, PROGRAM, stale, NOW).endswith("kept, nothing done)")
    assert state.outbox == [] and current_partstat(session, Role.MENTEE) is None
    late = reply(1, PartStat.DECLINED, mentee, sequence=2, message_id="<late@client>")
    replies.record(state, PROGRAM, late, session.starts_at + timedelta(hours=2))
    assert state.outbox == [] and current_partstat(session, Role.MENTEE) == PartStat.DECLINED


def test_a_proposed_time_waits_for_the_office_and_a_newer_one_replaces_it():
    state = listening()
    mentee = state.mentee.email  # type: ignore[union-attr]
    at = START + timedelta(days=1)
    first = reply(1, None, mentee, method=ReplyMethod.COUNTER, proposed_start=at, proposed_end=at + timedelta(hours=1))
    assert replies.record(state, PROGRAM, first, NOW) == f"session 1: the mentee proposed {at:%Y-%m-%d %H:%M} UTC"
    second = first.model_copy(update={"message_id": "<second@client>", "proposed_start": at + timedelta(hours=2),
                                      "proposed_end": at + timedelta(hours=3)})  # fmt: skip
    replies.record(state, PROGRAM, second, NOW)
    assert [c.status for c in state.counters] == [CounterStatus.SETTLED, CounterStatus.PENDING]
    assert replies.pending_counter(state, 1) == state.counters[1]


@pytest.mark.parametrize("auto", [False, True])
def test_every_proposal_is_held_against_the_rules_before_the_office_hears(auto: bool):
    state = listening()
    program = PROGRAM.model_copy(update={"proposed_times": ProposedTimes(auto_approve=auto)})
    mentee = state.mentee.email  # type: ignore[union-attr]
    at = START + timedelta(days=1)
    counter = reply(
        1, None, mentee, method=ReplyMethod.COUNTER, proposed_start=at, proposed_end=at + timedelta(hours=1)
    )
    assert replies.record(state, program, counter, NOW) == f"session 1: the mentee proposed {at:%Y-%m-%d %H:%M} UTC"
    # Nothing for the office yet: the workflow first reads the time on the clocks.
    assert state.outbox == [] and replies.awaiting_check(state, counter.message_id) == state.counters[0]
    assert replies.awaiting_check(state, "<another@client>") is None
    # Then the office hears, with why (the email chooses the commands by it).
    state.counters[0].holds = [CounterHold(reason=HoldReason.CLASH, session=2)]
    replies.office_decides(state, program, state.counters[0], NOW)
    assert kinds(state) == [(MessageKind.COUNTER_PROPOSED, Role.PROGRAM_OFFICE)]
    assert (state.outbox[0].event, state.outbox[0].counter_holds) == ("counter-1-1", state.counters[0].holds)
    assert state.outbox[0].counter_start == at
    # An accept is no proposal; nor is a proposal about a past session.
    accept = reply(1, PartStat.ACCEPTED, mentee)
    replies.record(state, program, accept, NOW)
    assert replies.awaiting_check(state, accept.message_id) is None
    late = counter.model_copy(update={"message_id": "<late@client>"})
    replies.record(state, program, late, START + timedelta(hours=2))
    assert replies.awaiting_check(state, late.message_id) is None


def test_replies_that_are_not_for_this_pair_are_refused():
    state = listening()
    mentee = state.mentee.email  # type: ignore[union-attr]
    cases = {
        "the attendee is not in this pair": reply(1, PartStat.ACCEPTED, "someone.else@example.com"),
        "the reply is about another pair": reply(1, PartStat.ACCEPTED, mentee, workflow_id="pair:other:p9"),
        "there is no such session": reply(99, PartStat.ACCEPTED, mentee),
        "a reply without an answer (PARTSTAT)": reply(1, None, mentee),
        "a proposed new time without its start and end": reply(1, None, mentee, method=ReplyMethod.COUNTER),
    }
    for message, bad in cases.items():
        with pytest.raises(ApplicationError) as error:
            replies.check_reply(state, WORKFLOW_ID, bad)
        assert error.value.message == message
    state.vacant_role = Role.MENTEE
    with pytest.raises(ApplicationError):
        replies.check_reply(state, WORKFLOW_ID, reply(1, PartStat.ACCEPTED, mentee))


def test_two_sessions_declined_in_a_row_put_the_pair_at_risk():
    state = listening()
    mentor, mentee = state.mentor.email, state.mentee.email  # type: ignore[union-attr]
    replies.record(state, PROGRAM, reply(3, PartStat.DECLINED, mentor), NOW)
    assert health.health(state)[0] == PairHealth.HEALTHY
    replies.record(state, PROGRAM, reply(5, PartStat.DECLINED, mentee), NOW)
    assert health.health(state)[0] == PairHealth.HEALTHY  # not in a row
    replies.record(state, PROGRAM, reply(4, PartStat.DECLINED, mentee), NOW)
    assert health.health(state) == (PairHealth.AT_RISK, "sessions 4 and 5 were declined in a calendar")


@given(st.text(max_size=80))
def test_only_our_own_uids_name_a_session(text: str) -> None:
    found = parse_uid(text)
    assert found is None or session_uid(*found) == text.strip()


def test_a_uid_names_its_pair_and_session():
    assert parse_uid(session_uid("pair:dw-2027:p1", 12)) == ("pair:dw-2027:p1", 12)
    assert parse_uid("pair:dw-2027:p1-session-12@reverse-mentoring.evil") is None
