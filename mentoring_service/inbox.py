"""A local SMTP inbox: every accepted message lands as an ``.eml`` file.

One file per envelope recipient, named ``00001-<recipient>.eml`` so that ``ls`` sorts
by arrival; after a restart the counter continues after the files already there.
Each file is the message exactly as received, with ``Return-Path`` and
``Delivered-To`` prepended the way a mail store records the envelope.

``starter.py simulate`` delivers its preview here (and, with ``--responses``, answers
each message that asks before the inbox acknowledges it: ``on_message``); ``make run``
runs it as a process (``python -m devstack.inbox``); tests use :func:`start_inbox` and
read ``controller.handler.messages``.
"""

from __future__ import annotations

import asyncio
import functools
import re
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesHeaderParser, BytesParser
from pathlib import Path

from aiosmtpd.controller import Controller

_NUMBERED = re.compile(r"^(\d+)-")
_UNSAFE = re.compile(r"[^a-z0-9@._+-]+")


@dataclass(frozen=True)
class StoredMessage:
    recipient: str
    mail_from: str
    path: Path
    data: bytes  # as stored in ``path``

    # Parsed when first read: most messages of a preview are never read back, and
    # parsing each one on arrival was about 7 % of a simulation's Python time.
    @functools.cached_property
    def headers(self) -> EmailMessage:
        """The header block alone (a message without its body)."""
        return BytesHeaderParser(policy=policy.default).parsebytes(self._lines())  # type: ignore[return-value]

    @functools.cached_property
    def message(self) -> EmailMessage:
        return BytesParser(policy=policy.default).parsebytes(self._lines())  # type: ignore[return-value]

    def _lines(self) -> bytes:
        # SMTP lines end in CRLF; the file keeps them, the parsed copy gets Python's "\n".
        return self.data.replace(b"\r\n", b"\n")


def recipient_slug(address: str) -> str:
    """A file-name-safe form of an address: ``Ana.Lima@Example.org`` -> ``ana.lima@example.org``."""
    slug = _UNSAFE.sub("_", address.strip().lower()).strip("._") or "unknown"
    return slug[:100]


# Called with each stored message before the sender hears "250": while it runs, the
# message is not yet delivered as far as the sender knows.
OnMessage = Callable[[StoredMessage], Awaitable[None]]


class MailboxHandler:
    """aiosmtpd handler that stores each message once per envelope recipient."""

    def __init__(self, directory: Path | str, on_message: OnMessage | None = None) -> None:
        self.directory = Path(directory)
        self.on_message = on_message
        self.directory.mkdir(parents=True, exist_ok=True)
        self.messages: list[StoredMessage] = []
        numbers = [int(m.group(1)) for p in self.directory.iterdir() if (m := _NUMBERED.match(p.name))]
        self._counter = max(numbers, default=0)

    async def handle_DATA(self, server, session, envelope) -> str:
        raw: bytes = envelope.original_content or envelope.content
        mail_from = envelope.mail_from or ""
        for recipient in envelope.rcpt_tos:
            data = f"Return-Path: <{mail_from}>\r\nDelivered-To: {recipient}\r\n".encode() + raw
            self._counter += 1
            path = self.directory / f"{self._counter:05d}-{recipient_slug(recipient)}.eml"
            tmp = path.with_name(f".{path.name}.tmp")
            tmp.write_bytes(data)
            tmp.replace(path)  # readers never see half a message
            stored = StoredMessage(recipient, mail_from, path, data)
            self.messages.append(stored)
            if self.on_message is not None:
                await self.on_message(stored)
        return "250 Message accepted for delivery"

    async def wait_for(self, count: int, timeout: float = 10.0) -> list[StoredMessage]:
        """Wait until at least ``count`` messages are stored; return them all."""
        deadline = time.monotonic() + timeout
        while len(self.messages) < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"expected {count} messages, got {len(self.messages)}")
            await asyncio.sleep(0.02)
        return list(self.messages)


class InboxController(Controller):
    """A Controller that accepts port 0 and then reports the port it really bound."""

    handler: MailboxHandler

    async def _bind(self) -> asyncio.AbstractServer:
        server = await self.loop.create_server(
            self._factory_invoker, host=self.hostname, port=self.port, ssl=self.ssl_context
        )
        self.port = server.sockets[0].getsockname()[1]
        return server

    def _create_server(self):  # called by Controller.start() in its own thread
        return self._bind()


def start_inbox(
    directory: Path | str, host: str = "127.0.0.1", port: int = 1025, on_message: OnMessage | None = None
) -> InboxController:
    """Start the inbox in a background thread. ``port=0`` picks a free port (see ``.port``).

    Raises OSError (errno EADDRINUSE) if the port is taken. Call ``.stop()`` when done.
    """
    if port:
        # Fail at once: Controller.start() would only report a taken port after its ready timeout.
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as asyncio's server does
            probe.bind((host, port))
    controller = InboxController(MailboxHandler(directory, on_message), hostname=host, port=port)
    controller.start()
    return controller
