"""A real IMAP server for tests: make run's Dovecot (devstack/mailbox.py) in a tmp_path.

    with ImapServer(tmp_path) as imap:
        imap.deliver(raw)                 # into INBOX, as an MDA would
        imap.count("Processed")           # messages in a folder (its maildir)
        imap.folders()                    # what LIST says, over IMAP
        imap.settings(poll_seconds=1)     # IntakeSettings that reach it

``capabilities=BASIC_CAPABILITIES`` makes it a server without IDLE and MOVE; ``tls=True``
one that offers STARTTLS on ``port`` and implicit TLS on ``tls_port``, with a
certificate for localhost in ``cert_file`` (trust it with SSL_CERT_FILE);
``oauth2_introspection_url`` one that also offers XOAUTH2, its tokens checked there
(tests/oauth_server.py).
"""

from __future__ import annotations

import imaplib
import re
from pathlib import Path
from types import TracebackType
from typing import Any

from devstack.mailbox import BASIC_CAPABILITIES, Dovecot, session_processes
from mentoring_service.settings import IntakeSettings

__all__ = ["BASIC_CAPABILITIES", "ImapServer"]

_LOGGED_OUT = re.compile(r"imap\(\S+?\)<.*: Disconnected: .*\bin=(\d+) out=(\d+)")


class ImapServer:
    def __init__(
        self,
        directory: Path,
        capabilities: str | None = None,
        tls: bool = False,
        oauth2_introspection_url: str | None = None,
    ) -> None:
        self.directory = directory
        self.dovecot = Dovecot(
            directory / "dovecot", capabilities=capabilities, tls=tls, oauth2_introspection_url=oauth2_introspection_url
        )

    def start(self) -> ImapServer:
        self.dovecot.start()
        return self

    def stop(self) -> None:
        self.dovecot.stop()

    def __enter__(self) -> ImapServer:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        return self.dovecot.port

    @property
    def tls_port(self) -> int:
        return self.dovecot.tls_port

    @property
    def cert_file(self) -> Path:
        return self.dovecot.cert_file

    @property
    def pid(self) -> int:
        assert self.dovecot.proc is not None
        return self.dovecot.proc.pid

    def processes(self, pid: int) -> list[int]:
        return session_processes(pid)

    def settings(self, **overrides: Any) -> IntakeSettings:
        values: dict[str, Any] = {
            "host": "127.0.0.1",
            "port": self.port,
            "tls": "none",
            "user": self.dovecot.user,
            "password": self.dovecot.password,
            "folder": "INBOX",
            "processed_folder": "Processed",
            "ignored_folder": "Ignored",
            "poll_seconds": 30.0,
            "ledger_url": f"sqlite:///{self.directory / 'intake-ledger.sqlite3'}",
        }
        values.update(overrides)
        return IntakeSettings(**values)

    def deliver(self, raw: bytes, folder: str = "INBOX") -> None:
        self.dovecot.deliver(raw, folder)

    def messages(self, folder: str = "INBOX") -> list[bytes]:
        """The folder's messages, read from its maildir (new/ and cur/)."""
        maildir = self.dovecot.maildir(folder)
        files = [p for sub in ("new", "cur") if (maildir / sub).exists() for p in (maildir / sub).iterdir()]
        return [p.read_bytes() for p in sorted(files, key=lambda p: p.name)]

    def count(self, folder: str = "INBOX") -> int:
        maildir = self.dovecot.maildir(folder)
        return sum(len(list((maildir / sub).iterdir())) for sub in ("new", "cur") if (maildir / sub).exists())

    def folders(self) -> list[str]:
        """The folder names LIST gives, over IMAP (stdlib imaplib, a client of its own)."""
        client = imaplib.IMAP4("127.0.0.1", self.port)
        try:
            client.login(self.dovecot.user, self.dovecot.password)
            _, listed = client.list()
        finally:
            client.logout()
        return sorted(line.decode().rsplit(' "." ', 1)[1].strip('"') for line in listed if isinstance(line, bytes))

    def bytes_sent(self) -> list[int]:
        """How many bytes Dovecot sent in each IMAP session that has ended (its log)."""
        log = self.dovecot.log.read_text(errors="replace")
        return [int(found.group(2)) for found in _LOGGED_OUT.finditer(log)]
