"""A drafted message as the bytes SMTP carries: the same bytes as
``email_message(draft).as_bytes(policy=SMTP_POLICY)`` (or ``SMTP_UTF8_POLICY``), only
boundaries aside, which are random on both sides.

The stdlib builds every header and MIME part of a message as objects, parses each
header it is given and folds it again when it writes the message: about 0.5 ms a
message, more than rendering it. Here the layout is written directly: header lines
that recur (From, Reply-To, To for a recipient, the parts' own headers) are folded by
the stdlib once and kept; a header whose value is printable ASCII in single-spaced
words and fits on its line (Subject, Date, Message-ID, X-Mentoring-*) folds to
``Name: value``, so it is written so; anything else is folded by the stdlib. The bodies
are encoded as ``email.contentmanager`` encodes them. tests/test_wire.py compares the
two writers byte for byte.
"""

from __future__ import annotations

import binascii
import functools
import random
import re
import sys
from collections.abc import Iterable, Mapping
from email import quoprimime
from email.headerregistry import Address
from email.policy import EmailPolicy
from email.utils import format_datetime
from typing import Any

from activities.compose import POLICY, SMTP_POLICY, SMTP_UTF8_POLICY, UTF8_POLICY, Draft

_CRLF = b"\r\n"
# Printable ASCII words with one space between them. "=?" would start an encoded word,
# which the stdlib decodes and encodes again; a line break folds.
_PLAIN = re.compile(r"[!-~]+(?: [!-~]+)*")
# The headers whose parse reproduces such a value exactly (unstructured text).
_UNSTRUCTURED = frozenset({"subject", "date", "x-mentoring-kind", "x-mentoring-pair"})
# RFC 5322 atext: a display name of such words needs no quotes, an address no brackets.
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_PLAIN_PHRASE = re.compile(rf"{_ATEXT}(?: {_ATEXT})*")
_PLAIN_ADDRESS = re.compile(rf"{_ATEXT}(?:\.{_ATEXT})*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*")
_KEPT = 4096
_NEWLINES = re.compile(r"\r\n|\r|\n")
# The shape of ``Generator._make_boundary``'s boundaries, for folding Content-Type once.
_STAND_IN_BOUNDARY = "=" * 15 + "0" * 19 + "=="


def message_bytes(
    draft: Draft, headers: Iterable[tuple[str, str]] = (), *, boundaries: Mapping[str, str] | None = None
) -> bytes:
    """The message with ``headers`` (name, value) added after the draft's own.
    ``boundaries`` by multipart subtype ("alternative", "mixed"): new random ones if None."""
    policy = SMTP_UTF8_POLICY if draft.utf8 else SMTP_POLICY
    body_policy = UTF8_POLICY if draft.utf8 else POLICY
    parts = [
        _text_part("plain", draft.text, body_policy, policy),
        _text_part("html", draft.html, body_policy, policy),
    ]
    if draft.calendar is None:
        top, body = _multipart("alternative", parts, boundaries)
    else:
        ics = _base64(draft.calendar.ics, body_policy.max_line_length or sys.maxsize)
        parts.append(_head(policy, _calendar_headers(draft.calendar.method)) + _CRLF + ics)
        inner_type, inner = _multipart("alternative", parts, boundaries)
        attachment = _head(policy, _ATTACHMENT) + _CRLF + ics
        top, body = _multipart("mixed", [_content_type(policy, inner_type) + _CRLF + inner, attachment], boundaries)
    lines = [
        _line(policy, "From", draft.from_),
        _address_line(policy, "To", draft.to),
        _line(policy, "Reply-To", draft.reply_to),
        _unstructured(policy, "Subject", draft.subject),
        _unstructured(policy, "Date", format_datetime(draft.date)),
        _message_id(policy, draft.message_id),
        _line(policy, "MIME-Version", "1.0"),
        _content_type(policy, top),
    ]
    lines += [_unstructured(policy, name, value) for name, value in headers]
    return b"".join(lines) + _CRLF + body


def _text_part(subtype: str, text: str, body_policy: EmailPolicy[Any], policy: EmailPolicy[Any]) -> bytes:
    cte, payload = _encode_text(text, body_policy)
    head = [("Content-Type", f'text/{subtype}; charset="utf-8"'), ("Content-Transfer-Encoding", cte)]
    if subtype != "plain":
        # Only the first part takes over the message's own Content-* headers; the others are new.
        head.append(("MIME-Version", "1.0"))
    return _head(policy, tuple(head)) + _CRLF + payload


def _calendar_headers(method: str) -> tuple[tuple[str, str], ...]:
    return (
        ("Content-Transfer-Encoding", "base64"),
        ("Content-Type", f'text/calendar; method="{method}"; charset="UTF-8"'),
        ("MIME-Version", "1.0"),
    )


_ATTACHMENT = (
    ("Content-Type", "application/ics"),
    ("Content-Transfer-Encoding", "base64"),
    ("Content-Disposition", 'attachment; filename="invite.ics"'),
    ("MIME-Version", "1.0"),
)


def _multipart(subtype: str, parts: list[bytes], boundaries: Mapping[str, str] | None) -> tuple[tuple[str, str], bytes]:
    """The multipart's type and boundary, and its body as ``Generator._handle_multipart`` writes it."""
    boundary = boundaries[subtype] if boundaries is not None else _new_boundary(parts)
    delimiter = b"--" + boundary.encode("ascii")
    body = delimiter + _CRLF + (_CRLF + delimiter + _CRLF).join(parts) + _CRLF + delimiter + b"--" + _CRLF
    return (subtype, boundary), body


def _content_type(policy: EmailPolicy[Any], multipart: tuple[str, str]) -> bytes:
    """``Content-Type: multipart/…; boundary="…"``, folded once per subtype with a stand-in boundary."""
    subtype, boundary = multipart
    if len(boundary) == len(_STAND_IN_BOUNDARY):
        folded = _line(policy, "Content-Type", f'multipart/{subtype}; boundary="{_STAND_IN_BOUNDARY}"')
        if folded.count(_STAND_IN_BOUNDARY.encode("ascii")) == 1:
            return folded.replace(_STAND_IN_BOUNDARY.encode("ascii"), boundary.encode("ascii"))
    return _fold(policy, "Content-Type", f'multipart/{subtype}; boundary="{boundary}"')


def _new_boundary(parts: list[bytes]) -> str:
    """The stdlib's kind of boundary (``Generator._make_boundary``), checked against the
    parts with a substring search rather than a regular expression compiled for each."""
    token = random.randrange(sys.maxsize)
    boundary = ("=" * 15) + f"{token:019d}" + "=="
    candidate, counter = boundary, 0
    while any(b"--" + candidate.encode("ascii") in part for part in parts):
        candidate = f"{boundary}.{counter}"
        counter += 1
    return candidate


def _encode_text(text: str, policy: EmailPolicy[Any]) -> tuple[str, bytes]:
    """The Content-Transfer-Encoding and the body as ``set_content`` chooses and encodes
    them (``email.contentmanager._encode_text``), with CRLF line ends."""
    lines = text.encode("utf-8").splitlines()
    limit = policy.max_line_length or sys.maxsize
    if max((len(line) for line in lines), default=0) <= limit:
        body = _CRLF.join(lines) + _CRLF
        return ("7bit" if body.isascii() else "8bit"), body
    sniff = b"\n".join(lines[:10]) + b"\n"
    sniff_qp = quoprimime.body_encode(sniff.decode("latin-1"), limit)
    if len(sniff_qp) > len(binascii.b2a_base64(sniff)):
        return "base64", _base64(b"\n".join(lines) + b"\n", limit)
    if len(lines) <= 10:
        return "quoted-printable", _crlf(sniff_qp)
    qp = quoprimime.body_encode((b"\n".join(lines) + b"\n").decode("latin-1"), limit)
    return "quoted-printable", _crlf(qp)


def _base64(data: bytes, max_line_length: int) -> bytes:
    """``email.contentmanager._encode_base64``, with CRLF line ends."""
    per_line = max_line_length // 4 * 3
    return b"".join(binascii.b2a_base64(data[i : i + per_line])[:-1] + _CRLF for i in range(0, len(data), per_line))


def _crlf(text: str) -> bytes:
    """What the generator's ``_write_lines`` makes of a body's line ends."""
    return _NEWLINES.sub("\r\n", text).encode("ascii")


@functools.lru_cache(maxsize=256)
def _head(policy: EmailPolicy[Any], headers: tuple[tuple[str, str], ...]) -> bytes:
    return b"".join(_line(policy, name, value) for name, value in headers)


def _fold(policy: EmailPolicy[Any], name: str, value: object) -> bytes:
    return policy.fold_binary(name, policy.header_store_parse(name, value)[1])


@functools.lru_cache(maxsize=_KEPT)
def _line(policy: EmailPolicy[Any], name: str, value: str) -> bytes:
    """A header whose value recurs (From, Reply-To, the parts' headers), folded once."""
    return _fold(policy, name, value)


def _address_line(policy: EmailPolicy[Any], name: str, address: Address) -> bytes:
    """``Name <local@domain>`` as written when every part is plain ASCII (most names);
    else folded by the stdlib and kept, since a recipient gets dozens of messages."""
    line = f"{name}: {address.display_name} <{address.username}@{address.domain}>"
    if _PLAIN_PHRASE.fullmatch(address.display_name) and _PLAIN_ADDRESS.fullmatch(
        f"{address.username}@{address.domain}"
    ):
        if len(line) <= (policy.max_line_length or sys.maxsize) and "=?" not in address.display_name:
            return line.encode("ascii") + _CRLF
    return _address_folded(policy, name, address.display_name, address.username, address.domain)


@functools.lru_cache(maxsize=_KEPT)
def _address_folded(policy: EmailPolicy[Any], name: str, display_name: str, username: str, domain: str) -> bytes:
    return _fold(policy, name, Address(display_name, username, domain))


def _unstructured(policy: EmailPolicy[Any], name: str, value: str) -> bytes:
    if name.lower() in _UNSTRUCTURED and _is_plain(policy, name, value):
        return f"{name}: {value}".encode("ascii") + _CRLF
    return _fold(policy, name, value)


def _is_plain(policy: EmailPolicy[Any], name: str, value: str) -> bool:
    fits = len(name) + 2 + len(value) <= (policy.max_line_length or sys.maxsize)
    return fits and "=?" not in value and _PLAIN.fullmatch(value) is not None


def _message_id(policy: EmailPolicy[Any], message_id: str) -> bytes:
    """``<digest@domain>``: plain when the stdlib writes this domain's ids as they are,
    which a stand-in id of the same length and characters shows once per domain."""
    local, _, domain = message_id.strip("<>").partition("@")
    written = message_id == f"<{local}@{domain}>" and message_id.isascii()
    if written and local.isalnum() and local.isascii() and _plain_ids(policy, len(local), domain):
        return f"Message-ID: {message_id}".encode("ascii") + _CRLF
    return _fold(policy, "Message-ID", message_id)


@functools.lru_cache(maxsize=64)
def _plain_ids(policy: EmailPolicy[Any], length: int, domain: str) -> bool:
    stand_in = f"<{'a0' * (length // 2)}{'a' * (length % 2)}@{domain}>"
    return _fold(policy, "Message-ID", stand_in) == f"Message-ID: {stand_in}".encode("ascii", "replace") + _CRLF
