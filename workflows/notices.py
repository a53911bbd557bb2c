"""One-off messages an operation puts on the way: pause and resume notices, a
newcomer's welcome, the partner's news, announcements. Pure functions over
``PairState``; the agenda sends what is in the outbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from mentoring.cohort import Role
from mentoring.messages import MessageKind, Recipient
from mentoring.operations import Announcement, Audience
from mentoring.state import OutgoingMessage, PairState
from workflows.letters import participants

_AUDIENCES = {
    Audience.ALL: (Role.MENTOR, Role.MENTEE),
    Audience.MENTORS: (Role.MENTOR,),
    Audience.MENTEES: (Role.MENTEE,),
}


def queue(
    state: PairState, event: str, kind: MessageKind, recipients: list[Recipient], now: datetime, **fields: Any
) -> int:
    """One message per recipient, each sent as it is queued here."""
    for recipient in recipients:
        state.outbox.append(OutgoingMessage(event=event, kind=kind, recipient=recipient, due_at=now, **fields))
    return len(recipients)


def announcement(state: PairState, request: Announcement, now: datetime) -> int:
    recipients = [p for p in participants(state) if p.role in _AUDIENCES[request.audience]]
    return queue(
        state,
        f"announcement-{request.request_id}",
        MessageKind.ANNOUNCEMENT,
        recipients,
        now,
        announcement_subject=request.subject,
        announcement_body=request.body,
    )


def drop_pause_notices(state: PairState) -> None:
    """Nobody is left to hear about a pause or a resumption once a program ended."""
    state.outbox = [m for m in state.outbox if m.kind not in (MessageKind.PROGRAM_RESUMED, MessageKind.PROGRAM_PAUSED)]
