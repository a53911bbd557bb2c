"""``read_reply``: a mail from the office mailbox, as a calendar reply or with the reason
it is none. The replies come in the shapes real clients send (``tests.reply_shapes``);
the mails that are no reply are built like the real ones too, our own invites from
``compose_message``. Hypothesis varies the shapes, and throws bytes, cut and damaged
mails and random calendars at it: a reply or a reason from the list, never an exception.
"""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from activities.compose import compose_message
from mentoring.cohort import same_address
from mentoring.messages import MessageKind
from mentoring.replies import CalendarReply, PartStat, ReplyMethod
from mentoring_service.intake import parse
from mentoring_service.intake.parse import Ignored, read_reply
from tests import reply_shapes as shapes
from tests.reply_shapes import Answer, expected, ics, message, multipart, part
from tests.test_invites import request, session
from workflows.changes import session_uid

UID = Answer().uid
PROPOSED = (datetime(2026, 11, 5, 13, 30, tzinfo=UTC), datetime(2026, 11, 5, 14, 30, tzinfo=UTC))
COUNTER = Answer(method="COUNTER", partstat="TENTATIVE", sequence=2, proposed=PROPOSED)


def single(lines: list[str], content_type: str = "text/calendar; method=REPLY", encoding: str = "7bit") -> bytes:
    """A one-part mail holding a calendar, as simple clients and scripts send it."""
    body = part([f"Content-Type: {content_type}"], ics(lines), encoding)
    return message(["From: someone@example.org", "Message-ID: <single@example.org>", "MIME-Version: 1.0"], body)


def event(*lines: str, uid: str = UID, method: str = "REPLY") -> list[str]:
    head = ["BEGIN:VCALENDAR", "VERSION:2.0", f"METHOD:{method}", "BEGIN:VEVENT", f"UID:{uid}"]
    return [*head, *lines, "END:VEVENT", "END:VCALENDAR"]


ATTENDEE = "ATTENDEE;PARTSTAT=ACCEPTED:mailto:jane@example.org"


def our_invite(kind: MessageKind = MessageKind.INVITE) -> bytes:
    ref = session(3, datetime(2026, 11, 3, 10, 0)).model_copy(update={"uid": session_uid("pair:dw-2026:p1", 3)})
    return compose_message(request(kind, the_session=ref), sender="office@mentoring.example").as_bytes()


# --- The clients' replies, exactly --------------------------------------------------


@pytest.mark.parametrize("encoding", [None, *shapes.ENCODINGS])
@pytest.mark.parametrize("name", list(shapes.SHAPES))
@pytest.mark.parametrize("partstat", ["ACCEPTED", "TENTATIVE", "DECLINED"])
def test_each_client_reply_reads_as_the_answer_given(name: str, encoding: str | None, partstat: str) -> None:
    answer = Answer(partstat=partstat, sequence=1)
    mail = shapes.SHAPES[name](answer, encoding)
    assert read_reply(mail.raw) == expected(answer, mail)


@pytest.mark.parametrize("name", shapes.COUNTER_SHAPES)
def test_each_client_counter_reads_as_the_time_proposed(name: str) -> None:
    mail = shapes.SHAPES[name](COUNTER, None)
    assert read_reply(mail.raw) == expected(COUNTER, mail)


def test_outlook_proposes_a_new_time_in_its_windows_zone() -> None:
    mail = shapes.outlook_desktop(COUNTER)
    assert b"DTSTART;TZID=W. Europe Standard Time:20261105T143000" in shapes.outlook_desktop(COUNTER, "7bit").raw
    assert read_reply(mail.raw) == CalendarReply(
        message_id="<AM0PR07MB42113F1C2A@AM0PR07MB4211.eurprd07.prod.outlook.com>",
        method=ReplyMethod.COUNTER,
        workflow_id="pair:dw-2026:p1",
        session=3,
        sequence=2,
        attendee="jane.doe@contoso.example",
        partstat=PartStat.TENTATIVE,
        proposed_start=datetime(2026, 11, 5, 13, 30, tzinfo=UTC),
        proposed_end=datetime(2026, 11, 5, 14, 30, tzinfo=UTC),
        dtstamp=datetime(2026, 10, 28, 10, 15, tzinfo=UTC),
    )


def test_outlook_com_replies_without_organizer() -> None:
    mail = shapes.outlook_com(Answer(partstat="DECLINED"), "7bit")
    assert b"ORGANIZER" not in mail.raw
    reply = read_reply(mail.raw)
    assert isinstance(reply, CalendarReply) and reply.partstat is PartStat.DECLINED


def test_apple_sends_from_another_account_and_the_attendee_decides() -> None:
    mail = shapes.apple(Answer(), "7bit")
    assert b"From: Jane Doe <jd.private@icloud.com>" in mail.raw
    reply = read_reply(mail.raw)
    assert isinstance(reply, CalendarReply) and reply.attendee == "jane.doe@contoso.example"


def test_thunderbird_names_the_method_only_in_the_content_type() -> None:
    mail = shapes.thunderbird(Answer(), "7bit")
    assert b"METHOD:" not in mail.raw and b"method=REPLY" in mail.raw
    assert read_reply(mail.raw) == expected(Answer(), mail)


def test_google_calendar_alone_as_invite_ics_attachment() -> None:
    raw = shapes.google(Answer(), "7bit").raw
    inline = b'Content-Type: text/calendar; charset="UTF-8"; method=REPLY'
    only_attached = raw.replace(inline, b'Content-Type: text/plain; charset="UTF-8"')
    octet_stream = only_attached.replace(b"application/ics", b"application/octet-stream")
    for raw in (only_attached, octet_stream):
        assert isinstance(read_reply(raw), CalendarReply)


def test_method_only_in_the_calendar() -> None:
    mail = shapes.outlook_desktop(Answer())
    assert read_reply(mail.raw.replace(b"; method=REPLY", b"")) == expected(Answer(), mail)


def test_addresses_keep_their_case_and_lose_mailto() -> None:
    answer = Answer(address="Jane.Doe@Contoso.EXAMPLE", scheme="MAILTO", partstat="tentative")
    reply = read_reply(shapes.google(answer).raw)
    assert isinstance(reply, CalendarReply)
    assert (reply.attendee, reply.partstat) == ("Jane.Doe@Contoso.EXAMPLE", PartStat.TENTATIVE)
    assert same_address(reply.attendee, "jane.doe@contoso.example")


def test_a_reply_without_sequence_answers_sequence_0() -> None:
    reply = read_reply(shapes.thunderbird(Answer(sequence=None)).raw)
    assert isinstance(reply, CalendarReply) and reply.sequence == 0


def test_the_event_with_our_uid_among_others() -> None:
    teams = "040000008200E00074C5B7101A82E00800000000D0B9A1C3B5E8DA01000000000000000010000000"
    raw = single(
        ["BEGIN:VCALENDAR", "METHOD:REPLY", "BEGIN:VEVENT", f"UID:{teams}", ATTENDEE, "END:VEVENT"]
        + ["BEGIN:VEVENT", f"UID:{UID}", "RECURRENCE-ID:20261103T090000Z", ATTENDEE, "SEQUENCE:5", "END:VEVENT"]
        + ["BEGIN:VEVENT", f"UID:{UID}", "ATTENDEE;PARTSTAT=DECLINED:mailto:jane@example.org", "END:VEVENT"]
        + ["END:VCALENDAR"]
    )
    reply = read_reply(raw)
    assert isinstance(reply, CalendarReply) and (reply.partstat, reply.sequence) == (PartStat.DECLINED, 0)


def test_icloud_attendee_by_its_email_parameter() -> None:
    urn = "urn:uuid:8c9b4e1a-0c7d-4f7e-9b1a-2d3c4e5f6a7b"
    reply = read_reply(single(event(f'ATTENDEE;EMAIL="jane@example.org";PARTSTAT=Accepted:{urn}')))
    assert isinstance(reply, CalendarReply)
    assert (reply.attendee, reply.partstat) == ("jane@example.org", PartStat.ACCEPTED)


def test_a_broken_inline_calendar_and_a_good_invite_ics() -> None:
    mail = shapes.google(Answer(), "7bit")
    inline_broken = mail.raw.replace(b"BEGIN:VEVENT", b"BEGIN:VEVENT\r\nSEQUENCE:x", 1)
    assert read_reply(inline_broken) == expected(Answer(), mail)


@pytest.mark.parametrize(
    ("lines", "start", "end"),
    [
        (["DTSTART:20261105T133000Z", "DTEND:20261105T143000Z"], "13:30", "14:30"),
        (["DTSTART;TZID=America/New_York:20261105T083000", "DURATION:PT90M"], "13:30", "15:00"),
        (["DTSTART;TZID=Europe/Berlin:20260705T100000", "DTEND;TZID=Europe/Berlin:20260705T110000"], "08:00", "09:00"),
        (["DTSTART;TZID=/mozilla.org/20071231_1/Europe/Berlin:20261105T100000", "DURATION:PT1H"], "09:00", "10:00"),
    ],
)
# parse.py ignores icalendar's warning about the Lightning TZID; pytest resets filters per test.
@pytest.mark.filterwarnings("ignore::icalendar.error.GloballyUniqueTZIDGuessed")
def test_counter_times_in_utc_in_a_zone_or_with_a_duration(lines: list[str], start: str, end: str) -> None:
    reply = read_reply(single(event(ATTENDEE, *lines, method="COUNTER"), "text/calendar; method=COUNTER"))
    assert isinstance(reply, CalendarReply) and reply.partstat is PartStat.ACCEPTED
    assert reply.proposed_start is not None and reply.proposed_end is not None
    assert (reply.proposed_start.strftime("%H:%M"), reply.proposed_end.strftime("%H:%M")) == (start, end)


@pytest.mark.parametrize(
    ("lines", "reason"),
    [
        (["DTSTART:20261105T133000", "DTEND:20261105T143000"], parse.FLOATING),
        (["DTSTART;TZID=Mars/Olympus:20261105T133000", "DTEND;TZID=Mars/Olympus:20261105T143000"], parse.FLOATING),
        (["DTSTART;VALUE=DATE:20261105", "DTEND;VALUE=DATE:20261106"], parse.WHOLE_DAY),
        (["DTSTART:20261105T133000Z"], parse.NO_PROPOSED_TIME),
        (["DTSTART:20261105T143000Z", "DTEND:20261105T133000Z"], parse.ENDS_BEFORE_START),
        (["DTSTART:tomorrow", "DTEND:20261105T143000Z"], parse.MALFORMED),
    ],
)
def test_counters_without_a_usable_time(lines: list[str], reason: str) -> None:
    raw = single(event(ATTENDEE, *lines, method="COUNTER"), "text/calendar; method=COUNTER")
    assert read_reply(raw) == Ignored(reason)


@pytest.mark.parametrize(
    ("lines", "reason"),
    [
        ([], parse.NO_ATTENDEE),
        ([ATTENDEE, "ATTENDEE;PARTSTAT=ACCEPTED:mailto:lena@example.org"], parse.SEVERAL_ATTENDEES),
        (["ATTENDEE;PARTSTAT=ACCEPTED:jane"], parse.NOT_AN_ADDRESS),
        (["ATTENDEE:mailto:jane@example.org"], "reply without PARTSTAT"),
        (["ATTENDEE;PARTSTAT=needs-action:mailto:jane@example.org"], "reply with PARTSTAT=NEEDS-ACTION"),
        (["ATTENDEE;PARTSTAT=DELEGATED:mailto:jane@example.org"], "reply with PARTSTAT=DELEGATED"),
        (["ATTENDEE;PARTSTAT=jane@example.org:mailto:jane@example.org"], "reply with an unknown PARTSTAT"),
        ([ATTENDEE, "SEQUENCE:-1"], parse.MALFORMED),
        ([ATTENDEE, "SEQUENCE:next"], parse.MALFORMED),
    ],
)
def test_replies_without_one_clear_answer(lines: list[str], reason: str) -> None:
    assert read_reply(single(event(*lines))) == Ignored(reason)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (single(event(ATTENDEE, uid="pair:dw-2026:p1-session-3@reverse-mentoring.evil")), parse.UNKNOWN_UID),
        (single(event(ATTENDEE, uid="040000008200E00074C5B7101A82E008")), parse.UNKNOWN_UID),
        (single(["BEGIN:VCALENDAR", "METHOD:REPLY", "END:VCALENDAR"]), parse.NO_EVENT),
        (single(event(ATTENDEE), "text/calendar; method=COUNTER"), parse.METHODS_DIFFER),
        (single([line for line in event(ATTENDEE) if line != "METHOD:REPLY"], "text/calendar"), parse.NO_METHOD),
        (single(event(ATTENDEE, method="X-NOTIFY"), "text/calendar"), "unknown METHOD"),
        (
            single(event(ATTENDEE)[:-1] + event(ATTENDEE, uid=session_uid("pair:dw-2026:p1", 4))[3:]),
            parse.SEVERAL_SESSIONS,
        ),
        (single(["BEGIN:VCALENDAR", "BEGIN:VEVENT", "END:VCALENDAR"]), parse.MALFORMED),
    ],
)
def test_calendars_that_answer_no_session_of_ours(raw: bytes, reason: str) -> None:
    assert read_reply(raw) == Ignored(reason)


def test_a_mail_without_message_id_gets_one_from_its_bytes() -> None:
    raw = shapes.thunderbird(Answer(), "7bit").raw.replace(b"Message-ID:", b"X-Old-Message-ID:")
    first, again, other = read_reply(raw), read_reply(raw), read_reply(raw.replace(b"ACCEPTED", b"DECLINED"))
    assert isinstance(first, CalendarReply) and isinstance(other, CalendarReply)
    assert first == again and first.message_id.endswith("@no-message-id.invalid>")
    assert other.message_id != first.message_id


# --- Mail that is no reply -------------------------------------------------------------


def out_of_office() -> bytes:
    text = "I am out of the office until 9 November with limited access to email."
    body = part(['Content-Type: text/plain; charset="UTF-8"'], text, "7bit")
    headers = ["Auto-Submitted: auto-replied", "Subject: Automatic reply: Reverse mentoring", "Precedence: bulk"]
    return message(headers + ["From: jane.doe@contoso.example", "MIME-Version: 1.0"], body)


def bounce() -> bytes:
    status = "Reporting-MTA: dns; mx.contoso.example\r\n\r\nFinal-Recipient: rfc822; jane.doe@contoso.example\r\nAction: failed\r\nStatus: 5.1.1\r\n"
    parts = [
        part(["Content-Type: text/plain; charset=us-ascii"], "Delivery has failed to these recipients.", "7bit"),
        part(["Content-Type: message/delivery-status"], status, "7bit"),
        part(["Content-Type: message/rfc822"], our_invite().decode(), "7bit"),
    ]
    body = multipart("multipart/report; report-type=delivery-status", "bounce42", parts)
    return message(["From: MAILER-DAEMON@mx.contoso.example", "Subject: Undeliverable", "MIME-Version: 1.0"], body)


def forwarded_reply() -> bytes:
    parts = [part(["Content-Type: message/rfc822"], shapes.google(Answer(), "7bit").raw.decode(), "7bit")]
    body = multipart("multipart/mixed", "fwd", [part(["Content-Type: text/plain"], "FYI", "7bit"), *parts])
    return message(["From: assistant@contoso.example", "Subject: Fwd: Accepted", "MIME-Version: 1.0"], body)


def with_attachment(size: int) -> bytes:
    pdf = part(['Content-Type: application/pdf; name="cv.pdf"'], "%PDF-1.7 " + "x" * size, "base64")
    body = multipart("multipart/mixed", "big", [part(["Content-Type: text/plain"], "Here is my CV", "7bit"), pdf])
    return message(["From: jane.doe@contoso.example", "MIME-Version: 1.0"], body)


def huge_calendar() -> bytes:
    long_description = "DESCRIPTION:" + "Agenda. " * 40_000
    return single(event(ATTENDEE, long_description))


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (out_of_office(), parse.AUTOMATIC_REPLY),
        (bounce(), parse.DELIVERY_REPORT),
        (message(["From: jane.doe@contoso.example"], "\r\nCan we move Tuesday to 3pm? Jane\r\n"), parse.NO_CALENDAR),
        (forwarded_reply(), parse.NO_CALENDAR),
        (our_invite(), "METHOD:REQUEST is no reply"),
        (our_invite(MessageKind.INVITE_CANCEL), "METHOD:CANCEL is no reply"),
        (with_attachment(3 * 1024 * 1024), parse.TOO_BIG),
        (with_attachment(1024 * 1024), parse.NO_CALENDAR),
        (huge_calendar(), parse.CALENDAR_TOO_BIG),
        (b"", parse.NO_CALENDAR),
    ],
)
def test_mail_that_is_no_reply_is_ignored_with_its_reason(raw: bytes, reason: str) -> None:
    assert read_reply(raw) == Ignored(reason)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"Content-Type: text/calendar; " + b"a=b; " * 400_000 + b"\r\n\r\nx", parse.HEADER_TOO_LONG),
        (
            b"Content-Type: multipart/mixed; boundary=b\r\n\r\n"
            + (b"--b\r\nContent-Type: text/plain; " + b"a=b; " * 800 + b"\r\n\r\nx\r\n") * 400,
            parse.TOO_COMPLEX,
        ),
        (b"Content-Type: multipart/mixed; boundary=b\r\n\r\n" + b"--b\r\n\r\nx\r\n" * 200_000, parse.TOO_COMPLEX),
    ],
)
def test_headers_the_stdlib_parses_slowly_are_refused_fast(raw: bytes, reason: str) -> None:
    # Unbounded, the first took 9 minutes in the stdlib's header parser. The parser's own
    # CPU time, not the wall clock: a busy machine (the suite's other processes) must not
    # fail it, and a parser that goes quadratic again still does.
    started = time.process_time()
    assert read_reply(raw) == Ignored(reason)
    assert time.process_time() - started < 3


# --- Properties ------------------------------------------------------------------------


def any_case(text: str) -> st.SearchStrategy[str]:
    flips = st.lists(st.booleans(), min_size=len(text), max_size=len(text))
    return flips.map(lambda up: "".join(c.upper() if u else c for c, u in zip(text, up, strict=True)))


REPLIES = st.builds(
    Answer,
    address=st.sampled_from(["jane.doe@contoso.example", "jörg.müller@bücher.example"]).flatmap(any_case),
    scheme=any_case("mailto"),
    name=st.sampled_from(["Jane Doe", "Jörg Müller", "山田 太郎"]),
    partstat=st.sampled_from(["accepted", "tentative", "declined"]).flatmap(any_case),
    sequence=st.none() | st.integers(0, 10_000),
    token=st.text("0123456789abcdef", min_size=6, max_size=6),
)


@st.composite
def client_mails(draw: st.DrawFn) -> tuple[Answer, shapes.Mail]:
    answer = draw(REPLIES)
    name = draw(st.sampled_from(list(shapes.SHAPES)))
    if name in shapes.COUNTER_SHAPES and draw(st.booleans()):
        start = draw(st.datetimes(datetime(2026, 1, 1), datetime(2027, 12, 31))).replace(tzinfo=UTC)
        start = start.replace(hour=draw(st.integers(6, 20)), second=0, microsecond=0)
        answer = replace(
            answer, method="COUNTER", proposed=(start, start + timedelta(minutes=draw(st.integers(15, 180))))
        )
    return answer, shapes.SHAPES[name](answer, draw(st.sampled_from([None, *shapes.ENCODINGS])))


@settings(max_examples=300, deadline=None)
@given(client_mails())
def test_any_client_encoding_case_and_sequence_reads_the_same(drawn: tuple[Answer, shapes.Mail]) -> None:
    answer, mail = drawn
    reply = read_reply(mail.raw)
    assert reply == expected(answer, mail)
    assert isinstance(reply, CalendarReply) and same_address(reply.attendee, answer.address.lower())


def assert_reply_or_reason(result: CalendarReply | Ignored) -> None:
    assert isinstance(result, CalendarReply | Ignored)
    if isinstance(result, Ignored):
        assert result.reason in parse.reasons()


def test_no_reason_names_an_address() -> None:
    assert all("@" not in reason for reason in parse.reasons())


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=4096))
def test_any_bytes_give_a_reply_or_a_reason(raw: bytes) -> None:
    assert_reply_or_reason(read_reply(raw))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(client_mails(), st.data())
def test_cut_or_damaged_mails_give_a_reply_or_a_reason(drawn: tuple[Answer, shapes.Mail], data: st.DataObject) -> None:
    raw = bytearray(drawn[1].raw)
    cut = data.draw(st.integers(0, len(raw)))
    damage = data.draw(st.lists(st.tuples(st.integers(0, len(raw) - 1), st.integers(0, 255)), max_size=20))
    for at, byte in damage:
        raw[at] = byte
    assert_reply_or_reason(read_reply(bytes(raw[:cut])))
    assert_reply_or_reason(read_reply(bytes(raw)))


NAMES = ["BEGIN", "END", "METHOD", "UID", "ATTENDEE", "DTSTART", "DTEND", "DURATION", "SEQUENCE", "DTSTAMP"]
VALUES = ["VCALENDAR", "VEVENT", "VTIMEZONE", "REPLY", "COUNTER", UID, "mailto:a@b.c", "20261103T100000Z"]
LINES = st.builds(
    lambda name, params, value: name + "".join(f";{k}={v}" for k, v in params) + ":" + value,
    st.sampled_from(NAMES) | st.text(min_size=1, max_size=8),
    st.lists(st.tuples(st.sampled_from(["PARTSTAT", "TZID", "VALUE", "EMAIL"]), st.text(max_size=12)), max_size=3),
    st.sampled_from([*VALUES, "20261103", "PT1H", "-1", "9" * 30]) | st.text(max_size=40),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(LINES, max_size=30), st.sampled_from(shapes.ENCODINGS))
def test_random_calendars_give_a_reply_or_a_reason(lines: list[str], encoding: str) -> None:
    raw = single(["BEGIN:VCALENDAR", "METHOD:REPLY", "BEGIN:VEVENT", f"UID:{UID}", *lines], encoding=encoding)
    assert_reply_or_reason(read_reply(raw))


def test_an_attendee_written_with_an_ascii_domain_reads_as_the_cohort_file_writes_it():
    mail = shapes.outlook_desktop(Answer(address="bert@xn--mller-kva.example"))
    found = read_reply(mail.raw)
    assert isinstance(found, CalendarReply) and found.attendee == "bert@müller.example"
