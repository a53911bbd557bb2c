"""A cohort: starts every pair, then follows their progress until all are done.

Pairs are started with ``ParentClosePolicy.ABANDON``: a participant's program
must never stop because something happened to the cohort workflow.
"""

from __future__ import annotations

import asyncio

from temporalio import workflow
from temporalio.common import SearchAttributePair, TypedSearchAttributes, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

with workflow.unsafe.imports_passed_through():
    from mentoring import search_attributes as sa
    from mentoring.cohort import Pair
    from mentoring.ids import pair_workflow_id
    from mentoring.state import (
        CohortInput,
        CohortProgress,
        CohortResult,
        CohortState,
        PairProgramInput,
        PairProgress,
        ProgramPhase,
    )
    from workflows.pair import PairProgramWorkflow

# Starting children in batches keeps each workflow task small for a 500-pair cohort.
START_BATCH = 50
_FINISHED = (ProgramPhase.COMPLETED, ProgramPhase.ENDED)


def pair_summary(cohort_id: str, pair: Pair) -> str:
    return f"Pair {pair.id} · cohort {cohort_id}"


def pair_details(input: CohortInput, pair: Pair) -> str:
    # No names or addresses: these fields are visible to every UI user.
    program, p = input.cohort.program, pair.pattern
    return (
        f"**Focus:** {program.focus}  \n"
        f"**Program:** {program.start_date} for {program.duration_months} months, {p.cadence.value}  \n"
        f"**Sessions:** {p.weekday.value} {p.local_time:%H:%M} {p.timezone}, {p.length_minutes} min"
    )


@workflow.defn
class CohortWorkflow:
    @workflow.init
    def __init__(self, input: CohortInput) -> None:
        self._input = input
        self._state = input.state or CohortState()

    @workflow.run
    async def run(self, input: CohortInput) -> CohortResult:
        started = set(self._state.started_pair_ids)
        pending = [p for p in input.cohort.pairs if p.id not in started]
        for first in range(0, len(pending), START_BATCH):
            batch = pending[first : first + START_BATCH]
            await asyncio.gather(*(self._start_pair(pair) for pair in batch))
            workflow.set_current_details(
                f"started {len(self._state.started_pair_ids)} of {len(input.cohort.pairs)} pairs"
            )
        while not self._all_finished():
            workflow.set_current_details(self._details())
            await workflow.wait_condition(
                lambda: self._all_finished() or workflow.info().is_continue_as_new_suggested()
            )
            if not self._all_finished():
                await workflow.wait_condition(workflow.all_handlers_finished)
                workflow.continue_as_new(CohortInput(cohort=input.cohort, state=self._state))
        workflow.set_current_details(self._details())
        return CohortResult(cohort_id=input.cohort.program.cohort_id, progress=self.progress())

    @workflow.signal
    def pair_progress(self, progress: PairProgress) -> None:
        self._state.progress[progress.pair_id] = progress

    @workflow.query
    def progress(self) -> CohortProgress:
        reports = self._state.progress.values()
        by_phase: dict[str, int] = {}
        for report in reports:
            by_phase[report.phase.value] = by_phase.get(report.phase.value, 0) + 1
        return CohortProgress(
            cohort_id=self._input.cohort.program.cohort_id,
            pairs_total=len(self._input.cohort.pairs),
            pairs_started=len(self._state.started_pair_ids),
            pairs_by_phase=by_phase,
            sessions_held=sum(r.sessions_held for r in reports),
            messages_sent=sum(r.messages_sent for r in reports),
            messages_failed=sum(r.messages_failed for r in reports),
        )

    def _all_finished(self) -> bool:
        progress = self._state.progress
        return all(
            pair.id in progress and progress[pair.id].phase in _FINISHED
            for pair in self._input.cohort.pairs
        )

    def _details(self) -> str:
        p = self.progress()
        phases = ", ".join(f"{n} {phase}" for phase, n in sorted(p.pairs_by_phase.items()))
        return (
            f"{p.pairs_started} of {p.pairs_total} pairs started ({phases}) · "
            f"{p.sessions_held} sessions held · {p.messages_sent} sent · {p.messages_failed} failed"
        )

    async def _start_pair(self, pair: Pair) -> None:
        program = self._input.cohort.program
        info = workflow.info()
        try:
            await workflow.start_child_workflow(
                PairProgramWorkflow.run,
                PairProgramInput(program=program, pair=pair, cohort_workflow_id=info.workflow_id),
                id=pair_workflow_id(program.cohort_id, pair.id),
                task_queue=info.task_queue,
                parent_close_policy=workflow.ParentClosePolicy.ABANDON,
                # A finished pair is never run a second time, so nobody is emailed twice.
                id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                search_attributes=TypedSearchAttributes(
                    [
                        SearchAttributePair(sa.COHORT_ID, program.cohort_id),
                        SearchAttributePair(sa.PAIR_ID, pair.id),
                        SearchAttributePair(sa.PROGRAM_PHASE, ProgramPhase.KICKOFF.value),
                        SearchAttributePair(sa.SESSIONS_HELD, 0),
                    ]
                ),
                static_summary=pair_summary(program.cohort_id, pair),
                static_details=pair_details(self._input, pair),
            )
        except WorkflowAlreadyStartedError:
            # Started by an earlier run of this cohort: adopt it rather than start a twin.
            pass
        self._state.started_pair_ids.append(pair.id)
        self._state.progress.setdefault(
            pair.id,
            PairProgress(
                pair_id=pair.id,
                phase=ProgramPhase.KICKOFF,
                sessions_held=0,
                sessions_planned=0,
                messages_sent=0,
                messages_failed=0,
            ),
        )
