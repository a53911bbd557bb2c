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
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


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


@dataclass(frozen=True)
class _Done:
    """A write's result inside a batch (which may also hold other writes' errors)."""

    value: Any


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
    """Every write is durable (WAL, ``synchronous=FULL``) before its caller goes on.

    Writes that arrive while a transaction is being committed wait and then commit
    together (a group commit): one fsync for many keys instead of one each. Each write
    runs in its own savepoint, so one that fails leaves the others in the batch intact."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        _private(path)
        # One connection, used from one worker thread at a time; WAL lets readers look in.
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute(_SCHEMA)
        self._lock = asyncio.Lock()
        self._waiting: list[tuple[Callable[[sqlite3.Connection], Any], asyncio.Future[Any]]] = []
        self._committer: asyncio.Task[None] | None = None

    async def _run(self, fn, *args):
        async with self._lock:
            return await asyncio.to_thread(fn, *args)

    async def _write(self, write: Callable[[sqlite3.Connection], T]) -> T:
        done: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._waiting.append((write, done))
        if self._committer is None or self._committer.done():
            self._committer = asyncio.create_task(self._commit_waiting())
        return await done

    async def _commit_waiting(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, []
            try:
                outcomes = await self._run(self._commit, [write for write, _ in batch])
            except Exception as error:  # the commit itself failed: nobody's write holds
                outcomes = [error] * len(batch)
            except BaseException:  # cancelled with the worker: so are the writes waiting on it
                for _, done in batch + self._waiting:
                    done.cancel()
                raise
            for (_, done), outcome in zip(batch, outcomes, strict=True):
                if done.cancelled():
                    continue
                if isinstance(outcome, BaseException):
                    done.set_exception(outcome)
                else:
                    done.set_result(outcome.value)

    def _commit(self, writes: list[Callable[[sqlite3.Connection], Any]]) -> list[_Done | BaseException]:
        db = self._db
        if len(writes) == 1:
            return [self._commit_one(writes[0])]
        outcomes: list[_Done | BaseException] = []
        db.execute("BEGIN IMMEDIATE")
        try:
            for write in writes:
                db.execute("SAVEPOINT one_write")
                try:
                    outcomes.append(_Done(write(db)))
                    db.execute("RELEASE one_write")
                except Exception as error:
                    db.execute("ROLLBACK TO one_write")
                    db.execute("RELEASE one_write")
                    outcomes.append(error)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return outcomes

    def _commit_one(self, write: Callable[[sqlite3.Connection], Any]) -> _Done | BaseException:
        """A batch of one (every write when sends come one at a time): no savepoint,
        since a failing write leaves nothing else to keep."""
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            done = _Done(write(db))
        except Exception as error:
            db.execute("ROLLBACK")
            return error
        except BaseException:
            db.execute("ROLLBACK")
            raise
        try:
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return done

    @staticmethod
    def _claim(key: str, message_id: str) -> Callable[[sqlite3.Connection], LedgerEntry]:
        def claim(db: sqlite3.Connection) -> LedgerEntry:
            # A new key (nearly every claim) in one statement; a known one is read first.
            inserted = db.execute(
                "INSERT INTO deliveries (key, message_id, status, attempts, claimed_at) VALUES (?, ?, ?, 1, ?) "
                "ON CONFLICT (key) DO NOTHING",
                (key, message_id, LedgerStatus.CLAIMED, _now()),
            )
            if inserted.rowcount == 1:
                return LedgerEntry(key, message_id, LedgerStatus.CLAIMED, 1, 0, None, None)
            row = db.execute(
                "SELECT status, attempts, ambiguous_resends, smtp_reply FROM deliveries WHERE key = ?", (key,)
            ).fetchone()
            previous = LedgerStatus(row[0])
            status = previous if previous == LedgerStatus.ACCEPTED else LedgerStatus.CLAIMED
            db.execute("UPDATE deliveries SET status = ?, attempts = attempts + 1 WHERE key = ?", (status, key))
            return LedgerEntry(key, message_id, status, row[1] + 1, row[2], row[3], previous)

        return claim

    @staticmethod
    def _statement(sql: str, params: tuple[object, ...]) -> Callable[[sqlite3.Connection], None]:
        def run(db: sqlite3.Connection) -> None:
            db.execute(sql, params)

        return run

    async def begin(self, key: str, message_id: str) -> LedgerEntry:
        return await self._write(self._claim(key, message_id))

    async def accepted(self, key: str, reply: str) -> None:
        await self._write(
            self._statement(
                "UPDATE deliveries SET status = ?, smtp_reply = ?, accepted_at = ? WHERE key = ?",
                (LedgerStatus.ACCEPTED, reply, _now(), key),
            )
        )

    async def release(self, key: str) -> None:
        await self._write(
            self._statement(
                "UPDATE deliveries SET status = ? WHERE key = ? AND status = ?",
                (LedgerStatus.RELEASED, key, LedgerStatus.CLAIMED),
            )
        )

    async def count_ambiguous(self, key: str) -> None:
        await self._write(
            self._statement("UPDATE deliveries SET ambiguous_resends = ambiguous_resends + 1 WHERE key = ?", (key,))
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
        if self._committer is not None:
            await self._committer
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
