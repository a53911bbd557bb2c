"""The reflection journal: what a participant wrote on the reflection page, mailed to
them (and to their partner, when they chose to share it), and then gone.

The text lives only in this request's memory and in the email: it never reaches
Temporal, a log or a file. Failures are reported by kind, never with the message or
an address (``aiosmtplib``'s errors can quote both).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr

import aiosmtplib

from activities.compose import SMTP_POLICY, SMTP_UTF8_POLICY
from activities.smtp_connections import SmtpConnections
from mentoring import addresses
from mentoring.answers import AnswerView
from mentoring.cohort import Language
from mentoring_service.settings import MailSettings
from mentoring_service.site.pages import render_text, when_text
from mentoring_service.site.texts import Texts

KIND = "reflection_journal"
# Written with line feeds, sent with CRLF (as the emails are).
_POLICY = SMTP_POLICY.clone(linesep="\n")
_UTF8_POLICY = SMTP_UTF8_POLICY.clone(linesep="\n")
log = logging.getLogger("response_site")


class JournalError(Exception):
    """The journal email was not sent; the message names the kind of failure only."""


@dataclass(frozen=True)
class Journal:
    language: Language
    view: AnswerView
    # (number, question, answer) in the page's order; unanswered questions are left out,
    # and a page without questions gives one entry numbered 0 with no question.
    entries: tuple[tuple[int, str, str], ...]
    shared: bool

    def recipients(self) -> list[str]:
        return [self.view.email, self.view.partner_email] if self.shared else [self.view.email]


def _context(journal: Journal) -> dict[str, object]:
    view, t = journal.view, Texts(journal.language)
    session = view.session
    number, total = (session.number, session.total) if session else (0, 0)
    when = when_text(session.starts_at, session.ends_at, view.own_timezone, journal.language) if session else ""
    name, partner = view.first_name, view.partner_first_name
    if journal.shared:
        subject = t("journal_subject_shared", name=name, number=number, total=total)
        hello = t("journal_hello_shared", name=name, partner=partner)
        intro = [
            t("journal_intro_shared", name=name, number=number, total=total, when=when),
            t("journal_shared", name=name, partner=partner),
        ]
    else:
        subject = t("journal_subject", number=number, total=total)
        hello = t("journal_hello", name=name)
        intro = [t("journal_intro", number=number, total=total, when=when)]
    return {"subject": subject, "hello": hello, "intro": intro, "entries": journal.entries}


def compose(journal: Journal, sender: str) -> EmailMessage:
    context = _context(journal)
    view = journal.view
    writer = addresses.parse(view.email)
    partner = addresses.parse(view.partner_email)
    from_name, from_address = parseaddr(sender)
    own = addresses.sender(from_address)
    utf8 = writer.needs_smtputf8 or (journal.shared and partner.needs_smtputf8) or own.needs_smtputf8
    message = EmailMessage(policy=_UTF8_POLICY if utf8 else _POLICY)
    message["From"] = own.header(from_name, utf8=utf8)
    message["To"] = writer.header(view.first_name, utf8=utf8)
    if journal.shared:
        message["Cc"] = partner.header(view.partner_first_name, utf8=utf8)
    # Not the office's Reply-To: a reply quoting the text must not go there.
    message["Reply-To"] = writer.header(view.first_name, utf8=utf8)
    message["Subject"] = str(context["subject"])
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid(domain=own.ascii_domain or "localhost")
    message["X-Mentoring-Kind"] = KIND
    message.set_content(render_text("journal.txt.j2", journal.language, **context))
    message.add_alternative(render_text("journal.html.j2", journal.language, **context), subtype="html")
    return message


async def send(journal: Journal, settings: MailSettings) -> None:
    """One message to the writer, with the partner in Cc when shared. Every recipient
    must be accepted before the message itself goes: both get it, or neither does."""
    try:
        message = compose(journal, settings.mail_from)
        utf8 = message.policy is _UTF8_POLICY
        data = message.as_bytes(policy=SMTP_UTF8_POLICY if utf8 else SMTP_POLICY)
        recipients = [addresses.parse(a).envelope for a in journal.recipients()]
        sender = addresses.sender(parseaddr(settings.mail_from)[1]).envelope
    except (ValueError, addresses.AddressError) as error:
        raise JournalError(type(error).__name__) from None
    encoding = "utf-8" if utf8 else "ascii"
    try:
        client = await SmtpConnections(settings).connect()
    except (aiosmtplib.SMTPException, OSError) as error:
        raise JournalError(type(error).__name__) from None
    try:
        if utf8 and not client.supports_extension("smtputf8"):
            raise JournalError("no SMTPUTF8")
        await client.mail(sender, options=["SMTPUTF8"] if utf8 else None, encoding=encoding)
        for recipient in recipients:
            await client.rcpt(recipient, encoding=encoding)
        await client.data(data)
    except (aiosmtplib.SMTPException, OSError, UnicodeError, ValueError) as error:
        # Never the library's message: a refusal quotes the address.
        raise JournalError(type(error).__name__) from None
    finally:
        client.close()
