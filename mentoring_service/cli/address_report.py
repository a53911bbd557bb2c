"""What ``validate`` and ``simulate`` say about delivering to a cohort's addresses.

Two kinds of international address pass the cohort file (``mentoring.addresses``), and
they fare differently: a non-ASCII domain goes through any mail server in its ASCII
form, a non-ASCII local part only through one that offers SMTPUTF8.
"""

from __future__ import annotations

from mentoring import addresses
from mentoring.cohort import Cohort

_OFFICE = "program office"
_ANY_SERVER = "international domain, sent as {envelope} (any mail server)"
_NEEDS_SMTPUTF8 = (
    "non-ASCII before the @, deliverable only by a mail server that offers SMTPUTF8{domain}; "
    "elsewhere every message to it is recorded as failed (never retried) and the program office gets one notice"
)
_OFFICE_NEEDS_SMTPUTF8 = (
    "non-ASCII before the @; every message names it as Reply-To, so every message needs a mail server "
    "that offers SMTPUTF8{domain}; elsewhere none is sent, and each is recorded as failed"
)


def _everyone(cohort: Cohort) -> list[tuple[str, str]]:
    people = [(_OFFICE, cohort.program.program_office.email)]
    for pair in cohort.pairs:
        people += [(f"{pair.id} mentor", pair.mentor.email), (f"{pair.id} mentee", pair.mentee.email)]
    return people


def _note(who: str, address: addresses.MailAddress) -> str | None:
    if address.needs_smtputf8:
        domain = f" (domain sent as {address.ascii_domain})" if address.has_international_domain else ""
        template = _OFFICE_NEEDS_SMTPUTF8 if who == _OFFICE else _NEEDS_SMTPUTF8
        return template.format(domain=domain)
    if address.has_international_domain:
        return _ANY_SERVER.format(envelope=address.envelope)
    return None


def address_lines(cohort: Cohort) -> list[str]:
    """Nothing for a cohort of plain ASCII addresses; otherwise a summary and a line per
    international address."""
    people = _everyone(cohort)
    lines, need_smtputf8 = [], 0
    for who, text in people:
        address = addresses.parse(text)
        need_smtputf8 += address.needs_smtputf8
        note = _note(who, address)
        if note:
            lines.append(f"  {who} {text}: {note}")
    if not lines:
        return []
    summary = f"delivery: {len(people) - need_smtputf8} of {len(people)} addresses go through any mail server"
    if need_smtputf8:
        summary += f"; {need_smtputf8} need{'s' if need_smtputf8 == 1 else ''} one that offers SMTPUTF8"
    return [summary + ":", *lines]
