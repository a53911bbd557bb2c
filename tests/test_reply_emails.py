"""The emails a participant's calendar reply sends: a declined session (to the partner
and to the program office), the new date the decliner may choose, and a proposed new
time (a counter) for the office to approve or refuse."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from html import unescape

import pytest

from activities.answer_links import AnswerLinks
from activities.compose import compose_message
from mentoring.answers import CheckInChoice
from mentoring.cohort import Language, Person, Role
from mentoring.ids import pair_workflow_id
from mentoring.messages import DeliveryRequest, MessageKind, Recipient
from mentoring_service.links import Link, LinkError
from tests import workers
from tests.test_compose import (
    OFFICE,
    S1,
    S2,
    S2_MOVED,
    SENDER,
    full_request,
    html_of,
    structure,
    text_of,
    to_mentee,
    to_mentor,
)
from tests.test_invites import BERLIN, KLAUS, LENA, NEW_YORK, session

SIGNER = workers.test_signer()
LINKS = AnswerLinks(SIGNER, workers.SITE_URL)
EXPIRES = date(2026, 10, 29)
# Session 2 in time order, whose stable id (the one a link carries) is 5.
S2_ID5 = S2.model_copy(update={"session_id": 5})
DECLINED, NEW_DATE, COUNTER = MessageKind.SESSION_DECLINED, MessageKind.DECLINED_NEW_DATE, MessageKind.COUNTER_PROPOSED
DECLINER = {"mentor": to_mentor, "mentee": to_mentee}


def reply(kind: MessageKind, language: Language = Language.EN, **overrides) -> DeliveryRequest:
    """For a pair that takes answers, as the workflow asks for each kind."""
    fields = {"the_session": S2_ID5, "links_expire": EXPIRES, "sessions": [], **overrides}
    if kind is COUNTER:
        moved = {"note": "mentee", "counter_start": S2_MOVED.starts_at, "counter_end": S2_MOVED.ends_at}
        fields = {"recipient": OFFICE, **moved, **fields}
    elif kind is DECLINED:
        fields = {"note": "mentee", "recipient": to_mentor(), **fields}
    return full_request(kind, language, **fields)


def compose(request: DeliveryRequest):
    return compose_message(request, sender=SENDER, links=LINKS.for_request(request))


def commands(msg) -> list[str]:
    """The ops.py lines of the text, checked to be the HTML's as well."""
    text = re.findall(r"^  (\.venv/bin/python ops\.py .+)$", text_of(msg), re.M)
    html = [unescape(c) for c in re.findall(r"<code style=\"[^\"]*\">([^<]+)</code>", html_of(msg))]
    assert html == text
    return text


# --- session declined: the partner -------------------------------------------------


def test_the_partner_reads_who_declined_and_what_happens_next() -> None:
    msg = compose(reply(DECLINED))
    assert msg["Subject"] == (
        "Declined: reverse mentoring session 2 of 3 on Tuesday, 7 April 2026 at 16:00 (Europe/Berlin)"
    )
    assert text_of(msg) == (
        "Hello Lena Weber,\n\n"
        "Klaus Richter has declined the invitation to reverse mentoring session 2 of 3 "
        "on Tuesday, 7 April 2026, 16:00–17:00 (Europe/Berlin).\n\n"
        "Klaus Richter may choose a new date for this session. If so, you will both receive the updated "
        "calendar invitation. Until then the session stays in your calendar as planned.\n\n"
        "If you would rather find a date together, please talk to Klaus Richter, or reply to this email "
        "to reach the program office.\n\n"
        "--\nHR Program Office <mentoring-office@example.com>\n"
        'Reverse mentoring program "Digital Workplace 2026"\n'
    )
    # A notice, not an invite, and nothing to click: the decliner chooses the new date.
    assert structure(msg) == ["multipart/alternative", "text/plain", "text/html"]
    assert LINKS.for_request(reply(DECLINED)) == {}


def test_the_partner_reads_it_in_german_when_the_mentor_declined() -> None:
    msg = compose(reply(DECLINED, Language.DE, note="mentor", recipient=to_mentee()))
    assert msg["Subject"] == (
        "Abgelehnt: Reverse Mentoring, Termin 2 von 3 am Dienstag, 7. April 2026 um 16:00 Uhr (Europe/Berlin)"
    )
    assert text_of(msg).startswith(
        "Guten Tag Klaus Richter,\n\nLena Weber hat die Einladung zu Ihrem Reverse-Mentoring-Termin 2 von 3 "
        "am Dienstag, 7. April 2026, 16:00–17:00 Uhr (Europe/Berlin) abgelehnt.\n\n"
        "Lena Weber kann für diesen Termin ein neues Datum wählen. Dann erhalten Sie beide die aktualisierte "
        "Kalendereinladung. Bis dahin bleibt der Termin wie geplant in Ihrem Kalender.\n\n"
    )


@pytest.mark.parametrize(
    ("the_session", "language", "subject_time", "shown"),
    [
        # Berlin still on CET, New York already on EDT: five hours apart.
        (S1, Language.EN, "on Tuesday, 24 March 2026 at 11:00 (America/New_York)", "11:00–12:00 (America/New_York)"),
        # After Berlin's change on 29 March: six hours apart again.
        (S2_ID5, Language.EN, "on Tuesday, 7 April 2026 at 10:00 (America/New_York)", "10:00–11:00 (America/New_York)"),
        (
            S1,
            Language.DE,
            "am Dienstag, 24. März 2026 um 11:00 Uhr (America/New_York)",
            "11:00–12:00 Uhr (America/New_York)",
        ),
    ],
)
def test_times_are_on_the_recipients_clock_across_a_clock_change(
    the_session, language: Language, subject_time: str, shown: str
) -> None:
    for kind, recipient in ((DECLINED, to_mentor(NEW_YORK)), (NEW_DATE, to_mentor(NEW_YORK))):
        msg = compose(reply(kind, language, the_session=the_session, recipient=recipient))
        text = text_of(msg)
        assert shown in text and BERLIN not in text and "16:00" not in text
        if kind is DECLINED:
            assert msg["Subject"].endswith(subject_time)


# --- session declined: the program office ------------------------------------------


@pytest.mark.parametrize(
    ("language", "subject", "lines"),
    [
        (
            Language.EN,
            'Declined: session 2 of pair p_3 in "Digital Workplace 2026"',
            "Hello HR Program Office,\n\nA participant declined a session in their calendar.\n\n"
            "Cohort:      Digital Workplace 2026 (dw-2027)\nPair:        p_3\n"
            "Session:     2 of 3, Tuesday, 7 April 2026, 16:00–17:00 (Europe/Berlin)\n"
            "Declined by: mentee, Klaus Richter\nMentor:      Lena Weber\nMentee:      Klaus Richter\n\n"
            "Lena Weber receives a note as well. Nothing else changes by itself: the session stays planned "
            "until it is moved or cancelled.\n",
        ),
        (
            Language.DE,
            "Abgelehnt: Termin 2, Tandem p_3 in „Digital Workplace 2026“",
            "Guten Tag HR Program Office,\n\neine teilnehmende Person hat einen Termin in ihrem Kalender abgelehnt.\n\n"
            "Kohorte:       Digital Workplace 2026 (dw-2027)\nTandem:        p_3\n"
            "Termin:        2 von 3, Dienstag, 7. April 2026, 16:00–17:00 Uhr (Europe/Berlin)\n"
            "Abgelehnt von: Mentee, Klaus Richter\nMentor:        Lena Weber\nMentee:        Klaus Richter\n\n"
            "Lena Weber erhält ebenfalls eine Nachricht. Sonst ändert sich von selbst nichts: Der Termin bleibt "
            "geplant, bis er verschoben oder abgesagt wird.\n",
        ),
    ],
)
def test_the_office_reads_who_declined_and_the_commands_for_this_pair(
    language: Language, subject: str, lines: str
) -> None:
    request = reply(DECLINED, language, recipient=OFFICE)
    request.program.cohort_id, request.pair_id = "dw-2027", "p_3"
    msg = compose(request)
    assert msg["Subject"] == subject
    assert text_of(msg).startswith(lines)
    assert commands(msg) == [
        ".venv/bin/python ops.py show dw-2027 p_3",
        '.venv/bin/python ops.py reschedule dw-2027 p_3 2 --to "YYYY-MM-DD HH:MM"',
        '.venv/bin/python ops.py cancel-session dw-2027 p_3 2 --reason TEXT [--replacement "YYYY-MM-DD HH:MM"]',
    ]
    assert "/a/" not in text_of(msg)


def test_the_office_reads_the_mentor_as_the_one_who_declined() -> None:
    text = text_of(compose(reply(DECLINED, recipient=OFFICE, note="mentor")))
    assert "Declined by: mentor, Lena Weber\n" in text
    assert "\nKlaus Richter receives a note as well." in text


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"note": None}, "session_declined message .* needs note"),
        ({"note": "program_office"}, "needs note to be mentor or mentee"),
        ({"note": "the mentee"}, "needs note to be mentor or mentee"),
        ({"note": "mentee", "recipient": to_mentee()}, "goes to the partner or the program office"),
        ({"note": "mentor", "recipient": to_mentor()}, "goes to the partner or the program office"),
        ({"the_session": None}, "session_declined message .* needs session"),
    ],
)
def test_a_decline_notice_names_a_participant_and_never_goes_to_the_decliner(overrides: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        compose(reply(DECLINED, **overrides))


# --- the decliner's new date -------------------------------------------------------


@pytest.mark.parametrize("decliner", ["mentor", "mentee"])
def test_the_decliner_gets_one_signed_new_date_link(decliner: str) -> None:
    recipient = DECLINER[decliner]()
    request = reply(NEW_DATE, recipient=recipient)
    msg = compose(request)
    (url,) = re.findall(r"^Choose a new date:\n(\S+)$", text_of(msg), re.M)
    assert LINKS.for_request(request) == {"new_date": url}
    assert [unescape(h) for h in re.findall(r'<a href="([^"]+)" style="', html_of(msg))] == [url]
    token = url.removeprefix(f"{workers.SITE_URL}/a/")
    assert SIGNER.read(token, EXPIRES) == Link(
        workflow_id=pair_workflow_id("dw26", "p1"),
        role=recipient.role,
        item="check_in",
        expires=EXPIRES,
        recipient=SIGNER.recipient_digest(recipient.email),
        language=Language.EN,
        # The stable id, not the place the email shows ("session 2 of 3").
        session=5,
        choice=CheckInChoice.NEW_DATE,
    )
    partner = KLAUS if recipient.role is Role.MENTOR else LENA
    assert not SIGNER.same_recipient(SIGNER.read(token, EXPIRES), partner.email)
    with pytest.raises(LinkError, match="expired"):
        SIGNER.read(token, EXPIRES + timedelta(days=1))


def test_the_new_date_offer_with_its_link() -> None:
    request = reply(NEW_DATE)
    msg = compose(request)
    assert msg["Subject"] == "Reverse mentoring session 2 of 3: would you like a new date?"
    assert text_of(msg) == (
        "Hello Klaus Richter,\n\n"
        "Thank you for letting us know: you declined reverse mentoring session 2 of 3 with Lena Weber "
        "on Tuesday, 7 April 2026, 16:00–17:00 (Europe/Berlin). We have told Lena Weber.\n\n"
        "If you would like another date for this session, choose one here, no login needed:\n\n"
        f"Choose a new date:\n{LINKS.for_request(request)['new_date']}\n\n"
        "The link opens a page with the next free dates on your usual rhythm. Once you choose one, "
        "you and Lena Weber both receive the updated calendar invitation.\n\n"
        "--\nHR Program Office <mentoring-office@example.com>\n"
        'Reverse mentoring program "Digital Workplace 2026"\n'
    )
    assert "reply" not in text_of(msg)


def test_the_new_date_offer_in_german() -> None:
    request = reply(NEW_DATE, Language.DE, recipient=to_mentor())
    msg = compose(request)
    url = LINKS.for_request(request)["new_date"]
    assert msg["Subject"] == "Reverse-Mentoring-Termin 2 von 3: Möchten Sie einen neuen Termin?"
    assert (
        "Wenn Sie für diesen Termin ein anderes Datum möchten, wählen Sie es hier, ohne Anmeldung:\n\n"
        f"Einen neuen Termin wählen:\n{url}\n\nDer Link öffnet eine Seite mit den nächsten freien Terminen "
        "in Ihrem gewohnten Rhythmus. Sobald Sie einen gewählt haben, erhalten Sie und Klaus Richter beide "
        "die aktualisierte Kalendereinladung.\n"
    ) in text_of(msg)
    assert ">Einen neuen Termin wählen</a>" in html_of(msg)
    assert SIGNER.read(url.removeprefix(f"{workers.SITE_URL}/a/"), EXPIRES).language is Language.DE


@pytest.mark.parametrize("language", list(Language))
def test_without_links_the_decliner_replies_to_the_office(language: Language) -> None:
    request = reply(NEW_DATE, language, links_expire=None)
    assert LINKS.for_request(request) == {}
    text, html = text_of(compose(request)), html_of(compose(request))
    assert "http" not in text and '<a href="http' not in html
    assert (
        "please reply to this email: your reply reaches the program office."
        if language is Language.EN
        else "antworten Sie bitte auf diese E-Mail: Ihre Antwort erreicht das Programmbüro."
    ) in text


def test_the_new_date_offer_goes_to_a_participant_only() -> None:
    with pytest.raises(ValueError, match="declined_new_date message .* goes to mentor or mentee"):
        compose(reply(NEW_DATE, recipient=OFFICE))
    with pytest.raises(ValueError, match="declined_new_date message .* needs session"):
        compose(reply(NEW_DATE, the_session=None))


# --- a counter proposal, to the office ---------------------------------------------


@pytest.mark.parametrize("language", list(Language))
def test_the_office_reads_the_proposal_and_the_commands_that_decide_it(language: Language) -> None:
    request = reply(COUNTER, language)
    request.program.cohort_id, request.pair_id = "dw-2027", "p_3"
    msg = compose(request)
    assert msg["Subject"] == (
        'New time proposed: session 2 of pair p_3 in "Digital Workplace 2026"'
        if language is Language.EN
        else "Neue Zeit vorgeschlagen: Termin 2, Tandem p_3 in „Digital Workplace 2026“"
    )
    assert commands(msg) == [
        ".venv/bin/python ops.py approve-counter dw-2027 p_3 2",
        ".venv/bin/python ops.py refuse-counter dw-2027 p_3 2",
        ".venv/bin/python ops.py show dw-2027 p_3",
    ]
    assert structure(msg) == ["multipart/alternative", "text/plain", "text/html"]
    assert LINKS.for_request(request) == {}


def proposing(start: datetime, minutes: int = 60, language: Language = Language.EN, **overrides):
    end = start + timedelta(minutes=minutes)
    return compose(reply(COUNTER, language, counter_start=start, counter_end=end, **overrides))


def _counter_lines(msg) -> str:
    return "\n".join(re.findall(r"^(?:Planned now|Proposed|Bisher geplant|Vorschlag): +(.+)$", text_of(msg), re.M))


def test_a_proposal_across_the_clock_change_shows_the_pairs_wall_clock() -> None:
    # 16:00 in Berlin is 15:00 UTC on 24 March and 14:00 UTC on 31 March.
    proposed = datetime(2026, 3, 31, 14, 0, tzinfo=UTC)
    msg = proposing(proposed, the_session=S1)
    assert _counter_lines(msg) == (
        "Tuesday, 24 March 2026, 16:00–17:00 (Europe/Berlin)\nTuesday, 31 March 2026, 16:00–17:00 (Europe/Berlin)"
    )
    assert "Dates and times are on the pair's clock, Europe/Berlin." in text_of(msg)


def test_a_proposal_in_the_hour_the_clocks_show_twice_names_both() -> None:
    # 02:30 on 25 October 2026 happens twice in Berlin: first in CEST, then in CET.
    proposed = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    late = session(2, datetime(2026, 10, 20, 16, 0))
    msg = proposing(proposed, language=Language.DE, the_session=late)
    assert _counter_lines(msg).endswith("Sonntag, 25. Oktober 2026, 02:30 Uhr CEST – 02:30 Uhr CET (Europe/Berlin)")


def test_a_proposal_is_shown_in_the_sessions_zone_whatever_the_offset_it_came_with() -> None:
    # A pair that meets on New York time; the proposal arrives in Berlin's offset.
    ny = session(2, datetime(2026, 4, 7, 10, 0), NEW_YORK)
    start = datetime(2026, 4, 9, 18, 0, tzinfo=timezone(timedelta(hours=2)))
    for office in (OFFICE, OFFICE.model_copy(update={"timezone": NEW_YORK})):
        msg = proposing(start, 45, the_session=ny, recipient=office)
        assert _counter_lines(msg) == (
            "Tuesday, 7 April 2026, 10:00–11:00 (America/New_York)\nThursday, 9 April 2026, 12:00–12:45 (America/New_York)"
        )


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"recipient": to_mentor()}, "counter_proposed message .* goes to the program office"),
        ({"recipient": to_mentee()}, "counter_proposed message .* goes to the program office"),
        ({"counter_start": None}, "counter_proposed message .* needs counter_start"),
        ({"counter_end": None}, "counter_proposed message .* needs counter_end"),
        ({"counter_end": S2_MOVED.starts_at}, "needs counter_end after counter_start"),
        ({"note": None}, "counter_proposed message .* needs note"),
        ({"note": "office"}, "needs note to be mentor or mentee"),
        ({"the_session": None}, "counter_proposed message .* needs session"),
    ],
)
def test_a_counter_notice_needs_its_proposal_and_goes_to_the_office_only(overrides: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        compose(reply(COUNTER, **overrides))


# --- every new kind -----------------------------------------------------------------

EVERY = [
    (DECLINED, to_mentor()),
    (DECLINED, OFFICE),
    (NEW_DATE, to_mentee()),
    (COUNTER, OFFICE),
]


@pytest.mark.parametrize(("kind", "recipient"), EVERY, ids=[f"{k.value}-{r.role.value}" for k, r in EVERY])
@pytest.mark.parametrize("language", list(Language))
def test_names_are_escaped_in_html(kind: MessageKind, recipient: Recipient, language: Language) -> None:
    scripted = Person(name="<script>alert(1)</script> & Co", email="klaus.richter@example.com", timezone=BERLIN)
    # Both: each email names the participant who replied, or the partner of the one it goes to.
    msg = compose(reply(kind, language, recipient=recipient, mentor=scripted, mentee=scripted))
    html = html_of(msg)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in html
    assert "<script>alert(1)</script> & Co" in text_of(msg)


FAILURE_LABELS = {
    Language.EN: [
        "notice of a declined session",
        "offer of a new date after a decline",
        "notice of a proposed new time",
    ],
    Language.DE: [
        "Mitteilung über einen abgelehnten Termin",
        "Angebot eines neuen Termins nach einer Absage",
        "Mitteilung über einen Vorschlag für eine neue Zeit",
    ],
}


@pytest.mark.parametrize("language", list(Language))
def test_a_delivery_failure_names_the_new_kinds(language: Language) -> None:
    for kind, label in zip((DECLINED, NEW_DATE, COUNTER), FAILURE_LABELS[language], strict=True):
        request = full_request(MessageKind.DELIVERY_FAILURE_NOTICE, language)
        request.failure = request.failure.model_copy(update={"kind": kind})
        text = text_of(compose_message(request, sender=SENDER))
        assert f"\n{'Message' if language is Language.EN else 'Nachricht'}: {label}\n" in text
