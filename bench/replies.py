"""replies_ratio: participants' calendar replies into the pair workflows through the
``record_calendar_reply`` update, against bare updates on the same dev server;
intake_replies_ratio: the same replies from the office's IMAP mailbox into the pairs
through the intake, one at a time as it reads them, against bare updates one at a time.

One dev server with a SQLite file and one worker process (the real workers plus the
bare baselines), as for ``bench.answers``. In this process: the intake's own code, the
Temporal client with ``PairDelivery`` (what ``intake.py`` hands a reply on with), and
for the second figure ``Intake.sweep`` over make run's Dovecot (``devstack/mailbox.py``,
in a temporary directory) with the intake's ledger.

- Pairs: a cohort whose program starts in three weeks, every pair planned. Each reply
  is one participant accepting one of their pair's first three sessions (ACCEPTED, the
  commonest answer, which sends no mail; a decline also mails three notices), with a
  Message-ID of its own. Every mentor replies before every mentee, so two replies to
  one pair are never in flight together.
- ``replies_ratio``: ``2 × PAIRS`` replies to session 1, ``IN_FLIGHT`` at a time through
  ``PairDelivery.deliver``: the update (its id derived from the Message-ID), its
  validator (pair, session, attendee), the pair keeping the answer and re-reading its
  health, and the receipt. Baseline: as many trivial updates to ``PAIRS`` bare workflows
  parked on a timer, ``IN_FLIGHT`` at a time, from the same client.
- ``intake_replies_ratio``: ``2 × PAIRS`` replies to session 2, mailed in the shapes of
  five clients (``tests/reply_shapes.py``: Outlook, Outlook.com, Google, Apple,
  Thunderbird) and put into the mailbox's INBOX before each round; a round is one
  ``Intake.sweep``, which reads the envelopes, then for each message fetches it, parses
  it, writes the ledger, hands the reply on and moves it to Processed, one at a time.
  The time runs until the sweep has moved the last message. Baseline: ``2 × PAIRS``
  trivial updates one at a time. The details add the replies to session 3 through
  ``PairDelivery.deliver`` alone, one at a time, which shows what the mailbox and the
  parser add.

All five sides take turns in ``ROUNDS`` rounds; every reply must be recorded.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from temporalio.client import Client

from bench.answer_sides import IN_FLIGHT, bare_update, bare_workflows, planned_cohort
from bench.harness import Figure, WorkerProcess, log, smtp_sink
from bench.turns import Call, Cpu, Sides, limited, rounds
from devstack.temporal_servers import start_dev_server
from mentoring.cohort import Cohort, Pair, Role
from mentoring.ids import pair_workflow_id
from mentoring.replies import CalendarReply, PartStat, ReplyMethod
from mentoring_service.intake.ledger import IntakeLedger
from mentoring_service.intake.mailbox import ImapMailbox
from mentoring_service.intake.pairs import PairDelivery
from mentoring_service.intake.parse import read_reply
from mentoring_service.intake.service import Intake
from tests import reply_shapes as shapes
from tests.imap_server import ImapServer

PAIRS = 100  # two replies each per side
WARM = 1  # a pair and a bare workflow answered untimed first, so no side pays first-use costs
ROUNDS = 3
COHORT = "bench-replies"
SHAPES = (shapes.outlook_desktop, shapes.outlook_com, shapes.google, shapes.apple, shapes.thunderbird)


@dataclass(frozen=True)
class Replier:
    """One participant answering one session."""

    pair: Pair
    role: Role
    session: int

    @property
    def token(self) -> str:
        return f"{self.pair.id}-{self.role.value}-s{self.session}"

    def reply(self) -> CalendarReply:
        """As the intake reads it from a mail."""
        person = self.pair.mentor if self.role == Role.MENTOR else self.pair.mentee
        return CalendarReply(
            message_id=f"<bench-{self.token}@example.com>", method=ReplyMethod.REPLY,
            workflow_id=pair_workflow_id(COHORT, self.pair.id), session=self.session,
            attendee=person.email, partstat=PartStat.ACCEPTED,
        )  # fmt: skip

    def mail(self, shape: int) -> bytes:
        """As the participant's calendar client mails it."""
        person = self.pair.mentor if self.role == Role.MENTOR else self.pair.mentee
        uid = f"{pair_workflow_id(COHORT, self.pair.id)}-session-{self.session}@reverse-mentoring"
        answer = shapes.Answer(uid=uid, address=person.email, name=person.name, partstat="ACCEPTED", token=self.token)
        return SHAPES[shape % len(SHAPES)](answer).raw


def repliers(pairs: Sequence[Pair], session: int) -> list[Replier]:
    """Every mentor, then every mentee (see the module's docstring)."""
    return [Replier(p, role, session) for role in (Role.MENTOR, Role.MENTEE) for p in pairs]


def recorded(outcomes: Sequence[str] | Counter[str], count: int) -> None:
    outcomes = outcomes if isinstance(outcomes, Counter) else Counter(outcomes)
    if outcomes != Counter({"recorded": count}):
        raise RuntimeError(f"not every reply was recorded: {dict(outcomes)}")


@dataclass
class Measured:
    replies: int
    sides: Sides


async def measure(client: Client, smtp_port: int, imap: ImapServer, ledger_dir: Path) -> Measured:
    target = client.service_client.config.target_host
    intake_settings = imap.settings(ledger_url=f"sqlite:///{ledger_dir / 'intake-ledger.sqlite3'}")
    async with WorkerProcess(target, smtp_port, email_rate=10_000) as worker:
        cohort: Cohort = await planned_cohort(client, WARM + PAIRS, COHORT)
        bare = await bare_workflows(client, WARM + PAIRS)
        delivery = PairDelivery(client)
        intake = Intake(intake_settings, IntakeLedger.open(intake_settings.ledger_url), read_reply, delivery.deliver)
        sides = Sides(Cpu(worker, here="intake_and_client"))

        def deliver(replier: Replier) -> Call:
            return lambda: delivery.deliver(replier.reply())

        async def through_the_mailbox(part: Sequence[Replier], timed: bool = True) -> None:
            """The replies mailed into the INBOX, then one sweep over it, timed from a
            connection already open (as the intake's stays)."""
            for i, replier in enumerate(part):
                imap.deliver(replier.mail(i))
            async with ImapMailbox(intake_settings) as mailbox:

                async def sweep() -> Counter[str]:
                    done = await intake.sweep(mailbox)
                    return Counter({"sweep failed": 1}) if done.failed else done.outcomes + done.ignored

                recorded(await (sides.turn("intake", sweep) if timed else sweep()), len(part))

        warm = cohort.pairs[:WARM]
        recorded([await deliver(r)() for r in repliers(warm, 1)], 2 * WARM)
        await through_the_mailbox(repliers(warm, 2), timed=False)
        await bare_update(client, bare[0], "warm")()

        pairs = cohort.pairs[WARM:]
        count = 2 * len(pairs)
        updates = [bare_update(client, bare[WARM + i % PAIRS], f"t{i}") for i in range(count)]
        one_by_one = [bare_update(client, bare[WARM + i % PAIRS], f"o{i}") for i in range(count)]
        in_flight, mailed, alone = repliers(pairs, 1), repliers(pairs, 2), repliers(pairs, 3)
        for r, part in enumerate(zip(*(rounds(x, ROUNDS) for x in (updates, in_flight, one_by_one)), strict=True)):
            bare_part, reply_part, bare_one_part = part
            await sides.turn("bare", limited(bare_part, IN_FLIGHT))
            recorded(await sides.turn("update", limited([deliver(x) for x in reply_part], IN_FLIGHT)), len(reply_part))
            await sides.turn("bare_one", limited(bare_one_part, 1))
            await through_the_mailbox(rounds(mailed, ROUNDS)[r])
            alone_part = rounds(alone, ROUNDS)[r]
            recorded(await sides.turn("update_one", limited([deliver(x) for x in alone_part], 1)), len(alone_part))
    return Measured(count, sides)


def figures(m: Measured) -> list[Figure]:
    rate = {side: m.sides.rate(side, m.replies) for side in m.sides.seconds}
    log(f"replies: {rate['update']:.0f} replies/s through the update, {rate['bare']:.0f} bare updates/s")
    log(
        f"replies: {rate['intake']:.0f} replies/s from the mailbox through the intake, {rate['bare_one']:.0f} "
        f"bare updates/s one at a time ({rate['update_one']:.0f} replies/s through the update alone)"
    )

    def seconds(side: str) -> float:
        return round(m.sides.seconds[side], 2)

    def ms_each(side: str) -> float:
        return round(m.sides.seconds[side] / m.replies * 1000, 1)

    return [
        Figure(
            key="replies_ratio",
            value=rate["update"],
            unit="replies/s through record_calendar_reply",
            baseline=rate["bare"],
            baseline_unit="updates/s",
            baseline_what=f"{m.replies} trivial updates to {PAIRS} bare workflows, {IN_FLIGHT} in flight",
            details={
                "replies": m.replies,
                "in_flight": IN_FLIGHT,
                "reply": "ACCEPTED, one per participant and session",
                "update_s": seconds("update"),
                "bare_s": seconds("bare"),
                "server": "dev server, SQLite file",
                "update_cpu_s": m.sides.spent["update"],
                "bare_cpu_s": m.sides.spent["bare"],
            },
        ),
        Figure(
            key="intake_replies_ratio",
            value=rate["intake"],
            unit="replies/s from the IMAP mailbox into the pairs (the intake, one at a time)",
            baseline=rate["bare_one"],
            baseline_unit="updates/s",
            baseline_what=f"{m.replies} trivial updates to {PAIRS} bare workflows, one at a time",
            details={
                "replies": m.replies,
                "mail": "five client shapes in turn (Outlook, Outlook.com, Google, Apple, Thunderbird)",
                "mailbox": "Dovecot (make run's), maildir, IMAP in plaintext on 127.0.0.1",
                "intake_ms_per_reply": ms_each("intake"),
                "update_alone_ms_per_reply": ms_each("update_one"),
                "bare_update_ms": ms_each("bare_one"),
                "update_alone_per_s": round(rate["update_one"], 1),
                # Dovecot's own CPU is not counted: its processes come and go with each login.
                "intake_cpu_s": m.sides.spent["intake"],
                "update_alone_cpu_s": m.sides.spent["update_one"],
                "bare_one_cpu_s": m.sides.spent["bare_one"],
            },
        ),
    ]


async def run() -> list[Figure]:
    with (
        tempfile.TemporaryDirectory(prefix="bench-replies-") as tmp,
        smtp_sink() as sink,
        ImapServer(Path(tmp) / "imap") as imap,
    ):
        env = await start_dev_server("--db-filename", str(Path(tmp) / "temporal.db"), "--log-level", "error")
        try:
            measured = await measure(env.client, sink.port, imap, Path(tmp))
        finally:
            await env.shutdown()
    return figures(measured)
