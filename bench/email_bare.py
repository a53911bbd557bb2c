"""The bare baseline of email_ratio: what any send with a durable ledger costs, with
none of the service's code and no Temporal.

For each message: build it with the stdlib (``EmailMessage``, ``set_content``,
``add_alternative``, the calendar and its attachment where the message has one, the
same headers) from text, HTML and calendar rendered beforehand; claim its key in SQLite
(WAL, ``synchronous=FULL``, one fsync'd transaction, in a thread as an asyncio program
must); hand it to aiosmtplib over a kept connection; record the acceptance (a second
fsync'd transaction). Rendering (Jinja2, icalendar) is left out, so this is a floor: the
send activity does that work too.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from pathlib import Path

import aiosmtplib

_POLICY = policy.SMTP.clone(max_line_length=200)


class BareLedger:
    def __init__(self, path: Path) -> None:
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS sent (key TEXT PRIMARY KEY, message_id TEXT, status TEXT, reply TEXT, at TEXT)"
        )
        # Time spent in the two writes, thread hops included: the least any durable send adds.
        self.seconds = 0.0

    def _commit(self, sql: str, params: tuple[object, ...]) -> None:
        self._db.execute("BEGIN IMMEDIATE")
        self._db.execute(sql, params)
        self._db.execute("COMMIT")

    async def _write(self, sql: str, params: tuple[object, ...]) -> None:
        began = time.perf_counter()
        await asyncio.to_thread(self._commit, sql, params)
        self.seconds += time.perf_counter() - began

    async def claim(self, key: str, message_id: str) -> None:
        now = datetime.now(UTC).isoformat()
        await self._write(
            "INSERT INTO sent (key, message_id, status, at) VALUES (?, ?, 'claimed', ?)", (key, message_id, now)
        )

    async def accepted(self, key: str, reply: str) -> None:
        now = datetime.now(UTC).isoformat()
        await self._write("UPDATE sent SET status = 'accepted', reply = ?, at = ? WHERE key = ?", (reply, now, key))

    def close(self) -> None:
        self._db.close()


def build(parts: dict[str, object], headers: list[tuple[str, object]]) -> EmailMessage:
    """The stdlib's message of the same parts and headers."""
    msg = EmailMessage(policy=_POLICY)
    for name, value in headers:
        msg[name] = value
    msg.set_content(parts["text"])
    msg.add_alternative(parts["html"], subtype="html")
    if parts["ics"] is not None:
        params = {"method": parts["method"], "charset": "UTF-8"}
        msg.add_alternative(parts["ics"], maintype="text", subtype="calendar", params=params)
        msg.add_attachment(parts["ics"], maintype="application", subtype="ics", filename="invite.ics")
    return msg


async def send(
    smtp: aiosmtplib.SMTP, ledger: BareLedger, key: str, parts: dict[str, object], headers: list[tuple[str, object]]
) -> None:
    msg = build(parts, headers)
    await ledger.claim(key, str(msg["Message-ID"]))
    response, _ = await smtp.send_message(msg)
    await ledger.accepted(key, str(response))
