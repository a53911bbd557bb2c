"""SMTP connections kept open between sends.

Opening a connection (TCP, greeting, EHLO, and STARTTLS and AUTH where set) costs
more than sending a typical message over it. A worker sends in bursts (both
participants of a pair, every pair of a cohort at the same hour), so it keeps a
few connections open for a short while and hands each to one send at a time.
"""

from __future__ import annotations

import asyncio
import socket
import time

import aiosmtplib

from mentoring_service.settings import MailSettings, SmtpTls

MAX_IDLE = 10


class SmtpConnections:
    def __init__(self, settings: MailSettings, *, max_idle: int = MAX_IDLE) -> None:
        self._settings = settings
        self._max_idle = max_idle
        self._idle_seconds = settings.smtp_keep_open_seconds
        self._idle: list[tuple[float, aiosmtplib.SMTP]] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._hostname: str | None = None

    async def open(self) -> tuple[aiosmtplib.SMTP, bool]:
        """A connected client, and whether it was used before (and so may have been
        closed by the server since: the caller retries once on a new one)."""
        self._forget_other_loop()
        now = time.monotonic()
        while self._idle:
            used_at, client = self._idle.pop()
            if now - used_at < self._idle_seconds and client.is_connected:
                return client, True
            client.close()
        return await self.connect(), False

    async def connect(self) -> aiosmtplib.SMTP:
        s = self._settings
        if self._hostname is None:
            # aiosmtplib would look this up (a DNS query) for every connection's EHLO.
            self._hostname = await asyncio.to_thread(socket.getfqdn)
        client = aiosmtplib.SMTP(
            local_hostname=self._hostname,
            hostname=s.smtp_host,
            port=s.smtp_port,
            username=s.smtp_username,
            password=s.smtp_password,
            use_tls=s.smtp_tls == SmtpTls.TLS,
            start_tls=s.smtp_tls == SmtpTls.STARTTLS,
            timeout=s.smtp_timeout_seconds,
        )
        await client.connect()
        if client.is_ehlo_or_helo_needed:
            # Now rather than at MAIL FROM: whether the server offers SMTPUTF8 decides that command.
            try:
                await client.ehlo()
            except aiosmtplib.SMTPHeloError:
                if not client.is_connected:
                    raise
                await client.helo()  # an old server without ESMTP: no extensions at all
        return client

    def keep(self, client: aiosmtplib.SMTP) -> None:
        """Back after a finished transaction, ready for the next MAIL FROM."""
        if client.is_connected and self._idle_seconds > 0 and len(self._idle) < self._max_idle:
            self._idle.append((time.monotonic(), client))
        else:
            client.close()

    def _forget_other_loop(self) -> None:
        # A connection belongs to the event loop it was opened on.
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            self._idle.clear()
            self._loop = loop
