"""make run's SMTP inbox puts mail to the program office into the office's IMAP mailbox
(besides its .eml file), where the intake reads it; mail to anyone else only lands as a
file."""

from __future__ import annotations

import imaplib
import smtplib
import subprocess
import sys
from email.message import EmailMessage

from tests.checkout import ROOT
from tests.imap_server import ImapServer
from tests.ports import unused_port
from tests.waiting import eventually_sync


def message(to: str, subject: str) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = "Ana Lima <ana.lima@example.org>"
    mail["To"] = to
    mail["Subject"] = subject
    mail["Message-ID"] = f"<{subject.replace(' ', '-')}@example.org>"
    mail.set_content("Accepted.")
    return mail


def test_mail_to_the_office_lands_in_its_mailbox(tmp_path):
    port = unused_port()
    with ImapServer(tmp_path) as imap:
        inbox = subprocess.Popen(
            [
                sys.executable, "-m", "devstack.inbox", "--dir", str(tmp_path / "mail"), "--port", str(port),
                "--office", "mentoring@example.com", "--maildir", str(imap.dovecot.maildir()),
            ],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        try:
            assert inbox.stdout is not None
            assert inbox.stdout.readline().startswith(f"inbox: SMTP on 127.0.0.1:{port}")
            assert "mail to mentoring@example.com also goes to" in inbox.stdout.readline()
            with smtplib.SMTP("127.0.0.1", port) as smtp:
                smtp.send_message(message("Programmbüro <Mentoring@Example.com>", "Accepted session 1"))
                smtp.send_message(message("ben@example.org", "Hello Ben"))
            assert eventually_sync(lambda: len(list((tmp_path / "mail").glob("*.eml"))) == 2, timeout=10, every=0.1)
            assert imap.count("INBOX") == 1
            client = imaplib.IMAP4("127.0.0.1", imap.port)
            client.login("office", imap.dovecot.password)
            client.select("INBOX")
            _, fetched = client.uid("FETCH", "1:*", "(BODY.PEEK[HEADER.FIELDS (SUBJECT DELIVERED-TO)])")
            client.logout()
            assert fetched[0][1] == b"Delivered-To: Mentoring@Example.com\r\nSubject: Accepted session 1\r\n\r\n"
        finally:
            inbox.terminate()
            inbox.wait(10)
