"""The intake's TLS against a real Dovecot with a certificate of its own: STARTTLS and
implicit TLS both read the mailbox; an untrusted certificate and a server without
STARTTLS are refused, never read in the clear."""

from __future__ import annotations

import pytest

from mentoring_service.intake.ledger import IntakeLedger
from mentoring_service.intake.mailbox import ImapMailbox, MailboxError
from mentoring_service.intake.service import Intake
from tests.imap_server import ImapServer
from tests.test_intake import Pairs, mail, stub_parse


@pytest.fixture(scope="module")
def tls_imap(tmp_path_factory):
    with ImapServer(tmp_path_factory.mktemp("tls"), tls=True) as server:
        yield server


async def sweep(settings):
    pairs = Pairs()
    intake = Intake(settings, IntakeLedger.open(settings.ledger_url), stub_parse, pairs.deliver)
    async with ImapMailbox(settings) as mailbox:
        return await intake.sweep(mailbox)


@pytest.mark.parametrize(("tls", "host"), [("starttls", "localhost"), ("tls", "127.0.0.1")])
async def test_it_reads_the_mailbox_over_tls(tls_imap, monkeypatch, tls, host):
    monkeypatch.setenv("SSL_CERT_FILE", str(tls_imap.cert_file))
    port = tls_imap.port if tls == "starttls" else tls_imap.tls_port
    tls_imap.deliver(mail(1 if tls == "starttls" else 2))
    logins_before = tls_imap.dovecot.log.read_text().count("Login: user=<office>")
    result = await sweep(tls_imap.settings(host=host, port=port, tls=tls))
    assert result.outcomes == {"recorded": 1}
    logins = [line for line in tls_imap.dovecot.log.read_text().splitlines() if "Login: user=<office>" in line]
    assert len(logins) == logins_before + 1 and ", TLS," in logins[-1]


@pytest.mark.parametrize("tls", ["starttls", "tls"])
async def test_an_untrusted_certificate_is_refused(tls_imap, monkeypatch, tmp_path, tls):
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "no-such-bundle.pem"))
    port = tls_imap.port if tls == "starttls" else tls_imap.tls_port
    with pytest.raises(MailboxError, match="CERTIFICATE_VERIFY_FAILED"):
        async with ImapMailbox(tls_imap.settings(host="localhost", port=port, tls=tls)):
            pass


async def test_starttls_is_required_when_asked_for(tmp_path):
    with ImapServer(tmp_path) as plain:  # ssl = no: it offers no STARTTLS
        settings = plain.settings(host="localhost", tls="starttls")
        with pytest.raises(MailboxError, match="the server does not offer STARTTLS"):
            async with ImapMailbox(settings):
                pass
        assert "Login: user=<office>" not in plain.dovecot.log.read_text()
