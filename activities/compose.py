"""One email to one recipient: headers, localised text and HTML, and the invite if any."""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import policy
from email.headerregistry import Address, HeaderRegistry
from email.message import EmailMessage
from email.utils import parseaddr
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from activities.digest_view import digest_view
from activities.health_notes import in_german
from activities.invites import build_calendar, event_times
from activities.message_rules import check_inputs
from activities.reflection_questions import questions_for
from activities.reply_notes import counter_notes, replier
from activities.wall_clock import Span, utc_offset
from mentoring import addresses
from mentoring.cohort import Role
from mentoring.messages import DeliveryRequest, MessageKind, SessionRef

# Headers whose values recur from message to message (the MIME parts' own, and the
# office as Reply-To); Subject, To, Date and Message-ID are new every time.
_RECURRING = frozenset(
    {"content-type", "content-transfer-encoding", "mime-version", "content-disposition", "from", "reply-to"}
)
_RECURRING_KEPT = 2048


class _HeaderClasses(HeaderRegistry):
    """Parsing headers is a third of composing a message. The stdlib builds a new class
    for every header it sets, and parses the same part headers for every message; one
    class per header name, and one parsed header per recurring value, give the same
    headers. Parsed headers are immutable, so messages can share them."""

    def __init__(self) -> None:
        super().__init__()
        self._classes: dict[str, type] = {}
        self._parsed: dict[tuple[str, str], Any] = {}

    def __getitem__(self, name: str) -> type:
        key = name.lower()
        if key not in self._classes:
            self._classes[key] = super().__getitem__(name)
        return self._classes[key]

    def __call__(self, name: str, value: Any) -> Any:
        if name.lower() not in _RECURRING or not isinstance(value, str):
            return super().__call__(name, value)
        # The name as given: a folded header writes its own name.
        key = (name, value)
        header = self._parsed.get(key)
        if header is None:
            if len(self._parsed) >= _RECURRING_KEPT:
                self._parsed.clear()
            header = self._parsed[key] = super().__call__(name, value)
        return header


# Python folds a header longer than 78 characters by moving all of it to the next
# line, which some clients show as a leading space; RFC 5322 allows up to 998.
POLICY = policy.default.clone(max_line_length=200, header_factory=_HeaderClasses())
# The same, with the CRLF line ends SMTP sends.
SMTP_POLICY = POLICY.clone(linesep="\r\n")
# For a message that carries a non-ASCII local part: headers in UTF-8 as written
# (RFC 6532), which only an SMTPUTF8 transaction may carry.
UTF8_POLICY = POLICY.clone(utf8=True)
SMTP_UTF8_POLICY = SMTP_POLICY.clone(utf8=True)

_CALENDAR_METHOD = {
    MessageKind.INVITE: "REQUEST",
    MessageKind.INVITE_CANCEL: "CANCEL",
    MessageKind.COUNTER_DECLINED: "DECLINECOUNTER",
}

_templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    undefined=StrictUndefined,
    autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=False),
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
    # Templates ship with the code; checking each file's mtime on every message is wasted.
    auto_reload=False,
)

_LINE_ENDINGS = re.compile(r"\r\n?")
_BLANK_LINES = re.compile(r"\n(?:[ \t]*\n)+")


def _html_lines(text: str) -> Markup:
    """Escaped, with each line break kept as ``<br>``."""
    return Markup("<br>\n").join(escape(line) for line in text.split("\n"))


def _html_paragraphs(text: str) -> Markup:
    """One ``<p>`` per blank-line-separated paragraph, line breaks inside kept."""
    paragraphs = _BLANK_LINES.split(text.strip("\n"))
    return Markup("\n").join(Markup("<p>%s</p>") % _html_lines(p) for p in paragraphs)


_templates.filters["html_lines"] = _html_lines
_templates.filters["html_paragraphs"] = _html_paragraphs
_templates.filters["german_note"] = in_german


@dataclass(frozen=True)
class ClockNote:
    """A planned time that the clocks skip or show twice that night, in the meeting zone."""

    change: str  # "gap" or "fold"
    asked: datetime  # naive, in ``zone``
    actual: datetime  # aware, in ``zone``: when the session really starts
    zone: str

    @property
    def utc_offset(self) -> str:
        return utc_offset(self.actual)


@dataclass(frozen=True)
class SessionView:
    number: int
    total: int
    location: str
    # In the recipient's own zone: the only clock a participant is shown.
    when: Span
    # "today", "tomorrow" or None, seen on the recipient's clock from ``composed_at``.
    day: str | None
    clock_note: ClockNote | None


def message_id_for(key: str, domain: str) -> str:
    """The same key always gives the same Message-ID, so a retried send is recognisable."""
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:40]
    return f"<{digest}@{domain}>"


@dataclass(frozen=True)
class CalendarPart:
    method: str  # REQUEST, CANCEL or DECLINECOUNTER
    ics: bytes


@dataclass(frozen=True)
class Draft:
    """One message, checked and rendered: every header value and every part's content.
    Two writers take it: ``email_message`` (the stdlib's ``EmailMessage``, for tests and
    previews) and ``activities.wire.message_bytes`` (the bytes the send activity hands
    to SMTP, the same as the first one's ``as_bytes``)."""

    from_: str
    to: Address
    reply_to: str
    subject: str
    date: datetime
    message_id: str
    # A non-ASCII local part somewhere (recipient, sender or Reply-To): SMTPUTF8 only.
    utf8: bool
    text: str
    html: str
    calendar: CalendarPart | None


def compose_message(request: DeliveryRequest, *, sender: str, links: Mapping[str, str] | None = None) -> EmailMessage:
    """``links``: the response-site links the message carries (``AnswerLinks.for_request``)."""
    return email_message(draft_message(request, sender=sender, links=links))


def draft_message(request: DeliveryRequest, *, sender: str, links: Mapping[str, str] | None = None) -> Draft:
    if request.kind is MessageKind.ANNOUNCEMENT and request.announcement_subject is not None:
        # Checked as given: rendering strips the subject, which could hide a trailing CR/LF.
        _refuse_controls("subject", request.announcement_subject)
    text, html, subject = _render(request, links or {})
    office = request.program.program_office
    recipient = request.recipient
    for field, value in (
        ("sender", sender),
        ("recipient name", recipient.name),
        ("recipient email", recipient.email),
        ("program office name", office.name),
        ("program office email", office.email),
        ("subject", subject),
    ):
        _refuse_controls(field, value)

    sender_name, sender_address = _sender(sender)
    to = _address("recipient email", recipient.email)
    reply_to = _address("program office email", office.email)
    utf8 = to.needs_smtputf8 or reply_to.needs_smtputf8 or sender_address.needs_smtputf8
    method = _CALENDAR_METHOD.get(request.kind)
    return Draft(
        # The configured text when it is plain ASCII: a string header is parsed once, not per message.
        from_=sender if sender.isascii() else str(sender_address.header(sender_name, utf8=utf8)),
        to=to.header(recipient.name, utf8=utf8),
        # As text, which parses to the same header: the office recurs, so it is parsed once.
        reply_to=str(reply_to.header(office.name, utf8=utf8)),
        subject=subject,
        date=request.composed_at,
        message_id=message_id_for(request.key, sender_address.ascii_domain.lower()),
        utf8=utf8,
        text=text,
        html=html,
        calendar=None if method is None else CalendarPart(method, build_calendar(request)),
    )


def email_message(draft: Draft) -> EmailMessage:
    msg = EmailMessage(policy=UTF8_POLICY if draft.utf8 else POLICY)
    msg["From"] = draft.from_
    msg["To"] = draft.to
    msg["Reply-To"] = draft.reply_to
    msg["Subject"] = draft.subject
    # A datetime, which the Date header formats as format_datetime does, without parsing it back.
    msg["Date"] = draft.date
    msg["Message-ID"] = draft.message_id
    msg.set_content(draft.text)
    msg.add_alternative(draft.html, subtype="html")
    if draft.calendar is not None:
        ics = draft.calendar.ics
        # Bytes with base64 keep the calendar's CRLF lines exactly as icalendar wrote them.
        msg.add_alternative(
            ics,
            maintype="text",
            subtype="calendar",
            params={"method": draft.calendar.method, "charset": "UTF-8"},
        )
        # application/ics, as Google sends it, so no client reads a second invite.
        msg.add_attachment(ics, maintype="application", subtype="ics", filename="invite.ics")
    return msg


def _render(request: DeliveryRequest, links: Mapping[str, str]) -> tuple[str, str, str]:
    context = _context(request)
    context["links"] = links
    language = request.program.language.value
    # The language's date formats and labels; passed in, not imported, so that the
    # subject block, rendered on its own, sees them as well.
    context["fmt"] = _templates.get_template(f"{language}/_macros.j2").module
    base = f"{language}/{request.kind.value}"
    text_template = _templates.get_template(f"{base}.txt.j2")
    subject = "".join(text_template.blocks["subject"](text_template.new_context(context)))
    subject = subject.strip()
    text = text_template.render(context)
    html = _templates.get_template(f"{base}.html.j2").render(context, subject=subject)
    return text, html, subject


def _context(request: DeliveryRequest) -> dict[str, Any]:
    check_inputs(request)
    recipient = request.recipient
    total = request.total_sessions or len(request.sessions)
    partner = {Role.MENTOR: request.mentee, Role.MENTEE: request.mentor}.get(recipient.role)
    partner_role = {Role.MENTOR: Role.MENTEE, Role.MENTEE: Role.MENTOR}.get(recipient.role)
    views = [_view(s, total, request) for s in request.sessions]
    context: dict[str, Any] = {
        "recipient": recipient,
        "role": recipient.role.value,
        "program": request.program,
        "pair_id": request.pair_id,
        "mentor": request.mentor,
        "mentee": request.mentee,
        "partner": partner,
        "partner_role": partner_role.value if partner_role else None,
        "session": _view(request.session, total, request) if request.session else None,
        "sessions": views,
        "total": total,
        "midpoint": _midpoint(request),
        "failure": request.failure,
        "summary": request.summary,
        "function": request.mentoring_function.value if request.mentoring_function else None,
        "questions": (),
        # An invite this recipient already had in an earlier version: same UID, higher SEQUENCE.
        "updated": request.kind is MessageKind.INVITE and request.is_update,
        "note": _plain(request.note).strip() or None,
        "paused_until": request.paused_until,
        "announcement_subject": request.announcement_subject,
        "announcement_body": _plain(request.announcement_body).strip("\n"),
        "replier": replier(request),
        **counter_notes(request),
        "digest": digest_view(request),
    }
    if request.kind is MessageKind.REFLECTION and request.mentoring_function is not None:
        context["questions"] = questions_for(
            recipient.role,
            request.mentoring_function,
            request.reflection_round,
            request.program.language,
        )
    return context


def _view(session: SessionRef, total: int, request: DeliveryRequest) -> SessionView:
    # The same instants the invite carries, shown on the recipient's own clock.
    times = event_times(session)
    when = Span.on_clock(times.starts, times.ends, _own_zone(request, session.timezone))
    today = request.composed_at.astimezone(when.start.tzinfo).date()
    day = {today: "today", today + timedelta(days=1): "tomorrow"}.get(when.start.date())
    planned = times.planned
    note = None
    if planned.change is not None:
        actual = planned.instant.astimezone(ZoneInfo(session.timezone))
        note = ClockNote(planned.change.value, planned.asked, actual, session.timezone)
    return SessionView(session.number, total, session.location, when, day, note)


def _own_zone(request: DeliveryRequest, fallback: str) -> str:
    return request.recipient.timezone or fallback


def _midpoint(request: DeliveryRequest) -> datetime | None:
    """The midpoint on the recipient's own clock (the meeting zone if theirs is unknown)."""
    if request.midpoint_at is None:
        return None
    first = request.session or (request.sessions[0] if request.sessions else None)
    zone = _own_zone(request, first.timezone if first else "UTC")
    return request.midpoint_at.astimezone(ZoneInfo(zone))


def _plain(value: str | None) -> str:
    """Text as written, with CRLF and lone CR made into the LF the templates use."""
    return _LINE_ENDINGS.sub("\n", value or "")


# Unicode's categories Cc (controls), Zl and Zp (line and paragraph separators), which
# are these code points and no others (tests/test_compose.py checks it for every one).
HEADER_BREAKERS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _refuse_controls(field: str, value: str) -> None:
    """CR, LF and every other control or line separator would let a value escape its header."""
    found = HEADER_BREAKERS.search(value)
    if found is not None:
        raise ValueError(
            f"{field} contains the control character U+{ord(found.group()):04X}; "
            "refusing to write it into an email header"
        )


def needs_smtputf8(message: EmailMessage) -> bool:
    """Whether ``message`` carries a non-ASCII local part, and so needs an SMTPUTF8 server."""
    return bool(getattr(message.policy, "utf8", False))


def _address(field: str, text: str) -> addresses.MailAddress:
    try:
        return addresses.parse(text)
    except addresses.AddressError:
        # Without the checker's words: they can quote parts of the address.
        raise ValueError(f"{field} is not a valid email address") from None


@functools.lru_cache(maxsize=16)
def _sender(sender: str) -> tuple[str, addresses.MailAddress]:
    """Cached: every message of a worker has the same sender (``MAIL_FROM``)."""
    name, address = parseaddr(sender)
    if "@" not in address or not address.rpartition("@")[2].strip():
        raise ValueError("the sender (MAIL_FROM) has no address with a domain for the Message-ID")
    try:
        return name, addresses.sender(address)
    except addresses.AddressError:
        raise ValueError("the sender (MAIL_FROM) is not a valid email address") from None
