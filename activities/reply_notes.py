"""What the emails about a participant's calendar reply show besides the session: who
replied (their role and name), and for a counter the time their calendar proposed,
why nobody can approve it as it stands or why it was not approved by itself, or,
approved by itself, the time it replaced and the time on each participant's clock."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from activities.wall_clock import Span
from mentoring.cohort import Role
from mentoring.messages import DeliveryRequest, MessageKind
from mentoring.replies import unapprovable

# The kinds whose ``note`` is the role of the participant whose calendar replied.
_BY_ROLE = (MessageKind.SESSION_DECLINED, MessageKind.COUNTER_PROPOSED, MessageKind.COUNTER_AUTO_APPROVED)
_COUNTERS = (MessageKind.COUNTER_PROPOSED, MessageKind.COUNTER_AUTO_APPROVED)
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
    if request.kind in _COUNTERS and start is not None and end is not None and end <= start:
        raise ValueError(f"{request.kind.value} message {request.key!r} needs counter_end after counter_start")


@dataclass(frozen=True)
class OnClock:
    role: str  # "mentor" or "mentee"
    name: str
    when: Span


def counter_notes(request: DeliveryRequest) -> dict[str, Any]:
    """``counter``: the proposed time, in the pair's zone (the session's) as the office
    plans in it. ``blocked``: why nobody can approve it as it stands (then the email
    offers no approve command). ``holds``: why the cohort did not approve it by itself.
    ``moved_from``: the session's time before it moved. ``clocks``: the session now, on
    each participant's clock."""
    session = request.session
    holds = request.counter_holds
    notes: dict[str, Any] = {"counter": None, "holds": holds, "blocked": unapprovable(holds), "moved_from": None,
                             "clocks": []}  # fmt: skip
    if session is None:
        return notes
    if request.counter_start is not None and request.counter_end is not None:
        notes["counter"] = Span.on_clock(request.counter_start, request.counter_end, session.timezone)
    if request.moved_from is not None:
        length = session.ends_at - session.starts_at
        notes["moved_from"] = Span.on_clock(request.moved_from, request.moved_from + length, session.timezone)
        # A message about a session is about a pair, which names both (``message_rules``).
        notes["clocks"] = [
            OnClock(role.value, person.name, Span.on_clock(session.starts_at, session.ends_at, person.timezone))
            for role, person in ((Role.MENTOR, request.mentor), (Role.MENTEE, request.mentee))
            if person is not None
        ]
    return notes
