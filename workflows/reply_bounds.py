"""What keeps a storm of calendar replies about one session (a client that loops, a
forwarding rule, someone who knows an address and a UID) from growing a pair's state or
mailing people without end. Normal traffic, a few replies per participant and session,
never meets these bounds (docs/calendar-replies.md#reply-storms). Pure functions over
``PairState``.

- ``replies_seen`` is a window of the latest Message-IDs. The intake's ledger already
  hands each Message-ID on once for good; the window only has to catch the same reply
  handed on again, which happens before any other: after a restart the intake first
  hands on again the reply it had taken (the oldest message still in the folder), and
  a client retrying the update retries it at once (Temporal answers the same update id
  itself within a run; the window carries over a continue-as-new).
- ``SessionState.calendar`` keeps the latest answer per participant and version of the
  invite: a session holds at most two answers per SEQUENCE the office gave it.
- ``counters`` keeps, per participant and session, the latest few proposals that a
  newer one replaced (or that came about an earlier time); the waiting one and those
  the office or the cohort decided are kept.
- The office is emailed about one participant's proposals for one session at most
  ``OFFICE_EMAILS`` times within ``OFFICE_EMAILS_WINDOW``; a newer proposal after that
  replaces the waiting one without an email (``ops.py show`` has it).
- A decline's notices go out once per participant and version (``told_before``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from mentoring.cohort import Role
from mentoring.replies import PartStat
from mentoring.state import (
    CalendarAnswer,
    CounterNotice,
    CounterProposal,
    CounterStatus,
    PairState,
    SessionState,
)

# A reply handed on again comes right after its first time (see above): 32 leaves room
# for several intakes reading one mailbox, at a few KB per pair.
REPLIES_REMEMBERED = 32
SUPERSEDED_KEPT = 3
OFFICE_EMAILS = 3
OFFICE_EMAILS_WINDOW = timedelta(hours=24)


def remember(state: PairState, message_id: str) -> None:
    state.replies_seen.append(message_id)
    del state.replies_seen[:-REPLIES_REMEMBERED]


def keep_answer(session: SessionState, role: Role, partstat: PartStat, sequence: int, now: datetime) -> None:
    """The participant's latest answer to this version of the invite replaces their
    earlier one; kept in the order answers came, so the latest is last. A SEQUENCE above
    the session's names a version never sent: it answers the session as it is now."""
    version = min(sequence, session.sequence)
    session.calendar = [a for a in session.calendar if (a.role, a.sequence) != (role, version)]
    session.calendar.append(CalendarAnswer(role=role, partstat=partstat, sequence=version, recorded_at=now))


def next_number(state: PairState) -> int:
    # States from before proposals were numbered had them in order, never dropped.
    state.counters_numbered = max(state.counters_numbered, len(state.counters)) + 1
    return state.counters_numbered


def number(state: PairState, proposal: CounterProposal) -> int:
    """The proposal's number in its emails' events, which the delivery ledger sends once."""
    return proposal.number or state.counters.index(proposal) + 1


def drop_superseded(state: PairState, session_number: int) -> None:
    """Proposals nobody decided on, because a newer one came or they were about an
    earlier time: the latest few per participant stay for ``ops.py show``."""
    for role in (Role.MENTOR, Role.MENTEE):
        settled = [
            c
            for c in state.counters
            if c.session_number == session_number and c.role == role and c.status == CounterStatus.SETTLED
        ]
        for proposal in settled[:-SUPERSEDED_KEPT]:
            state.counters.remove(proposal)


def office_may_hear(state: PairState, proposal: CounterProposal, now: datetime) -> bool:
    """Whether the office may be emailed about this proposal: fewer than
    ``OFFICE_EMAILS`` about this participant's proposals for this session lately."""
    since = now - OFFICE_EMAILS_WINDOW
    state.counter_notices = [n for n in state.counter_notices if n.at > since]
    told = [n for n in state.counter_notices if (n.session_number, n.role) == (proposal.session_number, proposal.role)]
    return len(told) < OFFICE_EMAILS


def office_hears(state: PairState, proposal: CounterProposal, now: datetime) -> None:
    state.counter_notices.append(CounterNotice(session_number=proposal.session_number, role=proposal.role, at=now))


def not_emailed(proposal: CounterProposal) -> str:
    """For ``ops.py show`` and the reply's receipt: why the office got no email."""
    hours = int(OFFICE_EMAILS_WINDOW.total_seconds() // 3600)
    return (
        f"not emailed: the office heard of {OFFICE_EMAILS} proposals by the {proposal.role.value} "
        f"for this session within {hours} hours"
    )


def told_before(state: PairState, event: str) -> bool:
    """An outbox event already queued or sent: the same notices again would only be
    dropped by the delivery ledger, after growing the pair's records."""
    if any(m.event == event for m in state.outbox):
        return True
    # Message keys are workflow/event/version/role (``letters.message_key``).
    return any(r.key.rsplit("/", 2)[0].endswith(f"/{event}") for r in state.messages)
