"""A stand-in pair for the intake's tests: it takes ``record_calendar_reply`` as the
pair workflow does (by name, with a ReplyRequest's JSON shape), records a Message-ID
once, and refuses a reply to a session it does not have."""

from __future__ import annotations

from typing import Any

from temporalio import workflow
from temporalio.exceptions import ApplicationError

SESSIONS = (1, 2, 3)


@workflow.defn
class ReplyRecorder:
    def __init__(self) -> None:
        self.recorded: list[dict[str, Any]] = []
        self.handled = 0  # every time the handler ran
        self.done = False

    @workflow.run
    async def run(self) -> int:
        await workflow.wait_condition(lambda: self.done)
        return len(self.recorded)

    @workflow.update(name="record_calendar_reply")
    def record_calendar_reply(self, request: dict[str, Any]) -> dict[str, Any]:
        reply = request["reply"]
        self.handled += 1
        if any(seen["message_id"] == reply["message_id"] for seen in self.recorded):
            return {"message_id": reply["message_id"], "recorded": False, "summary": "recorded before"}
        self.recorded.append(reply)
        return {"message_id": reply["message_id"], "recorded": True, "summary": "recorded"}

    @record_calendar_reply.validator
    def check(self, request: dict[str, Any]) -> None:
        if request["reply"]["session"] not in SESSIONS:
            raise ApplicationError("no such session", type="UnknownSession")

    @workflow.query
    def replies(self) -> list[dict[str, Any]]:
        return self.recorded

    @workflow.query
    def times_handled(self) -> int:
        return self.handled

    @workflow.signal
    def finish(self) -> None:
        self.done = True
