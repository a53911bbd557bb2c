"""A participant leaves and another takes the role: pure functions over ``PairState``.

The leaver's calendar is cleared, the newcomer is welcomed before their first invite,
and every change to a session carries a SEQUENCE of its own.
"""

from __future__ import annotations

from datetime import datetime

from mentoring.cohort import Person, Role
from mentoring.messages import MessageKind, Recipient
from mentoring.operations import ReplaceParticipant, SessionChange, SessionChangeKind
from mentoring.state import OutgoingMessage, PairState, SessionState
from workflows import notices
from workflows.agenda import needs_cancellation
from workflows.changes import upcoming
from workflows.letters import participant, participants


def holder(state: PairState, role: Role) -> Person:
    person = state.mentor if role == Role.MENTOR else state.mentee
    assert person is not None
    return person


def set_person(state: PairState, role: Role, person: Person) -> None:
    if role == Role.MENTOR:
        state.mentor = person
    else:
        state.mentee = person


def partners(state: PairState, role: Role) -> list[Recipient]:
    return [p for p in participants(state) if p.role != role]


def _cancel_for_leaver(state: PairState, request: ReplaceParticipant, session: SessionState, now: datetime) -> None:
    state.outbox.append(
        OutgoingMessage(
            event=f"session-{session.number}-leaver-cancel",
            kind=MessageKind.INVITE_CANCEL,
            recipient=participant(request.role, holder(state, request.role)),
            due_at=now,
            session_number=session.number,
            sequence=session.sequence,
            note=request.reason,
            # The pair as it was, so the cancellation names the leaver.
            mentor=state.mentor,
            mentee=state.mentee,
        )
    )


def cancellations_for_leaver(state: PairState, request: ReplaceParticipant, now: datetime) -> None:
    """Cancellations still on their way (a withdrawal seconds ago) go to the leaver,
    not to whoever holds the role when they are sent."""
    leaver = holder(state, request.role).email.casefold()
    for session in state.sessions:
        if needs_cancellation(session) and leaver in session.invited_to:
            _cancel_for_leaver(state, request, session, now)
            session.invited_to.remove(leaver)


def hand_over(state: PairState, request: ReplaceParticipant, now: datetime) -> list[SessionChange]:
    """The leaver's invites are cancelled; the newcomer and the partner get the same
    sessions again, naming the new attendee."""
    changes = []
    for session in upcoming(state, now):
        if session.invited_sequence is None:
            continue
        # Two changes, two SEQUENCEs: the leaver's CANCEL, then the REQUEST naming the
        # newcomer (sent by the agenda at ``sequence``).
        session.sequence += 1
        session.updated_at = now
        _cancel_for_leaver(state, request, session, now)
        session.sequence += 1
        changes.append(
            SessionChange(
                session_number=session.number, change=SessionChangeKind.UPDATED, local_start=session.local_start
            )
        )
    set_person(state, request.role, request.person)
    return changes


def introductions(state: PairState, request: ReplaceParticipant, now: datetime) -> None:
    """The newcomer's welcome and the partner's news; both before any invite."""
    if not state.welcome_done:
        # Nobody has been greeted yet: the welcome, still to come, introduces the new pair.
        return
    event = f"replace-{request.request_id}"
    notices.queue(state, f"{event}-welcome", MessageKind.WELCOME, [participant(request.role, request.person)], now)
    notices.queue(
        state, f"{event}-partner", MessageKind.PARTNER_CHANGED, partners(state, request.role), now, note=request.reason
    )
