"""The site's only way into Temporal: read a pair's answer view, and hand it an answer.

An answer goes as the ``record_answer`` update, which a worker validates and records
while the participant waits. When no worker takes it in time, the same answer goes
as the ``record_answer_later`` signal: Temporal keeps a signal durably, and the pair
records it (once, by its answer id) when a worker runs again.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from temporalio.client import (
    Client,
    RPCTimeoutOrCancelledError,
    WorkflowQueryFailedError,
    WorkflowQueryRejectedError,
    WorkflowUpdateFailedError,
)
from temporalio.common import QueryRejectCondition
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from mentoring.answers import AnswerReceipt, AnswerRequest, AnswerView, ParticipantAnswer
from mentoring_service.links import Link

# The pair workflow's handlers (workflows/pair.py), by name: the site needs no workflow code.
ANSWER_VIEW = "answer_view"
RECORD_ANSWER = "record_answer"
RECORD_ANSWER_LATER = "record_answer_later"
# The validator's error types (workflows/answer_checks.py).
ALREADY_ANSWERED = "AlreadyAnswered"

log = logging.getLogger("response_site")


class Reach(StrEnum):
    """How a call to the pair went, when it did not simply answer."""

    FINISHED = "finished"  # the workflow no longer runs
    UNKNOWN = "unknown"  # no such workflow (or long gone)
    # No worker took it in time, or Temporal itself did not answer.
    NO_ANSWER = "no_answer"


class Outcome(StrEnum):
    RECORDED = "recorded"
    RECORDED_BEFORE = "recorded_before"  # the same answer id came in earlier
    LATER = "later"  # handed over as a signal
    ALREADY = "already"  # another answer to the same item came first
    REFUSED = "refused"
    FINISHED = "finished"
    UNKNOWN = "unknown"
    UNREACHABLE = "unreachable"  # not even the signal got through: nothing was taken


@dataclass(frozen=True)
class Viewed:
    view: AnswerView | None
    reach: Reach | None = None


@dataclass(frozen=True)
class Recorded:
    outcome: Outcome
    receipt: AnswerReceipt | None = None
    reason: str | None = None


def _reach(error: BaseException) -> Reach:
    if isinstance(error, RPCError):
        if error.status == RPCStatusCode.NOT_FOUND:
            # "workflow execution already completed" for an update or signal; no such id otherwise.
            return Reach.FINISHED if "completed" in error.message.lower() else Reach.UNKNOWN
    return Reach.NO_ANSWER


# What a call raises when no worker answers in time or Temporal cannot be reached (a
# client that connects lazily raises RuntimeError "Failed client connect").
_NO_ANSWER = (RPCError, RPCTimeoutOrCancelledError, TimeoutError, RuntimeError)


class PairGateway:
    def __init__(self, client: Client, timeout_seconds: float) -> None:
        self._client = client
        self._timeout = timeout_seconds

    async def view(self, link: Link) -> Viewed:
        handle = self._client.get_workflow_handle(link.workflow_id)
        try:
            view = await asyncio.wait_for(
                handle.query(
                    ANSWER_VIEW,
                    link.view_request(),
                    result_type=AnswerView,
                    reject_condition=QueryRejectCondition.NOT_OPEN,
                    rpc_timeout=timedelta(seconds=self._timeout),
                ),
                self._timeout + 1,
            )
        except WorkflowQueryRejectedError:
            return Viewed(None, Reach.FINISHED)
        except (*_NO_ANSWER, WorkflowQueryFailedError) as error:
            reach = _reach(error)
            log.info("pair %s: no view (%s: %s)", link.workflow_id, reach.value, type(error).__name__)
            return Viewed(None, reach)
        return Viewed(view)

    async def record(self, link: Link, answer: ParticipantAnswer, *, worker_down: bool = False) -> Recorded:
        """The update, or with ``worker_down`` (the view found no worker just now) or
        when no worker takes it in time, the signal."""
        request = AnswerRequest(answer=answer)
        handle = self._client.get_workflow_handle(link.workflow_id)
        if not worker_down:
            try:
                receipt = await asyncio.wait_for(
                    handle.execute_update(
                        RECORD_ANSWER,
                        request,
                        id=answer.answer_id,
                        result_type=AnswerReceipt,
                        rpc_timeout=timedelta(seconds=self._timeout),
                    ),
                    self._timeout,
                )
                return Recorded(Outcome.RECORDED if receipt.recorded else Outcome.RECORDED_BEFORE, receipt)
            except WorkflowUpdateFailedError as error:
                return _refusal(error)
            except _NO_ANSWER as error:
                reach = _reach(error)
                if reach in (Reach.FINISHED, Reach.UNKNOWN):
                    return Recorded(Outcome(reach.value))
        return await self._later(link, request)

    async def _later(self, link: Link, request: AnswerRequest) -> Recorded:
        handle = self._client.get_workflow_handle(link.workflow_id)
        try:
            await asyncio.wait_for(
                handle.signal(RECORD_ANSWER_LATER, request, rpc_timeout=timedelta(seconds=self._timeout)),
                self._timeout + 1,
            )
        except _NO_ANSWER as error:
            reach = _reach(error)
            if reach in (Reach.FINISHED, Reach.UNKNOWN):
                return Recorded(Outcome(reach.value))
            log.warning("pair %s: answer not taken (%s)", link.workflow_id, type(error).__name__)
            return Recorded(Outcome.UNREACHABLE)
        return Recorded(Outcome.LATER)


def _refusal(error: WorkflowUpdateFailedError) -> Recorded:
    cause = error.cause
    if isinstance(cause, ApplicationError):
        if cause.type == ALREADY_ANSWERED:
            return Recorded(Outcome.ALREADY, reason=cause.message)
        return Recorded(Outcome.REFUSED, reason=cause.message)
    return Recorded(Outcome.REFUSED, reason=str(cause))
