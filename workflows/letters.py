"""Turns a due item into the delivery requests for each recipient.

Keys are workflow/event/version/recipient, so a Message-ID never changes
between retries, replays or restarts of the same message.
"""

from __future__ import annotations

from datetime import datetime

from mentoring.answers import LINKS_LAST_AFTER_END
from mentoring.cohort import Person, Program, Role
from mentoring.messages import (
    CompletionSummary,
    DeliveryFailure,
    DeliveryRequest,
    MentoringFunction,
    MessageKind,
    Recipient,
    SessionRef,
)
from mentoring.state import OutgoingMessage, PairState, SessionState
from workflows.agenda import Action, Due, active_sessions, position

_FUNCTIONS = list(MentoringFunction)
# The emails participants answer from.
ANSWERED_KINDS = (
    MessageKind.REFLECTION,
    MessageKind.DECLINED_NEW_DATE,
    MessageKind.CHECK_IN_REMINDER,
    MessageKind.MIDPOINT_REVIEW,
    MessageKind.CLOSING_REVIEW,
)
_CALENDAR_KINDS = (MessageKind.INVITE, MessageKind.INVITE_CANCEL)
# About one time of a session: when the session moves, the new time gets its own, under
# a key of its own (the delivery ledger sends a key once). Version 0 is the first time,
# so keys of sessions never moved are what they always were.
_PER_TIME_KINDS = (*_CALENDAR_KINDS, MessageKind.REMINDER, MessageKind.REFLECTION, MessageKind.CHECK_IN_REMINDER)


def session_ref(session: SessionState, state: PairState, sequence: int | None = None) -> SessionRef:
    # Participants read "session 4 of 12", the number the office uses too.
    return SessionRef(
        number=position(state, session),
        uid=session.uid,
        sequence=session.sequence if sequence is None else sequence,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        local_start=session.local_start,
        timezone=session.timezone,
        location=session.location,
        session_id=session.number,
    )


def participant(role: Role, person: Person) -> Recipient:
    return Recipient(role=role, name=person.name, email=person.email, timezone=person.timezone)


def participants(state: PairState, *, include_vacant: bool = False) -> list[Recipient]:
    assert state.mentor is not None and state.mentee is not None
    people = [participant(Role.MENTOR, state.mentor), participant(Role.MENTEE, state.mentee)]
    if include_vacant:
        return people
    return [p for p in people if p.role != state.vacant_role]


def recipients_of(item: Due, state: PairState) -> int:
    """How many messages doing ``item`` sends: what an operation reports as queued."""
    if item.action == Action.OUTBOX:
        return 1
    if item.action == Action.RESUME:
        return 0
    # A cancellation also clears the calendar of a participant who just withdrew.
    count = len(participants(state, include_vacant=item.action == Action.CANCEL))
    # The closing review comes with the completion notice to the program office.
    return count + 1 if item.action == Action.CLOSING else count


def program_office(program: Program, state: PairState) -> Recipient:
    assert state.pattern is not None
    return Recipient(
        role=Role.PROGRAM_OFFICE,
        name=program.program_office.name,
        email=program.program_office.email,
        timezone=state.pattern.timezone,
    )


def event_name(kind: MessageKind, session_number: int = 0) -> str:
    name = kind.value.replace("_", "-")
    return f"session-{session_number}-{name}" if session_number else name


def message_key(workflow_id: str, event: str, version: int, recipient: Recipient) -> str:
    return f"{workflow_id}/{event}/{version}/{recipient.role.value}"


class LetterWriter:
    """Builds ``DeliveryRequest``s for one pair from its current state."""

    def __init__(self, workflow_id: str, program: Program, pair_id: str, state: PairState) -> None:
        self._workflow_id = workflow_id
        self._program = program
        self._pair_id = pair_id
        self._state = state

    def request(
        self,
        kind: MessageKind,
        recipient: Recipient,
        now: datetime,
        session: SessionState | None = None,
        *,
        event: str | None = None,
        failure: DeliveryFailure | None = None,
        note: str | None = None,
    ) -> DeliveryRequest:
        state = self._state
        assert state.mentor is not None and state.mentee is not None
        number = session.number if session else 0
        version = session.sequence if session and kind in _PER_TIME_KINDS else 0
        active = active_sessions(state)
        # "of N" counts the current plan; a cancelled session is no longer part of it.
        total = 0 if kind == MessageKind.INVITE_CANCEL else len(active)
        request = DeliveryRequest(
            key=message_key(self._workflow_id, event or event_name(kind, number), version, recipient),
            kind=kind,
            recipient=recipient,
            program=self._program,
            pair_id=self._pair_id,
            mentor=state.mentor,
            mentee=state.mentee,
            session=session_ref(session, state) if session else None,
            total_sessions=total,
            midpoint_at=state.midpoint_at,
            failure=failure,
            note=note,
            composed_at=now,
        )
        if kind in (MessageKind.WELCOME, MessageKind.PROGRAM_RESUMED):
            # What is still to come; a newcomer joining half-way needs no list of the past.
            request.sessions = [session_ref(s, state) for s in active if s.starts_at > now]
        if state.listening and kind in ANSWERED_KINDS and state.program_end is not None:
            request.links_expire = state.program_end + LINKS_LAST_AFTER_END
        if kind == MessageKind.INVITE and session is not None:
            request.is_update = recipient.email.casefold() in session.invited_to
        if kind == MessageKind.REFLECTION and session is not None:
            # Rotate career → psychosocial → emotional so a program touches all three.
            place = request.session.number if request.session else number
            request.mentoring_function = _FUNCTIONS[(place - 1) % len(_FUNCTIONS)]
            request.reflection_round = (place - 1) // len(_FUNCTIONS)
        if kind == MessageKind.COMPLETION_NOTICE:
            request.summary = CompletionSummary(
                sessions_planned=len(active),
                sessions_held=state.sessions_held,
                messages_sent=state.messages_sent,
                messages_failed=state.messages_failed,
            )
        return request

    def outgoing(self, message: OutgoingMessage, now: datetime) -> DeliveryRequest:
        """A one-off message an operation queued, exactly as it was queued."""
        session = None
        if message.session_number is not None:
            session = next(s for s in self._state.sessions if s.number == message.session_number)
        request = self.request(message.kind, message.recipient, now, session, event=message.event, note=message.note)
        if session is not None and message.sequence is not None:
            assert request.session is not None
            request.session.sequence = message.sequence
            request.key = message_key(self._workflow_id, message.event, message.sequence, message.recipient)
        request.mentor = message.mentor or request.mentor
        request.mentee = message.mentee or request.mentee
        request.paused_until = message.paused_until
        request.announcement_subject = message.announcement_subject
        request.announcement_body = message.announcement_body
        request.counter_start, request.counter_end = message.counter_start, message.counter_end
        request.counter_holds, request.moved_from = message.counter_holds, message.moved_from
        return request
