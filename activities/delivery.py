"""The send activity: compose one message for one recipient and hand it to SMTP.

Transient trouble (connection, timeout, 4xx) raises and Temporal retries it. A
5xx reply is a fact, not an outage: it becomes a non-retryable error that the
workflow records before it tells the program office and carries on.

The delivery ledger makes retries safe: an accepted key is never sent again, and
a key whose earlier attempt ended somewhere inside DATA is re-sent with the same
Message-ID and counted as an ambiguous re-send.
"""

from __future__ import annotations

import asyncio
import contextlib
from email.utils import parseaddr

import aiosmtplib
from temporalio import activity
from temporalio.exceptions import ApplicationError, ApplicationErrorCategory

from activities.compose import SMTP_POLICY, compose_message
from activities.ledger import DeliveryLedger, LedgerStatus, open_ledger
from activities.smtp_connections import SmtpConnections
from mentoring.messages import INVALID_MESSAGE, PERMANENT_FAILURE, DeliveryReceipt, DeliveryRequest
from mentoring.settings import MailSettings



def _permanent(code: int, reply: str, recipient: str) -> ApplicationError:
    activity.logger.warning("recipient refused permanently: %s %s", code, reply)
    return ApplicationError(
        f"{recipient} refused permanently: {code} {reply}",
        code,
        reply,
        type=PERMANENT_FAILURE,
        non_retryable=True,
        # An expected outcome that the workflow handles, not a worker fault: no traceback in the log.
        category=ApplicationErrorCategory.BENIGN,
    )


def _refusal(code: int, reply: str, recipient: str) -> Exception:
    if 500 <= code < 600:
        return _permanent(code, reply, recipient)
    return ApplicationError(f"{recipient} deferred: {code} {reply}")


@contextlib.asynccontextmanager
async def heartbeating(every: float = 2.0):
    """Heartbeat while SMTP talks, so a dead worker's attempt times out in seconds
    while a slow but live DATA phase is never mistaken for one."""

    async def beat() -> None:
        # The first beat only after ``every``: a send of a few milliseconds (nearly all
        # of them) costs no heartbeat call, and 2 s is well inside the 10 s timeout.
        while True:
            await asyncio.sleep(every)
            activity.heartbeat()

    task = asyncio.create_task(beat())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


class MailDelivery:
    def __init__(self, settings: MailSettings, ledger: DeliveryLedger | None = None) -> None:
        self._settings = settings
        self._envelope_from = parseaddr(settings.mail_from)[1]
        self.ledger = ledger or open_ledger(settings.delivery_ledger_url)
        self._connections = SmtpConnections(settings)

    @activity.defn(name="deliver_message")
    async def deliver_message(self, request: DeliveryRequest) -> DeliveryReceipt:
        try:
            message = compose_message(request, sender=self._settings.mail_from)
        except ValueError as err:
            # Retrying cannot fix bad content; the cohort file check should have caught it.
            raise ApplicationError(str(err), type=INVALID_MESSAGE, non_retryable=True) from err
        # Kind and pair id only: the inbox and the timeline sort by them, and neither is personal.
        message["X-Mentoring-Kind"] = request.kind.value
        message["X-Mentoring-Pair"] = request.pair_id
        message_id = str(message["Message-ID"])

        entry = await self.ledger.begin(request.key, message_id)
        if entry.status == LedgerStatus.ACCEPTED:
            # Accepted by the server on an earlier attempt that never reported back.
            return DeliveryReceipt(key=request.key, message_id=message_id, smtp_code=250, smtp_reply=entry.smtp_reply or "")
        if entry.previous_status == LedgerStatus.CLAIMED:
            await self.ledger.count_ambiguous(request.key)
            activity.logger.warning("ambiguous earlier attempt: re-sending %s with the same Message-ID", message_id)
        # Flattened with our policy: aiosmtplib's would fold long subjects.
        data = message.as_bytes(policy=SMTP_POLICY)
        async with heartbeating():
            reply = await self._send(request.key, request.recipient.email, data)
        return DeliveryReceipt(key=request.key, message_id=message_id, smtp_code=250, smtp_reply=reply)

    async def _send(self, key: str, recipient: str, data: bytes) -> str:
        try:
            client, reused = await self._connections.open()
        except BaseException:
            await self.ledger.release(key)
            raise
        try:
            try:
                await client.mail(self._envelope_from)
            except aiosmtplib.SMTPServerDisconnected:
                if not reused:
                    raise
                # Closed by the server while it was idle: nothing was sent on it.
                client.close()
                client = await self._connections.connect()
                await client.mail(self._envelope_from)
            await client.rcpt(recipient)
        except aiosmtplib.SMTPRecipientRefused as err:
            await self._release(key, client)
            raise _refusal(err.code, err.message, recipient) from err
        except aiosmtplib.SMTPResponseException as err:
            await self._release(key, client)
            raise _refusal(err.code, err.message, recipient) from err
        except BaseException:
            # Nothing reached DATA, so nothing can have been delivered.
            await self._release(key, client)
            raise
        try:
            response = await client.data(data)
        except aiosmtplib.SMTPResponseException as err:
            # The server answered DATA with a refusal: definitely not delivered.
            await self._release(key, client)
            raise _refusal(err.code, err.message, recipient) from err
        except BaseException:
            # Ambiguous: the claim stays, and a retry re-sends.
            client.close()
            raise
        reply = f"{response.code} {response.message}"
        # Recorded before anything else happens: the shorter the gap between the
        # server's 250 and this line, the fewer ambiguous re-sends.
        await self.ledger.accepted(key, reply)
        self._connections.keep(client)
        return reply

    async def _release(self, key: str, client: aiosmtplib.SMTP) -> None:
        client.close()
        await self.ledger.release(key)
