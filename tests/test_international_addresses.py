"""International addresses from the cohort file to the mailbox, against real aiosmtpd
servers with and without SMTPUTF8, and permanent errors tried exactly once."""

from __future__ import annotations

import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from mentoring.cohort import Person, Role
from mentoring.messages import INVALID_MESSAGE, PERMANENT_FAILURE
from mentoring.state import DeliveryStatus, ProgramPhase
from tests.delivery_runs import OFFICE, pair_input, run_pair, workers
from tests.smtp_server import SmtpServer
from tests.test_delivery_ledger import delivery, invite_request

MENTOR = Person(name="Lena Weber", email="lena.weber@example.com", timezone="Europe/Berlin")


def to(address: str, name: str = "Jörg Groß"):
    request = invite_request("wf/session-1-invite/0/mentee")
    request.recipient.email, request.recipient.name = address, name
    return request


# --- one message, the activity against a real server --------------------------------------


async def test_an_international_domain_goes_out_in_its_ascii_form(smtp, tmp_path):
    receipt = await ActivityEnvironment().run(
        delivery(smtp, tmp_path).deliver_message, to("bert@müller.example", "Bert Müller")
    )
    (received,) = smtp.handler.received
    assert received.recipient == "bert@xn--mller-kva.example"
    assert not received.smtputf8
    (header_to,) = received.message["To"].addresses
    assert (header_to.display_name, header_to.addr_spec) == ("Bert Müller", "bert@xn--mller-kva.example")
    assert str(received.message["Message-ID"]) == receipt.message_id


async def test_a_non_ascii_local_part_goes_out_with_smtputf8(smtp, tmp_path):
    await ActivityEnvironment().run(delivery(smtp, tmp_path).deliver_message, to("jörg.groß@müller.example"))
    (received,) = smtp.handler.received
    # The domain in the envelope is ASCII even here; the header shows the address as written.
    assert (received.recipient, received.smtputf8) == ("jörg.groß@xn--mller-kva.example", True)
    (header_to,) = received.message["To"].addresses
    assert (header_to.display_name, header_to.addr_spec) == ("Jörg Groß", "jörg.groß@müller.example")
    assert received.message["Reply-To"].addresses[0].addr_spec == "office@example.com"


async def test_plain_addresses_never_use_smtputf8(smtp, tmp_path):
    await ActivityEnvironment().run(delivery(smtp, tmp_path).deliver_message, to("mentee-p1@example.com"))
    assert [(r.recipient, r.smtputf8) for r in smtp.handler.received] == [("mentee-p1@example.com", False)]


async def test_without_smtputf8_the_activity_refuses_for_good_and_keeps_the_connection(tmp_path):
    with SmtpServer(smtputf8=False) as server:
        mail, env = delivery(server, tmp_path), ActivityEnvironment()
        with pytest.raises(ApplicationError) as refused:
            await env.run(mail.deliver_message, to("jörg@example.com"))
        assert (refused.value.type, refused.value.non_retryable) == (PERMANENT_FAILURE, True)
        assert refused.value.details[0] == 553 and refused.value.details[1].startswith("5.6.7 not sent")
        assert (
            refused.value.message
            == "pair p1: invite wf/session-1-invite/0/mentee: not sent, needs SMTPUTF8 (553 5.6.7)"
        )
        assert server.handler.rcpt_commands == []
        # Nothing was said on that connection but EHLO: the next message uses it.
        await env.run(mail.deliver_message, invite_request("wf/session-2-invite/0/mentee"))
        assert server.handler.sessions == 1


@pytest.mark.parametrize(
    "address", ["x@@example.com", "<mentee@example.com>", "mentee@ü..example", "mentee@example.com>", "nobody"]
)
async def test_a_malformed_address_is_a_permanent_failure_that_names_no_address(smtp, tmp_path, address):
    with pytest.raises(ApplicationError) as refused:
        await ActivityEnvironment().run(delivery(smtp, tmp_path).deliver_message, to(address))
    assert (refused.value.type, refused.value.non_retryable) == (PERMANENT_FAILURE, True)
    assert refused.value.details[0] == 553 and refused.value.details[1].startswith("5.1.3 not a valid address: ")
    assert refused.value.message == "pair p1: invite wf/session-1-invite/0/mentee: not a valid address (553 5.1.3)"
    assert smtp.handler.rcpt_commands == []


async def test_a_message_that_cannot_be_composed_is_not_retried(smtp, tmp_path):
    # A zone this machine does not know: zoneinfo raises a KeyError, not a ValueError.
    request = invite_request("wf/session-1-invite/0/mentee")
    request.recipient.timezone = "Mars/Olympus_Mons"
    with pytest.raises(ApplicationError) as failed:
        await ActivityEnvironment().run(delivery(smtp, tmp_path).deliver_message, request)
    assert (failed.value.type, failed.value.non_retryable) == (INVALID_MESSAGE, True)
    assert failed.value.message.startswith("pair p1: invite wf/session-1-invite/0/mentee: cannot be sent: ")
    assert smtp.handler.received == []


# --- whole programs: recorded once, the office told once, every attempt counted -------------


async def test_without_smtputf8_a_non_ascii_local_part_fails_once_per_message_and_the_office_is_told(skipping_env):
    jorg = Person(name="Jörg Groß", email="jörg.groß@example.com", timezone="Europe/Berlin")
    with SmtpServer(smtputf8=False) as server:
        async with workers(skipping_env.client, server.port):
            run = await run_pair(skipping_env, await pair_input(await skipping_env.get_current_time(), MENTOR, jorg))

    assert run.result.phase == ProgramPhase.COMPLETED
    assert run.attempts and set(run.attempts) == {1}
    jorg_records = [m for m in run.result.messages if m.role == Role.MENTEE]
    assert len(jorg_records) > 5 and len({m.key for m in jorg_records}) == len(jorg_records)
    assert {(m.status, m.smtp_code) for m in jorg_records} == {(DeliveryStatus.FAILED, 553)}
    assert jorg_records[0].detail.startswith("553 5.6.7 not sent")
    assert all(m.status == DeliveryStatus.SENT for m in run.result.messages if m.role == Role.MENTOR)
    assert server.handler.rcpt_commands.count("jörg.groß@example.com") == 0
    office = server.handler.for_recipient(OFFICE)
    # Nobody checks in, so the pair turns at risk after its second session, once.
    assert [r.kind for r in office] == ["delivery_failure_notice", "at_risk_alert", "completion_notice"]
    notice = office[0].message.get_body(("plain",)).get_content()
    assert "jörg.groß@example.com" in notice and "5.6.7" in notice


@pytest.mark.parametrize(
    ("mentee", "expected"),
    [
        # Each of these used to be retried until the message expired.
        (Person(name="Bert Müller", email="bert@müller.example", timezone="Europe/Berlin"), "sent"),
        (Person(name="Klaus Richter", email="x@@example.com", timezone="Europe/Berlin"), "failed"),
        (Person(name="Klaus Richter", email="mentee@ü..example", timezone="Europe/Berlin"), "failed"),
        (Person(name="Klaus Richter", email="mentee@example.com", timezone="Mars/Olympus_Mons"), "invalid"),
    ],
    ids=["idn-domain", "double-at", "empty-label", "unknown-zone"],
)
async def test_every_message_is_attempted_once_whatever_its_permanent_error(skipping_env, smtp, mentee, expected):
    async with workers(skipping_env.client, smtp.port):
        run = await run_pair(skipping_env, await pair_input(await skipping_env.get_current_time(), MENTOR, mentee))

    assert run.result.phase == ProgramPhase.COMPLETED
    assert run.attempts and set(run.attempts) == {1}
    records = [m for m in run.result.messages if m.role == Role.MENTEE]
    office = [r.kind for r in smtp.handler.for_recipient(OFFICE)]
    if expected == "sent":
        assert {m.status for m in records} == {DeliveryStatus.SENT}
        assert len(smtp.handler.for_recipient("bert@xn--mller-kva.example")) == len(records)
        assert office == ["at_risk_alert", "completion_notice"]  # nobody checks in
    elif expected == "failed":
        assert {(m.status, m.smtp_code) for m in records} == {(DeliveryStatus.FAILED, 553)}
        assert office == ["delivery_failure_notice", "at_risk_alert", "completion_notice"]
    else:
        # Not the address's fault: recorded, and no notice about an address.
        failed = [m for m in records if m.status == DeliveryStatus.FAILED]
        assert failed and all(m.smtp_code is None and "cannot be sent" in m.detail for m in failed)
        assert office == ["at_risk_alert", "completion_notice"]
