"""What the intake did with each message, by Message-ID, in SQLite (mode 0600).

A message is ``taken`` just before its reply goes to the pair, ``recorded`` once the
pair has answered, and ``ignored`` when it is no calendar reply. The states make a
restart safe whatever moment it interrupted:

- ``recorded``: the message is only moved to the processed folder, never handed on again;
- ``taken``: the intake died while handing it on, and hands it on again; the pair
  records a reply once per Message-ID (and the update's id is derived from it), so
  the second time changes nothing if the first got through;
- ``ignored`` or nothing: the message is read again from the start.

Commits are WAL with ``synchronous=NORMAL``: a killed process loses nothing, and a
power cut at worst the last few states, which the rules above simply repeat.

The key is the Message-ID as sent, or, for a mail without a usable one, a digest of its
bytes (the same rule as ``parse.read_reply``'s ``message_id``).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import time
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

MESSAGE_ID_MAX = 998  # the longest header line RFC 5322 allows

_SCHEMA = """
CREATE TABLE IF NOT EXISTS messages (
    key TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    outcome TEXT NOT NULL DEFAULT '',
    times_taken INTEGER NOT NULL DEFAULT 0,
    updated_at REAL NOT NULL
)
"""


class LedgerState(StrEnum):
    TAKEN = "taken"
    RECORDED = "recorded"
    IGNORED = "ignored"


@dataclass(frozen=True)
class LedgerEntry:
    key: str
    state: LedgerState
    outcome: str
    times_taken: int


def usable_message_id(header: str | None) -> str | None:
    """The Message-ID header's value when it can key a message, else None."""
    text = (header or "").strip()
    if text and len(text) <= MESSAGE_ID_MAX and text.isprintable():
        return text
    return None


def message_key(header: str | None, raw: bytes) -> str:
    """The ledger's key: the Message-ID as sent, or a digest of the message's bytes."""
    return usable_message_id(header) or f"<{hashlib.sha256(raw).hexdigest()}@no-message-id.invalid>"


def _private(path: Path) -> None:
    """The ledger holds Message-IDs, which name the sender's domain: its user's only."""
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    for file in (path, path.with_name(f"{path.name}-wal"), path.with_name(f"{path.name}-shm")):
        with contextlib.suppress(FileNotFoundError):
            os.chmod(file, 0o600)


class IntakeLedger:
    """One connection, used by one intake at a time. Each call is a short transaction."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        _private(path)
        self.path = path
        self._db = sqlite3.connect(path, isolation_level=None, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(_SCHEMA)
        _private(path)  # the -wal and -shm files exist now

    @classmethod
    def open(cls, url: str) -> IntakeLedger:
        if not url.startswith("sqlite:///") or url == "sqlite:///":
            raise ValueError("INTAKE_LEDGER_URL must be sqlite:///PATH")
        return cls(Path(url.removeprefix("sqlite:///")))

    def get(self, key: str) -> LedgerEntry | None:
        row = self._db.execute("SELECT state, outcome, times_taken FROM messages WHERE key = ?", (key,)).fetchone()
        return None if row is None else LedgerEntry(key, LedgerState(row[0]), row[1], row[2])

    def take(self, key: str) -> LedgerEntry:
        """Before handing the message on: counts how often it was (a restart shows as 2)."""
        self._db.execute(
            "INSERT INTO messages (key, state, times_taken, updated_at) VALUES (?, ?, 1, ?) "
            "ON CONFLICT (key) DO UPDATE SET state = excluded.state, times_taken = times_taken + 1, "
            "updated_at = excluded.updated_at",
            (key, LedgerState.TAKEN, time.time()),
        )
        entry = self.get(key)
        assert entry is not None
        return entry

    def finish(self, key: str, state: LedgerState, outcome: str) -> None:
        """``recorded`` with the pair's outcome, or ``ignored`` with the reason."""
        self._db.execute(
            "INSERT INTO messages (key, state, outcome, updated_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (key) DO UPDATE SET state = excluded.state, outcome = excluded.outcome, "
            "updated_at = excluded.updated_at",
            (key, state, outcome, time.time()),
        )

    def entries(self) -> list[LedgerEntry]:
        """Every message, for audits and tests."""
        rows = self._db.execute("SELECT key, state, outcome, times_taken FROM messages ORDER BY key").fetchall()
        return [LedgerEntry(key, LedgerState(state), outcome, taken) for key, state, outcome, taken in rows]

    def close(self) -> None:
        self._db.close()
