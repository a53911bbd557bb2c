"""The decision on a new time a participant proposed from their calendar (iTIP
COUNTER): approving moves the session as ``ops.py reschedule`` does; refusing tells the
proposer's calendar (DECLINECOUNTER). On arrival every proposal is held against the
rules that make a time approvable at all (``workflows.attendance``); one that breaks
them goes to the office without the approve command, and ``approve-counter`` refuses it
(checked again then: the plan may have changed). Otherwise the program office decides,
or, in a cohort that says so (``proposed_times.auto_approve``), the pair itself when
both participants can attend. Workflow code: the new time is shown on the pair's and
the participants' clocks by the planner's activities."""

from __future__ import annotations

from datetime import datetime

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from mentoring.cohort import Program
    from mentoring.messages import MessageKind
    from mentoring.operations import ApproveCounter, RefuseCounter, SessionChange
    from mentoring.plan import LocalSpan
    from mentoring.replies import CounterHold, HoldReason
    from mentoring.state import CounterProposal, CounterStatus, PairState, SessionState
    from workflows import attendance, notices
    from workflows import reply_bounds as bounds
    from workflows import validation as check
    from workflows.agenda import session_at
    from workflows.answers import session_of
    from workflows.attendance import Clocks
    from workflows.changes import moved_slot, moved_summary, reschedule
    from workflows.letters import participants, program_office
    from workflows.planner import Planner
    from workflows.replies import office_decides, pending_counter


def proposal_for(state: PairState, place: int) -> tuple[SessionState, CounterProposal]:
    """The session numbered ``place`` and the new time waiting for a decision on it."""
    session = session_at(state, place)
    proposal = pending_counter(state, session.number) if session else None
    if session is None or proposal is None:
        raise check.reject(f"no proposed new time waits for a decision on session {place} (see ops.py show)")
    return session, proposal


def check_approve(state: PairState, program: Program, request: ApproveCounter, now: datetime) -> None:
    check.changeable(state, "approve a proposed time")
    session, proposal = proposal_for(state, request.session_number)
    if session.starts_at <= now:
        raise check.reject(f"session {request.session_number} is in the past")
    if proposal.starts_at <= now:
        raise check.reject("the proposed time is in the past; refuse it, or reschedule the session")
    # Instants only: the program window needs the pair's clock, which the handler asks for.
    if attendance.changed_since(session, proposal, now):
        _refuse_approval(program, [CounterHold(reason=HoldReason.SESSION_CHANGED)])
    _refuse_approval(program, attendance.clashes(state, session, proposal))


def _refuse_approval(program: Program, blocked: list[CounterHold]) -> None:
    if blocked:
        why = "; ".join(attendance.describe(hold, program.proposed_times) for hold in blocked)
        raise check.reject(f"the proposed time cannot be approved: {why}; refuse it, or reschedule the session")


def check_refuse(state: PairState, request: RefuseCounter) -> None:
    check.changeable(state, "refuse a proposed time")
    proposal_for(state, request.session_number)


class Counters:
    def __init__(self, state: PairState, program: Program, planner: Planner) -> None:
        self._state = state
        self._program = program
        self._planner = planner

    async def approve(self, request: ApproveCounter) -> tuple[str, list[SessionChange]]:
        """Call with the pair's lock held. Refuses, changing nothing, a time that cannot
        be approved as the plan stands now (the validator could not see the pair's clock)."""
        session, proposal = proposal_for(self._state, request.session_number)
        local = await self._planner.wall_clock(proposal.starts_at)
        now = workflow.now()
        _refuse_approval(
            self._program, attendance.cannot_approve(self._state, self._program, session, proposal, local, now)
        )
        change = _move(session, proposal, local, CounterStatus.APPROVED)
        summary = moved_summary(self._state, session, request.session_number, local, ", as proposed")
        return summary, [change] if change else []

    async def on_arrival(self, proposal: CounterProposal) -> str:
        """Call with the pair's lock held. Holds a proposal that just came against the
        rules (all of them, in a cohort that approves by itself the times both can
        attend); says, for the reply's answer, what became of it."""
        state, program = self._state, self._program
        session = session_of(state, proposal.session_number)
        if proposal.status != CounterStatus.PENDING or session is None:
            return "; decided meanwhile"
        clocks = await self._clocks(session, proposal)
        # The activity took a moment: the rules see the session as it is now.
        now = workflow.now()
        if isinstance(clocks, Clocks):
            broken = attendance.holds(state, program, session, proposal, clocks, now)
            # In a storm of proposals the office decides, without an email: approving
            # by itself would mail both calendars and the office each time.
            if not broken and bounds.office_may_hear(state, proposal, now):
                return self._approve_by_itself(session, proposal, clocks, now)
        else:
            broken = attendance.cannot_approve(state, program, session, proposal, clocks.start, now)
        proposal.holds = broken
        proposal.remark = attendance.remark(broken, program.proposed_times) if broken else None
        office_decides(state, program, proposal, now)
        return "; the program office decides" + (f" ({proposal.remark})" if proposal.remark else "")

    async def _clocks(self, session: SessionState, proposal: CounterProposal) -> Clocks | LocalSpan:
        """The session at the proposed time on the pair's clock, and, when the cohort
        approves by itself the times both can attend, on each participant's."""
        ends_at = attendance.moved_end(session, proposal)
        if not self._program.proposed_times.auto_approve:
            (meeting,) = await self._planner.on_clocks(proposal.starts_at, ends_at, [session.timezone])
            return meeting
        state = self._state
        assert state.mentor is not None and state.mentee is not None
        zones = [session.timezone, state.mentor.timezone, state.mentee.timezone]
        spans = await self._planner.on_clocks(proposal.starts_at, ends_at, zones)
        return Clocks(meeting=spans[0], mentor=spans[1], mentee=spans[2])

    def _approve_by_itself(
        self, session: SessionState, proposal: CounterProposal, clocks: Clocks, now: datetime
    ) -> str:
        state = self._state
        moved_from = session.starts_at
        _move(session, proposal, clocks.meeting.start, CounterStatus.AUTO_APPROVED)
        proposal.remark = attendance.both_can_attend(clocks)
        bounds.office_hears(state, proposal, now)
        event = f"counter-approved-{session.number}-{bounds.number(state, proposal)}"
        notices.queue(state, event, MessageKind.COUNTER_AUTO_APPROVED, [program_office(self._program, state)], now,
                      session_number=session.number, note=proposal.role.value, moved_from=moved_from)  # fmt: skip
        return f"; approved automatically, {proposal.remark}"

    def refuse(self, request: RefuseCounter, now: datetime) -> str:
        session, proposal = proposal_for(self._state, request.session_number)
        proposal.status = CounterStatus.REFUSED
        proposer = [p for p in participants(self._state) if p.role == proposal.role]
        event = f"counter-declined-{session.number}-{bounds.number(self._state, proposal)}"
        notices.queue(self._state, event, MessageKind.COUNTER_DECLINED, proposer, now,
                      session_number=session.number, counter_start=proposal.starts_at,
                      counter_end=proposal.ends_at)  # fmt: skip
        return f"the new time proposed for session {request.session_number} is refused; the {proposal.role.value} hears"


def _move(
    session: SessionState, proposal: CounterProposal, local: datetime, status: CounterStatus
) -> SessionChange | None:
    """The one way a proposal is approved, by the office or by the rule: as the office's
    reschedule, SEQUENCE+1 for both calendars. The session keeps its length; the
    proposal gives its start."""
    proposal.status = status
    return reschedule(session, moved_slot(session, local, proposal.starts_at), workflow.now())
