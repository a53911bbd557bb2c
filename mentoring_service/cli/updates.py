"""Sending an update so that a crashed worker does not turn it into an error.

While a worker that died in the middle of a workflow task is being replaced, the
server refuses updates ("Workflow Task in failed state") until the task is retried,
which takes up to its timeout (10 s), and a long wait can end the server's long poll.
The update id makes asking again harmless: it is the same update.
"""

from __future__ import annotations

import asyncio
from typing import Any

from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError
from temporalio.service import RPCError, RPCStatusCode

from workflows.validation import PLAN_NOT_READY

RETRY_PAUSE_SECONDS = 1.0


def is_task_failing(error: RPCError) -> bool:
    return error.status == RPCStatusCode.FAILED_PRECONDITION and "Workflow Task in failed state" in error.message


async def execute_update(
    handle: WorkflowHandle[Any, Any], update: Any, request: Any, *, id: str, patience_seconds: float = 25.0
) -> Any:
    loop = asyncio.get_running_loop()
    give_up_at = loop.time() + patience_seconds
    while True:
        try:
            return await handle.execute_update(update, request, id=id)
        except RPCError as error:
            if not is_task_failing(error) or loop.time() > give_up_at:
                raise
        except WorkflowUpdateFailedError as error:
            # A pair seconds old has no plan yet; the same request succeeds a moment later.
            if getattr(error.cause, "type", None) != PLAN_NOT_READY or loop.time() > give_up_at:
                raise
        except WorkflowUpdateRPCTimeoutOrCancelledError:
            # The server's long poll ended before a worker took the update; asking again
            # with the same id waits for the same update.
            if loop.time() > give_up_at:
                raise
        await asyncio.sleep(RETRY_PAUSE_SECONDS)
