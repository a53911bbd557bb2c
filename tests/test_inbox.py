"""The local SMTP inbox (mentoring_service/inbox.py; make run runs it as devstack/inbox.py):
real SMTP in, one .eml per recipient out."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
from email import policy
from email.message import EmailMessage
from pathlib import Path

import aiosmtplib
import pytest

from mentoring_service.inbox import MailboxHandler, recipient_slug, start_inbox

ROOT = Path(__file__).resolve().parent.parent
OFFICE = "office@example.org"


def message(to: str, subject: str, body: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = f"Program Office <{OFFICE}>"
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = f"<{abs(hash(subject))}@example.org>"
    msg.set_content(body)
    return msg


def stored_bytes(recipient: str, msg: EmailMessage) -> bytes:
    """What the inbox must write: the envelope headers, then the message exactly as sent."""
    envelope = f"Return-Path: <{OFFICE}>\r\nDelivered-To: {recipient}\r\n".encode()
    return envelope + msg.as_bytes(policy=policy.SMTP)


async def send(port: int, msg: EmailMessage, recipients: list[str]) -> None:
    errors, _ = await aiosmtplib.send(msg, hostname="127.0.0.1", port=port, sender=OFFICE, recipients=recipients)
    assert errors == {}


async def test_one_file_per_recipient_in_arrival_order(tmp_path: Path) -> None:
    mail_dir = tmp_path / "mail"
    inbox = start_inbox(mail_dir, port=0)
    try:
        assert inbox.port != 0
        first = message("ana@example.org", "Your first session", "Hello Ana.\n")
        second = message(
            "bob@example.org, Carla Díaz <Carla.Diaz@Example.org>",
            "Midpoint review – how is it going?",
            "Grüße an beide.\n",
        )
        await send(inbox.port, first, ["ana@example.org"])
        await send(inbox.port, second, ["bob@example.org", "Carla.Diaz@Example.org"])
        stored = await inbox.handler.wait_for(3)
    finally:
        inbox.stop()

    names = sorted(p.name for p in mail_dir.iterdir())
    assert names == [
        "00001-ana@example.org.eml",
        "00002-bob@example.org.eml",
        "00003-carla.diaz@example.org.eml",
    ]
    assert (mail_dir / names[0]).read_bytes() == stored_bytes("ana@example.org", first)
    assert (mail_dir / names[1]).read_bytes() == stored_bytes("bob@example.org", second)
    assert (mail_dir / names[2]).read_bytes() == stored_bytes("Carla.Diaz@Example.org", second)

    assert [(s.recipient, s.mail_from, s.path.name) for s in stored] == [
        ("ana@example.org", OFFICE, names[0]),
        ("bob@example.org", OFFICE, names[1]),
        ("Carla.Diaz@Example.org", OFFICE, names[2]),
    ]
    assert stored[0].message["Subject"] == "Your first session"
    assert stored[0].message.get_content() == "Hello Ana.\n"
    assert stored[2].message["Subject"] == "Midpoint review – how is it going?"
    assert stored[2].message["Delivered-To"] == "Carla.Diaz@Example.org"
    assert stored[2].message.get_content() == "Grüße an beide.\n"
    assert stored[1].message["Message-ID"] == stored[2].message["Message-ID"] == second["Message-ID"]


async def test_counter_continues_after_restart(tmp_path: Path) -> None:
    (tmp_path / "00041-someone@example.org.eml").write_bytes(b"Subject: old\r\n\r\nold\r\n")
    (tmp_path / "notes.txt").write_text("not a message")
    inbox = start_inbox(tmp_path, port=0)
    try:
        await send(inbox.port, message("dan@example.org", "After restart", "Hi.\n"), ["dan@example.org"])
        await inbox.handler.wait_for(1)
    finally:
        inbox.stop()
    assert (tmp_path / "00042-dan@example.org.eml").exists()
    assert len(inbox.handler.messages) == 1  # old files are not loaded into memory


def test_recipient_slug_is_file_name_safe() -> None:
    assert recipient_slug("Ana.Lima+mentoring@Example.org") == "ana.lima+mentoring@example.org"
    assert recipient_slug("../../etc/passwd") == "etc_passwd"
    assert "/" not in recipient_slug("a/b@example.org")
    assert MailboxHandler  # exported for `starter.py simulate`


def test_taken_port_raises(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(OSError):
            start_inbox(tmp_path, port=taken.getsockname()[1])


def test_cli_runs_until_sigterm_and_refuses_a_taken_port(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    cmd = [sys.executable, "-m", "devstack.inbox", "--dir", str(tmp_path), "--port", "0"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        banner = proc.stdout.readline()  # type: ignore[union-attr]
        assert "SMTP on 127.0.0.1:" in banner, banner
        port = int(re.search(r"127\.0\.0\.1:(\d+)", banner).group(1))  # type: ignore[union-attr]
        with socket.create_connection(("127.0.0.1", port), timeout=5) as smtp:
            assert smtp.recv(100).startswith(b"220")

        busy = subprocess.run([*cmd[:-1], str(port)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=30)
        assert busy.returncode == 1
        assert f"cannot listen on 127.0.0.1:{port}" in busy.stderr
        assert "Traceback" not in busy.stderr
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err
    assert "stopped" in out
