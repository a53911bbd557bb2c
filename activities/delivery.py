"""The send activity: compose one message for one recipient and hand it to SMTP.

Transient trouble (connection, timeout, 4xx) raises and Temporal retries it. A
5xx reply is a fact, not an outage: it becomes a non-retryable error that the
workflow records before it tells the program office and carries on. So does
whatever no retry can change: an address that is not one, an address that needs
SMTPUTF8 from a server that does not offer it, a message that cannot be written.

The delivery ledger makes retries safe: an accepted key is never sent again, and
a key whose earlier attempt ended somewhere inside DATA is re-sent with the same
Message-ID and counted as an ambiguous re-send.

Every error raised here names the pair, the message kind and the key, and never a
name or an address: the SDK logs it, and a server's reply often quotes the address.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from email.utils import parseaddr

import aiosmtplib
from temporalio import activity

from activities import delivery_errors as errors
from activities.answer_links import AnswerLinks
from activities.compose import Draft, draft_message
from activities.envelope import NOT_AN_ADDRESS_CODE, Envelope, NotStarted
from activities.ledger import DeliveryLedger, LedgerStatus, open_ledger
from activities.smtp_connections import SmtpConnections
from activities.wire import message_bytes
from mentoring import addresses
from mentoring.messages import DeliveryReceipt, DeliveryRequest
from mentoring.reporting.digest import DigestDelivery
from mentoring_service.settings import MailSettings


@contextlib.contextmanager
def heartbeating(every: float = 2.0) -> Iterator[None]:
    """Heartbeat while SMTP talks, so a dead worker's attempt times out in seconds
    while a slow but live DATA phase is never mistaken for one."""
    loop = asyncio.get_running_loop()
    pending: list[asyncio.TimerHandle] = []

    def beat() -> None:
        activity.heartbeat()
        pending[0] = loop.call_later(every, beat)

    # The first beat only after ``every``: a send of a few milliseconds (nearly all of
    # them) costs no heartbeat call, and 2 s is well inside the 10 s timeout. A timer,
    # not a task: nothing to create, cancel and await for each message (16 µs less).
    pending.append(loop.call_later(every, beat))
    try:
        yield
    finally:
        pending[0].cancel()


def _wrapped(place: str, error: BaseException) -> BaseException:
    """The SMTP library's errors as our own retryable one; anything else as it is."""
    if isinstance(error, (aiosmtplib.SMTPException, OSError)):
        return errors.transient(place, error)
    return error


class MailDelivery:
    def __init__(self, settings: MailSettings, links: AnswerLinks, ledger: DeliveryLedger | None = None) -> None:
        self._settings = settings
        self._links = links
        self._envelope_from = addresses.sender(parseaddr(settings.mail_from)[1]).envelope
        self.ledger = ledger or open_ledger(settings.delivery_ledger_url)
        self._connections = SmtpConnections(settings)

    @activity.defn(name="deliver_message")
    async def deliver_message(self, request: DeliveryRequest) -> DeliveryReceipt:
        return await self._deliver(request)

    @activity.defn(name="deliver_digest")
    async def deliver_digest(self, request: DigestDelivery) -> DeliveryReceipt:
        """The weekly digest: its own activity only so that the digest arrives typed;
        composed, ledgered and sent like every other message."""
        return await self._deliver(request)

    async def _deliver(self, request: DeliveryRequest) -> DeliveryReceipt:
        place = errors.where(request)
        try:
            recipient = addresses.parse(request.recipient.email)
        except addresses.AddressError as problem:
            # The address's fault, like a 5xx: recorded once, and the program office hears of it.
            reply = f"5.1.3 not a valid address: {problem}"
            raise errors.permanent(place, NOT_AN_ADDRESS_CODE, reply, "not a valid address") from None
        draft, data = self._write(request, place)
        message_id, utf8 = draft.message_id, draft.utf8

        entry = await self.ledger.begin(request.key, message_id)
        if entry.status == LedgerStatus.ACCEPTED:
            # Accepted by the server on an earlier attempt that never reported back.
            return DeliveryReceipt(message_id=message_id, smtp_code=250)
        if entry.previous_status == LedgerStatus.CLAIMED:
            await self.ledger.count_ambiguous(request.key)
            activity.logger.warning("%s: ambiguous earlier attempt, re-sent with the same Message-ID", place)
        envelope = Envelope(place, self._envelope_from, recipient, smtputf8=utf8)
        with heartbeating():
            await self._send(request.key, envelope, data)
        return DeliveryReceipt(message_id=message_id, smtp_code=250)

    def _write(self, request: DeliveryRequest, place: str) -> tuple[Draft, bytes]:
        try:
            links = self._links.for_request(request)
            draft = draft_message(request, sender=self._settings.mail_from, links=links)
            # Kind and pair id only: the inbox and the timeline sort by them, and neither is personal.
            headers = [("X-Mentoring-Kind", request.kind.value)]
            if request.pair_id is not None:
                headers.append(("X-Mentoring-Pair", request.pair_id))
            return draft, message_bytes(draft, headers)
        except Exception as problem:
            # Composing depends on the request alone: every retry would fail the same way.
            raise errors.invalid(place, str(problem)) from None

    async def _send(self, key: str, envelope: Envelope, data: bytes) -> str:
        try:
            client, reused = await self._connections.open()
        except BaseException as error:
            await self.ledger.release(key)
            raise _wrapped(envelope.place, error) from None
        try:
            client = await self._start(client, reused, envelope)
        except NotStarted as refusal:
            await self.ledger.release(key)
            raise refusal.error from None
        except aiosmtplib.SMTPResponseException as error:
            # Never chained: SMTPRecipientRefused quotes the address.
            await self._release(key, client)
            raise errors.refused(envelope.place, error.code, error.message) from None
        except BaseException as error:
            # Nothing reached DATA, so nothing can have been delivered.
            await self._release(key, client)
            raise _wrapped(envelope.place, error) from None
        try:
            response = await client.data(data)
        except aiosmtplib.SMTPResponseException as error:
            # The server answered DATA with a refusal: definitely not delivered.
            await self._release(key, client)
            raise errors.refused(envelope.place, error.code, error.message) from None
        except BaseException as error:
            # Ambiguous: the claim stays, and a retry re-sends.
            client.close()
            raise _wrapped(envelope.place, error) from None
        reply = f"{response.code} {response.message}"
        # Recorded before anything else happens: the shorter the gap between the
        # server's 250 and this line, the fewer ambiguous re-sends.
        await self.ledger.accepted(key, reply)
        self._connections.keep(client)
        return reply

    async def _start(self, client: aiosmtplib.SMTP, reused: bool, envelope: Envelope) -> aiosmtplib.SMTP:
        """MAIL FROM and RCPT TO; returns the client to go on with. The caller closes
        ``client`` on failure; a replacement opened here is closed here."""
        try:
            await envelope.mail(client)
        except NotStarted:
            # Refused before MAIL FROM: the connection is clean for the next message.
            self._connections.keep(client)
            raise
        except aiosmtplib.SMTPServerDisconnected:
            if not reused:
                raise
            # Closed by the server while it was idle: nothing was sent on it.
            client.close()
            fresh = await self._connections.connect()
            try:
                return await self._start(fresh, False, envelope)
            except NotStarted:
                raise
            except BaseException:
                fresh.close()
                raise
        await envelope.rcpt(client)
        return client

    async def _release(self, key: str, client: aiosmtplib.SMTP) -> None:
        client.close()
        await self.ledger.release(key)
