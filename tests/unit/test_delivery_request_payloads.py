"""A delivery request is in the pair's history once per message, so it is written
without the fields left at their default; it must read back as exactly the request."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from temporalio.contrib.pydantic import pydantic_data_converter

from mentoring.cohort import Role
from mentoring.messages import (
    CompletionSummary,
    DeliveryFailure,
    DeliveryRequest,
    MentoringFunction,
    MessageKind,
    Recipient,
    SessionRef,
)
from mentoring.replies import CounterHold, HoldReason
from tests import factories

AT = datetime(2027, 3, 2, 15, 0, tzinfo=UTC)
PAIR = factories.pair()
SESSION = SessionRef(
    number=1, uid="u@x", sequence=0, starts_at=AT, ends_at=AT + timedelta(hours=1),
    local_start=datetime(2027, 3, 2, 16, 0), timezone="Europe/Berlin", location="Teams", session_id=1,
)  # fmt: skip
# Every optional field, with a value that is not its default.
OPTIONAL = {
    "session": SESSION,
    "sessions": [SESSION],
    "total_sessions": 13,
    "mentoring_function": MentoringFunction.EMOTIONAL,
    "reflection_round": 1,
    "midpoint_at": AT,
    "failure": DeliveryFailure(
        pair_id="p1", role=Role.MENTEE, email="x@example.com", kind=MessageKind.INVITE, smtp_code=550, smtp_reply="no"
    ),
    "summary": CompletionSummary(sessions_planned=13, sessions_held=12, messages_sent=80, messages_failed=1),
    "is_update": True,
    "note": "mentor",
    "paused_until": date(2027, 4, 1),
    "announcement_subject": "Subject",
    "announcement_body": "Body",
    "links_expire": date(2027, 9, 1),
    "counter_start": AT,
    "counter_end": AT + timedelta(hours=1),
    "counter_holds": [CounterHold(reason=HoldReason.CLASH, session=2)],
    "moved_from": AT - timedelta(days=1),
    "pair_id": PAIR.id,
    "mentor": PAIR.mentor,
    "mentee": PAIR.mentee,
}


def request(**fields: object) -> DeliveryRequest:
    return DeliveryRequest(
        key="pair:dw:p1/welcome/0/mentor",
        kind=MessageKind.WELCOME,
        recipient=Recipient(role=Role.MENTOR, name=PAIR.mentor.name, email=PAIR.mentor.email),
        program=factories.program(date(2027, 3, 1)),
        composed_at=AT,
        **fields,
    )


def test_every_optional_field_is_covered():
    assert set(OPTIONAL) == {n for n, f in DeliveryRequest.model_fields.items() if not f.is_required()}


@settings(max_examples=60, deadline=None)
@given(st.sets(st.sampled_from(sorted(OPTIONAL))))
def test_a_request_reads_back_exactly_and_carries_only_what_is_set(names):
    original = request(**{name: OPTIONAL[name] for name in names})
    [payload] = pydantic_data_converter.payload_converter.to_payloads([original])
    [back] = pydantic_data_converter.payload_converter.from_payloads([payload], [DeliveryRequest])
    assert back == original
    written = set(DeliveryRequest.model_validate_json(payload.data).model_fields_set)
    required = {n for n, f in DeliveryRequest.model_fields.items() if f.is_required()}
    assert written == required | names
