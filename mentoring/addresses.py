"""The one rule for email addresses: what the cohort file and ``ops.py`` accept, and
how delivery writes an accepted address on the wire.

email-validator checks the syntax (RFC 5322, with RFC 6531 for non-ASCII) and
normalises the address: Unicode NFC, and the domain in IDNA2008 form. Two kinds of
international address pass, and they travel differently:

- a non-ASCII *domain* (``bert@müller.example``) has an ASCII form (``xn--mller-kva``).
  The envelope and the headers carry that, so every mail server can deliver it;
- a non-ASCII *local part* (``jörg@example.com``) has no ASCII form. It exists only in
  SMTPUTF8 (RFC 6531), so it reaches its mailbox only through a server that offers it.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.headerregistry import Address
from functools import lru_cache

from email_validator import EmailNotValidError, validate_email


class AddressError(ValueError):
    """Not a usable address. The message says what is wrong, never the address itself."""


@dataclass(frozen=True)
class MailAddress:
    local_part: str
    domain: str
    ascii_domain: str

    @property
    def text(self) -> str:
        """As the cohort file holds it, and as people read it."""
        return f"{self.local_part}@{self.domain}"

    @property
    def needs_smtputf8(self) -> bool:
        return not self.local_part.isascii()

    @property
    def has_international_domain(self) -> bool:
        return self.domain != self.ascii_domain

    @property
    def envelope(self) -> str:
        """For MAIL FROM and RCPT TO: the domain always in its ASCII form."""
        return f"{self.local_part}@{self.ascii_domain}"

    def header(self, name: str, *, utf8: bool) -> Address:
        """For From, To and Reply-To. An SMTPUTF8 message may show the domain as written;
        any other gets its ASCII form, since an encoded word is not allowed in a domain."""
        return Address(name, self.local_part, self.domain if utf8 else self.ascii_domain)


def normalized(text: str) -> str:
    """The address as the cohort file and ``ops.py`` store it; AddressError if it is none."""
    return parse(text).text


@lru_cache(maxsize=4096)
def parse(text: str) -> MailAddress:
    # Cached: every message parses its recipient and the office, and they recur all the time.
    try:
        # strict: at most 64 characters before the @, as RFC 5321 allows and servers enforce.
        checked = validate_email(text, check_deliverability=False, strict=True)
    except EmailNotValidError as error:
        raise AddressError(str(error)) from None
    return MailAddress(checked.local_part, checked.domain, checked.ascii_domain)


def sender(text: str) -> MailAddress:
    """The worker's own From address (``MAIL_FROM``). An ASCII one is taken as written: it
    may be local (``mentoring@localhost``), which is fine for a sender but not for a participant."""
    if text.isascii():
        local, _, domain = text.rpartition("@")
        return MailAddress(local, domain, domain)
    return parse(text)
