"""The send activity: compose one message for one recipient and hand it to SMTP.

Transient trouble (connection, timeout, 4xx) raises and Temporal retries it. A
5xx reply is a fact, not an outage: it becomes a non-retryable error that the
workflow records before it tells the program office and carries on.
"""

from __future__ import annotations

from email.utils import parseaddr

import aiosmtplib
from temporalio import activity
from temporalio.exceptions import ApplicationError, ApplicationErrorCategory

from activities.compose import compose_message
from mentoring.messages import PERMANENT_FAILURE, DeliveryReceipt, DeliveryRequest
from mentoring.settings import MailSettings, SmtpTls

INVALID_MESSAGE = "InvalidMessage"


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


class MailDelivery:
    def __init__(self, settings: MailSettings) -> None:
        self._settings = settings
        self._envelope_from = parseaddr(settings.mail_from)[1]

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
        recipient = request.recipient.email
        s = self._settings
        try:
            refused, reply = await aiosmtplib.send(
                # Flattened with the message's own policy: aiosmtplib's would fold long subjects.
                message.as_bytes(policy=message.policy.clone(linesep="\r\n")),
                sender=self._envelope_from,
                recipients=[recipient],
                hostname=s.smtp_host,
                port=s.smtp_port,
                username=s.smtp_username,
                password=s.smtp_password,
                use_tls=s.smtp_tls == SmtpTls.TLS,
                start_tls=s.smtp_tls == SmtpTls.STARTTLS,
                timeout=s.smtp_timeout_seconds,
            )
        except aiosmtplib.SMTPRecipientsRefused as err:
            # One recipient per message, so this is ours; its code decides retry or not.
            refusal = err.recipients[0]
            if 500 <= refusal.code < 600:
                raise _permanent(refusal.code, refusal.message, recipient) from err
            raise
        except aiosmtplib.SMTPResponseException as err:
            if 500 <= err.code < 600:
                raise _permanent(err.code, err.message, recipient) from err
            raise
        if recipient in refused:
            response = refused[recipient]
            if 500 <= response.code < 600:
                raise _permanent(response.code, response.message, recipient)
            raise ApplicationError(f"{recipient} deferred: {response.code} {response.message}")
        return DeliveryReceipt(
            key=request.key,
            message_id=message["Message-ID"],
            smtp_code=250,
            smtp_reply=reply,
        )
