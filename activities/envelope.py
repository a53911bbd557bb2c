"""The SMTP envelope of one message: MAIL FROM and RCPT TO, with SMTPUTF8 when needed.

Domains always go in their ASCII (IDNA) form, which every server takes. A local part
with non-ASCII characters exists only in SMTPUTF8 (RFC 6531): such a message is sent
with ``MAIL FROM:<…> SMTPUTF8`` to a server that offers it, and to any other server it
is not sent at all. A client then reports 553 5.6.7 itself, and so does this one.
"""

from __future__ import annotations

from dataclasses import dataclass

import aiosmtplib
from temporalio.exceptions import ApplicationError

from activities import delivery_errors as errors
from mentoring.addresses import MailAddress

NO_SMTPUTF8_CODE = 553
NO_SMTPUTF8_REPLY = (
    "5.6.7 not sent: the address has non-ASCII characters before the @, and the mail server does not offer SMTPUTF8"
)
# A retry cannot fix the syntax of an address; 553 is "mailbox name not allowed".
NOT_AN_ADDRESS_CODE = 553


class NotStarted(Exception):
    """The transaction was refused before MAIL FROM: the connection is still clean."""

    def __init__(self, error: ApplicationError) -> None:
        super().__init__(str(error))
        self.error = error


@dataclass(frozen=True)
class Envelope:
    place: str
    sender: str
    recipient: MailAddress
    # The message carries a non-ASCII local part somewhere (recipient, sender or Reply-To).
    smtputf8: bool

    @property
    def _encoding(self) -> str:
        return "utf-8" if self.smtputf8 else "ascii"

    async def mail(self, client: aiosmtplib.SMTP) -> None:
        """MAIL FROM, once the server's EHLO has shown it can take this message."""
        if self.smtputf8 and not client.supports_extension("smtputf8"):
            raise NotStarted(self._no_smtputf8())
        await client.mail(self.sender, options=["SMTPUTF8"] if self.smtputf8 else None, encoding=self._encoding)

    async def rcpt(self, client: aiosmtplib.SMTP) -> None:
        try:
            await client.rcpt(self.recipient.envelope, encoding=self._encoding)
        except (UnicodeError, ValueError):
            # aiosmtplib refuses what cannot go on a command line; its message quotes the address.
            raise errors.permanent(
                self.place, NOT_AN_ADDRESS_CODE, "5.1.3 cannot be written in RCPT TO", "not a valid address"
            ) from None

    def _no_smtputf8(self) -> ApplicationError:
        if self.recipient.needs_smtputf8:
            # The recipient's own address: a bounce like any other, and the office hears of it.
            return errors.permanent(self.place, NO_SMTPUTF8_CODE, NO_SMTPUTF8_REPLY, "not sent, needs SMTPUTF8")
        # The sender's or the program office's (Reply-To) address: no participant is at fault.
        return errors.invalid(
            self.place,
            "the sender's or the program office's address needs SMTPUTF8, which the mail server does not offer",
        )
