"""The send activity's bytes (``activities.wire``) against the stdlib's: for every kind
and language, and for names, addresses, subjects and bodies Hypothesis draws, the
message is byte for byte what ``email_message(draft).as_bytes`` writes with the same
boundaries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from activities.compose import SMTP_POLICY, SMTP_UTF8_POLICY, Draft, draft_message, email_message
from activities.wire import message_bytes
from mentoring import addresses
from mentoring.cohort import Language, Role
from mentoring.messages import MessageKind, Recipient
from tests.test_answer_emails import EXPIRES, LINKS
from tests.test_compose import EXTRA, SENDER, full_request

EXTRA_HEADERS = [("X-Mentoring-Kind", "invite"), ("X-Mentoring-Pair", "p1")]
NON_ASCII = "äöüßéèçñøåæłśžğабвгдежзαβγδε日本語中文“”–…"


def stdlib_bytes(draft: Draft, headers: list[tuple[str, str]]) -> tuple[bytes, dict[str, str]]:
    """What the stdlib writes, and the boundaries it chose."""
    msg = email_message(draft)
    for name, value in headers:
        msg[name] = value
    data = msg.as_bytes(policy=SMTP_UTF8_POLICY if draft.utf8 else SMTP_POLICY)
    alternative = msg.get_payload(0) if msg.get_content_subtype() == "mixed" else msg
    return data, {"alternative": alternative.get_boundary(), "mixed": msg.get_boundary()}


def assert_same_bytes(draft: Draft, headers: list[tuple[str, str]] = EXTRA_HEADERS) -> bytes:
    expected, boundaries = stdlib_bytes(draft, headers)
    assert message_bytes(draft, headers, boundaries=boundaries) == expected
    return expected


@pytest.mark.parametrize("language", list(Language))
@pytest.mark.parametrize("kind", list(MessageKind))
def test_every_kind_and_language_is_written_as_the_stdlib_writes_it(kind: MessageKind, language: Language) -> None:
    request = full_request(kind, language, links_expire=EXPIRES, **EXTRA.get(kind, {}))
    assert_same_bytes(draft_message(request, sender=SENDER, links=LINKS.for_request(request)))


# Names as written: plain ASCII words (RFC 5322 atext, which needs no quotes), specials
# that need quotes, and letters that need encoded words.
NAMES = (
    st.one_of(
        st.text(st.sampled_from("AaZz09 !#$%&'*+/=?^_`{|}~-"), min_size=1, max_size=60),
        st.text(st.sampled_from("AaZz09 .,-'\"()<>@;:\\!#$%&*+/=?^_`{|}~" + NON_ASCII), min_size=1, max_size=60),
    )
    .map(lambda s: " ".join(s.split()))
    .filter(bool)
)
LOCALS = st.one_of(
    st.from_regex(r"[a-z0-9]([a-z0-9._+'-]{0,10}[a-z0-9])?", fullmatch=True),
    st.text(st.sampled_from("abc09._-äöüжα日"), min_size=1, max_size=12).filter(lambda s: not s.isascii()),
)
DOMAINS = st.sampled_from(["example.com", "müller.example", "EXAMPLE.org", "xn--mller-kva.example", "日本.example"])
# What an office may write: words (ASCII, accented, CJK, look-alikes of encoded words,
# quotes and specials) in lines long and short, or any characters at all.
ASCII_WORDS = ["Cohort", "meet-up", "on", "12", "May:", "save", "the", "date", "=?", '"quoted"', "a;b", "(c)", "x@y"]
WORDS = st.sampled_from([*ASCII_WORDS, "Grüße", "für", "日本語の会議", "中文", "=?utf-8?q?x?=", "\\", "–", "", " "])
LINES = st.lists(WORDS, max_size=70).map(" ".join)
# Longer than a body line may be (200): quoted-printable when mostly ASCII, else base64.
LONG_LINES = st.lists(st.sampled_from([*ASCII_WORDS, "Grüße"]), min_size=45, max_size=90).map(" ".join)
TEXT = st.one_of(
    st.lists(st.one_of(LINES, LONG_LINES), max_size=12).map("\n".join),
    st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=300),
    st.text(st.sampled_from("日本語中文 "), min_size=210, max_size=400),
)
# A datetime for the Date header: any offset, any second.
DATES = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2090, 1, 1), timezones=st.just(UTC)).map(
    lambda d: d.replace(microsecond=0)
)


@st.composite
def recipients(draw: st.DrawFn) -> Recipient:
    address = f"{draw(LOCALS)}@{draw(DOMAINS)}"
    try:
        email = addresses.normalized(address)
    except addresses.AddressError:
        email = "fallback@example.com"
    return Recipient(role=Role.MENTEE, name=draw(NAMES), email=email, timezone="Europe/Berlin")


@settings(max_examples=150, deadline=None)
@given(
    recipient=recipients(),
    subject=st.one_of(LINES, LONG_LINES).map(str.strip).filter(bool),
    body=TEXT.filter(str.strip),
    language=st.sampled_from(list(Language)),
    composed_at=DATES,
    office_name=NAMES,
    sender=st.sampled_from(
        [SENDER, "mentoring@localhost", "Rückwärts Mentoring <mentoring@Sub.Example.co.uk>", "m <m@[127.0.0.1]>"]
    ),
    pair=st.sampled_from(["p1", "pair with spaces", "=?utf-8?q?x?=", "ü"]),
)
def test_announcements_to_anyone_are_written_as_the_stdlib_writes_them(
    recipient, subject, body, language, composed_at, office_name, sender, pair
) -> None:
    """Announcements carry the office's own subject and text: every header path (plain,
    folded, encoded words, UTF-8) and every body encoding (7bit, 8bit, quoted-printable, base64)."""
    request = full_request(
        MessageKind.ANNOUNCEMENT, language, recipient=recipient, announcement_subject=subject,
        announcement_body=body, composed_at=composed_at,
    )  # fmt: skip
    request.program.program_office.name = office_name
    try:
        draft = draft_message(request, sender=sender)
    except ValueError:
        return  # refused as a whole (a control character): no bytes to compare
    assert_same_bytes(draft, [("X-Mentoring-Kind", "announcement"), ("X-Mentoring-Pair", pair)])


@settings(max_examples=40, deadline=None)
@given(recipient=recipients(), days=st.integers(min_value=0, max_value=400), language=st.sampled_from(list(Language)))
def test_invites_with_their_calendar_are_written_as_the_stdlib_writes_them(recipient, days, language) -> None:
    at = datetime(2026, 4, 6, 15, 0, tzinfo=UTC) + timedelta(days=days)
    request = full_request(MessageKind.INVITE, language, recipient=recipient, composed_at=at)
    assert_same_bytes(draft_message(request, sender=SENDER))


def test_new_boundaries_are_the_stdlibs_kind_and_new_for_each_message() -> None:
    draft = draft_message(full_request(MessageKind.INVITE), sender=SENDER)
    first, second = message_bytes(draft), message_bytes(draft)
    assert first != second
    for data in (first, second):
        boundaries = [line[2:] for line in data.split(b"\r\n") if line.startswith(b"--=")]
        assert {len(b.rstrip(b"-")) for b in boundaries} == {36}
        assert all(b.startswith(b"=" * 15) for b in boundaries)
