"""What the worker logs while mail is deferred and refused: the pair, the kind and the
key, never a participant's name or address (real workers, time-skipping server, aiosmtpd)."""

from __future__ import annotations

import logging

from mentoring.cohort import Person, Role
from mentoring.messages import MessageKind
from mentoring.state import DeliveryStatus, ProgramPhase
from tests.delivery_runs import pair_input, run_pair, workers

MENTOR = Person(name="Bartholomew Oyelaran", email="b.oyelaran@example.net", timezone="Europe/Berlin")
MENTEE = Person(name="Zoë Quennell", email="zoe.quennell@example.org", timezone="America/New_York")
PRIVATE = [MENTOR.name, MENTOR.email, "oyelaran", MENTEE.name, MENTEE.email, "quennell"]


async def test_worker_logs_name_pair_kind_and_key_but_no_person(skipping_env, smtp, caplog):
    # Real servers quote the address in their replies; the logs must not pass it on.
    smtp.handler.rcpt_faults[MENTEE.email] = [f"451 4.7.1 <{MENTEE.email}>: Recipient address rejected: greylisted"]
    smtp.handler.refused[MENTOR.email] = f"550 5.1.1 <{MENTOR.email}>: Recipient address rejected: User unknown"
    caplog.set_level(logging.DEBUG)
    async with workers(skipping_env.client, smtp.port):
        run = await run_pair(skipping_env, await pair_input(await skipping_env.get_current_time(), MENTOR, MENTEE))

    assert run.result.phase == ProgramPhase.COMPLETED
    # The 451 was retried and delivered; the 550 was recorded with the server's words.
    assert 2 in run.attempts
    mentor = [m for m in run.result.messages if m.email == MENTOR.email]
    assert {m.status for m in mentor} == {DeliveryStatus.FAILED}
    assert mentor[0].detail == f"550 5.1.1 <{MENTOR.email}>: Recipient address rejected: User unknown"

    # Everything the worker's process logs, tracebacks included; "mail.log" is the test's SMTP server.
    formatter = logging.Formatter("%(levelname)s %(name)s: %(message)s")
    log = "\n".join(formatter.format(r) for r in caplog.records if not r.name.startswith("mail.log"))
    assert [p for p in PRIVATE if p.lower() in log.lower()] == []
    welcome = {m.role: m.key for m in run.result.messages if m.kind == MessageKind.WELCOME}
    assert f"pair p1: welcome {welcome[Role.MENTEE]}: deferred by the mail server (451 4.7.1)" in log
    assert f"pair p1: welcome {welcome[Role.MENTOR]}: refused permanently (550 5.1.1)" in log
    # The SDK's own line for the retried attempt, with our error as its traceback's last line.
    assert "Completing activity as failed" in log and "TemporaryDeliveryFailure" in log
