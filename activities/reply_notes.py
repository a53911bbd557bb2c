"""What the emails about a participant's calendar reply show besides the session: who
replied (their role and name), and for a counter the time their calendar proposed."""

from __future__ import annotations

from dataclasses import dataclass

from mentoring.cohort import Role
from mentoring.messages import DeliveryRequest, MessageKind

# The kinds whose ``note`` is the role of the participant whose calendar replied.
_BY_ROLE = (MessageKind.SESSION_DECLINED, MessageKind.COUNTER_PROPOSED)
_PARTICIPANTS = {role.value: role for role in (Role.MENTOR, Role.MENTEE)}


@dataclass(frozen=True)
class Replier:
    role: str  # "mentor" or "mentee"
    name: str


def replier(request: DeliveryRequest) -> Replier | None:
    """The participant whose reply the email is about; refuses a note that names nobody."""
    if request.kind not in _BY_ROLE:
        return None
    role = _PARTICIPANTS.get((request.note or "").strip())
    if role is None:
        raise ValueError(f"{request.kind.value} message {request.key!r} needs note to be mentor or mentee")
    if request.recipient.role is role:
        # The decliner hears back in their own email (declined_new_date), not in the partner's.
        raise ValueError(f"{request.kind.value} message {request.key!r} goes to the partner or the program office")
    person = request.mentor if role is Role.MENTOR else request.mentee
    assert person is not None  # a message about a pair names both (``message_rules``)
    return Replier(role.value, person.name)


def check_counter(request: DeliveryRequest) -> None:
    start, end = request.counter_start, request.counter_end
    if request.kind is MessageKind.COUNTER_PROPOSED and start is not None and end is not None and end <= start:
        raise ValueError(f"{request.kind.value} message {request.key!r} needs counter_end after counter_start")
