"""The program office's decision on a new time a participant proposed from their
calendar (iTIP COUNTER): approving moves the session as ``ops.py reschedule`` does;
refusing tells the proposer's calendar (DECLINECOUNTER). Workflow code: the new time
is shown on the pair's clock by the planner's activity."""

from __future__ import annotations

from datetime import datetime

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from mentoring.messages import MessageKind
    from mentoring.operations import ApproveCounter, RefuseCounter, SessionChange
    from mentoring.state import CounterProposal, CounterStatus, PairState, SessionState
    from workflows import notices
    from workflows import validation as check
    from workflows.agenda import session_at
    from workflows.changes import moved_slot, reschedule
    from workflows.letters import participants
    from workflows.planner import Planner
    from workflows.replies import pending_counter


def proposal_for(state: PairState, place: int) -> tuple[SessionState, CounterProposal]:
    """The session numbered ``place`` and the new time waiting for a decision on it."""
    session = session_at(state, place)
    proposal = pending_counter(state, session.number) if session else None
    if session is None or proposal is None:
        raise check.reject(f"no proposed new time waits for a decision on session {place} (see ops.py show)")
    return session, proposal


def check_approve(state: PairState, request: ApproveCounter, now: datetime) -> None:
    check.changeable(state, "approve a proposed time")
    session, proposal = proposal_for(state, request.session_number)
    if session.starts_at <= now:
        raise check.reject(f"session {request.session_number} is in the past")
    if proposal.starts_at <= now:
        raise check.reject("the proposed time is in the past; refuse it, or reschedule the session")


def check_refuse(state: PairState, request: RefuseCounter) -> None:
    check.changeable(state, "refuse a proposed time")
    proposal_for(state, request.session_number)


class Counters:
    def __init__(self, state: PairState, planner: Planner) -> None:
        self._state = state
        self._planner = planner

    async def approve(self, request: ApproveCounter) -> tuple[str, list[SessionChange]]:
        """Call with the pair's lock held."""
        session, proposal = proposal_for(self._state, request.session_number)
        local = await self._planner.wall_clock(proposal.starts_at)
        # The session keeps its length; the proposal gives its start.
        change = reschedule(session, moved_slot(session, local, proposal.starts_at), workflow.now())
        proposal.status = CounterStatus.APPROVED
        summary = f"session {request.session_number} moved to {local:%Y-%m-%d %H:%M} {session.timezone}, as proposed"
        return summary, [change] if change else []

    def refuse(self, request: RefuseCounter, now: datetime) -> str:
        session, proposal = proposal_for(self._state, request.session_number)
        proposal.status = CounterStatus.REFUSED
        proposer = [p for p in participants(self._state) if p.role == proposal.role]
        event = f"counter-declined-{session.number}-{self._state.counters.index(proposal) + 1}"
        notices.queue(self._state, event, MessageKind.COUNTER_DECLINED, proposer, now,
                      session_number=session.number, counter_start=proposal.starts_at,
                      counter_end=proposal.ends_at)  # fmt: skip
        return f"the new time proposed for session {request.session_number} is refused; the {proposal.role.value} hears"
