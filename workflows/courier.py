"""Sending from a pair workflow: one activity per message, every outcome recorded.

A 5xx is recorded and the program office hears once per address; the program
goes on. A message whose moment passes during an SMTP outage is recorded as
expired rather than delivered late.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError, RetryState
from temporalio.exceptions import TimeoutError as ActivityTimeoutError

with workflow.unsafe.imports_passed_through():
    from mentoring.cohort import Program, Role
    from mentoring.ids import EMAIL_TASK_QUEUE
    from mentoring.messages import (
        INVALID_MESSAGE,
        PERMANENT_FAILURE,
        DeliveryFailure,
        DeliveryReceipt,
        DeliveryRequest,
        MessageKind,
    )
    from mentoring.state import DeliveryStatus, MessageRecord, PairState
    from workflows.letters import LetterWriter, program_office

SEND_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=10),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=15),
    non_retryable_error_types=[PERMANENT_FAILURE, INVALID_MESSAGE],
)
# How long each kind stays worth sending during an SMTP outage; after that it is
# recorded as expired, never delivered late. Session messages expire when the session starts.
LATE_DELIVERY_WINDOWS = {
    MessageKind.WELCOME: timedelta(days=7),
    MessageKind.REFLECTION: timedelta(days=3),
    MessageKind.MIDPOINT_REVIEW: timedelta(days=7),
    MessageKind.CLOSING_REVIEW: timedelta(days=14),
    MessageKind.COMPLETION_NOTICE: timedelta(days=14),
    MessageKind.DELIVERY_FAILURE_NOTICE: timedelta(days=7),
    MessageKind.PROGRAM_PAUSED: timedelta(days=3),
    MessageKind.PROGRAM_RESUMED: timedelta(days=3),
    MessageKind.PARTNER_CHANGED: timedelta(days=3),
    MessageKind.ANNOUNCEMENT: timedelta(days=2),
}
SESSION_BOUND = (MessageKind.INVITE, MessageKind.INVITE_CANCEL, MessageKind.REMINDER)
# The send activity heartbeats while it talks to SMTP, so a killed worker's attempt is
# retried within seconds rather than after the whole start-to-close timeout.
SEND_HEARTBEAT_TIMEOUT = timedelta(seconds=10)


def expires_at(request: DeliveryRequest, due_at: datetime, now: datetime) -> datetime:
    if request.kind in SESSION_BOUND and request.session is not None:
        return request.session.starts_at
    return max(due_at, now) + LATE_DELIVERY_WINDOWS.get(request.kind, timedelta(days=3))


class Courier:
    def __init__(self, state: PairState, program: Program, pair_id: str, letters: LetterWriter) -> None:
        self._state = state
        self._program = program
        self._pair_id = pair_id
        self._letters = letters

    async def send_all(self, requests: list[DeliveryRequest], due_at: datetime) -> None:
        await asyncio.gather(*(self.send(r, due_at) for r in requests))

    async def send(self, request: DeliveryRequest, due_at: datetime) -> None:
        now = workflow.now()
        deadline = expires_at(request, due_at, now)
        record = MessageRecord(
            key=request.key,
            kind=request.kind,
            role=request.recipient.role,
            email=request.recipient.email,
            session_number=self._session_number(request),
            due_at=due_at,
            recorded_at=now,
            status=DeliveryStatus.EXPIRED,
        )
        self._state.messages.append(record)
        if deadline <= now:
            record.detail = "its moment had passed before it could be sent"
            return
        try:
            receipt = await workflow.execute_activity(
                "deliver_message",
                request,
                result_type=DeliveryReceipt,
                task_queue=EMAIL_TASK_QUEUE,
                start_to_close_timeout=timedelta(minutes=2),
                schedule_to_close_timeout=deadline - now,
                heartbeat_timeout=SEND_HEARTBEAT_TIMEOUT,
                retry_policy=SEND_RETRY,
                summary=f"{request.kind.value} → {request.recipient.role.value}",
            )
        except ActivityError as err:
            record.recorded_at = workflow.now()
            await self._record_failure(record, err)
            return
        record.recorded_at = workflow.now()
        record.status = DeliveryStatus.SENT
        record.message_id = receipt.message_id
        record.smtp_code = receipt.smtp_code

    def _session_number(self, request: DeliveryRequest) -> int | None:
        # The request shows the session's place; the log keeps its stable number.
        if request.session is None:
            return None
        return next((s.number for s in self._state.sessions if s.uid == request.session.uid), None)

    async def _record_failure(self, record: MessageRecord, err: ActivityError) -> None:
        cause = err.cause
        # Out of time, whether the last attempt timed out or failed and no retry fitted.
        if isinstance(cause, ActivityTimeoutError) or err.retry_state == RetryState.TIMEOUT:
            record.detail = "not delivered before its moment passed (SMTP unavailable)"
            return
        record.status = DeliveryStatus.FAILED
        if not isinstance(cause, ApplicationError) or cause.type != PERMANENT_FAILURE or len(cause.details) != 2:
            # Not the address's fault (e.g. content that cannot become an email): recorded, no notice.
            record.detail = str(cause or err)
            return
        code, reply = cause.details
        record.smtp_code = int(code)
        record.detail = f"{code} {reply}"
        if record.role == Role.PROGRAM_OFFICE or record.email in self._state.reported_addresses:
            return
        # One notice per address, not per message: a bad address fails every time.
        self._state.reported_addresses.append(record.email)
        failure = DeliveryFailure(
            pair_id=self._pair_id,
            role=record.role,
            email=record.email,
            kind=record.kind,
            smtp_code=record.smtp_code or 0,
            # The reply's text; the template puts the code before it.
            smtp_reply=str(reply),
        )
        notice = self._letters.request(
            MessageKind.DELIVERY_FAILURE_NOTICE,
            program_office(self._program, self._state),
            workflow.now(),
            event=f"delivery-failure-{record.role.value}-{len(self._state.reported_addresses)}",
            failure=failure,
        )
        await self.send(notice, workflow.now())
