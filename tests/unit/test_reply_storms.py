"""``workflows.reply_bounds``: a storm of calendar replies about one session, as the pair's
update handler takes them, one after another (``record``, health, then the office's email
for a proposed time), with the office moving the session now and then and the outbox
sent now and then. Whatever the storm, the pair's state stays bounded, each
participant's current answer is their latest one to the session as it is, the waiting
proposal is the latest, and the office hears at a bounded rate."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from mentoring.cohort import Role
from mentoring.messages import MessageKind
from mentoring.replies import CalendarReply, PartStat, ReplyMethod
from mentoring.state import (
    CounterStatus,
    DeliveryStatus,
    MessageRecord,
    PairState,
    SessionState,
    current_partstat,
)
from tests import factories
from tests.unit.states import START, WORKFLOW_ID, pair_state
from workflows import health, replies
from workflows import reply_bounds as bounds
from workflows.letters import message_key
from workflows.listening import start_listening

PROGRAM = factories.program(START.date())
ROLES = (Role.MENTOR, Role.MENTEE)
STORMED = 8  # the pair's last session, seven weeks after START
# What a session's state may hold besides its replies' traces: the fixed part of every
# answer, proposal and email record is a few hundred bytes.
BYTES_PER_EMAIL = 600
BYTES_FIXED = 14_000


@dataclass
class Model:
    """What the replies mean, written from the issue's words."""

    # Per role, every answer: (partstat, the version it answers).
    answers: dict[Role, list[tuple[PartStat, int]]]
    waiting: str | None = None  # the Message-ID of the proposal that waits for the office

    def current(self, role: Role, sequence: int) -> PartStat | None:
        return next((p for p, version in reversed(self.answers[role]) if version >= sequence), None)


def storm_state() -> tuple[PairState, SessionState, datetime]:
    state = pair_state()
    start_listening(state)
    now = START - timedelta(days=3)
    # The session before was declined: declines of the stormed one put the pair at risk.
    before = replies.record(state, PROGRAM, _reply(7, Role.MENTOR, PartStat.DECLINED, 0, "<before@client>", state), now)
    assert before.endswith("the partner and the program office were told")
    health.update(state, PROGRAM, now)
    return state, state.sessions[STORMED - 1], now


def _address(state: PairState, role: Role, shout: bool = False) -> str:
    person = state.mentor if role == Role.MENTOR else state.mentee
    assert person is not None
    return person.email.upper() if shout else person.email


def _reply(
    session: int, role: Role, partstat: PartStat, sequence: int, message_id: str, state: PairState
) -> CalendarReply:
    return CalendarReply(message_id=message_id, method=ReplyMethod.REPLY, workflow_id=WORKFLOW_ID, session=session,
                         sequence=sequence, attendee=_address(state, role), partstat=partstat)  # fmt: skip


def send_outbox(state: PairState, now: datetime) -> None:
    """As the courier does: every queued email becomes a record under its key."""
    for message in state.outbox:
        key = message_key(WORKFLOW_ID, message.event, 0, message.recipient)
        state.messages.append(MessageRecord(key=key, kind=message.kind, role=message.recipient.role,
                                            email=message.recipient.email, session_number=message.session_number,
                                            due_at=message.due_at, recorded_at=now, status=DeliveryStatus.SENT))  # fmt: skip
    state.outbox = []


def emails(state: PairState, kind: MessageKind) -> list[tuple[datetime, str, str]]:
    """(when, event, note) of every email of this kind to the office, queued or sent."""
    office = Role.PROGRAM_OFFICE
    queued = [(m.due_at, m.event, m.note or "") for m in state.outbox if m.kind == kind and m.recipient.role == office]
    sent = [(r.due_at, r.key, "") for r in state.messages if r.kind == kind and r.role == office]
    return sorted(queued + sent)


def storm(rng: random.Random, length: int, counters: float, moves: float) -> tuple[PairState, Model, datetime]:
    state, session, now = storm_state()
    model = Model(answers={role: [] for role in ROLES})
    for i in range(length):
        now += timedelta(minutes=rng.choice((0, 0, 1, 5, 20, 60)))
        roll = rng.random()
        if roll < moves:  # the office moves the session (reschedule: SEQUENCE+1)
            session.sequence += 1
            session.updated_at = now
            replies.settle_overtaken(state, now)
            model.waiting = None
            continue
        if roll < moves + 0.05:
            send_outbox(state, now)
        role = rng.choice(ROLES)
        sequence = max(0, session.sequence + rng.choice((-2, -1, 0, 0, 0, 0, 1, 5)))
        fields = {"message_id": f"<storm-{i}@client.example>", "workflow_id": WORKFLOW_ID, "session": STORMED,
                  "sequence": sequence, "attendee": _address(state, role, rng.random() < 0.3)}  # fmt: skip
        if rng.random() < counters:
            at = session.starts_at + timedelta(hours=rng.randint(-72, 72))
            reply = CalendarReply(method=ReplyMethod.COUNTER, proposed_start=at, proposed_end=at + timedelta(hours=1),
                                  **fields)  # fmt: skip
        else:
            partstat = rng.choice(list(PartStat))
            reply = CalendarReply(method=ReplyMethod.REPLY, partstat=partstat, **fields)
            model.answers[role].append((partstat, min(sequence, session.sequence)))
        take(state, reply, now)
        if reply.method == ReplyMethod.COUNTER and sequence >= session.sequence:
            model.waiting = reply.message_id
    return state, model, now


def take(state: PairState, reply: CalendarReply, now: datetime) -> None:
    """What ``record_calendar_reply`` does, for a cohort whose office decides."""
    assert reply.message_id not in state.replies_seen
    replies.check_reply(state, WORKFLOW_ID, reply)
    replies.record(state, PROGRAM, reply, now)
    health.update(state, PROGRAM, now)
    if proposal := replies.awaiting_check(state, reply.message_id):
        replies.office_decides(state, PROGRAM, proposal, now)


@settings(max_examples=50, deadline=None)
@given(
    # A seed, not st.randoms(): thousands of draws through Hypothesis take minutes.
    seed=st.integers(0, 2**32),
    length=st.integers(1, 3000),
    counters=st.sampled_from([0.0, 0.3, 0.7, 1.0]),
    moves=st.sampled_from([0.0, 0.002, 0.02]),
)
def test_a_storm_of_replies_keeps_the_pair_bounded_and_its_answers_the_latest(
    seed: int, length: int, counters: float, moves: float
) -> None:
    base = len(storm_state()[0].model_dump_json())
    state, model, _ = storm(random.Random(seed), length, counters, moves)
    session = state.sessions[STORMED - 1]

    for role in ROLES:
        assert current_partstat(session, role) == model.current(role, session.sequence)
    waiting = replies.pending_counter(state, STORMED)
    assert (waiting.message_id if waiting else None) == model.waiting

    assert len(state.replies_seen) <= bounds.REPLIES_REMEMBERED
    assert len(session.calendar) <= len(ROLES) * (session.sequence + 1)
    for role in ROLES:
        settled = [c for c in state.counters if c.role == role and c.status == CounterStatus.SETTLED]
        # One more: their proposal that waited until a move or the partner's proposal settled it.
        assert len(settled) <= bounds.SUPERSEDED_KEPT + 1
    assert len([c for c in state.counters if c.status == CounterStatus.PENDING]) <= 1
    numbers = [c.number for c in state.counters]
    assert numbers == sorted(set(numbers))  # in order, none given twice

    # The office: proposals at most OFFICE_EMAILS a day per participant; each decline
    # once per participant and version; the two declined sessions in a row once.
    proposed = emails(state, MessageKind.COUNTER_PROPOSED)
    for role in ROLES:
        times = [at for at, _, note in proposed if note == role.value]
        for early, late in zip(times, times[bounds.OFFICE_EMAILS :], strict=False):
            assert late - early >= bounds.OFFICE_EMAILS_WINDOW
    declined = emails(state, MessageKind.SESSION_DECLINED)
    assert len({event for _, event, _ in declined}) == len(declined)
    assert len(declined) <= 1 + len(ROLES) * (session.sequence + 1)
    assert len(emails(state, MessageKind.AT_RISK_ALERT)) <= 1 + session.sequence

    # Bytes: the answers, Message-IDs and proposals take a fixed amount, whatever the
    # storm's length; every email the bounds above allow adds its record.
    everyone = len(state.outbox) + len(state.messages)
    assert len(state.model_dump_json()) - base <= BYTES_FIXED + BYTES_PER_EMAIL * everyone


def test_a_thousand_declines_tell_the_partner_and_the_office_once():
    state, session, now = storm_state()
    before = len(state.outbox)
    for i in range(1000):
        role = ROLES[i % 2]
        partstat = PartStat.DECLINED if i % 4 < 2 else PartStat.ACCEPTED
        take(state, _reply(STORMED, role, partstat, 0, f"<d-{i}@client>", state), now)
        if i == 500:
            send_outbox(state, now)
    queued = [(m.event, m.recipient.role) for m in state.outbox[before:]] + [
        (r.key.split("/")[-3], r.role) for r in state.messages
    ]
    mentor, mentee = f"declined-{STORMED}-0-mentor", f"declined-{STORMED}-0-mentee"
    assert sorted(queued) == sorted(
        [
            *[(e, Role.PROGRAM_OFFICE) for e in (mentor, mentee)],
            (mentor, Role.MENTEE),
            (mentee, Role.MENTOR),
            (f"{mentor}-new-date", Role.MENTOR),
            (f"{mentee}-new-date", Role.MENTEE),
            # At risk (sessions 7 and 8 declined), once, though the 8th flipped 500 times.
            ("at-risk-1", Role.PROGRAM_OFFICE),
            # Session 7's decline before the storm.
            *[("declined-7-0-mentor", r) for r in (Role.MENTEE, Role.PROGRAM_OFFICE)],
            ("declined-7-0-mentor-new-date", Role.MENTOR),
        ]
    )
    assert [(a.role, a.partstat) for a in session.calendar] == [(Role.MENTOR, PartStat.ACCEPTED),
                                                                (Role.MENTEE, PartStat.ACCEPTED)]  # fmt: skip
    # Moved: a decline of the new time is news again.
    session.sequence = 1
    take(state, _reply(STORMED, Role.MENTEE, PartStat.DECLINED, 1, "<moved@client>", state), now)
    assert [m.event for m in state.outbox[-3:]] == [f"declined-{STORMED}-1-mentee"] * 2 + [
        f"declined-{STORMED}-1-mentee-new-date"
    ]


def test_the_office_hears_of_proposals_again_a_day_after():
    state, session, now = storm_state()
    start = now
    for i in range(40):
        at = session.starts_at + timedelta(hours=i % 5 + 1)
        counter = CalendarReply(message_id=f"<c-{i}@client>", method=ReplyMethod.COUNTER, workflow_id=WORKFLOW_ID,
                                session=STORMED, attendee=_address(state, Role.MENTEE), proposed_start=at,
                                proposed_end=at + timedelta(hours=1))  # fmt: skip
        take(state, counter, now)
        now += timedelta(hours=2)
    told = [(m.due_at - start, m.event) for m in state.outbox if m.kind == MessageKind.COUNTER_PROPOSED]
    # Three in the first day, the next once the first is a day old, and so on.
    assert told == [
        (timedelta(hours=h), f"counter-{STORMED}-{h // 2 + 1}") for h in (0, 2, 4, 24, 26, 28, 48, 50, 52, 72, 74, 76)
    ]
    # The latest waits, without an email, and says why; of those it replaced, the latest three stay.
    waiting = replies.pending_counter(state, STORMED)
    assert waiting is not None and waiting.message_id == "<c-39@client>"
    assert (
        waiting.remark == "not emailed: the office heard of 3 proposals by the mentee for this session within 24 hours"
    )
    assert [(c.number, c.status) for c in state.counters] == [
        *[(n, CounterStatus.SETTLED) for n in (37, 38, 39)],
        (40, CounterStatus.PENDING),
    ]
