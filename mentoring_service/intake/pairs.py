"""Handing a calendar reply to its pair: the pair workflow's ``record_calendar_reply``
update, whose id is derived from the reply's Message-ID.

Sending the same reply twice (the intake restarted between handing it on and recording
that) is harmless twice over: Temporal answers an update id it has seen with the first
outcome, and the pair records a Message-ID once.

What the pair said becomes the intake's outcome, a few words for its counts and ledger:
``recorded``, ``not recorded`` (the pair had it, or it is about nothing the pair has),
``refused (<error type>)``, ``unknown pair`` (no such workflow), ``finished pair``.
When Temporal or every worker is out of reach, ``deliver`` raises and the message waits
in the mailbox for the next sweep.
"""

from __future__ import annotations

import asyncio
import hashlib

from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from mentoring.replies import RECORD_CALENDAR_REPLY, CalendarReply, ReplyReceipt, ReplyRequest
from mentoring_service.cli.updates import execute_update

# How long one reply may wait for a worker to take it before the sweep pauses.
UPDATE_SECONDS = 30.0


def session_of(reply: CalendarReply) -> tuple[str, int]:
    """The session a reply is about: what the intake counts replies by to notice a storm."""
    return reply.workflow_id, reply.session


def update_id(message_id: str) -> str:
    """The update's id: the same reply is the same update, and the id names no one."""
    return "calendar-reply-" + hashlib.sha256(message_id.encode("utf-8", "surrogateescape")).hexdigest()


class PairDelivery:
    def __init__(self, client: Client, timeout_seconds: float = UPDATE_SECONDS) -> None:
        self._client = client
        self._timeout = timeout_seconds

    async def deliver(self, reply: CalendarReply) -> str:
        handle = self._client.get_workflow_handle(reply.workflow_id)
        request = ReplyRequest(reply=reply)
        try:
            # asyncio.timeout, not wait_for: on Python 3.11 wait_for can drop a cancellation.
            async with asyncio.timeout(self._timeout):
                answer = await execute_update(
                    handle,
                    RECORD_CALENDAR_REPLY,
                    request,
                    id=update_id(reply.message_id),
                    patience_seconds=self._timeout,
                )
        except WorkflowUpdateFailedError as error:
            cause = error.cause
            kind = cause.type if isinstance(cause, ApplicationError) and cause.type else type(cause).__name__
            return f"refused ({kind})"
        except RPCError as error:
            if error.status == RPCStatusCode.NOT_FOUND:
                return await self._not_running(reply.workflow_id)
            raise
        # execute_update passes no result type: the receipt arrives as its JSON object.
        receipt = ReplyReceipt.model_validate(answer)
        return "recorded" if receipt.recorded else "not recorded"

    async def _not_running(self, workflow_id: str) -> str:
        """Which of the two an update's NOT_FOUND meant: servers word it differently."""
        try:
            await self._client.get_workflow_handle(workflow_id).describe()
        except RPCError as error:
            if error.status == RPCStatusCode.NOT_FOUND:
                return "unknown pair"
            raise
        return "finished pair"
