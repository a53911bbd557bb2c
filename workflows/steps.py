"""Doing what the agenda says is due: the messages of a pair's program, sent
through the courier, and the state they leave behind. Workflow code (it awaits
activities), but no decisions: those are in ``agenda``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from mentoring.answers import ANSWERS_AFTER_CLOSING
    from mentoring.cohort import Program
    from mentoring.messages import DeliveryRequest, MessageKind
    from mentoring.state import PairState, SessionState, SessionStatus
    from workflows.agenda import Action, Due, invite_reminds, next_due
    from workflows.answers import unanswered
    from workflows.courier import Courier
    from workflows.letters import LetterWriter, participants, program_office


# After v1.2.0: an invite on its way counts as sent for the operations that meet it.
INVITE_CLAIMS_ITS_SEQUENCE = "invite-claims-its-sequence"
# After v1.2.0: an invite sent within its session's reminder hours is its reminder.
INVITE_IS_THE_REMINDER = "invite-is-the-reminder"


@dataclass
class _Invite:
    """An invite being sent: the session, the SEQUENCE it carries and its recipients."""

    session: SessionState
    sequence: int
    recipients: list[str]
    claimed: bool = False

    def claim(self) -> None:
        # Once: an operation may since have taken a leaver off the list.
        if self.claimed:
            return
        self.claimed = True
        self.session.invited_sequence = self.sequence
        for email in self.recipients:
            if email not in self.session.invited_to:
                self.session.invited_to.append(email)


class ProgramSteps:
    def __init__(self, state: PairState, program: Program, letters: LetterWriter, courier: Courier) -> None:
        self._state = state
        self._program = program
        self._letters = letters
        self._courier = courier
        self._invites_on_their_way: list[_Invite] = []

    def claim_invites_on_their_way(self) -> None:
        """An operation that reads who was invited at which SEQUENCE (a cancellation, a
        pause, a hand-over) sees the invites still being sent as sent: their REQUEST is
        already in some calendars, so what the operation sends next needs a SEQUENCE of
        its own and reaches everyone it went to. Asked only while invites are on their
        way, so most pairs never carry the marker; older histories replay the old reading
        (the session counted as invited once every invite had been sent)."""
        if self._invites_on_their_way and workflow.patched(INVITE_CLAIMS_ITS_SEQUENCE):
            for invite in self._invites_on_their_way:
                invite.claim()

    def next_item(self) -> Due | None:
        """What is due next. The agenda before ``invite-is-the-reminder`` sent the reminder
        of a session invited within its reminder hours first (a pair started the day
        before its first session was reminded before it was welcomed). Dropping that
        reminder changes the next item only when it was that reminder, so only then is
        the patch asked: most pairs never carry its marker."""
        before = next_due(self._state, self._program, invite_is_the_reminder=False)
        if before is not None and before.action == Action.REMINDER:
            item = next_due(self._state, self._program)
            if item != before and workflow.patched(INVITE_IS_THE_REMINDER):
                return item
        return before

    def _requests(
        self, kind: MessageKind, session: SessionState | None = None, note: str | None = None, everyone: bool = False
    ) -> list[DeliveryRequest]:
        now = workflow.now()
        return [
            self._letters.request(kind, r, now, session, note=note)
            for r in participants(self._state, include_vacant=everyone)
        ]

    async def do(self, item: Due) -> None:
        """Everything but RESUME, which re-plans and so belongs to the workflow."""
        state = self._state
        session = next(s for s in state.sessions if s.number == item.session_number) if item.session_number else None
        if item.action == Action.OUTBOX:
            message = next(m for m in state.outbox if m.event == item.event)
            await self._courier.send(self._letters.outgoing(message, workflow.now()), item.at)
            state.outbox.remove(message)
        elif item.action == Action.WELCOME:
            await self._courier.send_all(self._requests(MessageKind.WELCOME), item.at)
            state.welcome_done = True
        elif item.action == Action.MIDPOINT:
            await self._courier.send_all(self._requests(MessageKind.MIDPOINT_REVIEW), item.at)
            state.midpoint_done = True
            state.sessions_held_at_midpoint = state.sessions_past
        elif item.action == Action.CLOSING:
            await self._closing(item.at)
        elif item.action == Action.ANSWERS_CLOSE:
            state.answers_until = None
        else:
            assert session is not None
            await self._session_step(item, session)

    async def _session_step(self, item: Due, session: SessionState) -> None:
        courier = self._courier
        if item.action == Action.CANCEL:
            # Everyone who had it in their calendar, a participant who just withdrew too,
            # and nobody who never had it.
            requests = self._requests(MessageKind.INVITE_CANCEL, session, session.cancel_reason, everyone=True)
            await courier.send_all([r for r in requests if r.recipient.email.casefold() in session.invited_to], item.at)
            session.cancel_sent = True
        elif item.action == Action.INVITE:
            reminds = invite_reminds(session, self._program, item.at)
            requests = self._requests(MessageKind.INVITE, session)
            sending = _Invite(session, session.sequence, [r.recipient.email.casefold() for r in requests])
            self._invites_on_their_way.append(sending)
            try:
                await courier.send_all(requests, item.at)
            finally:
                self._invites_on_their_way.remove(sending)
            sending.claim()
            if session.status == SessionStatus.PLANNED:
                session.status = SessionStatus.INVITED
            # Unless it was moved meanwhile: the new time's invite decides for itself.
            if reminds and session.sequence == sending.sequence and workflow.patched(INVITE_IS_THE_REMINDER):
                session.reminder_done = True
        elif item.action == Action.REMINDER:
            sequence = session.sequence
            await courier.send_all(self._requests(MessageKind.REMINDER, session), item.at)
            # Moved while the reminder went out: the new time gets its own reminder.
            session.reminder_done = session.sequence == sequence
        elif item.action == Action.REFLECTION:
            sequence = session.sequence
            if not self._state.listening:
                # Before participants could answer, a session counted as held once it passed.
                session.status = SessionStatus.HELD
            await courier.send_all(self._requests(MessageKind.REFLECTION, session), item.at)
            # "We need a new date" from the first to read it, while the other's was still on
            # its way: the session's new time gets its own prompt.
            session.reflection_done = session.sequence == sequence
        elif item.action == Action.CHECK_IN_REMINDER:
            roles = unanswered(self._state, session, [p.role for p in participants(self._state)])
            requests = [r for r in self._requests(MessageKind.CHECK_IN_REMINDER, session) if r.recipient.role in roles]
            await courier.send_all(requests, item.at)
            session.check_in_reminder_done = True
        elif item.action == Action.CHECK_IN_CLOSE:
            session.check_in_closed = True

    async def _closing(self, at: datetime) -> None:
        state = self._state
        note = state.ended.reason if state.ended else None
        await self._courier.send_all(self._requests(MessageKind.CLOSING_REVIEW, note=note), at)
        office = program_office(self._program, state)
        await self._courier.send(
            self._letters.request(MessageKind.COMPLETION_NOTICE, office, workflow.now(), note=note), at
        )
        state.closing_done = True
        if state.listening:
            # The closing review is answered in the weeks after it; the pair waits for it.
            state.answers_until = workflow.now() + ANSWERS_AFTER_CLOSING
