"""The email for each message kind: headers, MIME layout, language and content."""

from __future__ import annotations

import email
import hashlib
import re
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from html import unescape

from markupsafe import escape

import pytest

from activities.compose import compose_message, message_id_for
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
from tests.test_invites import BERLIN, KLAUS, LENA, NEW_YORK, request, session

SENDER = "Reverse Mentoring <mentoring@Example.org>"

S1 = session(1, datetime(2026, 3, 24, 16, 0))
S2 = session(2, datetime(2026, 4, 7, 16, 0))
S3 = session(3, datetime(2026, 4, 21, 16, 0), location="Teams: https://teams.example.com/m/7")
PLAN = [S1, S2, S3]


def to_mentor(tz: str | None = BERLIN) -> Recipient:
    return Recipient(role=Role.MENTOR, name=LENA.name, email=LENA.email, timezone=tz)


def to_mentee(tz: str | None = BERLIN) -> Recipient:
    return Recipient(role=Role.MENTEE, name=KLAUS.name, email=KLAUS.email, timezone=tz)


OFFICE = Recipient(role=Role.PROGRAM_OFFICE, name="HR Program Office", email="mentoring-office@example.com")


def full_request(kind: MessageKind, language: Language = Language.EN, **overrides) -> DeliveryRequest:
    """Everything any kind could need, so one builder serves every kind."""
    office_kinds = {MessageKind.COMPLETION_NOTICE, MessageKind.DELIVERY_FAILURE_NOTICE}
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
        composed_at=datetime(2026, 4, 6, 15, 0, tzinfo=UTC),
    )
    fields.update(overrides)
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
    assert msg["Subject"] == "Invitation: reverse mentoring session 2 of 3 on Tuesday, 7 April 2026"
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
    ("kind", "method"), [(MessageKind.INVITE, "REQUEST"), (MessageKind.INVITE_CANCEL, "CANCEL")]
)
def test_invite_mime_layout(kind: MessageKind, method: str) -> None:
    req = full_request(kind)
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
        "Invitation: reverse mentoring session 2 of 3 on Tuesday, 7 April 2026",
        [
            "Here is your calendar invitation for reverse mentoring session 2 of 3 with Lena Weber.",
            "When:  Tuesday, 7 April 2026, 16:00–17:00 (Europe/Berlin)\nWhere: Room 4.12, Tower B",
        ],
    ),
    (MessageKind.INVITE, Language.DE): (
        "Einladung: Reverse Mentoring, Termin 2 von 3 am Dienstag, 7. April 2026",
        [
            "anbei erhalten Sie die Kalendereinladung für Ihren Reverse-Mentoring-Termin 2 von 3 mit Lena Weber.",
            "Wann: Dienstag, 7. April 2026, 16:00–17:00 Uhr (Europe/Berlin)\nWo:   Room 4.12, Tower B",
        ],
    ),
    (MessageKind.INVITE_CANCEL, Language.EN): (
        "Cancelled: reverse mentoring session 2 of 3 on Tuesday, 7 April 2026",
        [
            "Reverse mentoring session 2 of 3 with Lena Weber has been cancelled.",
            "It was planned for: Tuesday, 7 April 2026, 16:00–17:00 (Europe/Berlin)\nLocation: Room 4.12, Tower B",
        ],
    ),
    (MessageKind.INVITE_CANCEL, Language.DE): (
        "Abgesagt: Reverse Mentoring, Termin 2 von 3 am Dienstag, 7. April 2026",
        [
            "Ihr Reverse-Mentoring-Termin 2 von 3 mit Lena Weber wurde abgesagt.",
            "Geplant war: Dienstag, 7. April 2026, 16:00–17:00 Uhr (Europe/Berlin)\nOrt: Room 4.12, Tower B",
        ],
    ),
    (MessageKind.REMINDER, Language.EN): (
        "Reminder: reverse mentoring tomorrow at 16:00",
        [
            "your next reverse mentoring session (session 2 of 3) with Lena Weber is tomorrow.",
            "Where: Room 4.12, Tower B",
            "what would you like to learn or try out this time?",
        ],
    ),
    (MessageKind.REMINDER, Language.DE): (
        "Erinnerung: Reverse Mentoring morgen um 16:00 Uhr",
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
            "Pair p1 in the cohort \"Digital Workplace 2026\" (Social collaboration) has completed the program.",
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
}


def test_every_kind_and_language_is_covered() -> None:
    assert set(EXPECTED) == {(kind, language) for kind in MessageKind for language in Language}


@pytest.mark.parametrize(("kind", "language"), sorted(EXPECTED))
def test_kind_renders_in_language(kind: MessageKind, language: Language) -> None:
    subject, phrases = EXPECTED[(kind, language)]
    msg = compose_message(full_request(kind, language), sender=SENDER)
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
    text = re.sub("[\"“”„]", "", text)
    return re.sub(r"\s+([.,;:])", r"\1", " ".join(text.split()))


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


def test_times_show_the_recipients_clock_when_it_differs() -> None:
    msg = compose_message(full_request(MessageKind.WELCOME, recipient=to_mentee(NEW_YORK)), sender=SENDER)
    text = text_of(msg)
    # In the weeks between the US and the EU clock change the gap is five hours, then six.
    assert (
        "1. Tuesday, 24 March 2026, 16:00–17:00 (Europe/Berlin); "
        "your time: Tuesday, 24 March 2026, 11:00–12:00 (America/New_York)"
    ) in text
    assert (
        "2. Tuesday, 7 April 2026, 16:00–17:00 (Europe/Berlin); "
        "your time: Tuesday, 7 April 2026, 10:00–11:00 (America/New_York)"
    ) in text


def test_german_times_in_the_recipients_zone() -> None:
    msg = compose_message(full_request(MessageKind.INVITE, Language.DE, recipient=to_mentee(NEW_YORK)), sender=SENDER)
    assert (
        "Wann: Dienstag, 7. April 2026, 16:00–17:00 Uhr (Europe/Berlin); "
        "bei Ihnen: Dienstag, 7. April 2026, 10:00–11:00 Uhr (America/New_York)"
    ) in text_of(msg)


@pytest.mark.parametrize("tz", [BERLIN, "Europe/Paris", None])
def test_no_second_time_when_the_clock_reads_the_same(tz: str | None) -> None:
    text = text_of(compose_message(full_request(MessageKind.INVITE, recipient=to_mentee(tz)), sender=SENDER))
    assert "When:  Tuesday, 7 April 2026, 16:00–17:00 (Europe/Berlin)\n" in text
    assert "your time" not in text


def test_new_york_pair_shows_its_own_zone() -> None:
    ny_session = session(2, datetime(2026, 3, 10, 9, 30), NEW_YORK, minutes=45)
    msg = compose_message(
        full_request(MessageKind.INVITE, the_session=ny_session, recipient=to_mentor(BERLIN)), sender=SENDER
    )
    assert (
        "When:  Tuesday, 10 March 2026, 09:30–10:15 (America/New_York); "
        "your time: Tuesday, 10 March 2026, 14:30–15:15 (Europe/Berlin)"
    ) in text_of(msg)


@pytest.mark.parametrize(
    ("composed_at", "subject"),
    [
        (datetime(2026, 4, 7, 6, 0, tzinfo=UTC), "Reminder: reverse mentoring today at 16:00"),
        (datetime(2026, 4, 6, 14, 0, tzinfo=UTC), "Reminder: reverse mentoring tomorrow at 16:00"),
        (datetime(2026, 4, 4, 14, 0, tzinfo=UTC), "Reminder: reverse mentoring on Tuesday, 7 April 2026 at 16:00"),
        # 23:30 UTC on the 5th is already the 6th in Berlin: the session is tomorrow there.
        (datetime(2026, 4, 5, 23, 30, tzinfo=UTC), "Reminder: reverse mentoring tomorrow at 16:00"),
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
    assert questions(MentoringFunction.EMOTIONAL, 1)[2] == "Wie offen können Sie im Moment mit Ihrem Gegenüber sprechen?"

    # A workflow that moves to the next function each round still meets every set.
    seen = {
        questions(list(MentoringFunction)[round_ % 3], round_) for round_ in range(6)
    }
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
