"""The pair workflow's handlers for what participants send: answers from the response
site, calendar replies from the office's mailbox, and the office's decision on a new
time proposed from a calendar. What each means is decided in ``answers``, ``replies``,
``health``, ``counters`` and ``attendance``."""

from __future__ import annotations

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from mentoring.answers import AnswerReceipt, AnswerRequest, AnswerView, AnswerViewRequest
    from mentoring.operations import ApproveCounter, OperationResult, RefuseCounter
    from mentoring.replies import ReplyReceipt, ReplyRequest
    from workflows import answers, health, replies
    from workflows.agenda import current_phase
    from workflows.answer_checks import check_answer, past_when_read_as_utc, refuse
    from workflows.counters import check_approve, check_refuse
    from workflows.pair_base import PairBase


# A new date lies ahead by its instant on the pair's clock (the handler's activity), and
# an answer the handler refuses never fails the pair when it came as the signal.
NEW_DATE_ON_THE_PAIRS_CLOCK = "new-date-on-the-pairs-clock"


class HearingBack(PairBase):
    @workflow.query
    def answer_view(self, request: AnswerViewRequest) -> AnswerView:
        """What the response site shows for one link."""
        return answers.view(self._state, self._program, request, workflow.now())

    # ------------------------------------------------------------------ participants' answers

    @workflow.update
    async def record_answer(self, request: AnswerRequest) -> AnswerReceipt:
        return await self._record(request)

    async def _record(self, request: AnswerRequest) -> AnswerReceipt:
        async with self._lock:
            receipt = await self._listener.record(request)
        self._state.phase = current_phase(self._state)
        self._agenda_changed = True
        return receipt

    @record_answer.validator
    def _check_answer(self, request: AnswerRequest) -> None:
        if answers.find(self._state, request.answer.answer_id) is None:
            check_answer(self._state, request.answer, self._program.start_date, workflow.now())

    @workflow.signal
    async def record_answer_later(self, request: AnswerRequest) -> None:
        """The same answer, sent by the site while no worker could take the update.
        A signal cannot be refused, so an answer the update would refuse is dropped,
        also one its handler refuses (a new date that passed while no worker ran): an
        error raised here would fail the whole pair."""
        try:
            self._check_answer(request)
            if past_when_read_as_utc(request.answer, workflow.now()) and not workflow.patched(
                NEW_DATE_ON_THE_PAIRS_CLOCK
            ):
                raise refuse("the new date must be in the future")
        except ApplicationError as error:
            self._not_recorded(error)
            return
        try:
            await self._record(request)
        except ApplicationError as error:
            if not workflow.patched(NEW_DATE_ON_THE_PAIRS_CLOCK):
                raise
            self._not_recorded(error)

    def _not_recorded(self, error: ApplicationError) -> None:
        workflow.logger.info("pair %s: an answer was not recorded (%s)", self._input.pair.id, error.type)

    # ------------------------------------------------------------------ calendar replies

    @workflow.update
    async def record_calendar_reply(self, request: ReplyRequest) -> ReplyReceipt:
        """An accept, decline, tentative or proposed new time from a participant's
        calendar, read from the program office's mailbox. Read twice, it counts once."""
        reply, state = request.reply, self._state
        if reply.message_id in state.replies_seen:
            return ReplyReceipt(message_id=reply.message_id, recorded=False, summary="recorded before")
        summary = replies.record(state, self._program, reply, workflow.now())
        if state.listening:
            health.update(state, self._program, workflow.now())
        self._agenda_changed = True
        # Only a proposed time awaits anything (its time on the clocks): every other reply
        # issues the commands it always did.
        if proposal := replies.awaiting_check(state, reply.message_id):
            async with self._lock:
                summary += await self._counters.on_arrival(proposal)
            self._agenda_changed = True
        return ReplyReceipt(message_id=reply.message_id, recorded=True, summary=summary)

    @record_calendar_reply.validator
    def _check_calendar_reply(self, request: ReplyRequest) -> None:
        if request.reply.message_id not in self._state.replies_seen:
            replies.check_reply(self._state, self._workflow_id, request.reply)

    @workflow.update
    async def approve_counter(self, request: ApproveCounter) -> OperationResult:
        if done := self._state.operations.get(request.request_id):
            return done
        async with self._lock:
            summary, changes = await self._counters.approve(request)
            return self._done(request, summary, changes)

    @approve_counter.validator
    def _check_approve_counter(self, request: ApproveCounter) -> None:
        if not self._is_repeat(request):
            check_approve(self._state, self._program, request, workflow.now())

    @workflow.update
    def refuse_counter(self, request: RefuseCounter) -> OperationResult:
        if done := self._state.operations.get(request.request_id):
            return done
        return self._done(request, self._counters.refuse(request, workflow.now()), [])

    @refuse_counter.validator
    def _check_refuse_counter(self, request: RefuseCounter) -> None:
        if not self._is_repeat(request):
            check_refuse(self._state, request)
