"""One mentor/mentee pair: a single long-lived workflow for the whole program.

The run loop asks the agenda what is due, waits for it and does it. Operations
arrive as updates: a validator rejects bad input before anything enters history,
the handler changes the state, and the agenda follows.
"""

from __future__ import annotations

import asyncio
import math
from datetime import date, datetime, time, timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from mentoring import search_attributes as sa
    from mentoring.cohort import Role
    from mentoring.messages import MessageKind, Recipient
    from mentoring.operations import (
        Announcement,
        Audience,
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
        SessionChangeKind,
        WithdrawParticipant,
    )
    from mentoring.plan import Instants, LocalTimes, PlannedSession, PlanRequest, SessionPlan, add_months
    from mentoring.state import (
        EndRecord,
        OutgoingMessage,
        PairProgramInput,
        PairProgramResult,
        PairProgress,
        PairState,
        PauseRecord,
        ProgramPhase,
        CancelledBy,
        SessionState,
        SessionStatus,
    )
    from workflows import validation as check
    from workflows.agenda import Action, Due, active_sessions, current_phase, due_items, needs_cancellation
    from workflows.changes import (
        add_session,
        apply_plan,
        cancel_session,
        free_slots,
        numbered,
        reschedule,
        restore_pinned,
        restyle_pinned,
        session_uid,
        upcoming,
    )
    from workflows.courier import Courier
    from workflows.letters import LetterWriter, participant, participants, program_office, recipients_of

def describe_rhythm(request: ChangeRhythm) -> str:
    parts = []
    if request.weekday:
        parts.append(f"on {request.weekday.value.capitalize()}s")
    if request.local_time:
        parts.append(f"at {request.local_time:%H:%M}")
    if request.length_minutes:
        parts.append(f"{request.length_minutes} minutes")
    if request.cadence:
        parts.append(request.cadence.value.replace("_", " "))
    if request.location:
        parts.append(f"in {request.location}")
    return ", ".join(parts)


def _milestones(progress: PairProgress) -> tuple:
    return (
        progress.phase,
        progress.sessions_held,
        progress.sessions_planned,
        progress.messages_failed,
        progress.finished,
    )


PLANNING_RETRY = RetryPolicy(maximum_interval=timedelta(minutes=1), non_retryable_error_types=["ZoneInfoNotFoundError"])


@workflow.defn
class PairProgramWorkflow:
    @workflow.init
    def __init__(self, input: PairProgramInput) -> None:
        self._input = input
        self._program = input.program
        state = self._state = input.state or PairState()
        state.mentor = state.mentor or input.pair.mentor
        state.mentee = state.mentee or input.pair.mentee
        state.pattern = state.pattern or input.pair.pattern
        self._workflow_id = workflow.info().workflow_id
        self._letters = LetterWriter(self._workflow_id, input.program, input.pair.id, state)
        self._courier = Courier(state, input.program, input.pair.id, self._letters)
        self._agenda_changed = False
        # Operations that await activities must not interleave with each other.
        self._lock = asyncio.Lock()
        self._last_progress: PairProgress | None = None
        self._published: tuple | None = None

    @workflow.run
    async def run(self, input: PairProgramInput) -> PairProgramResult:
        state = self._state
        if state.started_at is None:
            state.started_at = workflow.now()
        if not state.sessions and state.program_end is None:
            await self._plan()
        while True:
            if workflow.info().is_continue_as_new_suggested():
                await workflow.wait_condition(workflow.all_handlers_finished)
                workflow.continue_as_new(
                    PairProgramInput(
                        program=input.program,
                        pair=input.pair,
                        cohort_workflow_id=input.cohort_workflow_id,
                        state=state,
                    )
                )
            items = due_items(state, self._program)
            if not items and state.paused is None:
                break
            if not items:
                # Paused until resumed: nothing is due until an operation says so.
                self._publish(None)
                self._agenda_changed = False
                await workflow.wait_condition(lambda: self._agenda_changed)
                continue
            now = workflow.now()
            if items[0].at > now:
                if self._reports_milestones():
                    # Everything due has been done: one report for all of it, if it matters.
                    await self._report_progress()
                await self._wait_for(items[0], now)
                # Woken by an operation: the cohort hears about the new plan at once. Histories
                # recorded before this change replay without the extra signal.
                if workflow.patched("report-progress-after-operations"):
                    await self._report_progress()
                continue
            # One at a time, re-reading the agenda: an operation may change it meanwhile.
            await self._perform(items[0])
            state.phase = current_phase(state)
            if not self._reports_milestones():
                await self._report_progress()
        # Operations that arrived at the very end still get their answer.
        await workflow.wait_condition(workflow.all_handlers_finished)
        state.phase = current_phase(state)
        self._publish(None)
        await self._report_progress(finished=True)
        return self._result()

    async def _wait_for(self, item: Due, now: datetime) -> None:
        self._publish(item)
        self._agenda_changed = False
        try:
            await workflow.wait_condition(
                lambda: self._agenda_changed,
                timeout=item.at - now,
                timeout_summary=f"wait for {item.label()}",
            )
        except asyncio.TimeoutError:
            pass

    # ------------------------------------------------------------------ planning

    async def _plan(self) -> None:
        program, pattern = self._program, self._state.pattern
        assert pattern is not None
        plan = self._input.plan or await self._plan_sessions(
            PlanRequest(
                start_date=program.start_date,
                duration_months=program.duration_months,
                pattern=pattern,
                not_before=workflow.now(),
            )
        )
        # Now in the state; not kept twice in every cached pair.
        self._input.plan = None
        state = self._state
        # Pairs recorded before the welcome moved to the first invite replay sending it at once.
        state.welcome_with_first_invite = workflow.patched("welcome-with-first-invite")
        state.sessions = [
            SessionState(
                number=s.number,
                uid=session_uid(self._workflow_id, s.number),
                starts_at=s.starts_at,
                ends_at=s.ends_at,
                local_start=s.local_start,
                timezone=s.timezone,
                location=s.location,
            )
            for s in plan.sessions
        ]
        state.midpoint_at = plan.midpoint_at
        state.closing_at = plan.closing_at
        state.program_end = plan.program_end
        state.six_month_end = add_months(program.start_date, 6)
        state.rhythm_anchor = plan.sessions[0].local_start.date() if plan.sessions else program.start_date

    async def _plan_sessions(self, request: PlanRequest) -> SessionPlan:
        return await workflow.execute_activity(
            "plan_sessions",
            request,
            result_type=SessionPlan,
            start_to_close_timeout=timedelta(seconds=30),
            retry_policy=PLANNING_RETRY,
            summary="plan sessions in the pair's time zone",
        )

    async def _instants(self, local: list[datetime]) -> list[datetime]:
        assert self._state.pattern is not None
        result = await workflow.execute_activity(
            "localize_times",
            LocalTimes(timezone=self._state.pattern.timezone, local=local),
            result_type=Instants,
            start_to_close_timeout=timedelta(seconds=30),
            retry_policy=PLANNING_RETRY,
            summary="convert local times in the pair's time zone",
        )
        return result.instants

    async def _replan(self, start: date, end: date, not_before: datetime, restart: bool = False) -> SessionPlan:
        assert self._state.pattern is not None
        return await self._plan_sessions(
            PlanRequest(
                start_date=start,
                duration_months=self._program.duration_months,
                end_date=end,
                pattern=self._state.pattern,
                not_before=not_before,
                restart=restart,
            )
        )

    # ------------------------------------------------------------------ doing what is due

    def _session(self, number: int) -> SessionState:
        return next(s for s in self._state.sessions if s.number == number)

    def _requests(
        self, kind: MessageKind, session: SessionState | None = None, note: str | None = None, everyone: bool = False
    ):
        now = workflow.now()
        recipients = participants(self._state, include_vacant=everyone)
        return [self._letters.request(kind, r, now, session, note=note) for r in recipients]

    async def _perform(self, item: Due) -> None:
        state, courier = self._state, self._courier
        session = self._session(item.session_number) if item.session_number else None
        if item.action == Action.OUTBOX:
            message = next(m for m in state.outbox if m.event == item.event)
            await courier.send(self._letters.outgoing(message, workflow.now()), item.at)
            state.outbox.remove(message)
        elif item.action == Action.WELCOME:
            await courier.send_all(self._requests(MessageKind.WELCOME), item.at)
            state.welcome_done = True
        elif item.action == Action.CANCEL:
            assert session is not None
            # A participant who just withdrew gets the cancellation too: their calendar must be cleared.
            requests = self._requests(MessageKind.INVITE_CANCEL, session, session.cancel_reason, everyone=True)
            if workflow.patched("cancel-only-those-invited"):
                # Nobody is sent a cancellation for a session that was never in their calendar.
                requests = [r for r in requests if r.recipient.email.casefold() in session.invited_to]
            await courier.send_all(requests, item.at)
            session.cancel_sent = True
        elif item.action == Action.INVITE:
            assert session is not None
            sequence = session.sequence
            requests = self._requests(MessageKind.INVITE, session)
            await courier.send_all(requests, item.at)
            session.invited_sequence = sequence
            for request in requests:
                if request.recipient.email.casefold() not in session.invited_to:
                    session.invited_to.append(request.recipient.email.casefold())
            if session.status == SessionStatus.PLANNED:
                session.status = SessionStatus.INVITED
        elif item.action == Action.REMINDER:
            assert session is not None
            sequence = session.sequence
            await courier.send_all(self._requests(MessageKind.REMINDER, session), item.at)
            # Moved while the reminder went out: the new time gets its own reminder.
            session.reminder_done = session.sequence == sequence
        elif item.action == Action.REFLECTION:
            assert session is not None
            session.status = SessionStatus.HELD
            await courier.send_all(self._requests(MessageKind.REFLECTION, session), item.at)
            session.reflection_done = True
        elif item.action == Action.MIDPOINT:
            await courier.send_all(self._requests(MessageKind.MIDPOINT_REVIEW), item.at)
            state.midpoint_done = True
            state.sessions_held_at_midpoint = state.sessions_held
        elif item.action == Action.CLOSING:
            note = state.ended.reason if state.ended else None
            await courier.send_all(self._requests(MessageKind.CLOSING_REVIEW, note=note), item.at)
            office = program_office(self._program, state)
            await courier.send(
                self._letters.request(MessageKind.COMPLETION_NOTICE, office, workflow.now(), note=note), item.at
            )
            state.closing_done = True
        elif item.action == Action.RESUME:
            async with self._lock:
                self._resume(await self._resume_plan(), workflow.now(), notify=participants(self._state))

    # ------------------------------------------------------------------ operations

    @workflow.query
    def state(self) -> PairState:
        return self._state

    @workflow.query
    def applied_operation(self, request: LookupOperation) -> PastOperation:
        """So that running a command again can say it was applied already."""
        return PastOperation(result=self._state.operations.get(request.request_id))

    @workflow.update
    async def reschedule_session(self, request: RescheduleSession) -> OperationResult:
        if done := self._state.operations.get(request.request_id):
            return done
        async with self._lock:
            now = workflow.now()
            session = self._session_to_change(request.session_number, now)
            [starts_at] = await self._instants([request.new_local_start])
            if starts_at <= workflow.now():
                raise check.reject(f"new time {request.new_local_start:%Y-%m-%d %H:%M} is in the past")
            slot = PlannedSession(
                number=session.number,
                starts_at=starts_at,
                ends_at=starts_at + (session.ends_at - session.starts_at),
                local_start=request.new_local_start,
                timezone=session.timezone,
                location=session.location,
            )
            changes = [c for c in [reschedule(session, slot, workflow.now(), self._keeps_decisions())] if c]
            summary = f"session {request.session_number} moved to {request.new_local_start:%Y-%m-%d %H:%M} {session.timezone}"
            return self._done(request.request_id, "reschedule_session", summary if changes else "nothing to change", changes)

    @reschedule_session.validator
    def _check_reschedule(self, request: RescheduleSession) -> None:
        if self._is_repeat(request.request_id):
            return
        state, now = self._checked_state("reschedule a session")
        check.session_to_change(state, request.session_number, now)
        check.check_local_time("new time", request.new_local_start, state, self._program.start_date, now)

    @workflow.update
    async def cancel_session(self, request: CancelSession) -> OperationResult:
        if done := self._state.operations.get(request.request_id):
            return done
        async with self._lock:
            now = workflow.now()
            session = self._session_to_change(request.session_number, now)
            changes = [cancel_session(session, request.reason, now, CancelledBy.OFFICE)]
            summary = f"session {request.session_number} cancelled"
            if request.replacement_local_start is not None:
                [starts_at] = await self._instants([request.replacement_local_start])
                if starts_at <= workflow.now():
                    raise check.reject(f"replacement {request.replacement_local_start:%Y-%m-%d %H:%M} is in the past")
                slot = PlannedSession(
                    number=0,
                    starts_at=starts_at,
                    ends_at=starts_at + (session.ends_at - session.starts_at),
                    local_start=request.replacement_local_start,
                    timezone=session.timezone,
                    location=session.location,
                )
                keep = self._keeps_decisions()
                added = add_session(self._state, self._workflow_id, slot, workflow.now() if keep else None, pinned=keep)
                changes.append(added)
                summary += f"; replacement on {request.replacement_local_start:%Y-%m-%d %H:%M}"
            return self._done(request.request_id, "cancel_session", summary, changes)

    @cancel_session.validator
    def _check_cancel(self, request: CancelSession) -> None:
        if self._is_repeat(request.request_id):
            return
        state, now = self._checked_state("cancel a session")
        check.session_to_change(state, request.session_number, now)
        check.check_text("reason", request.reason)
        if request.replacement_local_start is not None:
            check.check_local_time("replacement", request.replacement_local_start, state, self._program.start_date, now)

    @workflow.update
    async def change_rhythm(self, request: ChangeRhythm) -> OperationResult:
        if done := self._state.operations.get(request.request_id):
            return done
        async with self._lock:
            state = self._state
            assert state.pattern is not None and state.program_end is not None
            fields = request.model_dump(exclude={"request_id"}, exclude_none=True)
            state.pattern = state.pattern.model_copy(update=fields)
            now = workflow.now()
            plan = await self._replan(now.date() - timedelta(days=1), state.program_end, now, restart=True)
            keep = self._keeps_decisions()
            changes = apply_plan(state, self._workflow_id, plan.sessions, workflow.now(), "the rhythm changed", keep)
            if keep:
                changes += restyle_pinned(state, workflow.now(), request.length_minutes, request.location)
            if plan.sessions:
                state.rhythm_anchor = plan.sessions[0].local_start.date()
            if not state.closing_done:
                state.closing_at = plan.closing_at
            return self._done(request.request_id, "change_rhythm", f"remaining sessions now: {describe_rhythm(request)}", changes)

    @change_rhythm.validator
    def _check_change_rhythm(self, request: ChangeRhythm) -> None:
        if self._is_repeat(request.request_id):
            return
        self._checked_state("change the rhythm")
        fields = request.model_dump(exclude={"request_id"}, exclude_none=True)
        if not fields:
            raise check.reject("say what to change: weekday, time, length, location or cadence")
        if request.length_minutes is not None and not 15 <= request.length_minutes <= 240:
            raise check.reject(f"length {request.length_minutes} minutes is outside 15..240")
        check.check_one_line("location", request.location, required=False)

    @workflow.update
    async def pause(self, request: PausePair) -> OperationResult:
        if done := self._state.operations.get(request.request_id):
            return done
        async with self._lock:
            resume_at = None
            if request.until is not None:
                [resume_at] = await self._instants([datetime.combine(request.until + timedelta(days=1), time(0))])
            changes = self._pause(request.reason, request.until, resume_at, notify=participants(self._state))
            until = f"until {request.until}" if request.until else "until resumed"
            return self._done(request.request_id, "pause", f"paused {until}; {len(changes)} session(s) cancelled", changes)

    @pause.validator
    def _check_pause(self, request: PausePair) -> None:
        if self._is_repeat(request.request_id):
            return
        state, now = self._checked_state("pause again")
        check.check_text("reason", request.reason)
        if request.until is not None and request.until < now.date() - timedelta(days=1):
            raise check.reject(f"pause end {request.until} is in the past")

    @workflow.update
    async def resume(self, request: ResumePair) -> OperationResult:
        if done := self._state.operations.get(request.request_id):
            return done
        async with self._lock:
            changes = self._resume(await self._resume_plan(), workflow.now(), notify=participants(self._state))
            state = self._state
            summary = f"resumed; program now ends {state.program_end}"
            return self._done(request.request_id, "resume", summary, changes)

    @resume.validator
    def _check_resume(self, request: ResumePair) -> None:
        if self._is_repeat(request.request_id):
            return
        state = self._planned_state()
        check.check_running(state)
        if state.paused is None:
            raise check.reject("the pair is not paused")
        if state.vacant_role is not None:
            raise check.reject(f"the {state.vacant_role.value} has withdrawn; replace them to resume")

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
            plan = await self._replan(state.rhythm_anchor, state.program_end, max(after, workflow.now()))
            if keep := self._keeps_decisions():
                plan.sessions = free_slots(state, plan.sessions)
            added_at = workflow.now() if keep else None
            changes = [add_session(state, self._workflow_id, slot, added_at) for slot in plan.sessions]
            if not state.closing_done:
                state.closing_at = plan.closing_at
            summary = f"extended by {request.weeks} week(s) to {state.program_end}; {len(changes)} session(s) added"
            return self._done(request.request_id, "extend", summary, changes)

    @extend.validator
    def _check_extend(self, request: ExtendProgram) -> None:
        if self._is_repeat(request.request_id):
            return
        self._checked_state("extend the program")
        if not 1 <= request.weeks <= 26:
            raise check.reject(f"extend by 1 to 26 weeks, not {request.weeks}")

    @workflow.update
    def end_program(self, request: EndProgram) -> OperationResult:
        if done := self._state.operations.get(request.request_id):
            return done
        changes = self._end(request)
        return self._done(request.request_id, "end_program", f"program ended: {request.reason}", changes)

    @end_program.validator
    def _check_end(self, request: EndProgram) -> None:
        if self._is_repeat(request.request_id):
            return
        check.check_running(self._planned_state())
        check.check_text("reason", request.reason)

    @workflow.signal
    def end_from_cohort(self, request: EndProgram) -> None:
        """The cohort ends or withdraws this pair. Signals cannot be rejected, so a
        pair that already finished ignores it."""
        state = self._state
        if request.request_id in state.operations or state.ended or state.closing_done or state.program_end is None:
            return
        changes = self._end(request)
        self._done(request.request_id, "end_program", f"program ended by the cohort: {request.reason}", changes)

    @workflow.update
    async def withdraw_participant(self, request: WithdrawParticipant) -> OperationResult:
        if done := self._state.operations.get(request.request_id):
            return done
        async with self._lock:
            state = self._state
            reason = f"the {request.role.value} withdrew: {request.reason}"
            # The leaver's calendar is cleared too; only the partner hears about the pause.
            staying = [p for p in participants(state) if p.role != request.role]
            changes = self._pause(reason, None, None, notify=staying)
            state.vacant_role = request.role
            summary = f"{request.role.value} withdrawn; the pair is paused until a replacement joins"
            return self._done(request.request_id, "withdraw_participant", summary, changes)

    @withdraw_participant.validator
    def _check_withdraw(self, request: WithdrawParticipant) -> None:
        if self._is_repeat(request.request_id):
            return
        state, _ = self._checked_state("withdraw a participant")
        if request.role == Role.PROGRAM_OFFICE:
            raise check.reject("only the mentor or the mentee can be withdrawn")
        check.check_text("reason", request.reason)

    @workflow.update
    async def replace_participant(self, request: ReplaceParticipant) -> OperationResult:
        if done := self._state.operations.get(request.request_id):
            return done
        async with self._lock:
            state, now = self._state, workflow.now()
            newcomer = participant(request.role, request.person)
            self._cancellations_for_leaver(request, now)
            if state.vacant_role == request.role:
                self._set_person(request)
                state.vacant_role = None
                partner = [p for p in participants(state) if p.role != request.role]
                self._queue_introductions(request, newcomer, partner, now)
                changes = self._resume(await self._resume_plan(), workflow.now(), notify=partner)
            else:
                changes = self._hand_over(request, now)
                partner = [p for p in participants(state) if p.role != request.role]
                self._queue_introductions(request, newcomer, partner, now)
            summary = f"{request.role.value} is now {request.person.name}"
            result = self._done(request.request_id, "replace_participant", summary, changes)
        await self._tell_cohort(ParticipantReplaced(pair_id=self._input.pair.id, role=request.role, person=request.person))
        return result

    async def _tell_cohort(self, change: ParticipantReplaced) -> None:
        """The cohort keeps who is in which pair, so that nobody joins a second one."""
        cohort_id = self._input.cohort_workflow_id
        if cohort_id is None or not workflow.patched("tell-cohort-of-replacements"):
            return
        try:
            await workflow.get_external_workflow_handle(cohort_id).signal("participant_replaced", change)
        except Exception:
            workflow.logger.info("cohort %s did not take the replacement", cohort_id)

    @replace_participant.validator
    def _check_replace(self, request: ReplaceParticipant) -> None:
        if self._is_repeat(request.request_id):
            return
        state = self._planned_state()
        check.check_running(state)
        if request.role == Role.PROGRAM_OFFICE:
            raise check.reject("only the mentor or the mentee can be replaced")
        current = state.mentor if request.role == Role.MENTOR else state.mentee
        partner = state.mentee if request.role == Role.MENTOR else state.mentor
        assert current is not None and partner is not None
        check.check_person(request.role, request.person, partner)
        if state.vacant_role != request.role and current.email.casefold() == request.person.email.casefold():
            raise check.reject(f"{request.person.email} is already the {request.role.value}")
        if state.vacant_role not in (None, request.role):
            raise check.reject(f"the {state.vacant_role.value} has withdrawn; replace them first")
        check.check_text("reason", request.reason)

    @workflow.signal
    def announce(self, request: Announcement) -> None:
        """An announcement from the program office, fanned out by the cohort."""
        state = self._state
        if request.request_id in state.operations or state.ended or state.closing_done:
            return
        roles = {Audience.ALL: (Role.MENTOR, Role.MENTEE), Audience.MENTORS: (Role.MENTOR,), Audience.MENTEES: (Role.MENTEE,)}
        now = workflow.now()
        recipients = [p for p in participants(state) if p.role in roles[request.audience]]
        for recipient in recipients:
            state.outbox.append(
                OutgoingMessage(
                    event=f"announcement-{request.request_id}",
                    kind=MessageKind.ANNOUNCEMENT,
                    recipient=recipient,
                    due_at=now,
                    announcement_subject=request.subject,
                    announcement_body=request.body,
                )
            )
        self._done(request.request_id, "announce", f"announcement to {len(recipients)} participant(s)", [], len(recipients))

    # ------------------------------------------------------------------ what operations do

    def _pause(
        self, reason: str, until: date | None, resume_at: datetime | None, notify: list[Recipient]
    ) -> list[SessionChange]:
        state, now = self._state, workflow.now()
        changes = [
            cancel_session(s, f"paused: {reason}", now, CancelledBy.PAUSE)
            for s in upcoming(state, now)
            if until is None or s.local_start.date() <= until
        ]
        state.pauses.append(PauseRecord(reason=reason, started_at=now, until=until, resume_at=resume_at))
        for recipient in notify:
            state.outbox.append(
                OutgoingMessage(
                    event=f"pause-{len(state.pauses)}",
                    kind=MessageKind.PROGRAM_PAUSED,
                    recipient=recipient,
                    due_at=now,
                    note=reason,
                    paused_until=until,
                )
            )
        return changes

    async def _resume_plan(self) -> SessionPlan:
        state, now = self._state, workflow.now()
        pause = state.paused
        assert pause is not None and state.program_end is not None
        # The pause's length is added to the program; the reviews move with it.
        extra_days = math.ceil((now - pause.started_at) / timedelta(days=1))
        return await self._replan(
            now.date() - timedelta(days=1), state.program_end + timedelta(days=extra_days), now, restart=True
        )

    def _resume(self, plan: SessionPlan, now: datetime, notify: list[Recipient]) -> list[SessionChange]:
        state = self._state
        pause = state.paused
        assert pause is not None and state.program_end is not None
        pause.resumed_at = now
        length = now - pause.started_at
        state.program_end = plan.program_end
        if not state.midpoint_done and state.midpoint_at is not None:
            state.midpoint_at += length
        for session in active_sessions(state):
            if session.ends_at <= now:
                # Held before the pause; its prompts are no longer timely.
                session.status = SessionStatus.HELD
                session.reminder_done = session.reflection_done = True
        changes = []
        if keep := self._keeps_decisions():
            changes += restore_pinned(state, self._workflow_id, now)
        changes += apply_plan(state, self._workflow_id, plan.sessions, now, "re-planned after the pause", keep)
        if plan.sessions:
            state.rhythm_anchor = plan.sessions[0].local_start.date()
        if not state.closing_done:
            state.closing_at = plan.closing_at
        for recipient in notify:
            state.outbox.append(
                OutgoingMessage(
                    event=f"resume-{len(state.pauses)}",
                    kind=MessageKind.PROGRAM_RESUMED,
                    recipient=recipient,
                    due_at=now,
                )
            )
        state.phase = current_phase(state)
        return changes

    def _end(self, request: EndProgram) -> list[SessionChange]:
        state, now = self._state, workflow.now()
        changes = [cancel_session(s, f"program ended: {request.reason}", now, CancelledBy.END) for s in upcoming(state, now)]
        if state.paused is not None:
            state.paused.resumed_at = now
        state.ended = EndRecord(reason=request.reason, at=now, closing_review=request.closing_review)
        state.midpoint_done = True
        if request.closing_review and not state.closing_done:
            state.closing_at = now
        else:
            state.closing_done = True
        # Nobody left to hear about a pause or a resumption.
        state.outbox = [m for m in state.outbox if m.kind not in (MessageKind.PROGRAM_RESUMED, MessageKind.PROGRAM_PAUSED)]
        state.phase = current_phase(state)
        return changes

    def _set_person(self, request: ReplaceParticipant) -> None:
        if request.role == Role.MENTOR:
            self._state.mentor = request.person
        else:
            self._state.mentee = request.person

    def _hand_over(self, request: ReplaceParticipant, now: datetime) -> list[SessionChange]:
        """The leaver's invites are cancelled; the newcomer and the partner get the
        same sessions again with SEQUENCE+1, naming the new attendee."""
        state = self._state
        changes = []
        for session in upcoming(state, now):
            if session.invited_sequence is None:
                continue
            # Two changes, two SEQUENCEs: the leaver's CANCEL, then the REQUEST naming
            # the newcomer (sent by the agenda at ``sequence``).
            session.sequence += 1
            session.updated_at = now
            self._cancel_for_leaver(request, session, now)
            session.sequence += 1
            changes.append(
                SessionChange(
                    session_number=session.number, change=SessionChangeKind.UPDATED, local_start=session.local_start
                )
            )
        self._set_person(request)
        return changes

    def _cancellations_for_leaver(self, request: ReplaceParticipant, now: datetime) -> None:
        """Cancellations still on their way (a withdrawal seconds ago) go to the leaver,
        not to whoever holds the role when they are sent."""
        if not workflow.patched("cancel-only-those-invited"):
            return
        leaver = self._state.mentor if request.role == Role.MENTOR else self._state.mentee
        assert leaver is not None
        for session in self._state.sessions:
            if needs_cancellation(session) and leaver.email.casefold() in session.invited_to:
                self._cancel_for_leaver(request, session, now)
                session.invited_to.remove(leaver.email.casefold())

    def _cancel_for_leaver(self, request: ReplaceParticipant, session: SessionState, now: datetime) -> None:
        state = self._state
        leaver = participant(request.role, state.mentor if request.role == Role.MENTOR else state.mentee)
        state.outbox.append(
            OutgoingMessage(
                event=f"session-{session.number}-leaver-cancel",
                kind=MessageKind.INVITE_CANCEL,
                recipient=leaver,
                due_at=now,
                session_number=session.number,
                sequence=session.sequence,
                note=request.reason,
                # The pair as it was, so the cancellation names the leaver.
                mentor=state.mentor,
                mentee=state.mentee,
            )
        )

    def _queue_introductions(
        self, request: ReplaceParticipant, newcomer: Recipient, partner: list[Recipient], now: datetime
    ) -> None:
        state = self._state
        if not state.welcome_done:
            # Nobody has been greeted yet: the welcome, still to come, introduces the new pair.
            return
        event = f"replace-{request.request_id}"
        state.outbox.append(OutgoingMessage(event=f"{event}-welcome", kind=MessageKind.WELCOME, recipient=newcomer, due_at=now))
        for recipient in partner:
            state.outbox.append(
                OutgoingMessage(
                    event=f"{event}-partner", kind=MessageKind.PARTNER_CHANGED, recipient=recipient, due_at=now, note=request.reason
                )
            )

    # ------------------------------------------------------------------ bookkeeping

    def _keeps_decisions(self) -> bool:
        # Re-plans keep the office's cancelled days and placed sessions, and sessions an
        # operation adds are invited after its notices. Histories from before replay as they were.
        return workflow.patched("keep-office-decisions")

    def _session_to_change(self, place: int, now: datetime) -> SessionState:
        if workflow.patched("sessions-by-position"):
            return check.session_to_change(self._state, place, now)
        # Requests recorded before named sessions by their stable id.
        return next(s for s in self._state.sessions if s.number == place)

    def _is_repeat(self, request_id: str) -> bool:
        return request_id in self._state.operations

    def _planned_state(self) -> PairState:
        if self._state.program_end is None:
            raise check.reject("the pair's plan is still being made; try again in a moment", check.PLAN_NOT_READY)
        return self._state

    def _checked_state(self, what: str) -> tuple[PairState, datetime]:
        state = self._planned_state()
        check.check_running(state)
        check.check_not_paused(state, what)
        return state, workflow.now()

    def _done(
        self,
        request_id: str,
        operation: str,
        summary: str,
        changes: list[SessionChange],
        queued: int | None = None,
    ) -> OperationResult:
        state = self._state
        state.phase = current_phase(state)
        if queued is None:
            now = workflow.now()
            queued = sum(recipients_of(item, state) for item in due_items(state, self._program) if item.at <= now)
        result = OperationResult(
            request_id=request_id,
            operation=operation,
            summary=summary,
            sessions=numbered(state, changes),
            messages_queued=queued,
            program_end=state.program_end,
            beyond_six_months=state.beyond_six_months,
            applied_at=workflow.now(),
        )
        state.operations[request_id] = result
        self._agenda_changed = True
        return result

    def _progress(self, next_item: Due | None) -> PairProgress:
        state = self._state
        return PairProgress(
            pair_id=self._input.pair.id,
            phase=state.phase,
            sessions_held=state.sessions_held,
            sessions_planned=len(active_sessions(state)),
            messages_sent=state.messages_sent,
            messages_failed=state.messages_failed,
            next_event_at=next_item.at if next_item else None,
        )

    def _publish(self, next_item: Due | None) -> None:
        """Search attributes and the one-line description admins see in the UI."""
        state = self._state
        published = (state.phase, state.sessions_held, next_item.at if next_item else None)
        if published != self._published:
            self._published = published
            workflow.upsert_search_attributes(
                [
                    sa.PROGRAM_PHASE.value_set(state.phase.value),
                    sa.SESSIONS_HELD.value_set(state.sessions_held),
                    sa.NEXT_EVENT_AT.value_set(next_item.at) if next_item else sa.NEXT_EVENT_AT.value_unset(),
                ]
            )
        planned = len(active_sessions(state))
        line = f"**{state.phase.value}** · {state.sessions_held} of {planned} sessions held"
        if state.paused is not None:
            line += f" · paused {'until ' + str(state.paused.until) if state.paused.until else 'until resumed'}"
        if next_item:
            line += f" · next: {next_item.label()} at {next_item.at:%Y-%m-%d %H:%M} UTC"
        if state.beyond_six_months:
            line += f" · runs past six months, to {state.program_end}"
        if state.messages_failed:
            line += f" · {state.messages_failed} message(s) failed"
        workflow.set_current_details(line)

    async def _report_progress(self, finished: bool = False) -> None:
        cohort_id = self._input.cohort_workflow_id
        upcoming_items = [] if finished else due_items(self._state, self._program)
        progress = self._progress(upcoming_items[0] if upcoming_items else None)
        progress.finished = finished
        if cohort_id is None or not self._worth_reporting(progress):
            return
        self._last_progress = progress
        try:
            await workflow.get_external_workflow_handle(cohort_id).signal("pair_progress", progress)
        except Exception:
            # The pair outlives its cohort workflow; a closed cohort just misses the news.
            workflow.logger.info("cohort %s did not take progress", cohort_id)

    def _reports_milestones(self) -> bool:
        # Every signal is a workflow task for the cohort, which all pairs share. So a pair
        # reports once it has done what is due, and only when a phase, the sessions held,
        # the plan or a failure changed; not for each message. Histories recorded before
        # this replay with a report after each step.
        return workflow.patched("report-progress-on-milestones")

    def _worth_reporting(self, progress: PairProgress) -> bool:
        last = self._last_progress
        if not self._reports_milestones():
            return last is None or progress != last
        if last is None:
            # The cohort counts a pair it started as in kickoff already. It hears from the
            # pair once something happened: the first message, or a change of phase. So
            # the 500 pairs of a cohort being started do not queue 500 signals behind it.
            return bool(progress.messages_sent or progress.messages_failed or progress.finished) or (
                progress.phase != ProgramPhase.KICKOFF
            )
        return _milestones(progress) != _milestones(last)

    def _result(self) -> PairProgramResult:
        state = self._state
        progress = self._progress(None)
        return PairProgramResult(
            cohort_id=self._program.cohort_id,
            pair_id=self._input.pair.id,
            phase=state.phase,
            sessions_planned=progress.sessions_planned,
            sessions_held=state.sessions_held,
            messages_sent=state.messages_sent,
            messages_failed=state.messages_failed,
            messages=state.messages,
        )
