"""Whether a time proposed from a calendar can be approved at all, and whether both
participants can attend it (docs/calendar-replies.md).

Every proposal, in every cohort, is first held against the rules that make a time
approvable at all (``unapprovable``), on arrival and again when the office approves it:

- the session has not been moved, cancelled or begun since the proposal;
- the time lies within the program: its day on the pair's clock is on or after the start
  date and before the end date, as ``ops.py reschedule`` requires;
- with the session's own length (the length an approval keeps), it overlaps none of the
  pair's other sessions still planned (touching end to start is no overlap).

A cohort with ``proposed_times.auto_approve`` takes a time by itself (``holds``) when,
besides, both can attend it. Nobody's calendar is visible to us, so "can attend" means
what the cohort file says of a working week: the time starts at least ``notice_hours``
from now, so both calendars have the update in time, and falls, on each participant's
own clock, on a weekday (Monday to Friday), starting and ending within their working
hours (``working_hours``, the same for everyone, each on their own clock), on one day.

Pure: the times on each clock come from the activities ``span_on_clocks`` and
``wall_clock_of``; nothing here reads a time zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from mentoring.cohort import Program, ProposedTimes, Role
from mentoring.plan import LocalSpan
from mentoring.replies import CounterHold, HoldReason, unapprovable
from mentoring.state import CounterProposal, PairState, SessionState, SessionStatus
from workflows.agenda import active_sessions, position
from workflows.validation import in_program

_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_SATURDAY = 5


@dataclass(frozen=True)
class Clocks:
    """The session at the proposed time, on the pair's clock and each participant's."""

    meeting: LocalSpan
    mentor: LocalSpan
    mentee: LocalSpan

    def of(self, role: Role) -> LocalSpan:
        return self.mentor if role == Role.MENTOR else self.mentee


def moved_end(session: SessionState, proposal: CounterProposal) -> datetime:
    """An approval keeps the session's length; the proposal gives only its start."""
    return proposal.starts_at + (session.ends_at - session.starts_at)


def changed_since(session: SessionState, proposal: CounterProposal, now: datetime) -> bool:
    """The office moved or cancelled the session, or it began, after the proposal came."""
    return session.sequence > proposal.sequence or session.status == SessionStatus.CANCELLED or session.starts_at <= now


def outside_program(state: PairState, program: Program, local_start: datetime) -> CounterHold | None:
    """The program window, read on the pair's clock (``local_start``: the proposed start there)."""
    if in_program(state, program.start_date, local_start.date()):
        return None
    return CounterHold(
        reason=HoldReason.OUTSIDE_PROGRAM, program_start=program.start_date, program_end=state.program_end
    )


def clashes(state: PairState, session: SessionState, proposal: CounterProposal) -> list[CounterHold]:
    """The pair's other planned sessions the moved session would overlap (instants only)."""
    starts_at, ends_at = proposal.starts_at, moved_end(session, proposal)
    return [
        CounterHold(reason=HoldReason.CLASH, session=position(state, other))
        for other in active_sessions(state)
        if other.number != session.number and other.starts_at < ends_at and starts_at < other.ends_at
    ]


def cannot_approve(
    state: PairState,
    program: Program,
    session: SessionState,
    proposal: CounterProposal,
    local_start: datetime,
    now: datetime,
) -> list[CounterHold]:
    """Every rule that keeps anyone from approving the time as it stands; none: it can be."""
    if changed_since(session, proposal, now):
        return [CounterHold(reason=HoldReason.SESSION_CHANGED)]
    window = outside_program(state, program, local_start)
    return [*([window] if window else []), *clashes(state, session, proposal)]


def holds(
    state: PairState, program: Program, session: SessionState, proposal: CounterProposal, clocks: Clocks, now: datetime
) -> list[CounterHold]:
    """Every rule the proposed time breaks; none means both can attend."""
    blocked = cannot_approve(state, program, session, proposal, clocks.meeting.start, now)
    if any(hold.reason == HoldReason.SESSION_CHANGED for hold in blocked):
        return blocked
    settings = program.proposed_times
    broken: list[CounterHold] = []
    if proposal.starts_at - now < timedelta(hours=settings.notice_hours):
        broken.append(CounterHold(reason=HoldReason.TOO_SOON))
    broken += blocked
    for role in (Role.MENTOR, Role.MENTEE):
        if (hold := _working_day(settings, role, clocks.of(role))) is not None:
            broken.append(hold)
    return broken


def _working_day(settings: ProposedTimes, role: Role, span: LocalSpan) -> CounterHold | None:
    where = {"role": role, "timezone": span.timezone, "local_start": span.start, "local_end": span.end}
    if span.start.weekday() >= _SATURDAY:
        return CounterHold(reason=HoldReason.NOT_A_WORKDAY, **where)
    hours = settings.working_hours
    within = span.start.date() == span.end.date() and hours.start <= span.start.time() and span.end.time() <= hours.end
    return None if within else CounterHold(reason=HoldReason.OUTSIDE_WORKING_HOURS, **where)


def describe(hold: CounterHold, settings: ProposedTimes) -> str:
    """In the office's words, for ``ops.py show`` and the update's answer (the emails
    say it in the cohort's language)."""
    reason = hold.reason
    if reason == HoldReason.SESSION_CHANGED:
        return "the session was moved or cancelled, or has begun, since the proposal"
    if reason == HoldReason.TOO_SOON:
        return f"less than {settings.notice_hours} hours ahead"
    if reason == HoldReason.OUTSIDE_PROGRAM:
        return f"outside the program ({hold.program_start} to {hold.program_end})"
    if reason == HoldReason.CLASH:
        return f"clashes with session {hold.session}"
    assert hold.role is not None and hold.local_start is not None and hold.local_end is not None
    there = f"{hold.local_start:%H:%M}–{hold.local_end:%H:%M} there"
    if reason == HoldReason.NOT_A_WORKDAY:
        return f"on a {_WEEKDAYS[hold.local_start.weekday()]} for the {hold.role.value} ({hold.timezone}), {there}"
    return f"outside the {hold.role.value}'s working hours {settings.working_hours} ({hold.timezone}): {there}"


def remark(broken: list[CounterHold], settings: ProposedTimes) -> str:
    """Why the office decides: why nobody can approve the time as it stands, when a rule
    of ``UNAPPROVABLE`` is among those broken; otherwise why the pair did not take it."""
    blocked = unapprovable(broken)
    if blocked:
        return "cannot be approved: " + "; ".join(describe(hold, settings) for hold in blocked)
    return "not approved automatically: " + "; ".join(describe(hold, settings) for hold in broken)


def both_can_attend(clocks: Clocks) -> str:
    """What made the approval: the time on each participant's clock."""
    said = [f"{role.value} {_span(clocks.of(role))}" for role in (Role.MENTOR, Role.MENTEE)]
    return "both can attend: " + ", ".join(said)


def _span(span: LocalSpan) -> str:
    return f"{_WEEKDAYS[span.start.weekday()]} {span.start:%H:%M}–{span.end:%H:%M} ({span.timezone})"
