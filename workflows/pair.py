"""One mentor/mentee pair: a single long-lived workflow for the whole program."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError
from temporalio.exceptions import TimeoutError as ActivityTimeoutError

with workflow.unsafe.imports_passed_through():
    from mentoring import search_attributes as sa
    from mentoring.cohort import Role
    from mentoring.ids import EMAIL_TASK_QUEUE
    from mentoring.messages import (
        PERMANENT_FAILURE,
        DeliveryFailure,
        DeliveryReceipt,
        DeliveryRequest,
        MessageKind,
    )
    from mentoring.plan import PlanRequest, SessionPlan
    from mentoring.state import (
        DeliveryStatus,
        MessageRecord,
        PairProgramInput,
        PairProgramResult,
        PairProgress,
        PairState,
        ProgramPhase,
        SessionState,
        SessionStatus,
    )
    from workflows.agenda import Due, current_phase, due_items
    from workflows.letters import LetterWriter, participants, program_office

SEND_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=10),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=15),
    non_retryable_error_types=[PERMANENT_FAILURE],
)
# Anything not tied to a session start may still arrive this late during an SMTP outage.
LATE_DELIVERY_WINDOW = timedelta(days=3)


@workflow.defn
class PairProgramWorkflow:
    @workflow.init
    def __init__(self, input: PairProgramInput) -> None:
        self._input = input
        self._state = input.state or PairState()
        self._letters = LetterWriter(workflow.info().workflow_id, input.program, input.pair)
        self._agenda_changed = False
        self._last_progress: PairProgress | None = None
        self._published: tuple | None = None

    @workflow.run
    async def run(self, input: PairProgramInput) -> PairProgramResult:
        state = self._state
        if state.started_at is None:
            state.started_at = workflow.now()
        if not state.sessions:
            await self._plan()
        while True:
            if workflow.info().is_continue_as_new_suggested():
                await workflow.wait_condition(workflow.all_handlers_finished)
                workflow.continue_as_new(
                    PairProgramInput(
                        program=input.program,
                        pair=input.pair,
                        cohort_workflow_id=input.cohort_workflow_id,
                        state=state,
                    )
                )
            items = due_items(state, input.program)
            if not items:
                break
            now = workflow.now()
            if items[0].at > now:
                self._publish(items[0])
                self._agenda_changed = False
                try:
                    await workflow.wait_condition(
                        lambda: self._agenda_changed,
                        timeout=items[0].at - now,
                        timeout_summary=f"wait for {items[0].label()}",
                    )
                except asyncio.TimeoutError:
                    pass
                continue
            for item in (i for i in items if i.at <= now):
                await self._perform(item)
            await self._report_progress()
        state.phase = current_phase(state)
        self._publish(None)
        await self._report_progress()
        return self._result()

    @workflow.query
    def state(self) -> PairState:
        return self._state

    async def _plan(self) -> None:
        pair, program = self._input.pair, self._input.program
        plan = await workflow.execute_activity(
            "plan_sessions",
            PlanRequest(
                start_date=program.start_date,
                duration_months=program.duration_months,
                pattern=pair.pattern,
                not_before=workflow.now(),
            ),
            result_type=SessionPlan,
            start_to_close_timeout=timedelta(seconds=30),
            summary="plan sessions in the pair's time zone",
        )
        workflow_id = workflow.info().workflow_id
        self._state.sessions = [
            SessionState(
                number=s.number,
                uid=f"{workflow_id}-session-{s.number}@reverse-mentoring",
                starts_at=s.starts_at,
                ends_at=s.ends_at,
                local_start=s.local_start,
                timezone=s.timezone,
                location=s.location,
            )
            for s in plan.sessions
        ]
        self._state.midpoint_at = plan.midpoint_at
        self._state.closing_at = plan.closing_at
        self._state.program_end = plan.program_end

    def _session(self, number: int) -> SessionState:
        return next(s for s in self._state.sessions if s.number == number)

    async def _perform(self, item: Due) -> None:
        state, now = self._state, workflow.now()
        session = self._session(item.session_number) if item.session_number else None
        if item.kind == MessageKind.WELCOME:
            await self._send_to_pair(item, None)
            state.welcome_done = True
        elif item.kind == MessageKind.INVITE:
            assert session is not None
            await self._send_to_pair(item, session, expires_at=session.starts_at)
            session.invited_sequence = session.sequence
            session.status = SessionStatus.INVITED
        elif item.kind == MessageKind.REMINDER:
            assert session is not None
            await self._send_to_pair(item, session, expires_at=session.starts_at)
            session.reminder_done = True
        elif item.kind == MessageKind.REFLECTION:
            assert session is not None
            session.status = SessionStatus.HELD
            await self._send_to_pair(item, session)
            session.reflection_done = True
        elif item.kind == MessageKind.MIDPOINT_REVIEW:
            await self._send_to_pair(item, None)
            state.midpoint_done = True
            state.sessions_held_at_midpoint = state.sessions_held
        elif item.kind == MessageKind.CLOSING_REVIEW:
            await self._send_to_pair(item, None)
            office = program_office(self._input.program, self._input.pair)
            await self._deliver(
                self._letters.request(MessageKind.COMPLETION_NOTICE, office, now, state), item.at
            )
            state.closing_done = True
        state.phase = current_phase(state)

    async def _send_to_pair(
        self, item: Due, session: SessionState | None, expires_at: datetime | None = None
    ) -> None:
        now = workflow.now()
        requests = [
            self._letters.request(item.kind, recipient, now, self._state, session)
            for recipient in participants(self._input.pair)
        ]
        await asyncio.gather(*(self._deliver(r, item.at, expires_at) for r in requests))

    async def _deliver(
        self, request: DeliveryRequest, due_at: datetime, expires_at: datetime | None = None
    ) -> None:
        now = workflow.now()
        expires_at = expires_at or max(due_at, now) + LATE_DELIVERY_WINDOW
        record = MessageRecord(
            key=request.key,
            kind=request.kind,
            role=request.recipient.role,
            email=request.recipient.email,
            session_number=request.session.number if request.session else None,
            due_at=due_at,
            recorded_at=now,
            status=DeliveryStatus.EXPIRED,
        )
        self._state.messages.append(record)
        if expires_at <= now:
            record.detail = "its moment had passed before it could be sent"
            return
        try:
            receipt = await workflow.execute_activity(
                "deliver_message",
                request,
                result_type=DeliveryReceipt,
                task_queue=EMAIL_TASK_QUEUE,
                start_to_close_timeout=timedelta(minutes=2),
                schedule_to_close_timeout=expires_at - now,
                retry_policy=SEND_RETRY,
                summary=f"{request.kind.value} → {request.recipient.role.value}",
            )
        except ActivityError as err:
            record.recorded_at = workflow.now()
            await self._record_failure(record, request, err)
            return
        record.recorded_at = workflow.now()
        record.status = DeliveryStatus.SENT
        record.message_id = receipt.message_id
        record.smtp_code = receipt.smtp_code

    async def _record_failure(
        self, record: MessageRecord, request: DeliveryRequest, err: ActivityError
    ) -> None:
        cause = err.cause
        if isinstance(cause, ActivityTimeoutError):
            record.detail = "not delivered before its moment passed (SMTP unavailable)"
            return
        record.status = DeliveryStatus.FAILED
        if isinstance(cause, ApplicationError) and cause.type == PERMANENT_FAILURE:
            code, reply = cause.details if len(cause.details) == 2 else (0, str(cause))
            record.smtp_code = int(code)
            record.detail = f"{code} {reply}"
        else:
            record.detail = str(cause or err)
        if record.role == Role.PROGRAM_OFFICE or record.email in self._state.reported_addresses:
            return
        # One notice per address, not per message: a bad address fails every time.
        self._state.reported_addresses.append(record.email)
        office = program_office(self._input.program, self._input.pair)
        failure = DeliveryFailure(
            pair_id=self._input.pair.id,
            role=record.role,
            email=record.email,
            kind=record.kind,
            smtp_code=record.smtp_code or 0,
            smtp_reply=record.detail,
        )
        notice = self._letters.request(
            MessageKind.DELIVERY_FAILURE_NOTICE,
            office,
            workflow.now(),
            self._state,
            event=f"delivery-failure-{record.role.value}-{len(self._state.reported_addresses)}",
            failure=failure,
        )
        await self._deliver(notice, workflow.now())

    def _progress(self, next_item: Due | None) -> PairProgress:
        state = self._state
        return PairProgress(
            pair_id=self._input.pair.id,
            phase=state.phase,
            sessions_held=state.sessions_held,
            sessions_planned=sum(1 for s in state.sessions if s.status != SessionStatus.CANCELLED),
            messages_sent=state.messages_sent,
            messages_failed=state.messages_failed,
            next_event_at=next_item.at if next_item else None,
        )

    def _publish(self, next_item: Due | None) -> None:
        """Search attributes and the one-line description admins see in the UI."""
        state = self._state
        published = (state.phase, state.sessions_held, next_item.at if next_item else None)
        if published != self._published:
            self._published = published
            workflow.upsert_search_attributes(
                [
                    sa.PROGRAM_PHASE.value_set(state.phase.value),
                    sa.SESSIONS_HELD.value_set(state.sessions_held),
                    sa.NEXT_EVENT_AT.value_set(next_item.at)
                    if next_item
                    else sa.NEXT_EVENT_AT.value_unset(),
                ]
            )
        planned = self._progress(next_item).sessions_planned
        line = f"**{state.phase.value}** · {state.sessions_held} of {planned} sessions held"
        if next_item:
            line += f" · next: {next_item.label()} at {next_item.at:%Y-%m-%d %H:%M} UTC"
        if state.messages_failed:
            line += f" · {state.messages_failed} message(s) failed"
        workflow.set_current_details(line)

    async def _report_progress(self) -> None:
        cohort_id = self._input.cohort_workflow_id
        progress = self._progress(None)
        if cohort_id is None or progress == self._last_progress:
            return
        self._last_progress = progress
        try:
            await workflow.get_external_workflow_handle(cohort_id).signal("pair_progress", progress)
        except Exception:
            # The pair outlives its cohort workflow; a closed cohort just misses the news.
            workflow.logger.info("cohort %s did not take progress", cohort_id)

    def _result(self) -> PairProgramResult:
        state = self._state
        progress = self._progress(None)
        return PairProgramResult(
            cohort_id=self._input.program.cohort_id,
            pair_id=self._input.pair.id,
            phase=state.phase,
            sessions_planned=progress.sessions_planned,
            sessions_held=state.sessions_held,
            messages_sent=state.messages_sent,
            messages_failed=state.messages_failed,
            messages=state.messages,
        )
