"""The delivery ledger: a durable record of every message key the worker has sent.

SMTP cannot promise exactly-once, so the ledger narrows the gap:

- a key whose message the server accepted is never sent again, whatever Temporal retries;
- a key that was claimed but whose outcome is unknown (the worker died, or the
  connection broke during DATA) is sent again with the same Message-ID, and the
  re-send is counted as ambiguous, so mail and calendar clients see one item;
- a key whose send failed before DATA is released: nothing left the building.

SQLite (one machine, the default) or PostgreSQL (several workers, docker-compose),
chosen by ``DELIVERY_LEDGER_URL``: ``sqlite:///var/delivery-ledger.sqlite3`` or
``postgresql://user:password@host/db``.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path


class LedgerStatus(StrEnum):
    CLAIMED = "claimed"
    ACCEPTED = "accepted"
    RELEASED = "released"


@dataclass(frozen=True)
class LedgerEntry:
    key: str
    message_id: str
    status: LedgerStatus
    attempts: int
    ambiguous_resends: int
    smtp_reply: str | None
    # The status before this attempt began: CLAIMED means an earlier attempt's outcome is unknown.
    previous_status: LedgerStatus | None


@dataclass(frozen=True)
class LedgerRow:
    key: str
    message_id: str
    status: LedgerStatus
    attempts: int
    ambiguous_resends: int


@dataclass(frozen=True)
class LedgerStats:
    claimed: int
    accepted: int
    released: int
    ambiguous_resends: int


_SCHEMA = """
CREATE TABLE IF NOT EXISTS deliveries (
    key TEXT PRIMARY KEY,
    message_id TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    ambiguous_resends INTEGER NOT NULL DEFAULT 0,
    smtp_reply TEXT,
    claimed_at TEXT NOT NULL,
    accepted_at TEXT
)
"""


def _now() -> str:
    return datetime.now(UTC).isoformat()


class DeliveryLedger(ABC):
    @abstractmethod
    async def begin(self, key: str, message_id: str) -> LedgerEntry:
        """Claim ``key`` for this attempt and say what earlier attempts left behind."""

    @abstractmethod
    async def accepted(self, key: str, reply: str) -> None: ...

    @abstractmethod
    async def release(self, key: str) -> None:
        """The send failed before DATA: the message did not reach the server."""

    @abstractmethod
    async def count_ambiguous(self, key: str) -> None: ...

    @abstractmethod
    async def stats(self) -> LedgerStats: ...

    @abstractmethod
    async def rows(self) -> list[LedgerRow]:
        """Every key, for audits and tests."""

    @abstractmethod
    async def close(self) -> None: ...


def _private(path: Path) -> None:
    """Readable by the worker's user only, like the key and token files: the ledger
    holds message keys and server replies. SQLite gives the -wal and -shm files it
    creates the database file's mode; ones left by an older version are tightened too."""
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    for file in (path, path.with_name(f"{path.name}-wal"), path.with_name(f"{path.name}-shm")):
        with contextlib.suppress(FileNotFoundError):
            os.chmod(file, 0o600)


class SqliteLedger(DeliveryLedger):
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        _private(path)
        # One connection, used from one worker thread at a time; WAL lets readers look in.
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute(_SCHEMA)
        self._lock = asyncio.Lock()

    async def _run(self, fn, *args):
        async with self._lock:
            return await asyncio.to_thread(fn, *args)

    def _begin(self, key: str, message_id: str) -> LedgerEntry:
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            row = db.execute(
                "SELECT status, attempts, ambiguous_resends, smtp_reply FROM deliveries WHERE key = ?", (key,)
            ).fetchone()
            if row is None:
                db.execute(
                    "INSERT INTO deliveries (key, message_id, status, attempts, claimed_at) VALUES (?, ?, ?, 1, ?)",
                    (key, message_id, LedgerStatus.CLAIMED, _now()),
                )
                entry = LedgerEntry(key, message_id, LedgerStatus.CLAIMED, 1, 0, None, None)
            else:
                previous = LedgerStatus(row[0])
                status = previous if previous == LedgerStatus.ACCEPTED else LedgerStatus.CLAIMED
                db.execute("UPDATE deliveries SET status = ?, attempts = attempts + 1 WHERE key = ?", (status, key))
                entry = LedgerEntry(key, message_id, status, row[1] + 1, row[2], row[3], previous)
            db.execute("COMMIT")
            return entry
        except BaseException:
            db.execute("ROLLBACK")
            raise

    async def begin(self, key: str, message_id: str) -> LedgerEntry:
        return await self._run(self._begin, key, message_id)

    async def accepted(self, key: str, reply: str) -> None:
        await self._run(
            self._db.execute,
            "UPDATE deliveries SET status = ?, smtp_reply = ?, accepted_at = ? WHERE key = ?",
            (LedgerStatus.ACCEPTED, reply, _now(), key),
        )

    async def release(self, key: str) -> None:
        await self._run(
            self._db.execute,
            "UPDATE deliveries SET status = ? WHERE key = ? AND status = ?",
            (LedgerStatus.RELEASED, key, LedgerStatus.CLAIMED),
        )

    async def count_ambiguous(self, key: str) -> None:
        await self._run(
            self._db.execute, "UPDATE deliveries SET ambiguous_resends = ambiguous_resends + 1 WHERE key = ?", (key,)
        )

    def _stats(self) -> LedgerStats:
        counts = dict(self._db.execute("SELECT status, count(*) FROM deliveries GROUP BY status").fetchall())
        ambiguous = self._db.execute("SELECT coalesce(sum(ambiguous_resends), 0) FROM deliveries").fetchone()[0]
        return LedgerStats(
            claimed=counts.get(LedgerStatus.CLAIMED, 0),
            accepted=counts.get(LedgerStatus.ACCEPTED, 0),
            released=counts.get(LedgerStatus.RELEASED, 0),
            ambiguous_resends=ambiguous,
        )

    async def stats(self) -> LedgerStats:
        return await self._run(self._stats)

    def _rows(self) -> list[LedgerRow]:
        rows = self._db.execute(
            "SELECT key, message_id, status, attempts, ambiguous_resends FROM deliveries ORDER BY key"
        ).fetchall()
        return [LedgerRow(r[0], r[1], LedgerStatus(r[2]), r[3], r[4]) for r in rows]

    async def rows(self) -> list[LedgerRow]:
        return await self._run(self._rows)

    async def close(self) -> None:
        await self._run(self._db.close)


class PostgresLedger(DeliveryLedger):
    def __init__(self, url: str) -> None:
        self._url = url
        self._pool = None

    async def _connection(self):
        # Imported here so that a SQLite deployment needs no PostgreSQL driver at all.
        from psycopg_pool import AsyncConnectionPool

        if self._pool is None:
            pool = AsyncConnectionPool(self._url, min_size=1, max_size=4, open=False)
            await pool.open()
            async with pool.connection() as conn:
                await conn.execute(_SCHEMA)
            self._pool = pool
        return self._pool.connection()

    async def begin(self, key: str, message_id: str) -> LedgerEntry:
        async with await self._connection() as conn, conn.transaction():
            row = await (
                await conn.execute(
                    "SELECT status, attempts, ambiguous_resends, smtp_reply FROM deliveries WHERE key = %s FOR UPDATE",
                    (key,),
                )
            ).fetchone()
            if row is None:
                inserted = await conn.execute(
                    "INSERT INTO deliveries (key, message_id, status, attempts, claimed_at) "
                    "VALUES (%s, %s, %s, 1, %s) ON CONFLICT (key) DO NOTHING",
                    (key, message_id, LedgerStatus.CLAIMED.value, _now()),
                )
                if inserted.rowcount == 1:
                    return LedgerEntry(key, message_id, LedgerStatus.CLAIMED, 1, 0, None, None)
                # Another worker inserted it a moment ago: treat it as an unknown earlier attempt.
                row = (LedgerStatus.CLAIMED.value, 1, 0, None)
            previous = LedgerStatus(row[0])
            status = previous if previous == LedgerStatus.ACCEPTED else LedgerStatus.CLAIMED
            await conn.execute(
                "UPDATE deliveries SET status = %s, attempts = attempts + 1 WHERE key = %s", (status.value, key)
            )
            return LedgerEntry(key, message_id, status, row[1] + 1, row[2], row[3], previous)

    async def _execute(self, sql: str, params: tuple) -> None:
        async with await self._connection() as conn:
            await conn.execute(sql, params)

    async def accepted(self, key: str, reply: str) -> None:
        await self._execute(
            "UPDATE deliveries SET status = %s, smtp_reply = %s, accepted_at = %s WHERE key = %s",
            (LedgerStatus.ACCEPTED.value, reply, _now(), key),
        )

    async def release(self, key: str) -> None:
        await self._execute(
            "UPDATE deliveries SET status = %s WHERE key = %s AND status = %s",
            (LedgerStatus.RELEASED.value, key, LedgerStatus.CLAIMED.value),
        )

    async def count_ambiguous(self, key: str) -> None:
        await self._execute("UPDATE deliveries SET ambiguous_resends = ambiguous_resends + 1 WHERE key = %s", (key,))

    async def stats(self) -> LedgerStats:
        async with await self._connection() as conn:
            rows = await (await conn.execute("SELECT status, count(*) FROM deliveries GROUP BY status")).fetchall()
            ambiguous = (
                await (await conn.execute("SELECT coalesce(sum(ambiguous_resends), 0) FROM deliveries")).fetchone()
            )[0]
        counts = dict(rows)
        return LedgerStats(
            claimed=counts.get(LedgerStatus.CLAIMED.value, 0),
            accepted=counts.get(LedgerStatus.ACCEPTED.value, 0),
            released=counts.get(LedgerStatus.RELEASED.value, 0),
            ambiguous_resends=int(ambiguous),
        )

    async def rows(self) -> list[LedgerRow]:
        async with await self._connection() as conn:
            rows = await (
                await conn.execute(
                    "SELECT key, message_id, status, attempts, ambiguous_resends FROM deliveries ORDER BY key"
                )
            ).fetchall()
        return [LedgerRow(r[0], r[1], LedgerStatus(r[2]), r[3], r[4]) for r in rows]

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()


def open_ledger(url: str) -> DeliveryLedger:
    if url.startswith("sqlite:///"):
        return SqliteLedger(Path(url.removeprefix("sqlite:///")))
    if url.startswith(("postgresql://", "postgres://")):
        return PostgresLedger(url)
    raise ValueError(f"DELIVERY_LEDGER_URL must start with sqlite:/// or postgresql://, not {url.split(':', 1)[0]!r}")
