"""The email for each message kind: headers, MIME layout, language and content."""

from __future__ import annotations

import email
import hashlib
import re
import sys
import unicodedata
from datetime import UTC, date, datetime
from email import policy
from email.message import EmailMessage
from html import unescape

import pytest
from markupsafe import escape

from activities.compose import HEADER_BREAKERS, SMTP_UTF8_POLICY, compose_message, message_id_for, needs_smtputf8
from activities.invites import build_calendar
from activities.reflection_questions import BANK, questions_for
from mentoring.cohort import Language, Person, Role
from mentoring.messages import (
    CompletionSummary,
    DeliveryFailure,
    DeliveryRequest,
    MentoringFunction,
    MessageKind,
    Recipient,
)
from mentoring.reporting.digest import DigestDelivery
from tests.digests import sample_digest
from tests.test_invites import BERLIN, KLAUS, LENA, NEW_YORK, request, session

SENDER = "Reverse Mentoring <mentoring@Example.org>"

S1 = session(1, datetime(2026, 3, 24, 16, 0))
S2 = session(2, datetime(2026, 4, 7, 16, 0))
S3 = session(3, datetime(2026, 4, 21, 16, 0), location="Teams: https://teams.example.com/m/7")
PLAN = [S1, S2, S3]
# Session 2 moved by two days and to another room: the same UID, a grown SEQUENCE.
S2_MOVED = session(2, datetime(2026, 4, 9, 17, 30), sequence=1, location="Room 5.01, Tower A")
S2_SEQ2 = session(2, datetime(2026, 4, 7, 16, 0), sequence=2)


def to_mentor(tz: str | None = BERLIN) -> Recipient:
    return Recipient(role=Role.MENTOR, name=LENA.name, email=LENA.email, timezone=tz)


def to_mentee(tz: str | None = BERLIN) -> Recipient:
    return Recipient(role=Role.MENTEE, name=KLAUS.name, email=KLAUS.email, timezone=tz)


OFFICE = Recipient(role=Role.PROGRAM_OFFICE, name="HR Program Office", email="mentoring-office@example.com")

ANNOUNCEMENT_SUBJECT = "Cohort meet-up on 12 May: save the date"
ANNOUNCEMENT_BODY = (
    "On 12 May we meet all pairs for an exchange of experiences.\n"
    "Time: 16:00–18:00, Room 1.01.\n"
    "\n"
    "Please bring one example of what you have tried out together."
)
PARTICIPANT_KINDS_NEW = [
    MessageKind.PROGRAM_PAUSED,
    MessageKind.PROGRAM_RESUMED,
    MessageKind.PARTNER_CHANGED,
    MessageKind.ANNOUNCEMENT,
]


def full_request(kind: MessageKind, language: Language = Language.EN, **overrides) -> DeliveryRequest:
    """Everything any kind could need, so one builder serves every kind."""
    office_kinds = {MessageKind.COMPLETION_NOTICE, MessageKind.DELIVERY_FAILURE_NOTICE, MessageKind.AT_RISK_ALERT}
    fields = dict(
        the_session=S2,
        sessions=PLAN,
        total_sessions=3,
        language=language,
        recipient=OFFICE if kind in office_kinds else to_mentee(),
        midpoint_at=datetime(2026, 5, 29, 10, 0, tzinfo=UTC),
        mentoring_function=MentoringFunction.CAREER,
        reflection_round=0,
        failure=DeliveryFailure(
            pair_id="p1",
            role=Role.MENTEE,
            email="klaus.richter@example.com",
            kind=MessageKind.INVITE,
            smtp_code=550,
            smtp_reply="5.1.1 <klaus.richter@example.com>: Recipient address rejected",
        ),
        summary=CompletionSummary(sessions_planned=7, sessions_held=6, messages_sent=41, messages_failed=1),
        paused_until=date(2026, 5, 15),
        announcement_subject=ANNOUNCEMENT_SUBJECT,
        announcement_body=ANNOUNCEMENT_BODY,
        composed_at=datetime(2026, 4, 6, 15, 0, tzinfo=UTC),
    )
    fields.update(overrides)
    if kind is MessageKind.WEEKLY_DIGEST:
        # About the whole cohort: no pair, and the digest it shows.
        built = request(kind, **{**fields, "recipient": OFFICE})
        return DigestDelivery(**{**built.model_dump(), "pair_id": None, "mentor": None, "mentee": None}, digest=DIGEST)
    return request(kind, **fields)


def part(msg: EmailMessage, content_type: str) -> EmailMessage:
    (found,) = [p for p in msg.walk() if p.get_content_type() == content_type]
    return found


def text_of(msg: EmailMessage) -> str:
    return part(msg, "text/plain").get_content()


def html_of(msg: EmailMessage) -> str:
    return part(msg, "text/html").get_content()


def structure(msg: EmailMessage) -> list[str]:
    return [p.get_content_type() for p in msg.walk()]


# --- headers ---------------------------------------------------------------


def test_message_id_is_deterministic_and_differs_per_key() -> None:
    key = "pair-dw26-p1/invite-2/v3/mentee"
    expected = f"<{hashlib.sha256(key.encode()).hexdigest()[:40]}@example.org>"
    assert message_id_for(key, "example.org") == expected
    assert message_id_for(key, "example.org") == expected
    assert message_id_for("pair-dw26-p1/invite-2/v3/mentor", "example.org") != expected
    assert message_id_for("pair-dw26-p1/invite-2/v4/mentee", "example.org") != expected


def test_headers() -> None:
    req = full_request(MessageKind.INVITE)
    msg = compose_message(req, sender=SENDER)

    assert msg["From"] == "Reverse Mentoring <mentoring@Example.org>"
    (to,) = msg["To"].addresses
    assert (to.display_name, to.addr_spec) == ("Klaus Richter", "klaus.richter@example.com")
    (reply_to,) = msg["Reply-To"].addresses
    assert (reply_to.display_name, reply_to.addr_spec) == ("HR Program Office", "mentoring-office@example.com")
    assert (
        msg["Subject"]
        == "Invitation: reverse mentoring session 2 of 3 on Tuesday, 7 April 2026 at 16:00 (Europe/Berlin)"
    )
    # The workflow's clock, not the wall clock.
    assert msg["Date"] == "Mon, 06 Apr 2026 15:00:00 +0000"
    assert msg["Message-ID"] == message_id_for(req.key, "example.org")
    assert compose_message(req, sender=SENDER)["Message-ID"] == msg["Message-ID"]


def test_non_ascii_names_are_encoded_and_survive_the_wire() -> None:
    jurgen = Recipient(role=Role.MENTEE, name="Jürgen Müller, Dr.", email="juergen@example.com")
    msg = compose_message(full_request(MessageKind.REMINDER, recipient=jurgen), sender=SENDER)
    wire = bytes(msg)
    assert "Jürgen".encode() not in wire.split(b"\n\n", 1)[0]
    parsed = email.message_from_bytes(wire, policy=policy.default)
    (to,) = parsed["To"].addresses
    assert (to.display_name, to.addr_spec) == ("Jürgen Müller, Dr.", "juergen@example.com")


def test_an_international_domain_is_written_in_its_ascii_form() -> None:
    bert = Recipient(role=Role.MENTEE, name="Bert Müller", email="bert@müller.example")
    msg = compose_message(full_request(MessageKind.REMINDER, recipient=bert), sender=SENDER)
    assert not needs_smtputf8(msg)
    head = bytes(msg).split(b"\n\n", 1)[0]
    # Not an encoded word inside the domain, which no parser reads back.
    assert b"To: Bert =?utf-8?q?M=C3=BCller?= <bert@xn--mller-kva.example>" in head.split(b"\n")
    assert head.isascii()


def test_a_non_ascii_local_part_makes_a_utf8_message() -> None:
    jorg = Recipient(role=Role.MENTEE, name="Jörg Groß", email="jörg@müller.example")
    msg = compose_message(full_request(MessageKind.REMINDER, recipient=jorg), sender=SENDER)
    assert needs_smtputf8(msg)
    wire = msg.as_bytes(policy=SMTP_UTF8_POLICY)
    assert "To: Jörg Groß <jörg@müller.example>".encode() in wire.split(b"\r\n")
    parsed = email.message_from_string(wire.decode("utf-8"), policy=policy.default)
    (to,) = parsed["To"].addresses
    assert (to.display_name, to.addr_spec) == ("Jörg Groß", "jörg@müller.example")


def test_an_invalid_address_is_named_by_field_not_quoted() -> None:
    broken = Recipient(role=Role.MENTEE, name="Klaus", email="klaus@@example.com")
    with pytest.raises(ValueError, match="^recipient email is not a valid email address$"):
        compose_message(full_request(MessageKind.WELCOME, recipient=broken), sender=SENDER)


def _mentee(name: str = KLAUS.name, address: str = KLAUS.email) -> dict:
    return {"recipient": Recipient(role=Role.MENTEE, name=name, email=address)}


@pytest.mark.parametrize(
    ("overrides", "field", "code_point"),
    [
        (_mentee("Klaus\r\nBcc: all@example.com"), "recipient name", "000D"),
        (_mentee("Klaus\nBcc: all@example.com"), "recipient name", "000A"),
        (_mentee("Klaus\x0bX"), "recipient name", "000B"),
        (_mentee("Klaus\u2028Bcc: x@example.com"), "recipient name", "2028"),
        (_mentee(address="klaus@example.com\r\nBcc: x@example.com"), "recipient email", "000D"),
        ({"focus": "Social\nBcc: all@example.com"}, "subject", "000A"),
    ],
)
def test_control_characters_never_reach_a_header(overrides: dict, field: str, code_point: str) -> None:
    with pytest.raises(ValueError, match=f"^{field} contains the control character U\\+{code_point};"):
        compose_message(full_request(MessageKind.WELCOME, **overrides), sender=SENDER)


def test_the_refused_characters_are_exactly_unicodes_controls_and_separators() -> None:
    """Every code point: the pattern composing checks with is categories Cc, Zl and Zp."""
    by_category = {chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) in ("Cc", "Zl", "Zp")}
    by_pattern = {chr(c) for c in range(sys.maxunicode + 1) if HEADER_BREAKERS.fullmatch(chr(c))}
    assert by_pattern == by_category


def test_control_characters_in_sender_or_office_are_refused() -> None:
    with pytest.raises(ValueError, match="^sender contains the control character U\\+000A"):
        compose_message(full_request(MessageKind.WELCOME), sender="RM\n<mentoring@example.org>")
    req = full_request(MessageKind.WELCOME)
    req.program.program_office.name = "Office\r\nBcc: x@example.com"
    with pytest.raises(ValueError, match="^program office name contains the control character U\\+000D"):
        compose_message(req, sender=SENDER)


def test_line_breaks_in_location_stay_inside_the_calendar_text() -> None:
    evil = session(2, datetime(2026, 4, 7, 16, 0), location="Room 1\r\nX-INJECTED:1")
    msg = compose_message(full_request(MessageKind.INVITE, the_session=evil), sender=SENDER)
    ics = part(msg, "text/calendar").get_payload(decode=True).decode()
    lines = ics.replace("\r\n ", "").split("\r\n")
    assert "LOCATION:Room 1\\nX-INJECTED:1" in lines
    assert not [line for line in lines if line.startswith("X-INJECTED")]


def test_sender_without_domain_is_refused() -> None:
    with pytest.raises(ValueError, match="has no address with a domain"):
        compose_message(full_request(MessageKind.WELCOME), sender="Reverse Mentoring")


# --- MIME layout -----------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "method", "overrides"),
    [
        (MessageKind.INVITE, "REQUEST", {}),
        (MessageKind.INVITE_CANCEL, "CANCEL", {}),
        (MessageKind.INVITE, "REQUEST", {"the_session": S2_MOVED, "note": "Room needed for an audit"}),
        (MessageKind.INVITE_CANCEL, "CANCEL", {"the_session": S2_SEQ2, "note": "Klaus is travelling"}),
    ],
    ids=["invite", "cancel", "update", "cancel-with-note"],
)
def test_invite_mime_layout(kind: MessageKind, method: str, overrides: dict) -> None:
    req = full_request(kind, **overrides)
    msg = compose_message(req, sender=SENDER)
    # Check what goes over the wire, not just the object we built.
    msg = email.message_from_bytes(bytes(msg), policy=policy.default)

    assert structure(msg) == [
        "multipart/mixed",
        "multipart/alternative",
        "text/plain",
        "text/html",
        "text/calendar",
        "application/ics",
    ]
    inline = part(msg, "text/calendar")
    assert inline.get_param("method") == method
    assert inline.get_param("charset") == "UTF-8"
    assert inline.get_content_disposition() is None
    inline_ics = inline.get_payload(decode=True)
    assert f"\r\nMETHOD:{method}\r\n".encode() in inline_ics
    assert f"\r\nSEQUENCE:{req.session.sequence}\r\n".encode() in inline_ics
    assert f"\r\nUID:{req.session.uid}\r\n".encode() in inline_ics
    assert inline_ics == build_calendar(req)

    attachment = part(msg, "application/ics")
    assert attachment.get_content_disposition() == "attachment"
    assert attachment.get_filename() == "invite.ics"
    assert attachment.get_payload(decode=True) == inline_ics


@pytest.mark.parametrize(
    "kind",
    [
        MessageKind.WELCOME,
        MessageKind.REMINDER,
        MessageKind.REFLECTION,
        MessageKind.MIDPOINT_REVIEW,
        MessageKind.CLOSING_REVIEW,
        MessageKind.COMPLETION_NOTICE,
        MessageKind.DELIVERY_FAILURE_NOTICE,
        *PARTICIPANT_KINDS_NEW,
        MessageKind.CHECK_IN_REMINDER,
        MessageKind.PAIR_NUDGE,
        MessageKind.AT_RISK_ALERT,
        MessageKind.NEW_DATE_CHOSEN,
    ],
)
def test_other_kinds_are_text_and_html_only(kind: MessageKind) -> None:
    msg = compose_message(full_request(kind), sender=SENDER)
    assert structure(msg) == ["multipart/alternative", "text/plain", "text/html"]
    assert part(msg, "text/plain").get_content_charset() == "utf-8"


def test_html_is_escaped_and_text_is_not() -> None:
    scripted = Person(name="<script>alert(1)</script>", email="kid@example.com", timezone=BERLIN)
    msg = compose_message(full_request(MessageKind.WELCOME, recipient=to_mentor(), mentee=scripted), sender=SENDER)
    html = html_of(msg)
    assert "<script>" not in html
    assert "<strong>&lt;script&gt;alert(1)&lt;/script&gt;</strong> is the mentee" in html
    assert "<script>alert(1)</script> is the mentee and takes the role of the learner." in text_of(msg)


# --- content per kind and language ------------------------------------------

EXPECTED = {
    (MessageKind.WELCOME, Language.EN): (
        "Welcome to reverse mentoring: Social collaboration",
        [
            "Hello Klaus Richter,",
            "Reverse mentoring flips the usual roles. Lena Weber is the mentor: the expert on Social collaboration",
            "Klaus Richter is the mentee and takes the role of the learner.",
            'Welcome to the reverse mentoring program "Digital Workplace 2026".',
            "As the mentee, you are the learner here",
            "1. Tuesday, 24 March 2026, 16:00–17:00 (Europe/Berlin)\n   Location: Room 4.12, Tower B",
            "2. Tuesday, 7 April 2026, 16:00–17:00 (Europe/Berlin)\n   Location: Room 4.12, Tower B",
            "3. Tuesday, 21 April 2026, 16:00–17:00 (Europe/Berlin)\n   Location: Teams: https://teams.example.com/m/7",
            "Midpoint review: Friday, 29 May 2026",
            "- confidentiality in both directions",
            "- your goals for the program",
            "- the format and frequency of your meetings",
            "- how to cancel or move a session",
            "- how either of you can end the mentoring early",
            "the program office never sees it.",
        ],
    ),
    (MessageKind.WELCOME, Language.DE): (
        "Willkommen im Reverse Mentoring: Social collaboration",
        [
            "Guten Tag Klaus Richter,",
            "herzlich willkommen im Reverse-Mentoring-Programm „Digital Workplace 2026“.",
            "Lena Weber übernimmt die Rolle des Mentors und bringt als Expertin oder Experte das Wissen zu „Social collaboration“ mit.",
            "Klaus Richter ist Mentee und übernimmt die Rolle der lernenden Person.",
            "Als Mentee sind Sie hier in der lernenden Rolle",
            "1. Dienstag, 24. März 2026, 16:00–17:00 Uhr (Europe/Berlin)\n   Ort: Room 4.12, Tower B",
            "2. Dienstag, 7. April 2026, 16:00–17:00 Uhr (Europe/Berlin)",
            "Zwischenbilanz: Freitag, 29. Mai 2026",
            "- Vertraulichkeit in beide Richtungen",
            "- Ihre Ziele für das Programm",
            "- Form und Häufigkeit Ihrer Treffen",
            "- wie Sie einen Termin absagen oder verschieben",
            "- wie jede Seite das Mentoring vorzeitig beenden kann",
            "das Programmbüro sieht es nie.",
        ],
    ),
    (MessageKind.INVITE, Language.EN): (
        "Invitation: reverse mentoring session 2 of 3 on Tuesday, 7 April 2026 at 16:00 (Europe/Berlin)",
        [
            "Here is your calendar invitation for reverse mentoring session 2 of 3 with Lena Weber.",
            "When:  Tuesday, 7 April 2026, 16:00–17:00 (Europe/Berlin)\nWhere: Room 4.12, Tower B",
        ],
    ),
    (MessageKind.INVITE, Language.DE): (
        "Einladung: Reverse Mentoring, Termin 2 von 3 am Dienstag, 7. April 2026 um 16:00 Uhr (Europe/Berlin)",
        [
            "anbei erhalten Sie die Kalendereinladung für Ihren Reverse-Mentoring-Termin 2 von 3 mit Lena Weber.",
            "Wann: Dienstag, 7. April 2026, 16:00–17:00 Uhr (Europe/Berlin)\nWo:   Room 4.12, Tower B",
        ],
    ),
    (MessageKind.INVITE_CANCEL, Language.EN): (
        "Cancelled: reverse mentoring session 2 of 3 on Tuesday, 7 April 2026 at 16:00 (Europe/Berlin)",
        [
            "Reverse mentoring session 2 of 3 with Lena Weber has been cancelled.",
            "It was planned for: Tuesday, 7 April 2026, 16:00–17:00 (Europe/Berlin)\nLocation: Room 4.12, Tower B",
        ],
    ),
    (MessageKind.INVITE_CANCEL, Language.DE): (
        "Abgesagt: Reverse Mentoring, Termin 2 von 3 am Dienstag, 7. April 2026 um 16:00 Uhr (Europe/Berlin)",
        [
            "Ihr Reverse-Mentoring-Termin 2 von 3 mit Lena Weber wurde abgesagt.",
            "Geplant war: Dienstag, 7. April 2026, 16:00–17:00 Uhr (Europe/Berlin)\nOrt: Room 4.12, Tower B",
        ],
    ),
    (MessageKind.REMINDER, Language.EN): (
        "Reminder: reverse mentoring tomorrow at 16:00 (Europe/Berlin)",
        [
            "your next reverse mentoring session (session 2 of 3) with Lena Weber is tomorrow.",
            "Where: Room 4.12, Tower B",
            "what would you like to learn or try out this time?",
        ],
    ),
    (MessageKind.REMINDER, Language.DE): (
        "Erinnerung: Reverse Mentoring morgen um 16:00 Uhr (Europe/Berlin)",
        [
            "Ihr nächster Reverse-Mentoring-Termin (Termin 2 von 3) mit Lena Weber ist morgen.",
            "Wo:   Room 4.12, Tower B",
            "Was möchten Sie diesmal lernen oder ausprobieren?",
        ],
    ),
    (MessageKind.REFLECTION, Language.EN): (
        "Reflection: a few questions for you",
        [
            "After reverse mentoring session 2 of 3 with Lena Weber, here are a few questions to reflect on.",
            "This time they are about your career and development.",
            "1. What have you learned that you can use in your work within the next two weeks?",
            "Your answers are private notes for yourself, and for Lena Weber if you choose to share them.",
            "Nobody collects them",
        ],
    ),
    (MessageKind.REFLECTION, Language.DE): (
        "Reflexion: ein paar Fragen für Sie",
        [
            "nach Ihrem Reverse-Mentoring-Termin 2 von 3 mit Lena Weber finden Sie hier ein paar Fragen zum Nachdenken.",
            "Diesmal geht es um Ihre berufliche Entwicklung.",
            "1. Was haben Sie gelernt, das Sie in den nächsten zwei Wochen in Ihrer Arbeit anwenden können?",
            "Ihre Antworten sind private Notizen für Sie selbst",
            "Niemand sammelt sie ein",
        ],
    ),
    (MessageKind.MIDPOINT_REVIEW, Language.EN): (
        "Midpoint review: how is your reverse mentoring going?",
        [
            "- How satisfied are you with your match?",
            "- Are your meetings taking place regularly?",
            "- How far have you got with the goals you agreed at the start?",
            "- Should you meet more or less often from now on?",
        ],
    ),
    (MessageKind.MIDPOINT_REVIEW, Language.DE): (
        "Zwischenbilanz: Wie läuft Ihr Reverse Mentoring?",
        [
            "- Wie zufrieden sind Sie mit Ihrem Tandem?",
            "- Finden Ihre Treffen regelmäßig statt?",
            "- Wie weit sind Sie mit den Zielen gekommen, die Sie zu Beginn vereinbart haben?",
            "- Sollten Sie sich künftig häufiger oder seltener treffen?",
        ],
    ),
    (MessageKind.CLOSING_REVIEW, Language.EN): (
        "Closing review: looking back on your reverse mentoring",
        [
            "- What progress have you made against the goals you set at the start?",
            "- What are your key takeaways, and what will you keep doing?",
            "- Would you like to continue meeting informally after the program?",
        ],
    ),
    (MessageKind.CLOSING_REVIEW, Language.DE): (
        "Abschlussbilanz: Rückblick auf Ihr Reverse Mentoring",
        [
            "- Welche Fortschritte haben Sie bei den Zielen gemacht, die Sie sich zu Beginn gesetzt haben?",
            "- Was sind Ihre wichtigsten Erkenntnisse, und was behalten Sie bei?",
            "- Möchten Sie sich nach dem Programm informell weiter austauschen?",
        ],
    ),
    (MessageKind.COMPLETION_NOTICE, Language.EN): (
        'Completed: pair p1 in "Digital Workplace 2026"',
        [
            "Hello HR Program Office,",
            'Pair p1 in the cohort "Digital Workplace 2026" (Social collaboration) has completed the program.',
            "Mentor: Lena Weber\nMentee: Klaus Richter\nSessions planned: 7\nSessions held: 6\n"
            "Messages sent: 41\nMessages not delivered: 1",
        ],
    ),
    (MessageKind.COMPLETION_NOTICE, Language.DE): (
        "Abgeschlossen: Tandem p1 in „Digital Workplace 2026“",
        [
            "das Tandem p1 der Kohorte „Digital Workplace 2026“ (Social collaboration) hat das Programm abgeschlossen.",
            "Mentor: Lena Weber\nMentee: Klaus Richter\nGeplante Termine: 7\nStattgefundene Termine: 6\n"
            "Versendete Nachrichten: 41\nNicht zugestellte Nachrichten: 1",
        ],
    ),
    (MessageKind.WEEKLY_DIGEST, Language.EN): (
        'Weekly digest: "Digital Workplace 2026", the week to Monday, 29 March 2027',
        [
            "Hello HR Program Office,",
            'here is the week of the cohort "Digital Workplace 2026" (dw26), from Monday, 22 March 2027 '
            "to Monday, 29 March 2027, 08:00 (Europe/Berlin).",
            "Sessions held: 3\nSessions not held: 2 (1 declined in a calendar)\nNot answered yet: 2\nCancelled: 1",
            "- Pair p2: at risk, 2 of last week's sessions not held",
            "  End the pair early (the closing review goes out):\n    .venv/bin/python ops.py end dw26 p2 --reason TEXT",
            "- Pair p3: quiet",
            "  Give the pair another day or time:\n    .venv/bin/python ops.py change-rhythm dw26 p3 --weekday D --time HH:MM",
            "Sessions planned: 4\n- Pair p1: midpoint review, Wednesday, 31 March 2027, 09:00",
            # The report's headline, in its words.
            "- pairs started: 4, running: 3, completed: 1\n- sessions held: 12 of 52 planned\n"
            "- held rate 86% (benchmark 80%: met)\n- pairs at risk: 1, quiet: 1\n"
            "- recommendation score (NPS): mentors fewer than 3 answers, mentees 25",
        ],
    ),
    (MessageKind.WEEKLY_DIGEST, Language.DE): (
        "Wochenüberblick: „Digital Workplace 2026“, die Woche bis Montag, 29. März 2027",
        [
            "Guten Tag HR Program Office,",
            "Stattgefundene Termine: 3\nNicht stattgefundene Termine: 2 (1 im Kalender abgesagt)",
            "- Tandem p2: gefährdet, 2 Termin(e) der letzten Woche nicht stattgefunden",
            "- Tandem p1: Zwischenbilanz, Mittwoch, 31. März 2027, 09:00 Uhr",
            "- Weiterempfehlung (NPS): Mentor/innen weniger als 3 Antworten, Mentees 25",
        ],
    ),
    (MessageKind.DELIVERY_FAILURE_NOTICE, Language.EN): (
        "Delivery failed: calendar invitation to the mentee of pair p1",
        [
            "Pair: p1\nRecipient: mentee, klaus.richter@example.com\nMessage: calendar invitation\n"
            "Mail server reply: 550 5.1.1 <klaus.richter@example.com>: Recipient address rejected",
            "What to do: please check whether the address is correct and still in use.",
        ],
    ),
    (MessageKind.DELIVERY_FAILURE_NOTICE, Language.DE): (
        "Zustellung fehlgeschlagen: Kalendereinladung an Mentee, Tandem p1",
        [
            "Tandem: p1\nEmpfänger: Mentee, klaus.richter@example.com\nNachricht: Kalendereinladung\n"
            "Antwort des Mailservers: 550 5.1.1 <klaus.richter@example.com>: Recipient address rejected",
            "Was zu tun ist: Bitte prüfen Sie, ob die Adresse stimmt und noch verwendet wird.",
        ],
    ),
    (MessageKind.PROGRAM_PAUSED, Language.EN): (
        "Paused: your reverse mentoring until Friday, 15 May 2026",
        [
            "Hello Klaus Richter,",
            "Your reverse mentoring with Lena Weber is paused up to and including Friday, 15 May 2026.",
            "Reason: Year-end closing in the finance department",
            "Sessions that fall within the pause are cancelled: you will receive a cancellation for each of them, "
            "which removes it from your calendar.",
            "During the pause you will receive no reminders, reflection questions or other prompts from the program.",
            "We will let you know when the program resumes, with the dates of your next sessions and new calendar invitations.",
        ],
    ),
    (MessageKind.PROGRAM_PAUSED, Language.DE): (
        "Pausiert: Ihr Reverse Mentoring bis Freitag, 15. Mai 2026",
        [
            "Guten Tag Klaus Richter,",
            "Ihr Reverse Mentoring mit Lena Weber ist bis einschließlich Freitag, 15. Mai 2026 pausiert.",
            "Grund: Year-end closing in the finance department",
            "Termine, die in die Pause fallen, werden abgesagt: Für jeden erhalten Sie eine Absage, "
            "die ihn aus Ihrem Kalender entfernt.",
            "Während der Pause erhalten Sie keine Erinnerungen, Reflexionsfragen oder sonstigen Impulse aus dem Programm.",
            "Sobald das Programm weitergeht, geben wir Ihnen Bescheid",
        ],
    ),
    (MessageKind.PROGRAM_RESUMED, Language.EN): (
        "Resumed: your reverse mentoring continues",
        [
            "Your reverse mentoring with Lena Weber continues after the pause.",
            "2. Tuesday, 7 April 2026, 16:00–17:00 (Europe/Berlin)\n   Location: Room 4.12, Tower B",
            "3. Tuesday, 21 April 2026, 16:00–17:00 (Europe/Berlin)\n   Location: Teams: https://teams.example.com/m/7",
            "You will receive a new calendar invitation for each session.",
        ],
    ),
    (MessageKind.PROGRAM_RESUMED, Language.DE): (
        "Fortgesetzt: Ihr Reverse Mentoring geht weiter",
        [
            "Ihr Reverse Mentoring mit Lena Weber geht nach der Pause weiter.",
            "2. Dienstag, 7. April 2026, 16:00–17:00 Uhr (Europe/Berlin)\n   Ort: Room 4.12, Tower B",
            "3. Dienstag, 21. April 2026, 16:00–17:00 Uhr (Europe/Berlin)\n   Ort: Teams: https://teams.example.com/m/7",
            "Für jeden Termin erhalten Sie eine neue Kalendereinladung.",
        ],
    ),
    (MessageKind.PARTNER_CHANGED, Language.EN): (
        "New partner: Lena Weber is now your mentor",
        [
            "There is a change in your reverse mentoring: from now on, Lena Weber (lena.weber@example.com) is your mentor.",
            "Reason: Jana Wolf has moved to the Singapore office.",
            "Your remaining sessions stay as planned. You will receive an updated calendar invitation for each of them, "
            "now with Lena Weber.",
            "get to know each other and agree again on confidentiality",
        ],
    ),
    (MessageKind.PARTNER_CHANGED, Language.DE): (
        "Neues Gegenüber: Lena Weber ist jetzt Mentor in Ihrem Tandem",
        [
            "in Ihrem Reverse Mentoring gibt es eine Änderung: Ab sofort ist Lena Weber (lena.weber@example.com) "
            "Ihr Gegenüber und übernimmt die Rolle des Mentors.",
            "Grund: Jana Wolf has moved to the Singapore office.",
            "Ihre verbleibenden Termine bleiben bestehen. Für jeden erhalten Sie eine aktualisierte Kalendereinladung, "
            "nun mit Lena Weber.",
        ],
    ),
    (MessageKind.ANNOUNCEMENT, Language.EN): (
        ANNOUNCEMENT_SUBJECT,
        [f"Hello Klaus Richter,\n\n{ANNOUNCEMENT_BODY}\n"],
    ),
    (MessageKind.ANNOUNCEMENT, Language.DE): (
        ANNOUNCEMENT_SUBJECT,
        [f"Guten Tag Klaus Richter,\n\n{ANNOUNCEMENT_BODY}\n"],
    ),
    (MessageKind.CHECK_IN_REMINDER, Language.EN): (
        "Check-in: did reverse mentoring session 2 of 3 take place?",
        [
            "Hello Klaus Richter,\n\nDid your reverse mentoring session 2 of 3 with Lena Weber take place? "
            "It was planned for Tuesday, 7 April 2026, 16:00–17:00 (Europe/Berlin).",
            "If it did not, or you need a new date, please reply to this email: your reply reaches the program office.",
            "Your answer only says whether you met. What you talked about stays between the two of you.",
        ],
    ),
    (MessageKind.CHECK_IN_REMINDER, Language.DE): (
        "Kurze Rückmeldung: Hat Ihr Reverse-Mentoring-Termin 2 von 3 stattgefunden?",
        [
            "Guten Tag Klaus Richter,\n\nhat Ihr Reverse-Mentoring-Termin 2 von 3 mit Lena Weber stattgefunden? "
            "Geplant war er für Dienstag, 7. April 2026, 16:00–17:00 Uhr (Europe/Berlin).",
            "Wenn nicht, oder wenn Sie einen neuen Termin brauchen, antworten Sie bitte auf diese E-Mail: "
            "Ihre Antwort erreicht das Programmbüro.",
            "Ihre Antwort sagt nur, ob Sie sich getroffen haben. Worüber Sie gesprochen haben, bleibt unter Ihnen beiden.",
        ],
    ),
    (MessageKind.PAIR_NUDGE, Language.EN): (
        "Keeping in touch: your reverse mentoring with Lena Weber",
        [
            "Hello Klaus Richter,\n\nWe have not heard for a while that you and Lena Weber met.",
            '- If you did meet, tell us with one click: "We met" in the email with the reflection questions for that session.',
            '- If the usual time no longer suits you, choose a new date with "We need a new date" in the same email, '
            "or agree on one together.",
            "- If something is in the way, the program office is glad to help: just reply to this email.",
            "Lena Weber receives this note too. Nothing about your program changes because of it.",
        ],
    ),
    (MessageKind.PAIR_NUDGE, Language.DE): (
        "Bleiben Sie in Kontakt: Ihr Reverse Mentoring mit Lena Weber",
        [
            "Guten Tag Klaus Richter,\n\nwir haben schon eine Weile nicht gehört, dass Sie und Lena Weber sich getroffen haben.",
            "- Wenn Sie sich getroffen haben, sagen Sie es uns mit einem Klick: „Wir haben uns getroffen“ "
            "in der E-Mail mit den Reflexionsfragen zu diesem Termin.",
            "- Wenn etwas im Weg steht, hilft das Programmbüro gern: Antworten Sie einfach auf diese E-Mail.",
            "Lena Weber erhält diese Nachricht ebenfalls. An Ihrem Programm ändert sie nichts.",
        ],
    ),
    (MessageKind.AT_RISK_ALERT, Language.EN): (
        'At risk: pair p1 in "Digital Workplace 2026"',
        [
            "Hello HR Program Office,",
            'Pair p1 in the cohort "Digital Workplace 2026" (Social collaboration) may need your help.',
            "Mentor: Lena Weber\nMentee: Klaus Richter\nWhat we know: sessions 2 and 3 were not held\n",
            "- See the plan, the check-ins and the reviews:\n  .venv/bin/python ops.py show dw26 p1\n",
            '- Move a session to a date that suits both:\n  .venv/bin/python ops.py reschedule dw26 p1 SESSION --to "YYYY-MM-DD HH:MM"\n',
            "- Give the pair a break:\n  .venv/bin/python ops.py pause dw26 p1 --reason TEXT [--until YYYY-MM-DD]\n",
            "- Replace a participant who cannot go on:\n  .venv/bin/python ops.py replace dw26 p1 --role mentor|mentee "
            "--name NAME --email EMAIL --timezone TZ --reason TEXT\n",
            "- End the pair early (the closing review goes out):\n  .venv/bin/python ops.py end dw26 p1 --reason TEXT\n",
            "Nothing happens automatically: the pair carries on as planned until you act.",
        ],
    ),
    (MessageKind.AT_RISK_ALERT, Language.DE): (
        "Gefährdet: Tandem p1 in „Digital Workplace 2026“",
        [
            "Guten Tag HR Program Office,",
            "das Tandem p1 der Kohorte „Digital Workplace 2026“ (Social collaboration) braucht vielleicht Ihre Unterstützung.",
            "Mentor: Lena Weber\nMentee: Klaus Richter\nBekannt ist: Die Termine 2 und 3 haben nicht stattgefunden.\n",
            "- Plan, Rückmeldungen und Bilanzen ansehen:\n  .venv/bin/python ops.py show dw26 p1\n",
            '  .venv/bin/python ops.py reschedule dw26 p1 SESSION --to "YYYY-MM-DD HH:MM"\n',
            "  .venv/bin/python ops.py pause dw26 p1 --reason TEXT [--until YYYY-MM-DD]\n",
            "  .venv/bin/python ops.py replace dw26 p1 --role mentor|mentee --name NAME --email EMAIL --timezone TZ "
            "--reason TEXT\n",
            "- Das Tandem vorzeitig beenden (die Abschlussbilanz geht hinaus):\n  .venv/bin/python ops.py end dw26 p1 --reason TEXT\n",
            "Von selbst geschieht nichts: Das Tandem läuft wie geplant weiter, bis Sie handeln.",
        ],
    ),
    (MessageKind.NEW_DATE_CHOSEN, Language.EN): (
        "New date: reverse mentoring session 2 of 3 on Thursday, 9 April 2026 at 17:30 (Europe/Berlin)",
        [
            "Hello Klaus Richter,\n\nLena Weber asked for a new date for reverse mentoring session 2 of 3 and chose this one:",
            "When:  Thursday, 9 April 2026, 17:30–18:30 (Europe/Berlin)\nWhere: Room 5.01, Tower A",
            "You will receive the updated calendar invitation in a separate email.",
            "If the new date does not suit you, please talk to Lena Weber, or reply to this email to reach the program office.",
        ],
    ),
    (MessageKind.NEW_DATE_CHOSEN, Language.DE): (
        "Neuer Termin: Reverse Mentoring, Termin 2 von 3 am Donnerstag, 9. April 2026 um 17:30 Uhr (Europe/Berlin)",
        [
            "Guten Tag Klaus Richter,\n\nLena Weber hat für Ihren Reverse-Mentoring-Termin 2 von 3 einen neuen Termin gewählt:",
            "Wann: Donnerstag, 9. April 2026, 17:30–18:30 Uhr (Europe/Berlin)\nWo:   Room 5.01, Tower A",
            "Die aktualisierte Kalendereinladung erhalten Sie in einer eigenen E-Mail.",
            "Passt Ihnen der neue Termin nicht, sprechen Sie bitte mit Lena Weber, "
            "oder antworten Sie auf diese E-Mail, um das Programmbüro zu erreichen.",
        ],
    ),
    (MessageKind.SESSION_DECLINED, Language.EN): (
        "Declined: reverse mentoring session 2 of 3 on Tuesday, 7 April 2026 at 16:00 (Europe/Berlin)",
        [
            "Hello Klaus Richter,\n\nLena Weber has declined the invitation to reverse mentoring session 2 of 3 "
            "on Tuesday, 7 April 2026, 16:00–17:00 (Europe/Berlin).",
            "Lena Weber may choose a new date for this session. If so, you will both receive the updated calendar "
            "invitation. Until then the session stays in your calendar as planned.",
            "If you would rather find a date together, please talk to Lena Weber, or reply to this email to reach "
            "the program office.",
        ],
    ),
    (MessageKind.SESSION_DECLINED, Language.DE): (
        "Abgelehnt: Reverse Mentoring, Termin 2 von 3 am Dienstag, 7. April 2026 um 16:00 Uhr (Europe/Berlin)",
        [
            "Guten Tag Klaus Richter,\n\nLena Weber hat die Einladung zu Ihrem Reverse-Mentoring-Termin 2 von 3 "
            "am Dienstag, 7. April 2026, 16:00–17:00 Uhr (Europe/Berlin) abgelehnt.",
            "Lena Weber kann für diesen Termin ein neues Datum wählen. Dann erhalten Sie beide die aktualisierte "
            "Kalendereinladung. Bis dahin bleibt der Termin wie geplant in Ihrem Kalender.",
            "Möchten Sie lieber gemeinsam einen Termin finden, sprechen Sie bitte mit Lena Weber, "
            "oder antworten Sie auf diese E-Mail, um das Programmbüro zu erreichen.",
        ],
    ),
    # Without links (a pair that takes no answers): the office helps.
    (MessageKind.DECLINED_NEW_DATE, Language.EN): (
        "Reverse mentoring session 2 of 3: would you like a new date?",
        [
            "Hello Klaus Richter,\n\nThank you for letting us know: you declined reverse mentoring session 2 of 3 "
            "with Lena Weber on Tuesday, 7 April 2026, 16:00–17:00 (Europe/Berlin). We have told Lena Weber.",
            "If you would like another date for this session, please reply to this email: your reply reaches "
            "the program office.",
        ],
    ),
    (MessageKind.DECLINED_NEW_DATE, Language.DE): (
        "Reverse-Mentoring-Termin 2 von 3: Möchten Sie einen neuen Termin?",
        [
            "Guten Tag Klaus Richter,\n\nvielen Dank, dass Sie uns Bescheid gegeben haben: Sie haben Ihren "
            "Reverse-Mentoring-Termin 2 von 3 mit Lena Weber am Dienstag, 7. April 2026, 16:00–17:00 Uhr "
            "(Europe/Berlin) abgelehnt. Lena Weber haben wir informiert.",
            "Wenn Sie für diesen Termin ein anderes Datum möchten, antworten Sie bitte auf diese E-Mail: "
            "Ihre Antwort erreicht das Programmbüro.",
        ],
    ),
    (MessageKind.COUNTER_PROPOSED, Language.EN): (
        'New time proposed: session 2 of pair p1 in "Digital Workplace 2026"',
        [
            "Hello HR Program Office,\n\nA participant proposed a new time for a session in their calendar.",
            "Session:     2 of 3\nProposed by: mentee, Klaus Richter\n",
            "Planned now: Tuesday, 7 April 2026, 16:00–17:00 (Europe/Berlin)\n"
            "Proposed:    Thursday, 9 April 2026, 17:30–18:30 (Europe/Berlin)\n",
            "- Approve: the session moves to the proposed time, and both calendars get the update:\n"
            "  .venv/bin/python ops.py approve-counter dw26 p1 2\n",
            "- Refuse: Klaus Richter is told the proposal was refused, and the session stays as planned:\n"
            "  .venv/bin/python ops.py refuse-counter dw26 p1 2\n",
        ],
    ),
    (MessageKind.COUNTER_PROPOSED, Language.DE): (
        "Neue Zeit vorgeschlagen: Termin 2, Tandem p1 in „Digital Workplace 2026“",
        [
            "Guten Tag HR Program Office,\n\neine teilnehmende Person hat in ihrem Kalender eine neue Zeit "
            "für einen Termin vorgeschlagen.",
            "Termin:            2 von 3\nVorgeschlagen von: Mentee, Klaus Richter\n",
            "Bisher geplant:    Dienstag, 7. April 2026, 16:00–17:00 Uhr (Europe/Berlin)\n"
            "Vorschlag:         Donnerstag, 9. April 2026, 17:30–18:30 Uhr (Europe/Berlin)\n",
            "  .venv/bin/python ops.py approve-counter dw26 p1 2\n",
            "  .venv/bin/python ops.py refuse-counter dw26 p1 2\n",
        ],
    ),
    # The office kept the session: the proposer's calendar drops the time proposed.
    (MessageKind.COUNTER_DECLINED, Language.EN): (
        "Reverse mentoring session 2 of 3: it stays at its time",
        [
            "Hello Klaus Richter,\n\nthank you for proposing a new time for your reverse mentoring session 2 of 3 "
            "with Lena Weber. The program office has kept the session at its time: Tuesday, 7 April 2026, "
            "16:00–17:00 (Europe/Berlin).",
            "Your calendar has been told, so the proposed time no longer shows there.",
        ],
    ),
    (MessageKind.COUNTER_DECLINED, Language.DE): (
        "Reverse-Mentoring-Termin 2 von 3: Es bleibt bei der geplanten Zeit",
        [
            "Guten Tag Klaus Richter,\n\nvielen Dank für Ihren Vorschlag einer neuen Zeit für Ihren "
            "Reverse-Mentoring-Termin 2 von 3 mit Lena Weber. Das Programmbüro hat den Termin zu seiner Zeit "
            "belassen: Dienstag, 7. April 2026, 16:00–17:00 Uhr (Europe/Berlin).",
            "Ihr Kalender ist informiert, der vorgeschlagene Termin erscheint dort nicht mehr.",
        ],
    ),
    # Both could attend, so the pair took the time: the office reads it, with nothing to decide.
    (MessageKind.COUNTER_AUTO_APPROVED, Language.EN): (
        'New time approved automatically: session 2 of pair p1 in "Digital Workplace 2026"',
        [
            "Hello HR Program Office,\n\nA participant proposed a new time for a session in their calendar. "
            "Both participants can attend it, so it was approved automatically, as this cohort's file says "
            "(proposed_times): the session moved, and both calendars have the update.",
            "Proposed by: mentee, Klaus Richter\n",
            "Was:         Tuesday, 7 April 2026, 16:00–17:00 (Europe/Berlin)\n"
            "Now:         Thursday, 9 April 2026, 17:30–18:30 (Europe/Berlin)\n",
            "On each participant's own clock, within the working hours 08:00–18:00, Monday to Friday:\n"
            "- Lena Weber (mentor): Thursday, 9 April 2026, 17:30–18:30 (Europe/Berlin)\n"
            "- Klaus Richter (mentee): Thursday, 9 April 2026, 11:30–12:30 (America/New_York)\n",
            '  .venv/bin/python ops.py reschedule dw26 p1 2 --to "YYYY-MM-DD HH:MM"\n',
        ],
    ),
    (MessageKind.COUNTER_AUTO_APPROVED, Language.DE): (
        "Neue Zeit automatisch angenommen: Termin 2, Tandem p1 in „Digital Workplace 2026“",
        [
            "Guten Tag HR Program Office,\n\neine teilnehmende Person hat in ihrem Kalender eine neue Zeit "
            "für einen Termin vorgeschlagen. Beide Teilnehmenden können sie wahrnehmen, deshalb wurde sie "
            "automatisch angenommen, wie es die Kohortendatei vorsieht (proposed_times): Der Termin ist "
            "verschoben, beide Kalender haben die Aktualisierung erhalten.",
            "Bisher:            Dienstag, 7. April 2026, 16:00–17:00 Uhr (Europe/Berlin)\n"
            "Jetzt:             Donnerstag, 9. April 2026, 17:30–18:30 Uhr (Europe/Berlin)\n",
            "In der eigenen Zeitzone jeder teilnehmenden Person, innerhalb der Arbeitszeit 08:00–18:00 Uhr, "
            "Montag bis Freitag:\n"
            "- Lena Weber (Mentor): Donnerstag, 9. April 2026, 17:30–18:30 Uhr (Europe/Berlin)\n"
            "- Klaus Richter (Mentee): Donnerstag, 9. April 2026, 11:30–12:30 Uhr (America/New_York)\n",
        ],
    ),
}
# What a kind's EXPECTED entry is rendered with, beyond full_request's defaults.
DIGEST = sample_digest("dw26")
EXTRA = {
    MessageKind.PROGRAM_PAUSED: {"note": "Year-end closing in the finance department"},
    MessageKind.PROGRAM_RESUMED: {"sessions": [S2, S3]},
    MessageKind.PARTNER_CHANGED: {"note": "Jana Wolf has moved to the Singapore office."},
    # The workflow's words for the office; participants never read them.
    MessageKind.PAIR_NUDGE: {"note": "session 2 was not held"},
    MessageKind.AT_RISK_ALERT: {"note": "sessions 2 and 3 were not held", "sessions": []},
    MessageKind.NEW_DATE_CHOSEN: {"the_session": S2_MOVED},
    # The role of the participant whose calendar declined: the partner of the mentee who reads it.
    MessageKind.SESSION_DECLINED: {"note": "mentor"},
    MessageKind.COUNTER_PROPOSED: {
        "recipient": OFFICE,
        "note": "mentee",
        "counter_start": S2_MOVED.starts_at,
        "counter_end": S2_MOVED.ends_at,
    },
    MessageKind.COUNTER_AUTO_APPROVED: {
        "recipient": OFFICE,
        "note": "mentee",
        "the_session": S2_MOVED,
        "moved_from": S2.starts_at,
        # Each participant's line is on their own clock.
        "mentee": KLAUS.model_copy(update={"timezone": NEW_YORK}),
    },
}


def test_every_kind_and_language_is_covered() -> None:
    assert set(EXPECTED) == {(kind, language) for kind in MessageKind for language in Language}


@pytest.mark.parametrize(("kind", "language"), sorted(EXPECTED))
def test_kind_renders_in_language(kind: MessageKind, language: Language) -> None:
    subject, phrases = EXPECTED[(kind, language)]
    msg = compose_message(full_request(kind, language, **EXTRA.get(kind, {})), sender=SENDER)
    assert msg["Subject"] == subject
    text, html = text_of(msg), html_of(msg)
    for phrase in phrases:
        assert phrase in text
    assert f'<html lang="{language.value}">' in html
    assert f"<title>{escape(subject)}</title>" in html
    # The HTML says the same as the text; only markup, list markers and quote marks differ.
    as_text = _squeeze(unescape(re.sub(r"\s*<[^>]+>\s*", " ", html)))
    for phrase in phrases:
        for line in phrase.split("\n"):
            assert _squeeze(re.sub(r"^(- |\d+\. )", "", line)) in as_text, line


def _squeeze(text: str) -> str:
    text = re.sub('["“”„]', "", text)
    text = re.sub(r"\(\s+", "(", re.sub(r"\s+\)", ")", " ".join(text.split())))
    return re.sub(r"\s+([.,;:])", r"\1", text)


def test_completion_notice_carries_nothing_confidential() -> None:
    text = text_of(compose_message(full_request(MessageKind.COMPLETION_NOTICE), sender=SENDER))
    assert "reflection" not in text.lower()
    assert "What have you learned" not in text


def test_mentor_welcome_and_reminder_speak_to_the_expert() -> None:
    welcome = text_of(compose_message(full_request(MessageKind.WELCOME, recipient=to_mentor()), sender=SENDER))
    assert "As the mentor, you lead on the subject" in welcome
    reminder = text_of(compose_message(full_request(MessageKind.REMINDER, recipient=to_mentor()), sender=SENDER))
    assert "what would you like to show Klaus Richter or try out together this time?" in reminder


# --- time zones ------------------------------------------------------------


def test_every_time_is_on_the_recipients_own_clock_with_its_zone() -> None:
    msg = compose_message(full_request(MessageKind.WELCOME, recipient=to_mentee(NEW_YORK)), sender=SENDER)
    text = text_of(msg)
    # In the weeks between the US and the EU clock change the gap is five hours, then six.
    assert "1. Tuesday, 24 March 2026, 11:00–12:00 (America/New_York)\n" in text
    assert "2. Tuesday, 7 April 2026, 10:00–11:00 (America/New_York)\n" in text
    assert "Europe/Berlin" not in text and "16:00" not in text


def test_german_times_in_the_recipients_zone() -> None:
    msg = compose_message(full_request(MessageKind.INVITE, Language.DE, recipient=to_mentee(NEW_YORK)), sender=SENDER)
    assert (
        msg["Subject"]
        == "Einladung: Reverse Mentoring, Termin 2 von 3 am Dienstag, 7. April 2026 um 10:00 Uhr (America/New_York)"
    )
    assert "Wann: Dienstag, 7. April 2026, 10:00–11:00 Uhr (America/New_York)\n" in text_of(msg)
    assert "Europe/Berlin" not in text_of(msg)


@pytest.mark.parametrize(("tz", "shown"), [(BERLIN, BERLIN), ("Europe/Paris", "Europe/Paris"), (None, BERLIN)])
def test_a_recipient_on_the_same_clock_sees_their_own_zone(tz: str | None, shown: str) -> None:
    # Without a zone of their own, the meeting's zone is named.
    text = text_of(compose_message(full_request(MessageKind.INVITE, recipient=to_mentee(tz)), sender=SENDER))
    assert f"When:  Tuesday, 7 April 2026, 16:00–17:00 ({shown})\n" in text


def test_a_berlin_mentor_of_a_new_york_pair_reads_berlin_time() -> None:
    # The case from the field: "tomorrow at 14:30" that was New York time.
    ny_session = session(2, datetime(2026, 3, 10, 9, 30), NEW_YORK, minutes=45)
    composed_at = datetime(2026, 3, 9, 15, tzinfo=UTC)
    for kind, subject in (
        (
            MessageKind.INVITE,
            "Invitation: reverse mentoring session 2 of 3 on Tuesday, 10 March 2026 at 14:30 (Europe/Berlin)",
        ),
        (MessageKind.REMINDER, "Reminder: reverse mentoring tomorrow at 14:30 (Europe/Berlin)"),
        (
            MessageKind.INVITE_CANCEL,
            "Cancelled: reverse mentoring session 2 of 3 on Tuesday, 10 March 2026 at 14:30 (Europe/Berlin)",
        ),
    ):
        msg = compose_message(
            full_request(kind, the_session=ny_session, recipient=to_mentor(BERLIN), composed_at=composed_at),
            sender=SENDER,
        )
        assert msg["Subject"] == subject
        assert "Tuesday, 10 March 2026, 14:30–15:15 (Europe/Berlin)\n" in text_of(msg)
        assert "09:30" not in text_of(msg) and "09:30" not in html_of(msg)
    # The invite itself keeps the meeting's zone.
    assert "DTSTART;TZID=America/New_York:20260310T093000" in part(msg, "text/calendar").get_content()


def test_today_and_tomorrow_are_on_the_recipients_calendar() -> None:
    # 09:30 on Tuesday in New York (13:30 UTC) is 22:30 on Tuesday in Tokyo. At 16:00 UTC
    # on Monday it is already Tuesday in Tokyo, still Monday in New York.
    ny_session = session(2, datetime(2026, 3, 10, 9, 30), NEW_YORK)
    composed_at = datetime(2026, 3, 9, 16, tzinfo=UTC)
    subjects = {
        tz: compose_message(
            full_request(
                MessageKind.REMINDER, the_session=ny_session, recipient=to_mentor(tz), composed_at=composed_at
            ),
            sender=SENDER,
        )["Subject"]
        for tz in ("Asia/Tokyo", NEW_YORK)
    }
    assert subjects == {
        "Asia/Tokyo": "Reminder: reverse mentoring today at 22:30 (Asia/Tokyo)",
        NEW_YORK: "Reminder: reverse mentoring tomorrow at 09:30 (America/New_York)",
    }


@pytest.mark.parametrize(
    ("composed_at", "subject"),
    [
        (datetime(2026, 4, 7, 6, 0, tzinfo=UTC), "Reminder: reverse mentoring today at 16:00 (Europe/Berlin)"),
        (datetime(2026, 4, 6, 14, 0, tzinfo=UTC), "Reminder: reverse mentoring tomorrow at 16:00 (Europe/Berlin)"),
        (
            datetime(2026, 4, 4, 14, 0, tzinfo=UTC),
            "Reminder: reverse mentoring on Tuesday, 7 April 2026 at 16:00 (Europe/Berlin)",
        ),
        # 23:30 UTC on the 5th is already the 6th in Berlin: the session is tomorrow there.
        (datetime(2026, 4, 5, 23, 30, tzinfo=UTC), "Reminder: reverse mentoring tomorrow at 16:00 (Europe/Berlin)"),
    ],
)
def test_reminder_says_when(composed_at: datetime, subject: str) -> None:
    msg = compose_message(full_request(MessageKind.REMINDER, composed_at=composed_at), sender=SENDER)
    assert msg["Subject"] == subject


# --- reflection questions --------------------------------------------------


def test_bank_covers_every_role_function_and_language_with_distinct_sets() -> None:
    for language in Language:
        for role in (Role.MENTOR, Role.MENTEE):
            for function in MentoringFunction:
                sets = BANK[(language, role, function)]
                assert len(sets) >= 2
                assert len(set(sets)) == len(sets)
                assert all(2 <= len(questions) <= 3 for questions in sets)
    every_set = [s for sets in BANK.values() for s in sets]
    assert len(set(every_set)) == len(every_set)


def test_reflection_questions_differ_by_role() -> None:
    mentor = text_of(compose_message(full_request(MessageKind.REFLECTION, recipient=to_mentor()), sender=SENDER))
    mentee = text_of(compose_message(full_request(MessageKind.REFLECTION, recipient=to_mentee()), sender=SENDER))
    mentor_questions = questions_for(Role.MENTOR, MentoringFunction.CAREER, 0, Language.EN)
    mentee_questions = questions_for(Role.MENTEE, MentoringFunction.CAREER, 0, Language.EN)
    assert mentor_questions[0] == "Which part of your expertise was most useful to your mentee, and why?"
    assert mentee_questions[0] == "What have you learned that you can use in your work within the next two weeks?"
    numbered = lambda qs: "\n".join(f"{i}. {q}" for i, q in enumerate(qs, 1))  # noqa: E731
    assert numbered(mentor_questions) in mentor
    assert numbered(mentee_questions) in mentee
    assert not set(mentor_questions) & set(mentee_questions)


def test_reflection_rotates_over_rounds_and_functions() -> None:
    def questions(function: MentoringFunction, round_: int) -> tuple[str, ...]:
        return questions_for(Role.MENTEE, function, round_, Language.DE)

    assert questions(MentoringFunction.EMOTIONAL, 0) != questions(MentoringFunction.EMOTIONAL, 1)
    assert questions(MentoringFunction.EMOTIONAL, 2) == questions(MentoringFunction.EMOTIONAL, 0)
    assert questions(MentoringFunction.CAREER, 0) != questions(MentoringFunction.PSYCHOSOCIAL, 0)
    assert (
        questions(MentoringFunction.EMOTIONAL, 1)[2] == "Wie offen können Sie im Moment mit Ihrem Gegenüber sprechen?"
    )

    # A workflow that moves to the next function each round still meets every set.
    seen = {questions(list(MentoringFunction)[round_ % 3], round_) for round_ in range(6)}
    assert len(seen) == 6

    msg = compose_message(
        full_request(
            MessageKind.REFLECTION,
            Language.DE,
            mentoring_function=MentoringFunction.PSYCHOSOCIAL,
            reflection_round=3,
        ),
        sender=SENDER,
    )
    text = text_of(msg)
    assert "Diesmal geht es um Ihre Zusammenarbeit und Ihre Rolle." in text
    assert "1. Wann haben Sie zuletzt eine Frage gestellt, die Sie sonst für sich behalten hätten?" in text


# --- inputs a kind cannot do without ------------------------------------------


@pytest.mark.parametrize(
    ("kind", "overrides", "message"),
    [
        (MessageKind.INVITE, {"the_session": None}, "invite message .* needs session"),
        (MessageKind.REFLECTION, {"mentoring_function": None}, "needs mentoring_function"),
        (MessageKind.DELIVERY_FAILURE_NOTICE, {"failure": None}, "needs failure"),
        (MessageKind.COMPLETION_NOTICE, {"summary": None}, "needs summary"),
        (MessageKind.REFLECTION, {"recipient": OFFICE}, "goes to mentor or mentee"),
    ],
)
def test_missing_inputs_are_refused(kind: MessageKind, overrides: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        compose_message(full_request(kind, **overrides), sender=SENDER)


# --- changes to a running program ---------------------------------------------

NY_MENTOR = Recipient(role=Role.MENTOR, name=LENA.name, email=LENA.email, timezone=NEW_YORK)
JONAS = Person(name="Jonas Becker", email="jonas.becker@example.com", timezone=BERLIN)


def _render(kind: MessageKind, language: Language = Language.EN, **overrides) -> tuple[str, str, str]:
    msg = compose_message(full_request(kind, language, **overrides), sender=SENDER)
    return msg["Subject"], text_of(msg), html_of(msg)


@pytest.mark.parametrize(
    ("language", "recipient", "subject", "phrases"),
    [
        (
            Language.EN,
            to_mentee(),
            "Updated: reverse mentoring session 2 of 9 on Thursday, 9 April 2026 at 17:30 (Europe/Berlin)",
            [
                "Reverse mentoring session 2 of 9 with Lena Weber has been changed. "
                "Here is the updated calendar invitation with the current time and place.",
                "When:  Thursday, 9 April 2026, 17:30–18:30 (Europe/Berlin)\nWhere: Room 5.01, Tower A",
                "The update replaces the earlier invitation in your calendar.",
            ],
        ),
        (
            Language.EN,
            NY_MENTOR,
            "Updated: reverse mentoring session 2 of 9 on Thursday, 9 April 2026 at 11:30 (America/New_York)",
            [
                "Reverse mentoring session 2 of 9 with Klaus Richter has been changed.",
                "When:  Thursday, 9 April 2026, 11:30–12:30 (America/New_York)\nWhere: Room 5.01, Tower A",
            ],
        ),
        (
            Language.DE,
            to_mentee(),
            "Geändert: Reverse Mentoring, Termin 2 von 9 am Donnerstag, 9. April 2026 um 17:30 Uhr (Europe/Berlin)",
            [
                "Ihr Reverse-Mentoring-Termin 2 von 9 mit Lena Weber wurde geändert. "
                "Anbei erhalten Sie die aktualisierte Kalendereinladung mit der aktuellen Zeit und dem aktuellen Ort.",
                "Wann: Donnerstag, 9. April 2026, 17:30–18:30 Uhr (Europe/Berlin)\nWo:   Room 5.01, Tower A",
                "Die Aktualisierung ersetzt die bisherige Einladung in Ihrem Kalender.",
            ],
        ),
        (
            Language.DE,
            NY_MENTOR,
            "Geändert: Reverse Mentoring, Termin 2 von 9 am Donnerstag, 9. April 2026 um 11:30 Uhr (America/New_York)",
            [
                "Ihr Reverse-Mentoring-Termin 2 von 9 mit Klaus Richter wurde geändert.",
                "Wann: Donnerstag, 9. April 2026, 11:30–12:30 Uhr (America/New_York)\nWo:   Room 5.01, Tower A",
            ],
        ),
    ],
)
def test_invite_with_a_grown_sequence_is_an_update(
    language: Language, recipient: Recipient, subject: str, phrases: list[str]
) -> None:
    got_subject, text, html = _render(
        MessageKind.INVITE, language, the_session=S2_MOVED, total_sessions=9, recipient=recipient, is_update=True
    )
    assert got_subject == subject
    for phrase in phrases:
        assert phrase in text
    assert "Here is your calendar invitation" not in text
    assert "anbei erhalten Sie die Kalendereinladung" not in text
    assert "Reason" not in text and "Grund" not in text
    assert f"<title>{subject}</title>" in html
    assert "<strong>changed</strong>" in html or "<strong>geändert</strong>" in html
    assert "Room 5.01, Tower A" in html


def test_a_newcomers_first_invite_is_not_an_update_whatever_its_sequence() -> None:
    # Replacing a participant raises SEQUENCE for everyone; the newcomer never saw version 0.
    subject, text, _ = _render(MessageKind.INVITE, the_session=S2_MOVED, total_sessions=9, is_update=False)
    assert not subject.startswith("Updated")
    assert "has been changed" not in text


def test_update_shows_a_reason_when_given() -> None:
    _, text, html = _render(
        MessageKind.INVITE, the_session=S2_MOVED, note="Room 4.12 is needed for an audit.", is_update=True
    )
    assert (
        "has been changed. Here is the updated calendar invitation with the current time and place.\n\n"
        "Reason: Room 4.12 is needed for an audit.\n\nWhen:  Thursday" in text
    )
    assert "<p><strong>Reason:</strong> Room 4.12 is needed for an audit.</p>" in html


@pytest.mark.parametrize(
    ("language", "subject", "expected"),
    [
        (
            Language.EN,
            "Cancelled: reverse mentoring session 2 of 3 on Tuesday, 7 April 2026 at 16:00 (Europe/Berlin)",
            "Reverse mentoring session 2 of 3 with Lena Weber has been cancelled.\n\n"
            "Reason: Lena Weber is at a customer workshop that day.\n\n"
            "It was planned for: Tuesday, 7 April 2026, 16:00–17:00 (Europe/Berlin)\n",
        ),
        (
            Language.DE,
            "Abgesagt: Reverse Mentoring, Termin 2 von 3 am Dienstag, 7. April 2026 um 16:00 Uhr (Europe/Berlin)",
            "Ihr Reverse-Mentoring-Termin 2 von 3 mit Lena Weber wurde abgesagt.\n\n"
            "Grund: Lena Weber is at a customer workshop that day.\n\n"
            "Geplant war: Dienstag, 7. April 2026, 16:00–17:00 Uhr (Europe/Berlin)\n",
        ),
    ],
)
def test_cancel_shows_the_reason(language: Language, subject: str, expected: str) -> None:
    note = "Lena Weber is at a customer workshop that day."
    got_subject, text, html = _render(MessageKind.INVITE_CANCEL, language, the_session=S2_SEQ2, note=note)
    # A cancellation with a grown SEQUENCE is still a cancellation, never an "update".
    assert got_subject == subject
    assert expected in text
    label = "Reason" if language is Language.EN else "Grund"
    assert f"<p><strong>{label}:</strong> {note}</p>" in html


@pytest.mark.parametrize("note", [None, "", "  \n "])
def test_cancel_without_a_note_has_no_reason_line(note: str | None) -> None:
    _, text, html = _render(MessageKind.INVITE_CANCEL, note=note)
    assert "Reason" not in text and "Reason" not in html
    assert "has been cancelled.\n\nIt was planned for:" in text


NOTE_KINDS = [
    (MessageKind.INVITE, {"the_session": S2_MOVED, "is_update": True}),
    (MessageKind.INVITE_CANCEL, {}),
    (MessageKind.CLOSING_REVIEW, {}),
    (MessageKind.PROGRAM_PAUSED, {}),
    (MessageKind.PARTNER_CHANGED, {}),
]


@pytest.mark.parametrize(("kind", "overrides"), NOTE_KINDS, ids=[k.value for k, _ in NOTE_KINDS])
@pytest.mark.parametrize("language", list(Language))
def test_note_is_written_as_given_and_escaped_in_html(kind: MessageKind, overrides: dict, language: Language) -> None:
    note = 'Room <b>4.12</b> & "Tower B" are closed.\r\nSee <script>alert(1)</script>'
    _, text, html = _render(kind, language, note=note, **overrides)
    label = "Reason" if language is Language.EN else "Grund"
    # Plain text as written; the CRLF becomes the body's own line break.
    assert f'{label}: Room <b>4.12</b> & "Tower B" are closed.\nSee <script>alert(1)</script>\n' in text
    assert "<b>" not in html and "<script>" not in html
    assert (
        f"<strong>{label}:</strong> Room &lt;b&gt;4.12&lt;/b&gt; &amp; &#34;Tower B&#34; are closed.<br>\n"
        "See &lt;script&gt;alert(1)&lt;/script&gt;</p>"
    ) in html


@pytest.mark.parametrize(
    ("language", "recipient", "subject", "opening", "partner"),
    [
        (
            Language.EN,
            to_mentee(),
            "Closing review: your reverse mentoring ends early",
            "Your reverse mentoring program is ending earlier than planned.\n\n"
            "Reason: Klaus Richter is taking on a new role abroad.\n\n"
            "If sessions are still in your calendar, you will receive a cancellation for each of them. "
            "Please still take time with {partner} for a closing review, for example in a last conversation:\n\n"
            "- What progress have you made against the goals you set at the start?",
            "Lena Weber",
        ),
        (
            Language.EN,
            to_mentor(),
            "Closing review: your reverse mentoring ends early",
            "Please still take time with {partner} for a closing review",
            "Klaus Richter",
        ),
        (
            Language.DE,
            to_mentee(),
            "Abschlussbilanz: Ihr Reverse Mentoring endet vorzeitig",
            "Ihr Reverse-Mentoring-Programm endet früher als geplant.\n\n"
            "Grund: Klaus Richter is taking on a new role abroad.\n\n"
            "Falls noch Termine in Ihrem Kalender stehen, erhalten Sie für jeden eine Absage. "
            "Nehmen Sie sich bitte trotzdem mit {partner} Zeit für eine gemeinsame Abschlussbilanz, "
            "zum Beispiel in einem letzten Gespräch:\n\n"
            "- Welche Fortschritte haben Sie bei den Zielen gemacht",
            "Lena Weber",
        ),
        (
            Language.DE,
            to_mentor(),
            "Abschlussbilanz: Ihr Reverse Mentoring endet vorzeitig",
            "Nehmen Sie sich bitte trotzdem mit {partner} Zeit für eine gemeinsame Abschlussbilanz",
            "Klaus Richter",
        ),
    ],
)
def test_closing_review_with_a_note_says_the_program_ends_early(
    language: Language, recipient: Recipient, subject: str, opening: str, partner: str
) -> None:
    note = "Klaus Richter is taking on a new role abroad."
    got_subject, text, html = _render(MessageKind.CLOSING_REVIEW, language, recipient=recipient, note=note)
    assert got_subject == subject
    assert opening.format(partner=partner) in text
    # The usual closing questions and thanks still follow.
    closing_subject, usual, _ = _render(MessageKind.CLOSING_REVIEW, language, recipient=recipient)
    questions = usual[usual.index("\n- ") :]
    assert text.endswith(questions)
    assert "geht zu Ende" not in text and "coming to an end" not in text
    assert closing_subject != subject
    assert ("<strong>ending earlier than planned</strong>" in html) or (
        "<strong>endet früher als geplant</strong>" in html
    )
    assert note in html


def test_closing_review_without_a_note_is_unchanged() -> None:
    _, text, _ = _render(MessageKind.CLOSING_REVIEW)
    assert "Your reverse mentoring program is coming to an end. Please take time with Lena Weber" in text
    assert "early" not in text and "Reason" not in text


@pytest.mark.parametrize(
    ("language", "recipient", "subject", "phrases"),
    [
        (
            Language.EN,
            to_mentor(),
            "Paused: your reverse mentoring until further notice",
            [
                "Your reverse mentoring with Klaus Richter is paused until further notice.\n\n"
                "Your planned sessions are cancelled for now: you will receive a cancellation for each of them",
                "no reminders, reflection questions or other prompts",
                "We will let you know when the program resumes",
            ],
        ),
        (
            Language.DE,
            to_mentor(),
            "Pausiert: Ihr Reverse Mentoring bis auf Weiteres",
            [
                "Ihr Reverse Mentoring mit Klaus Richter ist bis auf Weiteres pausiert.\n\n"
                "Ihre geplanten Termine werden vorerst abgesagt: Für jeden erhalten Sie eine Absage",
                "keine Erinnerungen, Reflexionsfragen oder sonstigen Impulse",
                "Sobald das Programm weitergeht, geben wir Ihnen Bescheid",
            ],
        ),
    ],
)
def test_pause_until_further_notice(language: Language, recipient: Recipient, subject: str, phrases: list[str]) -> None:
    got_subject, text, html = _render(MessageKind.PROGRAM_PAUSED, language, recipient=recipient, paused_until=None)
    assert got_subject == subject
    for phrase in phrases:
        assert phrase in text
    assert "Reason" not in text and "Grund" not in text
    assert (
        "<strong>paused</strong> until further notice" in html or "bis auf Weiteres <strong>pausiert</strong>" in html
    )


def test_pause_with_an_end_date_shows_it_in_german_format() -> None:
    subject, text, _ = _render(MessageKind.PROGRAM_PAUSED, Language.DE, paused_until=date(2026, 10, 4))
    assert subject == "Pausiert: Ihr Reverse Mentoring bis Sonntag, 4. Oktober 2026"
    assert "ist bis einschließlich Sonntag, 4. Oktober 2026 pausiert." in text


def test_resumed_lists_the_next_sessions_on_the_recipients_clock() -> None:
    subject, text, html = _render(MessageKind.PROGRAM_RESUMED, recipient=NY_MENTOR, sessions=[S2, S3])
    assert subject == "Resumed: your reverse mentoring continues"
    assert (
        "Your reverse mentoring with Klaus Richter continues after the pause.\n\n"
        "YOUR NEXT SESSIONS\n"
        "2. Tuesday, 7 April 2026, 10:00–11:00 (America/New_York)\n"
        "   Location: Room 4.12, Tower B\n"
        "3. Tuesday, 21 April 2026, 10:00–11:00 (America/New_York)\n"
        "   Location: Teams: https://teams.example.com/m/7\n\n"
        "You will receive a new calendar invitation for each session."
    ) in text
    assert "24 March" not in text
    # The HTML list counts from the session number, not from 1.
    assert '<li value="2">Tuesday, 7 April 2026, 10:00–11:00 (America/New_York)<br>' in html
    assert '<li value="3">' in html and '<li value="1">' not in html


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (Language.EN, "The dates of your next sessions will follow with new calendar invitations."),
        (Language.DE, "Die Daten Ihrer nächsten Termine folgen mit neuen Kalendereinladungen."),
    ],
)
def test_resumed_without_sessions_says_dates_follow(language: Language, expected: str) -> None:
    _, text, html = _render(MessageKind.PROGRAM_RESUMED, language, sessions=[])
    assert expected in text and expected in html
    assert "<ol>" not in html


@pytest.mark.parametrize(
    ("language", "subject", "phrase"),
    [
        (
            Language.EN,
            "New partner: Jonas Becker is now your mentee",
            "There is a change in your reverse mentoring: from now on, Jonas Becker (jonas.becker@example.com) "
            "is your mentee.\n\nYour remaining sessions stay as planned.",
        ),
        (
            Language.DE,
            "Neues Gegenüber: Jonas Becker ist jetzt Mentee in Ihrem Tandem",
            "in Ihrem Reverse Mentoring gibt es eine Änderung: Ab sofort ist Jonas Becker (jonas.becker@example.com) "
            "Ihr Gegenüber und nimmt als Mentee teil.\n\nIhre verbleibenden Termine bleiben bestehen.",
        ),
    ],
)
def test_partner_changed_names_the_new_mentee_to_the_mentor(language: Language, subject: str, phrase: str) -> None:
    got_subject, text, html = _render(MessageKind.PARTNER_CHANGED, language, recipient=to_mentor(), mentee=JONAS)
    assert got_subject == subject
    assert phrase in text
    assert "Klaus" not in text
    assert '<strong>Jonas Becker</strong> (<a href="mailto:jonas.becker@example.com">' in html


def test_announcement_is_greeting_body_and_signature() -> None:
    subject, text, html = _render(MessageKind.ANNOUNCEMENT, recipient=to_mentor())
    assert subject == ANNOUNCEMENT_SUBJECT
    assert text == (
        f"Hello Lena Weber,\n\n{ANNOUNCEMENT_BODY}\n\n--\n"
        "HR Program Office <mentoring-office@example.com>\n"
        'Reverse mentoring program "Digital Workplace 2026"\n'
    )
    assert (
        "<p>Hello Lena Weber,</p>\n"
        "<p>On 12 May we meet all pairs for an exchange of experiences.<br>\n"
        "Time: 16:00–18:00, Room 1.01.</p>\n"
        "<p>Please bring one example of what you have tried out together.</p>\n"
        '<p style="color: #666;'
    ) in html


def test_announcement_html_is_escaped_and_keeps_line_breaks() -> None:
    body = "Dear all,\r\n\r\n<b>New</b>: the kick-off & lunch\r\nmoved to Room <2>.\n\n\n   \nBest regards\n"
    subject, text, html = _render(
        MessageKind.ANNOUNCEMENT, Language.DE, announcement_subject="Neu: Kick-off & <Lunch>", announcement_body=body
    )
    assert subject == "Neu: Kick-off & <Lunch>"
    assert "<title>Neu: Kick-off &amp; &lt;Lunch&gt;</title>" in html
    assert (
        "Guten Tag Klaus Richter,\n\nDear all,\n\n<b>New</b>: the kick-off & lunch\nmoved to Room <2>.\n\n\n   \n"
        "Best regards\n\n--\n"
    ) in text
    assert "<b>" not in html
    assert (
        "<p>Dear all,</p>\n"
        "<p>&lt;b&gt;New&lt;/b&gt;: the kick-off &amp; lunch<br>\nmoved to Room &lt;2&gt;.</p>\n"
        "<p>Best regards</p>\n"
    ) in html


def test_announcement_subject_survives_the_wire() -> None:
    subject = "Treffen am 12. Mai – bitte vormerken: „Erfahrungsaustausch“ für alle Tandems der Kohorte 2026"
    msg = compose_message(full_request(MessageKind.ANNOUNCEMENT, announcement_subject=subject), sender=SENDER)
    wire = bytes(msg)
    headers = wire.split(b"\n\n", 1)[0]
    assert "für".encode() not in headers
    assert all(len(line) <= 200 for line in headers.split(b"\n"))
    assert email.message_from_bytes(wire, policy=policy.default)["Subject"] == subject


@pytest.mark.parametrize(
    ("subject", "code_point"),
    [
        ("Meet-up\r\nBcc: all@example.com", "000D"),
        ("Meet-up\nBcc: all@example.com", "000A"),
        ("Meet-up\rBcc: all@example.com", "000D"),
        # Trailing breaks too, though the rendered subject would be stripped of them.
        ("Meet-up on 12 May\r\n", "000D"),
        ("\nMeet-up on 12 May", "000A"),
        ("Meet-up\u2028Bcc: x@example.com", "2028"),
        ("Meet-up\x00", "0000"),
    ],
)
def test_line_breaks_in_the_announcement_subject_are_refused(subject: str, code_point: str) -> None:
    with pytest.raises(ValueError, match=f"^subject contains the control character U\\+{code_point};"):
        compose_message(full_request(MessageKind.ANNOUNCEMENT, announcement_subject=subject), sender=SENDER)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"announcement_subject": None}, "needs announcement_subject"),
        ({"announcement_subject": "   "}, "needs announcement_subject"),
        ({"announcement_body": None}, "needs announcement_body"),
        ({"announcement_body": "\n\n"}, "needs announcement_body"),
    ],
)
def test_announcement_needs_subject_and_body(overrides: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        compose_message(full_request(MessageKind.ANNOUNCEMENT, **overrides), sender=SENDER)


@pytest.mark.parametrize("kind", PARTICIPANT_KINDS_NEW)
def test_new_participant_kinds_refuse_the_program_office(kind: MessageKind) -> None:
    with pytest.raises(ValueError, match="goes to mentor or mentee"):
        compose_message(full_request(kind, recipient=OFFICE), sender=SENDER)


CHANGED_KINDS = [
    (MessageKind.INVITE, {"the_session": S2_MOVED}),
    (MessageKind.INVITE_CANCEL, {"note": "Travel"}),
    (MessageKind.CLOSING_REVIEW, {"note": "Ends early"}),
    (MessageKind.PROGRAM_PAUSED, {}),
    (MessageKind.PROGRAM_RESUMED, {}),
    (MessageKind.PARTNER_CHANGED, {}),
    (MessageKind.ANNOUNCEMENT, {}),
    (MessageKind.CHECK_IN_REMINDER, {}),
    (MessageKind.PAIR_NUDGE, {"note": "session 2 was not held"}),
    (MessageKind.NEW_DATE_CHOSEN, {}),
]


@pytest.mark.parametrize(("kind", "overrides"), CHANGED_KINDS, ids=[k.value for k, _ in CHANGED_KINDS])
@pytest.mark.parametrize("language", list(Language))
@pytest.mark.parametrize("role", [Role.MENTOR, Role.MENTEE])
def test_new_and_changed_kinds_work_for_both_roles(
    kind: MessageKind, overrides: dict, language: Language, role: Role
) -> None:
    recipient, partner = (to_mentor(), KLAUS) if role is Role.MENTOR else (to_mentee(), LENA)
    msg = compose_message(full_request(kind, language, recipient=recipient, **overrides), sender=SENDER)
    (to,) = msg["To"].addresses
    assert to.addr_spec == recipient.email
    text, html = text_of(msg), html_of(msg)
    greeting, rest = text.split("\n", 1)
    assert greeting == ("Hello" if language is Language.EN else "Guten Tag") + f" {recipient.name},"
    if kind is not MessageKind.ANNOUNCEMENT:
        assert partner.name in rest
        assert partner.name in html


@pytest.mark.parametrize(
    ("kind", "language", "subject"),
    [
        (MessageKind.PROGRAM_PAUSED, Language.EN, "Delivery failed: pause notice to the mentee of pair p1"),
        (
            MessageKind.ANNOUNCEMENT,
            Language.DE,
            "Zustellung fehlgeschlagen: Mitteilung des Programmbüros an Mentee, Tandem p1",
        ),
    ],
)
def test_failure_notice_names_new_kinds(kind: MessageKind, language: Language, subject: str) -> None:
    failure = full_request(MessageKind.DELIVERY_FAILURE_NOTICE).failure.model_copy(update={"kind": kind})
    got, _, _ = _render(MessageKind.DELIVERY_FAILURE_NOTICE, language, failure=failure)
    assert got == subject


@pytest.mark.parametrize("kind", list(MessageKind))
@pytest.mark.parametrize("language", list(Language))
def test_failure_notice_has_a_label_for_every_kind(kind: MessageKind, language: Language) -> None:
    failure = full_request(MessageKind.DELIVERY_FAILURE_NOTICE).failure.model_copy(update={"kind": kind})
    subject, text, _ = _render(MessageKind.DELIVERY_FAILURE_NOTICE, language, failure=failure)
    label = re.search(r"^(?:Message|Nachricht): (.+)$", text, re.M).group(1)
    # A label, not the raw enum value.
    assert label.strip() and "_" not in label
