"""The workflow an ops command talks to, and every way talking to it can go wrong.

Each failure becomes a ``CommandError`` with a sentence for the program office:
an unknown cohort or pair, a finished workflow, a rejected update (the
validator's message, as written), no worker answering, or no server at all.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from temporalio.client import (
    Client,
    WorkflowExecutionStatus,
    WorkflowHandle,
    WorkflowQueryFailedError,
    WorkflowQueryRejectedError,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.service import RPCError, RPCStatusCode

from mentoring.ids import TASK_QUEUE, cohort_workflow_id, pair_workflow_id
from mentoring_service.cli.console import CommandError
from mentoring_service.cli.updates import execute_update, is_task_failing
from mentoring_service.connection import target_address

QUERY_TIMEOUT_SECONDS = 10.0
UPDATE_TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True)
class Target:
    """A cohort workflow, or one pair workflow of a cohort."""

    cohort_id: str
    pair_id: str | None = None

    @property
    def workflow_id(self) -> str:
        if self.pair_id is None:
            return cohort_workflow_id(self.cohort_id)
        return pair_workflow_id(self.cohort_id, self.pair_id)

    @property
    def label(self) -> str:
        return f"pair {self.pair_id}" if self.pair_id else f"cohort {self.cohort_id}"


class Remote:
    """Queries and updates against one target, with failures explained."""

    def __init__(self, client: Client, target: Target) -> None:
        self.client = client
        self.target = target
        self.handle: WorkflowHandle = client.get_workflow_handle(target.workflow_id)

    async def query(self, query: Callable, *args: Any, timeout: float = QUERY_TIMEOUT_SECONDS) -> Any:
        try:
            return await asyncio.wait_for(self.handle.query(query, *args), timeout)
        except TimeoutError:
            raise self._no_answer(timeout, None) from None
        except (WorkflowQueryFailedError, WorkflowQueryRejectedError) as error:
            raise CommandError(f"{self.target.label} could not answer: {error}") from None
        except RPCError as error:
            raise await self._explain(error) from None

    async def update(self, update: Callable, request: Any, request_id: str) -> Any:
        try:
            return await asyncio.wait_for(
                execute_update(self.handle, update, request, id=request_id), UPDATE_TIMEOUT_SECONDS
            )
        except WorkflowUpdateFailedError as error:
            # The validator's (or handler's) ApplicationError: its message is meant for people.
            cause = error.cause
            raise CommandError(str(getattr(cause, "message", None) or cause or error)) from None
        except (TimeoutError, WorkflowUpdateRPCTimeoutOrCancelledError):
            raise self._no_answer(UPDATE_TIMEOUT_SECONDS, request_id) from None
        except RPCError as error:
            raise await self._explain(error) from None

    def _no_answer(self, seconds: float, request_id: str | None) -> CommandError:
        message = (
            f"no answer from {self.target.label} within {seconds:.0f} s: "
            f"is a worker running on task queue '{TASK_QUEUE}'?"
        )
        if request_id:
            message += (
                f" The request ({request_id}) may still be applied; running the same command "
                "again is harmless, it is never applied twice."
            )
        return CommandError(message)

    async def _explain(self, error: RPCError) -> CommandError:
        if is_task_failing(error):
            return CommandError(
                f"{self.target.label} cannot take changes right now: its workflow task keeps failing "
                "on the worker (see the worker's log). Nothing was changed."
            )
        if error.status != RPCStatusCode.NOT_FOUND:
            return unexplained(error)
        # NOT_FOUND means either "no such workflow" or "it has already closed".
        status = await self._status(self.target.workflow_id)
        if status is not None:
            return finished(self.target, status)
        if self.target.pair_id is None or await self._status(cohort_workflow_id(self.target.cohort_id)) is None:
            return CommandError(f"no cohort '{self.target.cohort_id}' in namespace '{self.client.namespace}'")
        return CommandError(f"no pair '{self.target.pair_id}' in cohort '{self.target.cohort_id}'")

    async def _status(self, workflow_id: str) -> WorkflowExecutionStatus | None:
        try:
            description = await self.client.get_workflow_handle(workflow_id).describe()
        except RPCError as error:
            if error.status == RPCStatusCode.NOT_FOUND:
                return None
            raise
        return description.status


def finished(target: Target, status: WorkflowExecutionStatus | None) -> CommandError:
    how = "" if status in (None, WorkflowExecutionStatus.COMPLETED) else f" ({status.name.lower()})"
    name = target.pair_id if target.pair_id else target.cohort_id
    kind = "pair" if target.pair_id else "cohort"
    return CommandError(f"{kind} {name} has finished{how}; nothing to change")


def unreachable(error: Exception) -> CommandError:
    return CommandError(
        f"lost the connection to Temporal at {target_address()} ({error}). Is the server running? "
        "Running the same command again is harmless."
    )


def unexplained(error: RPCError) -> CommandError:
    if error.status == RPCStatusCode.UNAVAILABLE:
        return unreachable(error)
    return CommandError(f"Temporal refused the request: {error.message}")
