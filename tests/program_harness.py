"""A pair program on the time-skipping server with the real activities and SMTP,
driven step by step: start it, let program time pass, operate on it, finish it."""

from __future__ import annotations

import contextlib
import uuid
from datetime import datetime, timedelta

from temporalio.client import Client, WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from mentoring.cohort import Cadence, Program
from mentoring.ids import TASK_QUEUE
from mentoring.state import PairProgramInput, PairState
from tests import factories
from tests.calendars import live_sessions
from tests.smtp_server import SmtpServer
from tests.workers import running_workers
from workflows.agenda import active_sessions, next_due
from workflows.pair import PairProgramWorkflow


class ProgramHarness:
    def __init__(self, env: WorkflowEnvironment, smtp: SmtpServer, client: Client | None = None) -> None:
        """``client``: the env's server through another client (one with interceptors)."""
        self.env = env
        self.client = client or env.client
        self.smtp = smtp
        self.handle: WorkflowHandle | None = None
        self.program: Program | None = None
        self._stack = contextlib.AsyncExitStack()

    async def __aenter__(self) -> ProgramHarness:
        await self._stack.enter_async_context(running_workers(self.client, self.smtp.port, "Mentoring <m@example.org>"))
        return self

    async def __aexit__(self, *exc) -> None:
        await self._stack.aclose()

    async def start(self, input: PairProgramInput) -> WorkflowHandle:
        self.program = input.program
        self.handle = await self.client.start_workflow(
            PairProgramWorkflow.run, input, id=f"pair:ops:{uuid.uuid4().hex[:8]}", task_queue=TASK_QUEUE
        )
        await self.settle()
        return self.handle

    async def start_tomorrow(self, cadence: Cadence = Cadence.WEEKLY, months: int = 4) -> PairState:
        """A pair whose program starts tomorrow and whose first session is three to six
        days ahead (``factories.weekday_ahead``): within the invite window, so its invite
        goes out at once, and outside its reminder hours, whatever day and hour the test runs."""
        now = await self.now()
        await self.start(
            PairProgramInput(
                program=factories.program((now + timedelta(days=1)).date(), months=months),
                pair=factories.pair(cadence=cadence, weekday=factories.weekday_ahead(now)),
            )
        )
        return await self.state()

    async def now(self) -> datetime:
        return await self.env.get_current_time()

    async def advance(self, duration: timedelta) -> None:
        await self.env.sleep(duration)
        await self.settle()

    async def settle(self) -> None:
        """Let the workflow send whatever is due now (activities run on the real clock)."""
        await self.env.sleep(timedelta(seconds=1))
        for _ in range(50):
            state = await self.state()
            now = await self.now()
            if not state.outbox and not self._due_now(state, now):
                return
            await self.env.sleep(timedelta(seconds=1))

    def _due_now(self, state: PairState, now: datetime) -> bool:
        # What the agenda has due (an operation taken during the pair's report is acted
        # on only after it), and a moved session's new invite.
        item = next_due(state, self.program) if self.program else None
        return (item is not None and item.at <= now) or any(
            s.invited_sequence is not None and s.invited_sequence < s.sequence and s.starts_at > now
            for s in state.sessions
        )

    async def state(self) -> PairState:
        assert self.handle is not None
        return await self.handle.query(PairProgramWorkflow.state)

    async def update(self, update, request):
        assert self.handle is not None
        return await self.handle.execute_update(update, request, id=request.request_id)

    async def finish(self):
        assert self.handle is not None
        return await self.handle.result()

    def received(self, email: str):
        return self.smtp.handler.for_recipient(email)

    def kinds(self, email: str) -> list[str]:
        return [r.kind for r in self.received(email)]

    def calendar(self, email: str) -> dict[str, tuple[datetime, int]]:
        return live_sessions(self.received(email))

    async def expected_calendar(self, after: datetime | None = None) -> dict[str, tuple[datetime, int]]:
        """The sessions that will happen and were invited, at their latest time and SEQUENCE."""
        state = await self.state()
        return {
            s.uid: (s.starts_at, s.sequence)
            for s in active_sessions(state)
            if s.invited_sequence is not None and (after is None or s.starts_at > after)
        }
