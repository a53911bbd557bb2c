"""A real SMTP server (aiosmtpd) that records what it accepts and can inject faults."""

from __future__ import annotations

import asyncio
import email
import email.policy
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage

from aiosmtpd.controller import Controller

from tests.ports import unused_port


@dataclass
class Received:
    recipient: str
    message: EmailMessage
    # The transaction was an SMTPUTF8 one (MAIL FROM:<…> SMTPUTF8).
    smtputf8: bool = False

    @property
    def kind(self) -> str:
        return str(self.message["X-Mentoring-Kind"])


@dataclass
class RecordingHandler:
    received: list[Received] = field(default_factory=list)
    # recipient -> replies to give to its next RCPT commands, e.g. ["451 try later"]
    rcpt_faults: dict[str, list[str]] = field(default_factory=dict)
    # recipients refused for good with this reply
    refused: dict[str, str] = field(default_factory=dict)
    # Accept the next N messages but answer DATA only after this many seconds, so the
    # client times out not knowing the message arrived (the ambiguous case).
    slow_data_seconds: float = 0.0
    slow_data_count: int = 0
    # A small pause in every DATA phase, so a crash test can hit a send in flight.
    data_delay_seconds: float = 0.0
    # SMTP sessions opened so far (one per EHLO), to tell a kept connection from a new one.
    sessions: int = 0
    # Every RCPT TO address, accepted or not: one per attempt that got that far.
    rcpt_commands: list[str] = field(default_factory=list)
    # Called with each message's recipients as its DATA arrives, before the reply.
    on_data: Callable[[list[str]], None] | None = None

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        self.sessions += 1
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self.rcpt_commands.append(address)
        address_key = address.lower()
        if address_key in self.refused:
            return self.refused[address_key]
        faults = self.rcpt_faults.get(address_key)
        if faults:
            return faults.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.on_data is not None:
            self.on_data(list(envelope.rcpt_tos))
        if envelope.smtp_utf8:
            # RFC 6532 headers are UTF-8; the bytes parser would leave them as surrogate escapes.
            message = email.message_from_string(envelope.content.decode("utf-8"), policy=email.policy.default)
        else:
            message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        for recipient in envelope.rcpt_tos:
            self.received.append(Received(recipient=recipient, message=message, smtputf8=envelope.smtp_utf8))
        if self.data_delay_seconds:
            await asyncio.sleep(self.data_delay_seconds)
        if self.slow_data_count:
            self.slow_data_count -= 1
            await asyncio.sleep(self.slow_data_seconds)
        return "250 Message accepted for delivery"

    def for_recipient(self, address: str) -> list[Received]:
        return [r for r in self.received if r.recipient.lower() == address.lower()]


class SmtpServer:
    def __init__(self, *, smtputf8: bool = True) -> None:
        """``smtputf8=False``: a server that does not offer SMTPUTF8 (aiosmtpd's Controller does by default)."""
        self.handler = RecordingHandler()
        self.port = unused_port()  # aiosmtpd's Controller probes its own port after start: not 0
        self._controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, enable_SMTPUTF8=smtputf8)

    def offer_smtputf8(self, offered: bool) -> None:
        """From the next connection on; a connection already open keeps what its EHLO said."""
        self._controller.SMTP_kwargs["enable_SMTPUTF8"] = offered

    @classmethod
    def on_port(cls, port: int, handler: RecordingHandler) -> SmtpServer:
        """The same mailbox back on the same port, as after an outage."""
        server = cls.__new__(cls)
        server.handler, server.port = handler, port
        server._controller = Controller(handler, hostname="127.0.0.1", port=port)
        return server

    def __enter__(self) -> SmtpServer:
        self._controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self._controller.stop()
