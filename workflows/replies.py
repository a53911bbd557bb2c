"""What a calendar reply does to a pair: pure functions over ``PairState``.

Every reply is kept (per participant, per version of the invite). Only a reply to the
session's current version, for a session still to come, acts: a decline tells the
partner and the program office and offers the decliner a new date; a proposed new
time is first held against the rules that make a time approvable at all, and then waits
for the office's decision, unless the cohort approves by itself the times both
participants can attend (``workflows.attendance``, done in ``workflows.counters``).
What keeps a storm of replies bounded is in ``workflows.reply_bounds``.
"""

from __future__ import annotations

from datetime import UTC, datetime

from temporalio.exceptions import ApplicationError

from mentoring.cohort import Program, Role, same_address
from mentoring.messages import MessageKind
from mentoring.replies import CalendarReply, PartStat, ReplyMethod
from mentoring.state import (
    CounterProposal,
    CounterStatus,
    PairState,
    SessionState,
    SessionStatus,
    current_partstat,
)
from workflows import notices
from workflows import reply_bounds as bounds
from workflows.agenda import position
from workflows.answers import session_of
from workflows.attendance import changed_since
from workflows.letters import participants, program_office

REPLY_REFUSED = "ReplyRefused"


def refuse(message: str) -> ApplicationError:
    return ApplicationError(message, type=REPLY_REFUSED, non_retryable=True)


def role_of(state: PairState, attendee: str) -> Role | None:
    """Whose reply it is: the ATTENDEE decides, whatever the From header says."""
    for role, person in ((Role.MENTOR, state.mentor), (Role.MENTEE, state.mentee)):
        if person is not None and role != state.vacant_role and same_address(person.email, attendee):
            return role
    return None


def check_reply(state: PairState, workflow_id: str, reply: CalendarReply) -> None:
    """Refused replies change nothing; the intake files them as ignored."""
    if reply.workflow_id != workflow_id:
        raise refuse("the reply is about another pair")
    session = session_of(state, reply.session)
    if session is None:
        raise refuse("there is no such session")
    if role_of(state, reply.attendee) is None:
        raise refuse("the attendee is not in this pair")
    if reply.method == ReplyMethod.REPLY and reply.partstat is None:
        raise refuse("a reply without an answer (PARTSTAT)")
    if reply.method == ReplyMethod.COUNTER:
        if reply.proposed_start is None or reply.proposed_end is None:
            raise refuse("a proposed new time without its start and end")
        if reply.proposed_end <= reply.proposed_start:
            raise refuse("a proposed new time that ends before it starts")


def _acts(session: SessionState, reply: CalendarReply, now: datetime) -> bool:
    return reply.sequence >= session.sequence and session.status != SessionStatus.CANCELLED and session.starts_at > now


def record(state: PairState, program: Program, reply: CalendarReply, now: datetime) -> str:
    """Keeps the reply and does what it calls for; says in a few words what that was."""
    session = session_of(state, reply.session)
    role = role_of(state, reply.attendee)
    assert session is not None and role is not None
    bounds.remember(state, reply.message_id)
    number = position(state, session)
    acts = _acts(session, reply, now)
    if reply.method == ReplyMethod.COUNTER:
        return _counter(state, session, role, reply, now, acts)
    assert reply.partstat is not None
    bounds.keep_answer(session, role, reply.partstat, reply.sequence, now)
    said = f"session {number}: the {role.value} {reply.partstat.value}"
    if not acts:
        return f"{said} (an earlier time, or a past or cancelled session: kept, nothing done)"
    if reply.partstat == PartStat.DECLINED:
        told = _declined(state, program, session, role, now)
        return f"{said}; the partner and the program office were told" + ("" if told else " before")
    return said


def _declined(state: PairState, program: Program, session: SessionState, role: Role, now: datetime) -> bool:
    """Tells the partner and the office, once per participant and version of the invite."""
    people = participants(state)
    partners = [p for p in people if p.role != role]
    event = f"declined-{session.number}-{session.sequence}-{role.value}"
    if bounds.told_before(state, event):
        return False
    number = session.number
    notices.queue(state, event, MessageKind.SESSION_DECLINED, [*partners, program_office(program, state)], now,
                  session_number=number, note=role.value)  # fmt: skip
    notices.queue(state, f"{event}-new-date", MessageKind.DECLINED_NEW_DATE, [p for p in people if p.role == role], now,
                  session_number=number)  # fmt: skip
    return True


def _counter(
    state: PairState,
    session: SessionState,
    role: Role,
    reply: CalendarReply,
    now: datetime,
    acts: bool,
) -> str:
    assert reply.proposed_start is not None and reply.proposed_end is not None
    number = position(state, session)
    proposal = CounterProposal(
        message_id=reply.message_id,
        number=bounds.next_number(state),
        session_number=session.number,
        role=role,
        # A SEQUENCE never sent proposes for the session as it is now (``reply_bounds``).
        sequence=min(reply.sequence, session.sequence),
        starts_at=reply.proposed_start,
        ends_at=reply.proposed_end,
        recorded_at=now,
    )
    said = f"session {number}: the {role.value} proposed {reply.proposed_start.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
    if not acts:
        proposal.status, proposal.remark = (
            CounterStatus.SETTLED,
            "about an earlier time, or a past or cancelled session",
        )
        state.counters.append(proposal)
        bounds.drop_superseded(state, session.number)
        return f"{said} (an earlier time, or a past or cancelled session: kept, nothing done)"
    # A newer proposal for the same session replaces one still waiting.
    for earlier in state.counters:
        if earlier.session_number == session.number and earlier.status == CounterStatus.PENDING:
            earlier.status, earlier.remark = CounterStatus.SETTLED, "a newer proposal came"
    state.counters.append(proposal)
    bounds.drop_superseded(state, session.number)
    # The workflow first sees the time on the clocks (``awaiting_check``), then decides.
    return said


def office_decides(state: PairState, program: Program, proposal: CounterProposal, now: datetime) -> bool:
    """The office hears of a proposal with the commands that decide it, and why nobody
    can approve it as it stands, or why the cohort did not approve it by itself; unless
    it heard of this participant's proposals for this session often lately (a storm):
    then the proposal waits without an email, and says so. True when it hears."""
    if not bounds.office_may_hear(state, proposal, now):
        proposal.remark = "; ".join(filter(None, [proposal.remark, bounds.not_emailed(proposal)]))
        return False
    bounds.office_hears(state, proposal, now)
    event = f"counter-{proposal.session_number}-{bounds.number(state, proposal)}"
    notices.queue(state, event, MessageKind.COUNTER_PROPOSED, [program_office(program, state)], now,
                  session_number=proposal.session_number, note=proposal.role.value, counter_start=proposal.starts_at,
                  counter_end=proposal.ends_at, counter_holds=proposal.holds)  # fmt: skip
    return True


def awaiting_check(state: PairState, message_id: str) -> CounterProposal | None:
    """The proposal this reply just made, still to be held against the rules
    (``workflows.attendance``) before anyone hears of it."""
    latest = state.counters[-1] if state.counters else None
    if latest is None or latest.message_id != message_id:
        return None
    return latest if latest.status == CounterStatus.PENDING else None


def settle_overtaken(state: PairState, now: datetime) -> None:
    """A proposal still waiting when the office moved or cancelled its session, or the
    session began, has nothing left to decide: approving it would undo the office's own
    change. The new invite (SEQUENCE+1) supersedes it in the proposer's calendar too."""
    for proposal in state.counters:
        if proposal.status != CounterStatus.PENDING:
            continue
        session = session_of(state, proposal.session_number)
        if session is None or changed_since(session, proposal, now):
            proposal.status, proposal.remark = CounterStatus.SETTLED, "the session changed after the proposal"


def pending_counter(state: PairState, session_number: int) -> CounterProposal | None:
    return next(
        (c for c in state.counters if c.session_number == session_number and c.status == CounterStatus.PENDING), None
    )


def declined_in_a_row(state: PairState, sessions: list[SessionState]) -> list[SessionState]:
    """The latest two sessions declined by someone, when they follow each other."""
    declined = [
        any(current_partstat(s, role) == PartStat.DECLINED for role in (Role.MENTOR, Role.MENTEE)) for s in sessions
    ]
    for i in range(len(sessions) - 1, 0, -1):
        if declined[i] and declined[i - 1]:
            return [sessions[i - 1], sessions[i]]
    return []
