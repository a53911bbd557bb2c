"""Turns a due item into the delivery requests for each recipient.

Keys are workflow/event/version/recipient, so a Message-ID never changes
between retries, replays or restarts of the same message.
"""

from __future__ import annotations

from datetime import datetime

from mentoring.cohort import Pair, Person, Program, Role
from mentoring.messages import (
    CompletionSummary,
    DeliveryFailure,
    DeliveryRequest,
    MentoringFunction,
    MessageKind,
    Recipient,
    SessionRef,
)
from mentoring.state import PairState, SessionState

_FUNCTIONS = list(MentoringFunction)


def session_ref(session: SessionState) -> SessionRef:
    return SessionRef(
        number=session.number,
        uid=session.uid,
        sequence=session.sequence,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        local_start=session.local_start,
        timezone=session.timezone,
        location=session.location,
    )


def participant(role: Role, person: Person) -> Recipient:
    return Recipient(role=role, name=person.name, email=person.email, timezone=person.timezone)


def participants(pair: Pair) -> list[Recipient]:
    return [participant(Role.MENTOR, pair.mentor), participant(Role.MENTEE, pair.mentee)]


def program_office(program: Program, pair: Pair) -> Recipient:
    return Recipient(
        role=Role.PROGRAM_OFFICE,
        name=program.program_office.name,
        email=program.program_office.email,
        timezone=pair.pattern.timezone,
    )


def event_name(kind: MessageKind, session_number: int = 0) -> str:
    name = kind.value.replace("_", "-")
    return f"session-{session_number}-{name}" if session_number else name


def message_key(workflow_id: str, event: str, version: int, recipient: Recipient) -> str:
    return f"{workflow_id}/{event}/{version}/{recipient.role.value}"


class LetterWriter:
    """Builds ``DeliveryRequest``s for one pair."""

    def __init__(self, workflow_id: str, program: Program, pair: Pair) -> None:
        self._workflow_id = workflow_id
        self._program = program
        self._pair = pair

    def request(
        self,
        kind: MessageKind,
        recipient: Recipient,
        now: datetime,
        state: PairState,
        session: SessionState | None = None,
        *,
        event: str | None = None,
        failure: DeliveryFailure | None = None,
    ) -> DeliveryRequest:
        number = session.number if session else 0
        version = session.sequence if session and kind in (MessageKind.INVITE, MessageKind.INVITE_CANCEL) else 0
        active = [s for s in state.sessions if s.status != "cancelled"]
        request = DeliveryRequest(
            key=message_key(self._workflow_id, event or event_name(kind, number), version, recipient),
            kind=kind,
            recipient=recipient,
            program=self._program,
            pair_id=self._pair.id,
            mentor=self._pair.mentor,
            mentee=self._pair.mentee,
            session=session_ref(session) if session else None,
            total_sessions=len(active),
            midpoint_at=state.midpoint_at,
            failure=failure,
            composed_at=now,
        )
        if kind == MessageKind.WELCOME:
            request.sessions = [session_ref(s) for s in active]
        if kind == MessageKind.REFLECTION and session is not None:
            # Rotate career → psychosocial → emotional so a program touches all three.
            request.mentoring_function = _FUNCTIONS[(number - 1) % len(_FUNCTIONS)]
            request.reflection_round = (number - 1) // len(_FUNCTIONS)
        if kind == MessageKind.COMPLETION_NOTICE:
            request.summary = CompletionSummary(
                sessions_planned=len(active),
                sessions_held=state.sessions_held,
                messages_sent=state.messages_sent,
                messages_failed=state.messages_failed,
            )
        return request
