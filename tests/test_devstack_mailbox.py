"""make run's mailbox (devstack/mailbox.py): Dovecot from Debian's packages, configured
by the project, running as whoever starts it, reachable on 127.0.0.1 only, and gone,
every process of it, once stopped."""

from __future__ import annotations

import imaplib
import os
import re
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from devstack.mailbox import Dovecot, MailboxError, session_processes
from tests.checkout import ROOT
from tests.ports import unused_port


def test_it_serves_the_office_mailbox_and_stops_every_process(tmp_path):
    server = Dovecot(tmp_path / "dovecot")
    with server:
        pid = server.proc.pid if server.proc else 0
        assert len(session_processes(pid)) >= 3  # master, log, config, anvil ...
        server.deliver(b"Message-ID: <one@example.org>\r\nSubject: one\r\n\r\nfirst\r\n")
        client = imaplib.IMAP4("127.0.0.1", server.port)
        assert client.login("office", server.password)[0] == "OK"
        capabilities = client.capability()[1][0].split()
        assert b"IDLE" in capabilities and b"MOVE" in capabilities
        assert client.select("INBOX") == ("OK", [b"1"])
        typ, fetched = client.uid("FETCH", "1:*", "(BODY.PEEK[])")
        assert fetched[0][1] == b"Message-ID: <one@example.org>\r\nSubject: one\r\n\r\nfirst\r\n"
        client.logout()
        with pytest.raises(imaplib.IMAP4.error):
            imaplib.IMAP4("127.0.0.1", server.port).login("office", "wrong")
    assert session_processes(pid) == []
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", server.port), timeout=1).close()


def test_its_secrets_are_private_and_the_password_survives_a_restart(tmp_path):
    directory = tmp_path / "dovecot"
    with Dovecot(directory) as first:
        password = first.password
    with Dovecot(directory) as second:
        assert second.password == password
        client = imaplib.IMAP4("127.0.0.1", second.port)
        assert client.login("office", password)[0] == "OK"
        client.logout()
    for name in ("office-password", "users"):
        assert stat.S_IMODE((directory / name).stat().st_mode) == 0o600
    config = (directory / "dovecot.conf").read_text()
    assert "listen = 127.0.0.1\n" in config and "ssl = no\n" in config
    assert "disable_plaintext_auth = no\n" in config
    assert password not in config


def listening_addresses(port: int) -> list[str]:
    """Where sockets listen on ``port``, from the kernel's table (IPv4 and IPv6)."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, _, hex_port = local.partition(":")
            if state == "0A" and int(hex_port, 16) == port:  # LISTEN
                found.append(address)
    return found


def test_it_listens_on_the_loopback_address_only(tmp_path):
    with Dovecot(tmp_path / "dovecot") as server:
        assert listening_addresses(server.port) == ["0100007F"]  # 127.0.0.1, little-endian


def test_a_taken_port_is_a_clear_error(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        server = Dovecot(tmp_path / "dovecot", port=taken.getsockname()[1])
        with pytest.raises(MailboxError, match="Address already in use"):
            server.start()
        assert server.proc is None


def start_command(directory, port: int) -> tuple[subprocess.Popen[str], int]:
    """``python -m devstack.mailbox``, as make run starts it; and its Dovecot's pid."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "devstack.mailbox", "--dir", str(directory), "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    found = re.match(rf"mailbox: IMAP on 127\.0\.0\.1:{port}, user office, .*\(Dovecot pid (\d+)\)$", line)
    assert found, line
    return proc, int(found.group(1))


def gone(pid: int) -> bool:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and session_processes(pid):
        time.sleep(0.05)
    return session_processes(pid) == []


def test_the_command_runs_until_interrupted(tmp_path):
    port = unused_port()
    proc, dovecot = start_command(tmp_path / "dovecot", port)
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
        assert proc.stdout is not None and "mailbox: stopped" in proc.stdout.read()
    finally:
        if proc.poll() is None:
            proc.kill()
    assert gone(dovecot)


def test_dovecot_does_not_outlive_a_killed_command(tmp_path):
    port = unused_port()
    proc, dovecot = start_command(tmp_path / "dovecot", port)
    proc.kill()  # what make run does to a child that does not stop in time
    proc.wait()
    assert gone(dovecot)
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()


def test_a_message_written_by_hand_can_be_dropped_into_the_inbox(tmp_path):
    reply = tmp_path / "reply.eml"
    reply.write_text("From: ana@example.org\nSubject: Accepted\n\nJa.\n")
    command = [sys.executable, "-m", "devstack.mailbox", "--dir", str(tmp_path / "dovecot"), "--deliver", str(reply)]
    refused = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=30)
    assert refused.returncode == 1 and "there is no mailbox at" in refused.stderr
    with Dovecot(tmp_path / "dovecot") as server:
        dropped = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=30)
        assert dropped.returncode == 0, dropped.stderr
        assert dropped.stdout == f"mailbox: {reply} is in the office's INBOX\n"
        client = imaplib.IMAP4("127.0.0.1", server.port)
        client.login("office", server.password)
        client.select("INBOX")
        _, fetched = client.uid("FETCH", "1:*", "(BODY.PEEK[])")
        client.logout()
    assert fetched[0][1] == b"From: ana@example.org\r\nSubject: Accepted\r\n\r\nJa.\r\n"


def test_it_starts_again_after_being_killed_whoever_has_its_old_pid_now(short_tmp):
    # A short path, so that run/ (and its master.pid) stays beside the mail.
    directory = short_tmp / "dovecot"
    with Dovecot(directory):
        pass
    # As if it had been killed and its pid given to another process since: this one's.
    (directory / "run" / "master.pid").write_text(f"{os.getpid()}\n")
    with Dovecot(directory) as again:
        socket.create_connection(("127.0.0.1", again.port), timeout=1).close()


@pytest.fixture
def short_tmp():
    path = Path(tempfile.mkdtemp(prefix="dv-", dir="/tmp"))
    yield path
    shutil.rmtree(path, ignore_errors=True)
