"""Hearing back from participants: an answer from the response site, recorded in the
pair's state. Workflow code (a new date awaits the planner's activity); what an
answer means is decided in ``answers`` and ``health``."""

from __future__ import annotations

from datetime import datetime

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from mentoring.answers import (
        AnswerReceipt,
        AnswerRecord,
        AnswerRequest,
        CheckInAnswer,
        CheckInChoice,
    )
    from mentoring.cohort import Program
    from mentoring.messages import MessageKind
    from mentoring.state import PairState, SessionState, SessionStatus
    from workflows import health, notices
    from workflows.answers import earlier_answer, find, record, session_of
    from workflows.changes import moved_slot, reschedule
    from workflows.letters import participants
    from workflows.planner import Planner


def start_listening(state: PairState) -> None:
    """From now on the pair takes answers. Sessions already past were never asked."""
    state.listening = True
    for session in state.sessions:
        if session.reflection_done:
            session.check_in_reminder_done = session.check_in_closed = True


def _receipt(found: AnswerRecord, summary: str, recorded: bool) -> AnswerReceipt:
    return AnswerReceipt(
        answer_id=found.answer.answer_id, recorded=recorded, summary=summary, recorded_at=found.recorded_at
    )


class Listener:
    def __init__(self, state: PairState, program: Program, planner: Planner) -> None:
        self._state = state
        self._program = program
        self._planner = planner

    async def record(self, request: AnswerRequest) -> AnswerReceipt:
        """Call with the pair's lock held. The same answer id records once."""
        state, answer = self._state, request.answer
        if found := self._known(request):
            return _receipt(found, "recorded before", recorded=False)
        new_date = None
        if isinstance(answer, CheckInAnswer) and answer.choice == CheckInChoice.NEW_DATE:
            assert answer.new_local_start is not None
            new_date = await self._planner.instant(answer.new_local_start, "new date")
            # The same answer may have come in by the other way while the planner worked.
            if found := self._known(request):
                return _receipt(found, "recorded before", recorded=False)
        now = workflow.now()
        summary = record(state, answer, now)
        if new_date is not None:
            assert isinstance(answer, CheckInAnswer) and answer.new_local_start is not None
            session = session_of(state, answer.session)
            assert session is not None
            summary += f"; moved to {answer.new_local_start:%Y-%m-%d %H:%M}"
            self._move(session, answer, answer.new_local_start, new_date, now)
        health.update(state, self._program, now)
        return _receipt(state.answers[-1], summary, recorded=True)

    def _known(self, request: AnswerRequest) -> AnswerRecord | None:
        """This answer, or another answer to the same item from another of the
        participant's links (the prompt's and the reminder's), that came in first."""
        answer = request.answer
        if found := find(self._state, answer.answer_id):
            return found
        session = getattr(answer, "session", 0)
        return earlier_answer(self._state, answer.kind, answer.role, session, getattr(answer, "stage", None))

    def _move(
        self, session: SessionState, answer: CheckInAnswer, local: datetime, starts_at: datetime, now: datetime
    ) -> None:
        """Both calendars get the new time (SEQUENCE+1), as with ``ops.py reschedule``,
        and the partner hears who asked for it."""
        state = self._state
        reschedule(session, moved_slot(session, local, starts_at), now)
        session.status = SessionStatus.INVITED
        session.check_in_reminder_done = session.check_in_closed = session.check_ins_disagree = False
        partners = [p for p in participants(state) if p.role != answer.role]
        event = f"new-date-{session.number}-{session.sequence}"
        notices.queue(state, event, MessageKind.NEW_DATE_CHOSEN, partners, now, session_number=session.number)
