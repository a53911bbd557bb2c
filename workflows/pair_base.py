"""What every part of the pair workflow shares: its state and helpers, and the
bookkeeping of operations (each request id applied once, its result kept)."""

from __future__ import annotations

import asyncio

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from mentoring.cohort import Program
    from mentoring.operations import Operation, OperationResult, SessionChange
    from mentoring.state import PairProgramInput, PairState
    from workflows.agenda import current_phase, due_items
    from workflows.changes import numbered
    from workflows.counters import Counters
    from workflows.letters import recipients_of
    from workflows.listening import Listener
    from workflows.planner import Planner
    from workflows.replies import settle_overtaken


def _update_name() -> str:
    info = workflow.current_update_info()
    assert info is not None, "signals name their operation"
    return info.name


class PairBase:
    """Set up by ``PairProgramWorkflow.__init__``."""

    _input: PairProgramInput
    _program: Program
    _state: PairState
    _workflow_id: str
    _planner: Planner
    _listener: Listener
    _counters: Counters
    _agenda_changed: bool
    # Operations that await activities must not interleave with each other.
    _lock: asyncio.Lock

    def _is_repeat(self, request: Operation) -> bool:
        return request.request_id in self._state.operations

    def _done(
        self,
        request: Operation,
        summary: str,
        changes: list[SessionChange],
        queued: int | None = None,
        operation: str | None = None,
    ) -> OperationResult:
        state, now = self._state, workflow.now()
        state.phase = current_phase(state)
        settle_overtaken(state, now)
        if queued is None:
            queued = sum(recipients_of(item, state) for item in due_items(state, self._program) if item.at <= now)
        result = OperationResult(
            request_id=request.request_id,
            operation=operation or _update_name(),
            summary=summary,
            sessions=numbered(state, changes),
            messages_queued=queued,
            program_end=state.program_end,
            beyond_six_months=state.beyond_six_months,
            applied_at=now,
        )
        state.operations[request.request_id] = result
        self._agenda_changed = True
        return result
