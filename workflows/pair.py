"""One mentor/mentee pair: a single long-lived workflow for the whole program.

The run loop asks the agenda what is due, waits for it and does it. Operations
arrive as updates: a validator rejects bad input before anything enters history,
the handler asks an activity for times where it needs them, and pure modules
(``changes``, ``pausing``, ``handover``, ``notices``) change the state. The agenda
follows.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, time, timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from mentoring.ids import PAIR_WORKFLOW_TYPE
    from mentoring.messages import Recipient
    from mentoring.operations import (
        Announcement,
        CancelSession,
        ChangeRhythm,
        EndProgram,
        ExtendProgram,
        LookupOperation,
        OperationResult,
        ParticipantReplaced,
        PastOperation,
        PausePair,
        ReplaceParticipant,
        RescheduleSession,
        ResumePair,
        SessionChange,
        WithdrawParticipant,
    )
    from mentoring.plan import SessionPlan
    from mentoring.state import CancelledBy, PairProgramInput, PairProgramResult, PairState
    from workflows import handover, health, notices, pausing
    from workflows import progress as report
    from workflows import validation as check
    from workflows.agenda import Action, Due, active_sessions, current_phase
    from workflows.changes import (
        add_session,
        apply_plan,
        cancel_session,
        describe_rhythm,
        free_slots,
        moved_slot,
        moved_summary,
        reschedule,
        restyle_pinned,
        take_plan,
    )
    from workflows.counters import Counters
    from workflows.courier import Courier
    from workflows.letters import LetterWriter, participants
    from workflows.listening import Listener, start_listening
    from workflows.pair_answers import HearingBack
    from workflows.planner import Planner
    from workflows.replies import settle_overtaken
    from workflows.reporter import Reporter
    from workflows.steps import ProgramSteps

# v1.1.0: pairs hear back from participants (check-ins, reflections, reviews, health).
LISTENING = "participant-answers"
WAKE_AFTER_REPORT = "wake-after-report"  # after v1.2.0: an operation during a report wakes the pair


@workflow.defn(name=PAIR_WORKFLOW_TYPE)
class PairProgramWorkflow(HearingBack):
    @workflow.init
    def __init__(self, input: PairProgramInput) -> None:
        self._input = input
        self._program = input.program
        state = self._state = input.state or PairState()
        state.mentor = state.mentor or input.pair.mentor
        state.mentee = state.mentee or input.pair.mentee
        state.pattern = state.pattern or input.pair.pattern
        self._workflow_id = workflow.info().workflow_id
        letters = LetterWriter(self._workflow_id, input.program, input.pair.id, state)
        self._steps = ProgramSteps(state, input.program, letters, Courier(state, input.program, input.pair.id, letters))
        self._planner = Planner(state, input.program)
        self._reporter = Reporter(state, input.program, input.pair.id, input.cohort_workflow_id)
        self._listener = Listener(state, input.program, self._planner)
        self._counters = Counters(state, input.program, self._planner)
        self._agenda_changed = False
        # Operations that await activities must not interleave with each other.
        self._lock = asyncio.Lock()

    @workflow.run
    async def run(self, input: PairProgramInput) -> PairProgramResult:
        state = self._state
        if state.started_at is None:
            state.started_at = workflow.now()
        if not state.listening:
            self._start_listening(input)
        if not state.sessions and state.program_end is None:
            await self._plan()
        while True:
            if workflow.info().is_continue_as_new_suggested():
                await workflow.wait_condition(workflow.all_handlers_finished)
                workflow.continue_as_new(input.model_copy(update={"state": state, "plan": None}))
            # Only the next item: a parked pair keeps no list of the whole program in memory.
            item = self._steps.next_item()
            if item is None and state.paused is None:
                break
            if item is None:
                # Paused until resumed: nothing is due until an operation says so.
                self._reporter.publish(None)
                self._agenda_changed = False
                await workflow.wait_condition(lambda: self._agenda_changed)
                continue
            now = workflow.now()
            if item.at > now:
                # Everything due has been done: one report for all of it, if it matters.
                self._agenda_changed = False
                await self._reporter.report()
                # An operation taken meanwhile may make something due sooner than ``item``.
                if self._agenda_changed and workflow.patched(WAKE_AFTER_REPORT):
                    continue
                await self._wait_for(item, now)
                continue
            # One at a time, re-reading the agenda: an operation may change it meanwhile.
            await self._do(item)
            state.phase = current_phase(state)
            settle_overtaken(state, workflow.now())
            if state.listening:
                health.update(state, self._program, workflow.now())
        # Operations that arrived at the very end still get their answer.
        await workflow.wait_condition(workflow.all_handlers_finished)
        state.phase = current_phase(state)
        self._reporter.publish(None)
        await self._reporter.report(finished=True)
        return report.result(state, self._program, input.pair.id)

    def _start_listening(self, input: PairProgramInput) -> None:
        """Pairs take answers since v1.1.0 (the ``participant-answers`` patch). A starter
        that knows it (``PairProgramInput.listening``) spares the new pair the patch's
        marker and TemporalChangeVersion upsert, and sets the search attributes the
        pair's first task would upsert; that task then writes only its timer.

        On a replay the marker decides: a v1.1.0 worker may have run the first task of
        a pair a newer starter started, and it asked ``patched`` and upserted. A replay
        asks ``patched`` too, which adds no marker where the history has none."""
        if input.listening and not workflow.unsafe.is_replaying():
            quiet = True
        else:
            marked = workflow.patched(LISTENING)
            if not (marked or input.listening):
                return  # a v1.0.0 pair: it replays as it ran
            quiet = not marked
        start_listening(self._state)
        if quiet:
            self._reporter.published_at_start()

    async def _wait_for(self, item: Due, now: datetime) -> None:
        self._reporter.publish(item)
        self._agenda_changed = False
        try:
            await workflow.wait_condition(
                lambda: self._agenda_changed, timeout=item.at - now, timeout_summary=f"wait for {item.label()}"
            )
        except TimeoutError:
            pass

    async def _do(self, item: Due) -> None:
        if item.action != Action.RESUME:
            await self._steps.do(item)
            return
        async with self._lock:
            self._resume(await self._planner.after_pause(), participants(self._state))

    async def _plan(self) -> None:
        plan = self._input.plan or await self._planner.first_plan()
        # Now in the state; not kept twice in every cached pair.
        self._input.plan = None
        take_plan(self._state, self._workflow_id, plan, self._program.start_date)

    def _resume(self, plan: SessionPlan, notify: list[Recipient]) -> list[SessionChange]:
        self._steps.claim_invites_on_their_way()
        return pausing.resume(self._state, self._workflow_id, plan, workflow.now(), notify)

    # ------------------------------------------------------------------ queries

    @workflow.query
    def state(self) -> PairState:
        return self._state

    @workflow.query
    def applied_operation(self, request: LookupOperation) -> PastOperation:
        """So that running a command again can say it was applied already."""
        return PastOperation(result=self._state.operations.get(request.request_id))

    # ------------------------------------------------------------------ operations on sessions

    @workflow.update
    async def reschedule_session(self, request: RescheduleSession) -> OperationResult:
        if done := self._state.operations.get(request.request_id):
            return done
        async with self._lock:
            session = check.session_to_change(self._state, request.session_number, workflow.now())
            starts_at = await self._planner.instant(request.new_local_start, "new time")
            slot = moved_slot(session, request.new_local_start, starts_at)
            changes = [c for c in [reschedule(session, slot, workflow.now())] if c]
            summary = moved_summary(self._state, session, request.session_number, request.new_local_start)
            return self._done(request, summary if changes else "nothing to change", changes)

    @reschedule_session.validator
    def _check_reschedule(self, request: RescheduleSession) -> None:
        if not self._is_repeat(request):
            check.check_reschedule(self._state, request, self._program.start_date, workflow.now())

    @workflow.update
    async def cancel_session(self, request: CancelSession) -> OperationResult:
        if done := self._state.operations.get(request.request_id):
            return done
        async with self._lock:
            now = workflow.now()
            session = check.session_to_change(self._state, request.session_number, now)
            self._steps.claim_invites_on_their_way()
            changes = [cancel_session(session, request.reason, now, CancelledBy.OFFICE)]
            summary = f"session {request.session_number} cancelled"
            if request.replacement_local_start is not None:
                starts_at = await self._planner.instant(request.replacement_local_start, "replacement")
                slot = moved_slot(session, request.replacement_local_start, starts_at)
                changes.append(add_session(self._state, self._workflow_id, slot, workflow.now(), pinned=True))
                summary += f"; replacement on {request.replacement_local_start:%Y-%m-%d %H:%M}"
            return self._done(request, summary, changes)

    @cancel_session.validator
    def _check_cancel(self, request: CancelSession) -> None:
        if not self._is_repeat(request):
            check.check_cancel(self._state, request, self._program.start_date, workflow.now())

    @workflow.update
    async def change_rhythm(self, request: ChangeRhythm) -> OperationResult:
        if done := self._state.operations.get(request.request_id):
            return done
        async with self._lock:
            state = self._state
            assert state.pattern is not None and state.program_end is not None
            state.pattern = state.pattern.model_copy(
                update=request.model_dump(exclude={"request_id"}, exclude_none=True)
            )
            now = workflow.now()
            plan = await self._planner.replan(now.date() - timedelta(days=1), state.program_end, now, restart=True)
            now = workflow.now()
            self._steps.claim_invites_on_their_way()
            changes = apply_plan(state, self._workflow_id, plan.sessions, now, "the rhythm changed")
            changes += restyle_pinned(state, now, request.length_minutes, request.location)
            if plan.sessions:
                state.rhythm_anchor = plan.sessions[0].local_start.date()
            if not state.closing_done:
                state.closing_at = plan.closing_at
            return self._done(request, f"remaining sessions now: {describe_rhythm(request)}", changes)

    @change_rhythm.validator
    def _check_change_rhythm(self, request: ChangeRhythm) -> None:
        if not self._is_repeat(request):
            check.check_change_rhythm(self._state, request)

    @workflow.update
    async def extend(self, request: ExtendProgram) -> OperationResult:
        if done := self._state.operations.get(request.request_id):
            return done
        async with self._lock:
            state = self._state
            assert state.program_end is not None and state.rhythm_anchor is not None
            state.program_end += timedelta(weeks=request.weeks)
            active = active_sessions(state)
            after = active[-1].starts_at + timedelta(minutes=1) if active else workflow.now()
            plan = await self._planner.replan(state.rhythm_anchor, state.program_end, max(after, workflow.now()))
            now = workflow.now()
            changes = [add_session(state, self._workflow_id, slot, now) for slot in free_slots(state, plan.sessions)]
            if not state.closing_done:
                state.closing_at = plan.closing_at
            summary = f"extended by {request.weeks} week(s) to {state.program_end}; {len(changes)} session(s) added"
            return self._done(request, summary, changes)

    @extend.validator
    def _check_extend(self, request: ExtendProgram) -> None:
        if not self._is_repeat(request):
            check.check_extend(self._state, request)

    # ------------------------------------------------------------------ pausing and ending

    @workflow.update
    async def pause(self, request: PausePair) -> OperationResult:
        if done := self._state.operations.get(request.request_id):
            return done
        async with self._lock:
            resume_at = None
            if request.until is not None:
                # Midnight after the last paused day, in the pair's zone.
                resume_at = await self._planner.instant(datetime.combine(request.until + timedelta(days=1), time(0)))
            state, now = self._state, workflow.now()
            self._steps.claim_invites_on_their_way()
            changes = pausing.pause(state, request.reason, request.until, resume_at, participants(state), now)
            until = f"until {request.until}" if request.until else "until resumed"
            return self._done(request, f"paused {until}; {len(changes)} session(s) cancelled", changes)

    @pause.validator
    def _check_pause(self, request: PausePair) -> None:
        if not self._is_repeat(request):
            check.check_pause(self._state, request, workflow.now())

    @workflow.update
    async def resume(self, request: ResumePair) -> OperationResult:
        if done := self._state.operations.get(request.request_id):
            return done
        async with self._lock:
            changes = self._resume(await self._planner.after_pause(), participants(self._state))
            return self._done(request, f"resumed; program now ends {self._state.program_end}", changes)

    @resume.validator
    def _check_resume(self, request: ResumePair) -> None:
        if not self._is_repeat(request):
            check.check_resume(self._state)

    @workflow.update
    def end_program(self, request: EndProgram) -> OperationResult:
        if done := self._state.operations.get(request.request_id):
            return done
        self._steps.claim_invites_on_their_way()
        changes = pausing.end(self._state, request, workflow.now())
        return self._done(request, f"program ended: {request.reason}", changes)

    @end_program.validator
    def _check_end(self, request: EndProgram) -> None:
        if not self._is_repeat(request):
            check.check_end(self._state, request)

    @workflow.signal
    def end_from_cohort(self, request: EndProgram) -> None:
        """The cohort ends or withdraws this pair. Signals cannot be rejected, so a
        pair that already finished ignores it."""
        state = self._state
        if request.request_id in state.operations or state.ended or state.closing_done or state.program_end is None:
            return
        self._steps.claim_invites_on_their_way()
        changes = pausing.end(state, request, workflow.now())
        self._done(request, f"program ended by the cohort: {request.reason}", changes, operation="end_program")

    # ------------------------------------------------------------------ people

    @workflow.update
    async def withdraw_participant(self, request: WithdrawParticipant) -> OperationResult:
        if done := self._state.operations.get(request.request_id):
            return done
        async with self._lock:
            state = self._state
            reason = f"the {request.role.value} withdrew: {request.reason}"
            self._steps.claim_invites_on_their_way()
            # The leaver's calendar is cleared too; only the partner hears about the pause.
            changes = pausing.pause(state, reason, None, None, handover.partners(state, request.role), workflow.now())
            state.vacant_role = request.role
            summary = f"{request.role.value} withdrawn; the pair is paused until a replacement joins"
            return self._done(request, summary, changes)

    @withdraw_participant.validator
    def _check_withdraw(self, request: WithdrawParticipant) -> None:
        if not self._is_repeat(request):
            check.check_withdraw(self._state, request)

    @workflow.update
    async def replace_participant(self, request: ReplaceParticipant) -> OperationResult:
        if done := self._state.operations.get(request.request_id):
            return done
        async with self._lock:
            state, now = self._state, workflow.now()
            self._steps.claim_invites_on_their_way()
            handover.cancellations_for_leaver(state, request, now)
            if state.vacant_role == request.role:
                handover.set_person(state, request.role, request.person)
                state.vacant_role = None
                handover.introductions(state, request, now)
                changes = self._resume(await self._planner.after_pause(), handover.partners(state, request.role))
            else:
                changes = handover.hand_over(state, request, now)
                handover.introductions(state, request, now)
            result = self._done(request, f"{request.role.value} is now {request.person.name}", changes)
        # The cohort keeps who is in which pair, so that nobody joins a second one.
        replaced = ParticipantReplaced(pair_id=self._input.pair.id, role=request.role, person=request.person)
        await self._reporter.tell_cohort("participant_replaced", replaced)
        return result

    @replace_participant.validator
    def _check_replace(self, request: ReplaceParticipant) -> None:
        if not self._is_repeat(request):
            check.check_replace(self._state, request)

    @workflow.signal
    def announce(self, request: Announcement) -> None:
        """An announcement from the program office, fanned out by the cohort."""
        state = self._state
        if request.request_id in state.operations or state.ended or state.closing_done:
            return
        count = notices.announcement(state, request, workflow.now())
        self._done(request, f"announcement to {count} participant(s)", [], queued=count, operation="announce")
