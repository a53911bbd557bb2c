"""A cohort: starts every pair, then follows their progress until all are done.

Pairs are started by the ``start_pairs`` activity as workflows of their own, not as
children: a participant's program must never stop because something happened to
the cohort workflow. (Cohorts started before that change started them as children
with ``ParentClosePolicy.ABANDON``, which comes to the same.)
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from mentoring import inputs
    from mentoring.cohort import Pair, Role, place_of, same_address
    from mentoring.cohort_state import (
        CohortInput,
        CohortProgress,
        CohortResult,
        CohortState,
        PairStartRequest,
        PairStartResult,
    )
    from mentoring.ids import pair_workflow_id
    from mentoring.operations import (
        AddPair,
        Announcement,
        CohortOperationResult,
        EndCohort,
        EndProgram,
        FindParticipant,
        LookupOperation,
        ParticipantPlace,
        ParticipantReplaced,
        PastCohortOperation,
        WithdrawPair,
    )
    from mentoring.state import PairProgress, ProgramPhase
    from workflows import validation as check

# Pairs per ``start_pairs`` activity: the progress bar of ``starter.py start`` moves
# once per chunk, and a retried chunk re-checks at most this many workflow ids. Two
# chunks run at once, so the next one is already starting while one finishes.
START_CHUNK = 50
CHUNKS_IN_FLIGHT = 2
_FINISHED = (ProgramPhase.COMPLETED, ProgramPhase.ENDED)


@workflow.defn
class CohortWorkflow:
    @workflow.init
    def __init__(self, input: CohortInput) -> None:
        self._input = input
        self._state = input.state or CohortState()
        self._operations = self._state.operations

    @workflow.run
    async def run(self, input: CohortInput) -> CohortResult:
        await self._start_pending()
        while not self._all_finished():
            workflow.set_current_details(self._details())
            await workflow.wait_condition(
                lambda: self._all_finished() or self._has_pending() or workflow.info().is_continue_as_new_suggested()
            )
            await self._start_pending()
            if not self._all_finished() and workflow.info().is_continue_as_new_suggested():
                await workflow.wait_condition(workflow.all_handlers_finished)
                workflow.continue_as_new(CohortInput(cohort=self._input.cohort, state=self._state))
        await workflow.wait_condition(workflow.all_handlers_finished)
        workflow.set_current_details(self._details())
        return CohortResult(cohort_id=input.cohort.program.cohort_id, progress=self.progress())

    @workflow.signal
    def pair_progress(self, progress: PairProgress) -> None:
        self._state.progress[progress.pair_id] = progress

    @workflow.query
    def progress(self) -> CohortProgress:
        reports = [self._state.progress[p.id] for p in self._input.cohort.pairs if p.id in self._state.progress]
        by_phase: dict[str, int] = {}
        for report in reports:
            by_phase[report.phase.value] = by_phase.get(report.phase.value, 0) + 1
        return CohortProgress(
            cohort_id=self._input.cohort.program.cohort_id,
            pairs=reports,
            pairs_total=len(self._input.cohort.pairs),
            pairs_started=len(self._state.started_pair_ids),
            pairs_by_phase=by_phase,
            sessions_held=sum(r.sessions_held for r in reports),
            messages_sent=sum(r.messages_sent for r in reports),
            messages_failed=sum(r.messages_failed for r in reports),
        )

    @workflow.signal
    def participant_replaced(self, change: ParticipantReplaced) -> None:
        pair = next((p for p in self._input.cohort.pairs if p.id == change.pair_id), None)
        if pair is None:
            return
        if change.role == Role.MENTOR:
            pair.mentor = change.person
        else:
            pair.mentee = change.person

    @workflow.query
    def find_participant(self, request: FindParticipant) -> ParticipantPlace:
        place = place_of(self._input.cohort.pairs, request.email, except_pair=request.except_pair_id)
        return ParticipantPlace(pair_id=place[0].id, role=place[1]) if place else ParticipantPlace()

    @workflow.query
    def applied_operation(self, request: LookupOperation) -> PastCohortOperation:
        """So that running a command again can say it was applied already."""
        return PastCohortOperation(result=self._operations.get(request.request_id))

    # ------------------------------------------------------------------ operations

    @workflow.update
    async def add_pair(self, request: AddPair) -> CohortOperationResult:
        if done := self._operations.get(request.request_id):
            return done
        self._input.cohort.pairs.append(request.pair)
        await self._start_pairs([request.pair])
        return self._done(
            request.request_id, "add_pair", f"pair {request.pair.id} added and started", [request.pair.id]
        )

    @add_pair.validator
    def _check_add_pair(self, request: AddPair) -> None:
        if request.request_id in self._operations:
            return
        check.check_pair(request.pair)
        pairs = self._input.cohort.pairs
        if any(p.id == request.pair.id for p in pairs):
            raise check.reject(f"cohort already has a pair '{request.pair.id}'")
        if same_address(request.pair.mentor.email, request.pair.mentee.email):
            raise check.reject(f"{request.pair.mentor.email} cannot be both mentor and mentee")
        for person in (request.pair.mentor, request.pair.mentee):
            if place := place_of(pairs, person.email):
                raise check.reject(f"{person.email} is already in pair '{place[0].id}' of this cohort")

    @workflow.update
    async def withdraw_pair(self, request: WithdrawPair) -> CohortOperationResult:
        if done := self._operations.get(request.request_id):
            return done
        await self._end_pair(
            request.pair_id, EndProgram(request_id=request.request_id, reason=request.reason, closing_review=False)
        )
        return self._done(request.request_id, "withdraw_pair", f"pair {request.pair_id} withdrawn", [request.pair_id])

    @withdraw_pair.validator
    def _check_withdraw_pair(self, request: WithdrawPair) -> None:
        if request.request_id in self._operations:
            return
        if request.pair_id not in {p.id for p in self._input.cohort.pairs}:
            raise check.reject(f"no pair '{request.pair_id}' in cohort '{self._cohort_id}'")
        progress = self._state.progress.get(request.pair_id)
        if progress is not None and progress.phase in _FINISHED:
            raise check.reject(f"pair '{request.pair_id}' has already finished ({progress.phase.value})")
        check.check_input("reason", inputs.reason, request.reason)

    @workflow.update
    async def end_cohort(self, request: EndCohort) -> CohortOperationResult:
        if done := self._operations.get(request.request_id):
            return done
        running = self._running_pairs()
        end = EndProgram(request_id=request.request_id, reason=request.reason, closing_review=True)
        await asyncio.gather(*(self._end_pair(pair_id, end) for pair_id in running))
        return self._done(
            request.request_id, "end_cohort", f"cohort ended: {len(running)} pair(s) closed early", running
        )

    @end_cohort.validator
    def _check_end_cohort(self, request: EndCohort) -> None:
        if request.request_id in self._operations:
            return
        check.check_input("reason", inputs.reason, request.reason)
        if not self._running_pairs():
            raise check.reject("every pair of this cohort has already finished")

    @workflow.update
    async def announce(self, request: Announcement) -> CohortOperationResult:
        if done := self._operations.get(request.request_id):
            return done
        running = self._running_pairs()
        await asyncio.gather(*(self._signal_pair(pair_id, "announce", request) for pair_id in running))
        return self._done(
            request.request_id,
            "announce",
            f"announcement sent to {request.audience.value} of {len(running)} pair(s)",
            running,
        )

    @announce.validator
    def _check_announce(self, request: Announcement) -> None:
        if request.request_id in self._operations:
            return
        check.check_input("subject", inputs.subject, request.subject)
        check.check_input("body", inputs.body, request.body)
        if not self._running_pairs():
            raise check.reject("no pair of this cohort is running")

    # ------------------------------------------------------------------ helpers

    @property
    def _cohort_id(self) -> str:
        return self._input.cohort.program.cohort_id

    def _running_pairs(self) -> list[str]:
        progress = self._state.progress
        return [
            p.id
            for p in self._input.cohort.pairs
            if p.id in self._state.started_pair_ids and (p.id not in progress or progress[p.id].phase not in _FINISHED)
        ]

    async def _end_pair(self, pair_id: str, request: EndProgram) -> None:
        await self._signal_pair(pair_id, "end_from_cohort", request)

    async def _signal_pair(self, pair_id: str, signal: str, request: EndProgram | Announcement) -> None:
        handle = workflow.get_external_workflow_handle(pair_workflow_id(self._cohort_id, pair_id))
        try:
            await handle.signal(signal, request)
        except Exception:
            # A pair that was terminated by hand cannot be told; the others still are.
            workflow.logger.warning("pair %s did not take %s", pair_id, signal)

    def _done(self, request_id: str, operation: str, summary: str, pairs: list[str]) -> CohortOperationResult:
        result = CohortOperationResult(
            request_id=request_id, operation=operation, summary=summary, pairs_affected=pairs
        )
        self._operations[request_id] = result
        return result

    def _has_pending(self) -> bool:
        return len(self._state.started_pair_ids) < len(self._input.cohort.pairs)

    async def _start_pending(self) -> None:
        started = set(self._state.started_pair_ids)
        pending = [p for p in self._input.cohort.pairs if p.id not in started]
        slots = asyncio.Semaphore(CHUNKS_IN_FLIGHT)

        async def start_chunk(pairs: list[Pair]) -> None:
            async with slots:
                await self._start_pairs(pairs)
                self._show_started()

        await asyncio.gather(*(start_chunk(pending[i : i + START_CHUNK]) for i in range(0, len(pending), START_CHUNK)))

    def _show_started(self) -> None:
        workflow.set_current_details(
            f"started {len(self._state.started_pair_ids)} of {len(self._input.cohort.pairs)} pairs"
        )

    async def _start_pairs(self, pairs: list[Pair]) -> None:
        if not pairs:
            return
        info = workflow.info()
        result = await workflow.execute_activity(
            "start_pairs",
            PairStartRequest(
                cohort_workflow_id=info.workflow_id,
                task_queue=info.task_queue,
                program=self._input.cohort.program,
                pairs=pairs,
                not_before=workflow.now(),
            ),
            result_type=PairStartResult,
            start_to_close_timeout=timedelta(minutes=5),
            heartbeat_timeout=timedelta(seconds=30),
            summary=f"start {len(pairs)} pair(s)",
        )
        by_id = {pair.id: pair for pair in pairs}
        for pair_id in result.started_pair_ids:
            self._mark_started(by_id[pair_id])

    def _all_finished(self) -> bool:
        progress = self._state.progress
        return all(pair.id in progress and progress[pair.id].finished for pair in self._input.cohort.pairs)

    def _details(self) -> str:
        p = self.progress()
        phases = ", ".join(f"{n} {phase}" for phase, n in sorted(p.pairs_by_phase.items()))
        return (
            f"{p.pairs_started} of {p.pairs_total} pairs started ({phases}) · "
            f"{p.sessions_held} sessions held · {p.messages_sent} sent · {p.messages_failed} failed"
        )

    def _mark_started(self, pair: Pair) -> None:
        if pair.id in self._state.started_pair_ids:
            return
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
