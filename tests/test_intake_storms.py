"""A storm of calendar replies about one session (a client that loops, a forwarding rule,
someone who knows an address and a UID), from the real mailbox (Dovecot,
tests/imap_server.py) through the intake with the real parser into a real pair workflow
on the time-skipping server, with the real activities and SMTP: every reply is recorded
once and moved, the pair keeps the latest answer, its state stays the same size, the
office gets a bounded number of emails, and the intake's log says "storm" in counts.

And ``StormWatch``, the intake's counting, on a clock of its own."""

from __future__ import annotations

import logging
import random
import time
from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from mentoring.cohort import Person, Role
from mentoring.replies import CalendarReply, PartStat
from mentoring.state import current_partstat
from mentoring_service.intake import storms
from mentoring_service.intake.ledger import IntakeLedger, LedgerState
from mentoring_service.intake.mailbox import ImapMailbox
from mentoring_service.intake.pairs import PairDelivery, session_of
from mentoring_service.intake.parse import read_reply
from mentoring_service.intake.service import Intake
from tests import reply_shapes as shapes
from tests.imap_server import ImapServer
from workflows.changes import session_uid
from workflows.replies import pending_counter

OFFICE = "office@example.com"
STORM = 500
HALF = STORM // 2
STORMED = 2  # the session the storm is about, a week after the first


@dataclass(frozen=True)
class Sent:
    role: Role
    partstat: PartStat | None  # None: a proposed new time
    mail: shapes.Mail


def storm_mail(rng: random.Random, i: int, uid: str, people: dict[Role, Person], starts_at: datetime) -> Sent:
    """One reply as a client mails it: accept, tentative, decline or a new time, from
    either participant, for the version they have (some clients send a SEQUENCE above)."""
    role = rng.choice((Role.MENTOR, Role.MENTEE))
    person = people[role]
    address = person.email.upper() if rng.random() < 0.2 else person.email
    answer = shapes.Answer(uid=uid, address=address, name=person.name, sequence=rng.choice((0, 0, 0, 1)),
                           token=f"storm{i:04d}")  # fmt: skip
    if rng.random() < 0.3:
        at = starts_at + timedelta(days=1, hours=rng.randint(-3, 3))  # the day after, about the same time
        answer = replace(answer, method="COUNTER", proposed=(at, at + timedelta(hours=1)), partstat="TENTATIVE")
        shape = shapes.SHAPES[rng.choice(shapes.COUNTER_SHAPES)]
        return Sent(role, None, shape(answer, None))
    partstat = rng.choice(("ACCEPTED", "TENTATIVE", "DECLINED"))
    answer = replace(answer, partstat=partstat)
    return Sent(role, PartStat(partstat.lower()), rng.choice(list(shapes.SHAPES.values()))(answer, None))


async def test_a_storm_of_replies_about_one_session_is_recorded_in_bounded_state_and_mail(program, tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="intake")
    state = await program.start_tomorrow()
    assert program.handle is not None
    workflow_id = program.handle.id
    people = {Role.MENTOR: state.mentor, Role.MENTEE: state.mentee}
    starts_at = state.sessions[STORMED - 1].starts_at
    rng = random.Random(20261130)
    uid = session_uid(workflow_id, STORMED)
    mails = [storm_mail(rng, i, uid, people, starts_at) for i in range(STORM)]
    by_id = {sent.mail.message_id: sent for sent in mails}
    assert len(by_id) == STORM

    with ImapServer(tmp_path) as imap:
        settings = imap.settings()
        delivery = PairDelivery(program.env.client)
        handed: list[str] = []

        async def deliver(reply: CalendarReply) -> str:
            handed.append(reply.message_id)  # the order the intake took them in
            return await delivery.deliver(reply)

        intake = Intake(settings, IntakeLedger.open(settings.ledger_url), read_reply, deliver, about=session_of)

        async def sweep(batch: list[bytes]) -> tuple[Counter[str], float]:
            for raw in batch:
                imap.deliver(raw)
            started = time.monotonic()
            async with ImapMailbox(settings) as mailbox:
                done = await intake.sweep(mailbox)
            seconds = time.monotonic() - started
            await program.settle()
            return done.outcomes + done.ignored, seconds

        # Before the storm: the mentor declines the first session, so a decline of the
        # second puts the pair at risk.
        before = shapes.outlook_desktop(shapes.Answer(uid=session_uid(workflow_id, 1), address=people[Role.MENTOR].email,
                                                      partstat="DECLINED", token="before"))  # fmt: skip
        assert (await sweep([before.raw]))[0] == {"recorded": 1}
        sizes = [len((await program.state()).model_dump_json())]
        seconds = []
        for part in (mails[:HALF], mails[HALF:]):
            outcomes, spent = await sweep([sent.mail.raw for sent in part])
            assert outcomes == {"recorded": HALF}
            sizes.append(len((await program.state()).model_dump_json()))
            seconds.append(spent)

        # Nothing lost: every message moved, each handed on and recorded once.
        assert (imap.count("INBOX"), imap.count("Processed"), imap.count("Ignored")) == (0, STORM + 1, 0)
        entries = intake.ledger.entries()
        assert Counter((e.state, e.outcome, e.times_taken) for e in entries) == {
            (LedgerState.RECORDED, "recorded", 1): STORM + 1
        }
        assert sorted(handed[1:]) == sorted(by_id)

    state = await program.state()
    session = state.sessions[STORMED - 1]
    # The pair's answers are the latest each participant sent; the latest proposal waits.
    storm_order = [by_id[m] for m in handed[1:]]
    for role in (Role.MENTOR, Role.MENTEE):
        latest = [s.partstat for s in storm_order if s.role == role and s.partstat is not None][-1]
        assert current_partstat(session, role) == latest
    waiting = pending_counter(state, STORMED)
    assert (
        waiting is not None and waiting.message_id == [s for s in storm_order if s.partstat is None][-1].mail.message_id
    )

    # The office: three proposals per participant, one decline per participant and
    # session, one at-risk alert; the decliners one new-date link per session each.
    office = Counter(program.kinds(OFFICE))
    assert office == {"counter_proposed": 6, "session_declined": 3, "at_risk_alert": 1}
    for role, person in people.items():
        assert Counter(program.kinds(person.email))["declined_new_date"] == (2 if role == Role.MENTOR else 1)

    # The state: the second 250 replies left it as the first left it, give or take the
    # lengths of the Message-IDs in the window.
    base, half, full = sizes
    print(
        f"\nstorm of {STORM}: state {base} -> {half} -> {full} bytes; office emails {sum(office.values())} "
        f"({dict(office)}); sweeps {seconds[0]:.1f} s + {seconds[1]:.1f} s ({STORM / sum(seconds):.0f} replies/s)"
    )
    assert full - base < 16_000 and abs(full - half) < 1_000

    # The intake's log: counts and outcomes, the storm in numbers, no one named.
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name == "intake")
    assert f"{HALF} messages: {HALF} recorded" in logged
    assert "reply storm: one session with 20 or more replies within the hour (250; 250 in this sweep)" in logged
    assert "reply storm: one session with 20 or more replies within the hour (500; 250 in this sweep)" in logged
    for secret in ("@", "Lena", "Klaus", "Weber", "Richter", "example", workflow_id, "session-"):
        assert secret not in logged


def test_storms_are_counted_per_session_within_the_hour_and_said_in_counts():
    now = [0.0]
    watch = storms.StormWatch(clock=lambda: now[0])
    sweep: Counter[object] = Counter()
    for i in range(storms.STORM - 1):
        watch.note(("pair:a:p1", 2), sweep)
        watch.note(("pair:a:p1", i % 3 + 3), sweep)  # other sessions: a few each
    assert watch.line(sweep) is None
    watch.note(("pair:a:p1", 2), sweep)
    assert watch.line(sweep) == (
        "reply storm: one session with 20 or more replies within the hour (20; 20 in this sweep); "
        "each is recorded and moved as usual"
    )
    # The next sweep: the hour's count goes on; a second session joins in.
    now[0] = 1800.0
    sweep = Counter()
    for _ in range(storms.STORM):
        watch.note(("pair:b:p7", 1), sweep)
    watch.note(("pair:a:p1", 2), sweep)
    assert watch.line(sweep) == (
        "reply storm: 2 sessions with 20 or more replies within the hour (21, 20; 1, 20 in this sweep); "
        "each is recorded and moved as usual"
    )
    # An hour on, counting starts afresh.
    now[0] = 3600.0
    sweep = Counter()
    watch.note(("pair:a:p1", 2), sweep)
    assert watch.line(sweep) is None


def test_a_storm_over_thousands_of_sessions_costs_the_watch_no_more_memory():
    watch = storms.StormWatch(clock=lambda: 0.0)
    sweep: Counter[object] = Counter()
    for n in range(storms.TRACKED + 5_000):
        watch.note(("pair:a:p1", n), sweep)
    assert watch.sessions_counted == storms.TRACKED
    assert watch.line(sweep) is None
