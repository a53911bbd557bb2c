"""Property: every address the cohort file accepts is either delivered to the right
envelope recipient with a To header that reads back as written, or, when it needs
SMTPUTF8 and the server lacks it, recorded as failed without a retry and reported to
the program office once.

Hypothesis draws names and addresses (ASCII and non-ASCII local parts, IDN and ASCII
domains, Latin, Cyrillic, Greek and CJK letters) and whether the server offers
SMTPUTF8. Each example runs a whole four-month pair program through the real workers
on one time-skipping server, against one real aiosmtpd server (about a second each).
"""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from mentoring import addresses
from mentoring.cohort import Person, Role
from mentoring.state import DeliveryStatus, ProgramPhase
from tests.delivery_runs import OFFICE, Run, pair_input, run_pair, workers
from tests.smtp_server import SmtpServer

pytestmark = pytest.mark.properties

EXAMPLES = 10
PROPERTY = settings(
    max_examples=EXAMPLES, deadline=None, derandomize=True, database=None, print_blob=False,
    suppress_health_check=[HealthCheck.too_slow],
)  # fmt: skip

NON_ASCII = "äöüßéèçñøåæłśžğабвгдежзαβγδε日本語中文"
ASCII_LOCALS = st.from_regex(r"[a-z0-9]([a-z0-9._+'-]{0,10}[a-z0-9])?", fullmatch=True)
NON_ASCII_LOCALS = st.text(st.sampled_from("abc09._-" + NON_ASCII), min_size=1, max_size=12).filter(
    lambda s: not s.isascii()
)
ASCII_LABELS = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?", fullmatch=True)
IDN_LABELS = st.text(st.sampled_from("abc09" + NON_ASCII), min_size=1, max_size=10).filter(lambda s: not s.isascii())
NAMES = st.text(st.sampled_from("AaZz .,-'\"()" + NON_ASCII + NON_ASCII.upper()), min_size=1, max_size=30).map(
    lambda s: " ".join(s.split())
)


@st.composite
def people(draw: st.DrawFn, zone: str) -> Person:
    local = draw(st.one_of(ASCII_LOCALS, NON_ASCII_LOCALS))
    labels = draw(st.lists(st.one_of(ASCII_LABELS, IDN_LABELS), min_size=1, max_size=2))
    written = f"{local}@{'.'.join(labels)}.{draw(st.sampled_from(['example', 'com', 'de']))}"
    try:
        # What the cohort file stores: the checked, normalised form.
        email = addresses.normalized(written)
    except addresses.AddressError:
        assume(False)
    name = draw(NAMES)
    assume(name)
    return Person(name=name, email=email, timezone=zone)


def check_delivered(run: Run, server: SmtpServer, role: Role, person: Person) -> None:
    address = addresses.parse(person.email)
    records = [m for m in run.result.messages if m.role == role]
    assert records and {m.status for m in records} == {DeliveryStatus.SENT}
    received = [r for r in server.handler.received if r.recipient == address.envelope]
    assert len(received) == len(records)
    for message in received:
        assert message.smtputf8 == address.needs_smtputf8
        (to,) = message.message["To"].addresses
        # Written as given in an SMTPUTF8 message; otherwise the domain in its ASCII form.
        assert (to.display_name, to.addr_spec) == (
            person.name, address.text if address.needs_smtputf8 else address.envelope
        )  # fmt: skip


def check_failed_once(run: Run, server: SmtpServer, role: Role, person: Person) -> None:
    address = addresses.parse(person.email)
    records = [m for m in run.result.messages if m.role == role]
    assert records and {(m.status, m.smtp_code) for m in records} == {(DeliveryStatus.FAILED, 553)}
    assert len({m.key for m in records}) == len(records)
    assert address.envelope not in server.handler.rcpt_commands
    notices = [
        r for r in server.handler.for_recipient(OFFICE)
        if r.kind == "delivery_failure_notice" and person.email in r.message.get_body(("plain",)).get_content()
    ]  # fmt: skip
    assert len(notices) == 1


async def one_program(env, server: SmtpServer, mentor: Person, mentee: Person, offered: bool) -> None:
    server.handler.received.clear()
    server.handler.rcpt_commands.clear()
    server.offer_smtputf8(offered)
    run = await run_pair(env, await pair_input(await env.get_current_time(), mentor, mentee))
    assert run.result.phase == ProgramPhase.COMPLETED
    # Nothing here is temporary: not one message was tried twice.
    assert run.attempts and set(run.attempts) == {1}
    failing = 0
    for role, person in ((Role.MENTOR, mentor), (Role.MENTEE, mentee)):
        if addresses.parse(person.email).needs_smtputf8 and not offered:
            failing += 1
            check_failed_once(run, server, role, person)
        else:
            check_delivered(run, server, role, person)
    office = [r.kind for r in server.handler.for_recipient(OFFICE)]
    # Nobody checks in: the pair turns at risk once, after its second session.
    assert office == ["delivery_failure_notice"] * failing + ["at_risk_alert", "completion_notice"]


async def test_every_international_address_is_delivered_or_failed_once_with_the_office_told(skipping_env):
    loop = asyncio.get_running_loop()
    with SmtpServer() as server:
        async with workers(skipping_env.client, server.port):

            @PROPERTY
            @given(mentor=people("Europe/Berlin"), mentee=people("Asia/Tokyo"), offered=st.booleans())
            def check(mentor: Person, mentee: Person, offered: bool) -> None:
                assume(mentor.email.casefold() != mentee.email.casefold())
                # Hypothesis runs in a thread; the program runs on this test's loop, with its server.
                program = one_program(skipping_env, server, mentor, mentee, offered)
                asyncio.run_coroutine_threadsafe(program, loop).result(timeout=120)

            await asyncio.to_thread(check)
