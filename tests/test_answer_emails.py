"""The emails participants answer from: the signed links in the reflection prompt, the
check-in reminder and the reviews, and the notices that answers and pair health send
(new date chosen, nudge, at-risk alert)."""

from __future__ import annotations

import json
import re
import zlib
from datetime import date, datetime, timedelta
from html import unescape

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from itsdangerous.encoding import base64_decode

from activities.answer_links import AnswerLinks
from activities.compose import compose_message
from activities.health_notes import in_german
from mentoring.answers import AnswerRecord, CheckInChoice, Ratings, ReviewAnswer, ReviewStage
from mentoring.cohort import Language, Person, Role
from mentoring.ids import pair_workflow_id
from mentoring.messages import DeliveryRequest, MessageKind, Recipient
from mentoring.state import PairState, SessionStatus
from mentoring_service.links import Link, LinkError
from tests import workers
from tests.test_compose import OFFICE, S2, S2_MOVED, S3, SENDER, full_request, html_of, text_of, to_mentee, to_mentor
from tests.test_invites import KLAUS, LENA, session
from tests.unit.states import START, pair_state
from workflows import health

SIGNER = workers.test_signer()
LINKS = AnswerLinks(SIGNER, workers.SITE_URL)
EXPIRES = date(2026, 10, 29)
# Session 2 in time order, whose stable id (the one a link carries) is 5: it was added later.
S2_ID5 = S2.model_copy(update={"session_id": 5})
ANSWERED = [
    MessageKind.REFLECTION,
    MessageKind.CHECK_IN_REMINDER,
    MessageKind.MIDPOINT_REVIEW,
    MessageKind.CLOSING_REVIEW,
]

LABELS = {
    Language.EN: {
        "We met": "met",
        "We didn't meet": "not_met",
        "We need a new date": "new_date",
        "Write your reflection": "reflection",
        "Give your review": "review",
    },
    Language.DE: {
        "Wir haben uns getroffen": "met",
        "Wir haben uns nicht getroffen": "not_met",
        "Wir brauchen einen neuen Termin": "new_date",
        "Ihre Reflexion schreiben": "reflection",
        "Ihre Bilanz abgeben": "review",
    },
}
EXPECTED_LINKS = {
    MessageKind.REFLECTION: ["met", "not_met", "new_date", "reflection"],
    MessageKind.CHECK_IN_REMINDER: ["met", "not_met", "new_date"],
    MessageKind.MIDPOINT_REVIEW: ["review"],
    MessageKind.CLOSING_REVIEW: ["review"],
}


def answerable(kind: MessageKind, language: Language = Language.EN, **overrides) -> DeliveryRequest:
    fields = {"the_session": S2_ID5, "links_expire": EXPIRES, **overrides}
    return full_request(kind, language, **fields)


def compose(request: DeliveryRequest):
    return compose_message(request, sender=SENDER, links=LINKS.for_request(request))


def text_links(text: str, language: Language) -> dict[str, str]:
    """Name -> URL, from each label line followed by its URL on a line of its own."""
    found = re.findall(r"^(.+):\n(https?://\S+)$", text, re.M)
    return {LABELS[language][label]: url for label, url in found}


def html_links(html: str, language: Language) -> dict[str, str]:
    found = re.findall(r'<a href="([^"]+)" style="[^"]*">([^<]+)</a>', html)
    return {LABELS[language][unescape(label)]: unescape(url) for url, label in found}


def token(url: str) -> str:
    prefix = f"{workers.SITE_URL}/a/"
    assert url.startswith(prefix)
    return url.removeprefix(prefix)


def payload(url: str) -> dict:
    """What a link carries, read without its key: anyone who sees the URL can read this."""
    body = token(url).rsplit(".", 1)[0]
    raw = base64_decode(body.lstrip("."))
    return json.loads(zlib.decompress(raw) if body.startswith(".") else raw)


# --- the links each answered email carries ------------------------------------------


@pytest.mark.parametrize("kind", ANSWERED, ids=[k.value for k in ANSWERED])
@pytest.mark.parametrize("language", list(Language))
@pytest.mark.parametrize("recipient", [to_mentor(), to_mentee()], ids=["mentor", "mentee"])
def test_each_link_is_signed_for_its_recipient_item_and_answer(
    kind: MessageKind, language: Language, recipient: Recipient
) -> None:
    msg = compose(answerable(kind, language, recipient=recipient))
    text, html = text_of(msg), html_of(msg)
    links = text_links(text, language)
    assert list(links) == EXPECTED_LINKS[kind]
    # The buttons go where the text's links go, with the same labels.
    assert html_links(html, language) == links
    stage = {MessageKind.MIDPOINT_REVIEW: ReviewStage.MIDPOINT, MessageKind.CLOSING_REVIEW: ReviewStage.CLOSING}
    for name, url in links.items():
        link = SIGNER.read(token(url), EXPIRES)
        assert link == Link(
            workflow_id=pair_workflow_id("dw26", "p1"),
            role=recipient.role,
            item="review" if kind in stage else ("reflection" if name == "reflection" else "check_in"),
            expires=EXPIRES,
            recipient=SIGNER.recipient_digest(recipient.email),
            language=language,
            # The stable id, not the place the email shows ("session 2 of 3").
            session=0 if kind in stage else 5,
            stage=stage.get(kind),
            choice=CheckInChoice(name) if name in ("met", "not_met", "new_date") else None,
        )
        assert SIGNER.same_recipient(link, recipient.email)
        other = KLAUS if recipient.role is Role.MENTOR else LENA
        assert not SIGNER.same_recipient(link, other.email)
        with pytest.raises(LinkError, match="expired"):
            SIGNER.read(token(url), EXPIRES + timedelta(days=1))


@pytest.mark.parametrize("kind", ANSWERED, ids=[k.value for k in ANSWERED])
def test_a_tampered_link_is_not_read(kind: MessageKind) -> None:
    url = next(iter(text_links(text_of(compose(answerable(kind))), Language.EN).values()))
    head, signature = token(url).rsplit(".", 1)
    with pytest.raises(LinkError, match="tampered"):
        SIGNER.read(f"{head}.{signature[::-1]}", EXPIRES)


@pytest.mark.parametrize("kind", ANSWERED, ids=[k.value for k in ANSWERED])
@pytest.mark.parametrize("language", list(Language))
def test_a_pair_that_takes_no_answers_gets_the_emails_it_always_got(kind: MessageKind, language: Language) -> None:
    request = answerable(kind, language, links_expire=None)
    assert LINKS.for_request(request) == {}
    msg = compose(request)
    text, html = text_of(msg), html_of(msg)
    assert "http" not in text and '<a href="http' not in html
    # Word for word what composing without the response site gives.
    before = compose_message(request, sender=SENDER)
    assert (text, html) == (text_of(before), html_of(before))


def test_other_kinds_carry_no_links_even_for_a_pair_that_takes_answers() -> None:
    # The decliner's new-date link: tests/test_reply_emails.py.
    for kind in set(MessageKind) - set(ANSWERED) - {MessageKind.DECLINED_NEW_DATE}:
        request = answerable(kind, recipient=OFFICE) if kind is MessageKind.AT_RISK_ALERT else answerable(kind)
        assert LINKS.for_request(request) == {}, kind


@given(
    name=st.text(st.characters(categories=["Lu", "Ll", "Lo"]), min_size=2, max_size=30),
    address=st.sampled_from(["jürgen.müller@example.com", "jörg@müller.example", "l.weber@example.com", "李@例え.jp"]),
    language=st.sampled_from(list(Language)),
    kind=st.sampled_from(ANSWERED),
    role=st.sampled_from([Role.MENTOR, Role.MENTEE]),
)
@settings(max_examples=60, deadline=None)
def test_no_name_or_address_in_any_url(
    name: str, address: str, language: Language, kind: MessageKind, role: Role
) -> None:
    recipient = Recipient(role=role, name=name, email=address, timezone="Europe/Berlin")
    partner = Person(name=f"{name} Partner", email=f"partner.{address}", timezone="Europe/Berlin")
    people = {"mentee": partner} if role is Role.MENTOR else {"mentor": partner}
    msg = compose(answerable(kind, language, recipient=recipient, **people))
    text, html = text_of(msg), html_of(msg)
    links = text_links(text, language)
    assert html_links(html, language) == links
    assert len(links) == len(EXPECTED_LINKS[kind])
    for url in links.values():
        assert re.fullmatch(r"http://127\.0\.0\.1:8090/a/[A-Za-z0-9_.-]+", url)
        # Everything a link carries, and nothing that names anyone.
        carried = payload(url)
        assert set(carried) <= {"w", "r", "i", "x", "d", "l", "s", "g", "c"}
        assert carried["w"] == "pair:dw26:p1" and carried["r"] == role.value
        assert carried["d"] == SIGNER.recipient_digest(address)
        assert re.fullmatch(r"[0-9a-f]{20}", carried["d"])
    # The name itself is in the email, escaped where HTML needs it.
    greeting = "Hello" if language is Language.EN else "Guten Tag"
    assert text.startswith(f"{greeting} {name},\n")


def test_links_are_escaped_in_html_and_written_as_they_are_in_text() -> None:
    odd = "https://answers.example.com/a/t?x=1&y=\"<b>\"&z='q'"
    links = {"met": odd, "not_met": odd + "2", "new_date": odd + "3", "reflection": odd + "4"}
    msg = compose_message(answerable(MessageKind.REFLECTION), sender=SENDER, links=links)
    text, html = text_of(msg), html_of(msg)
    assert f"We met:\n{odd}\n" in text
    assert f"Write your reflection:\n{odd}4\n" in text
    escaped = "https://answers.example.com/a/t?x=1&amp;y=&#34;&lt;b&gt;&#34;&amp;z=&#39;q&#39;"
    assert f'<a href="{escaped}" style="' in html
    assert f'<a href="{escaped}4" style="' in html
    assert '"<b>"' not in html


NEW_KINDS = [
    MessageKind.CHECK_IN_REMINDER,
    MessageKind.PAIR_NUDGE,
    MessageKind.AT_RISK_ALERT,
    MessageKind.NEW_DATE_CHOSEN,
]


@pytest.mark.parametrize("kind", ANSWERED + NEW_KINDS, ids=[k.value for k in ANSWERED + NEW_KINDS])
@pytest.mark.parametrize("language", list(Language))
def test_names_are_escaped_in_html(kind: MessageKind, language: Language) -> None:
    scripted = Person(name="<script>alert(1)</script> & Co", email="lena.weber@example.com", timezone="Europe/Berlin")
    office = kind is MessageKind.AT_RISK_ALERT
    request = answerable(kind, language, mentor=scripted, note="x", **({"recipient": OFFICE} if office else {}))
    msg = compose(request)
    html = html_of(msg)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in html
    assert "<script>alert(1)</script> & Co" in text_of(msg)


# --- what the answered emails say with their links ----------------------------------


def test_check_in_reminder_with_its_links() -> None:
    msg = compose(answerable(MessageKind.CHECK_IN_REMINDER))
    links = LINKS.for_request(answerable(MessageKind.CHECK_IN_REMINDER))
    assert msg["Subject"] == "Check-in: did reverse mentoring session 2 of 3 take place?"
    assert text_of(msg) == (
        "Hello Klaus Richter,\n\n"
        "Did your reverse mentoring session 2 of 3 with Lena Weber take place? "
        "It was planned for Tuesday, 7 April 2026, 16:00–17:00 (Europe/Berlin).\n\n"
        "One click is enough, no login needed:\n\n"
        f"We met:\n{links['met']}\n\n"
        f"We didn't meet:\n{links['not_met']}\n\n"
        f"We need a new date:\n{links['new_date']}\n\n"
        "Each link opens a page on which you confirm your answer. For a new date you choose one of the next "
        "free dates on your usual rhythm there; you and Lena Weber then both receive the updated calendar invitation.\n\n"
        "Your answer only says whether you met. What you talked about stays between the two of you.\n\n"
        "--\nHR Program Office <mentoring-office@example.com>\n"
        'Reverse mentoring program "Digital Workplace 2026"\n'
    )
    # No "reply to this email" once there is a link to answer with.
    assert "reply" not in text_of(msg)


def test_check_in_reminder_in_german_on_the_recipients_clock() -> None:
    request = answerable(MessageKind.CHECK_IN_REMINDER, Language.DE, recipient=to_mentor("America/New_York"))
    text = text_of(compose(request))
    assert (
        "Guten Tag Lena Weber,\n\nhat Ihr Reverse-Mentoring-Termin 2 von 3 mit Klaus Richter stattgefunden? "
        "Geplant war er für Dienstag, 7. April 2026, 10:00–11:00 Uhr (America/New_York).\n\n"
        "Ein Klick genügt, ohne Anmeldung:\n\nWir haben uns getroffen:\nhttp://127.0.0.1:8090/a/"
    ) in text
    assert "Sie und Klaus Richter erhalten dann beide die aktualisierte Kalendereinladung." in text


@pytest.mark.parametrize(
    ("language", "phrases"),
    [
        (
            Language.EN,
            [
                "After reverse mentoring session 2 of 3 with Lena Weber: did the session take place?\n\n"
                "One click is enough, no login needed:\n\nWe met:\n",
                "Here are a few questions to reflect on. This time they are about your career and development.\n\n"
                "1. What have you learned",
                "Write your reflection:\nhttp://127.0.0.1:8090/a/",
                "On that page you answer the questions for yourself. Your reflection is then mailed to you as your "
                'journal entry, and to Lena Weber only if you tick "Share with my partner". It is not stored anywhere, '
                "and the program office never sees it, so please do not send it back by email.",
                "On the page you can also rate from 1 to 5 what the session did for your career, your working "
                "relationship and how you feel; the program office sees only these figures.",
            ],
        ),
        (
            Language.DE,
            [
                "nach Ihrem Reverse-Mentoring-Termin 2 von 3 mit Lena Weber: Hat der Termin stattgefunden?\n\n"
                "Ein Klick genügt, ohne Anmeldung:\n\nWir haben uns getroffen:\n",
                "Hier finden Sie ein paar Fragen zum Nachdenken. Diesmal geht es um Ihre berufliche Entwicklung.\n\n"
                "1. Was haben Sie gelernt",
                "Ihre Reflexion schreiben:\nhttp://127.0.0.1:8090/a/",
                "Ihre Reflexion erhalten Sie dann per E-Mail als Eintrag für Ihr Journal – und Lena Weber nur, wenn Sie "
                "„Mit meinem Gegenüber teilen“ ankreuzen. Gespeichert wird sie nirgends, und das Programmbüro sieht "
                "sie nie. Bitte senden Sie sie deshalb nicht per E-Mail zurück.",
                "das Programmbüro sieht davon nur die Zahlen.",
            ],
        ),
    ],
)
def test_reflection_with_links_says_where_the_text_goes(language: Language, phrases: list[str]) -> None:
    msg = compose(answerable(MessageKind.REFLECTION, language))
    assert (
        msg["Subject"]
        == ("Reflection: a few questions for you", "Reflexion: ein paar Fragen für Sie")[language is Language.DE]
    )
    text = text_of(msg)
    for phrase in phrases:
        assert phrase in text
    # The old word "Nobody collects them" would now be wrong: the page takes the text once.
    assert "Nobody collects" not in text and "Niemand sammelt" not in text


@pytest.mark.parametrize(
    ("kind", "language", "phrase"),
    [
        (
            MessageKind.MIDPOINT_REVIEW,
            Language.EN,
            "Give your review:\nhttp://127.0.0.1:8090/a/{token}\n\n"
            "The review takes about 2 minutes. You rate from 1 (not at all) to 5 (very much) how the mentoring helps "
            "your career and development, your working relationship and your role, and how you feel in it, and how far "
            'you have come with your focus, "Social collaboration". The program office sees your ratings only as '
            "figures. The one text of yours it reads is the optional comment you address to it.\n\n"
            "What you discuss stays between the two of you.",
        ),
        (
            MessageKind.CLOSING_REVIEW,
            Language.EN,
            'you have come with your focus, "Social collaboration". You also say whether you would recommend reverse '
            "mentoring to a colleague (from 0 to 10) and whether you will keep meeting. The program office sees your "
            "ratings only as figures. The one text of yours it reads is the optional comment you address to it.\n\n"
            "Your notes stay between the two of you.",
        ),
        (
            MessageKind.MIDPOINT_REVIEW,
            Language.DE,
            "Ihre Bilanz abgeben:\nhttp://127.0.0.1:8090/a/{token}\n\n"
            "Das dauert etwa 2 Minuten. Sie bewerten von 1 (gar nicht) bis 5 (sehr), wie sehr das Mentoring Ihre "
            "berufliche Entwicklung, Ihre Zusammenarbeit und Ihre Rolle sowie Ihr Erleben unterstützt, und wie weit "
            "Sie mit Ihrem Schwerpunkt „Social collaboration“ gekommen sind. Das Programmbüro sieht Ihre Bewertungen "
            "nur als Zahlen. Lesen wird es allein den freiwilligen Kommentar, den Sie an das Programmbüro richten.\n\n"
            "Was Sie besprechen, bleibt unter Ihnen beiden.",
        ),
        (
            MessageKind.CLOSING_REVIEW,
            Language.DE,
            "Außerdem sagen Sie, ob Sie Reverse Mentoring einer Kollegin oder einem Kollegen empfehlen würden "
            "(von 0 bis 10) und ob Sie sich weiter treffen werden. Das Programmbüro sieht Ihre Bewertungen nur als "
            "Zahlen.",
        ),
    ],
)
def test_review_with_its_link_says_what_is_asked_and_what_the_office_sees(
    kind: MessageKind, language: Language, phrase: str
) -> None:
    request = answerable(kind, language)
    text = text_of(compose(request))
    review = token(LINKS.for_request(request)["review"])
    assert phrase.format(token=review) in text
    midpoint_only = "(von 0 bis 10)" if language is Language.DE else "(from 0 to 10)"
    assert (midpoint_only in text) is (kind is MessageKind.CLOSING_REVIEW)


def test_closing_review_of_a_pair_ended_early_carries_its_link_too() -> None:
    request = answerable(MessageKind.CLOSING_REVIEW, note="Klaus Richter is taking on a new role abroad.")
    text = text_of(compose(request))
    assert "Reason: Klaus Richter is taking on a new role abroad." in text
    assert f"Give your review:\n{LINKS.for_request(request)['review']}\n" in text


# --- notices from answers and pair health --------------------------------------------


@pytest.mark.parametrize("language", list(Language))
@pytest.mark.parametrize("note", ["session 3 was not held", "a rating of 2 or lower in the mentor's midpoint review"])
def test_a_nudge_never_shows_the_workflows_words(language: Language, note: str) -> None:
    for recipient in (to_mentor(), to_mentee()):
        msg = compose(answerable(MessageKind.PAIR_NUDGE, language, recipient=recipient, note=note))
        text, html = text_of(msg), html_of(msg)
        assert "not held" not in text and "rating" not in text and "not held" not in html
        assert "Reason" not in text and "Grund" not in text
        partner = KLAUS if recipient.role is Role.MENTOR else LENA
        assert msg["Subject"] == (
            f"Keeping in touch: your reverse mentoring with {partner.name}"
            if language is Language.EN
            else f"Bleiben Sie in Kontakt: Ihr Reverse Mentoring mit {partner.name}"
        )


@pytest.mark.parametrize(
    ("language", "note", "shown"),
    [
        (Language.EN, "sessions 4 and 5 were not held", "What we know: sessions 4 and 5 were not held"),
        (
            Language.EN,
            "a rating of 2 or lower in the mentee's closing review, the mentor's midpoint review",
            "What we know: a rating of 2 or lower in the mentee's closing review, the mentor's midpoint review",
        ),
        (Language.DE, "sessions 4 and 5 were not held", "Bekannt ist: Die Termine 4 und 5 haben nicht stattgefunden."),
        (
            Language.DE,
            "a rating of 2 or lower in the mentee's closing review, the mentor's midpoint review",
            "Bekannt ist: Eine Bewertung von 2 oder weniger in der Abschlussbilanz des Mentees, "
            "der Zwischenbilanz des Mentors.",
        ),
        # A wording the translation does not know is shown as the workflow wrote it.
        (Language.DE, "the pair asked for help", "Bekannt ist: the pair asked for help"),
    ],
)
def test_at_risk_alert_says_what_is_known(language: Language, note: str, shown: str) -> None:
    text = text_of(compose(answerable(MessageKind.AT_RISK_ALERT, language, recipient=OFFICE, note=note)))
    assert f"\n{shown}\n" in text


def _missed(*numbers: int) -> PairState:
    state = pair_state()
    for session_ in state.sessions[: max(numbers)]:
        session_.status = SessionStatus.MISSED if session_.number in numbers else SessionStatus.HELD
        # A "we didn't meet" counts for health once the check-in has closed.
        session_.check_in_closed = True
    return state


def _rated_low(*reviews: tuple[Role, ReviewStage]) -> PairState:
    state = pair_state()
    for i, (role, stage) in enumerate(reviews):
        answer = ReviewAnswer(answer_id=f"review-{i:04}", role=role, stage=stage, ratings=Ratings(career=1))
        state.answers.append(AnswerRecord(answer=answer, recorded_at=START + timedelta(days=i)))
    return state


@pytest.mark.parametrize(
    ("state", "german"),
    [
        (_missed(3), "Termin 3 hat nicht stattgefunden."),
        (_missed(2, 3), "Die Termine 2 und 3 haben nicht stattgefunden."),
        (
            _rated_low((Role.MENTOR, ReviewStage.MIDPOINT)),
            "Eine Bewertung von 2 oder weniger in der Zwischenbilanz des Mentors.",
        ),
        (
            _rated_low((Role.MENTOR, ReviewStage.MIDPOINT), (Role.MENTEE, ReviewStage.CLOSING)),
            "Eine Bewertung von 2 oder weniger in der Abschlussbilanz des Mentees, der Zwischenbilanz des Mentors.",
        ),
    ],
    ids=["quiet", "two-missed", "one-low-review", "two-low-reviews"],
)
def test_every_word_pair_health_writes_has_its_german(state: PairState, german: str) -> None:
    # The workflow's own words, so a change of wording there shows here.
    _, why = health.health(state)
    assert in_german(why) == german


@pytest.mark.parametrize("language", list(Language))
def test_at_risk_alert_names_this_pairs_commands(language: Language) -> None:
    request = answerable(MessageKind.AT_RISK_ALERT, language, recipient=OFFICE, note="sessions 2 and 3 were not held")
    request.program.cohort_id, request.pair_id = "dw-2027", "p_3"
    msg = compose(request)
    text, html = text_of(msg), html_of(msg)
    commands = re.findall(r"^  (\.venv/bin/python ops\.py .+)$", text, re.M)
    assert commands == [
        ".venv/bin/python ops.py show dw-2027 p_3",
        '.venv/bin/python ops.py reschedule dw-2027 p_3 SESSION --to "YYYY-MM-DD HH:MM"',
        ".venv/bin/python ops.py pause dw-2027 p_3 --reason TEXT [--until YYYY-MM-DD]",
        ".venv/bin/python ops.py replace dw-2027 p_3 --role mentor|mentee --name NAME --email EMAIL "
        "--timezone TZ --reason TEXT",
        ".venv/bin/python ops.py end dw-2027 p_3 --reason TEXT",
    ]
    assert [unescape(c) for c in re.findall(r"<code style=\"[^\"]*\">([^<]+)</code>", html)] == commands
    assert msg["Subject"] in (
        'At risk: pair p_3 in "Digital Workplace 2026"',
        "Gefährdet: Tandem p_3 in „Digital Workplace 2026“",
    )
    # The office's alert carries no link to answer with.
    assert "/a/" not in text


def test_at_risk_alert_lists_the_plan_when_given() -> None:
    request = answerable(MessageKind.AT_RISK_ALERT, recipient=OFFICE, note="x", sessions=[S2, S3])
    text = text_of(compose(request))
    assert (
        "THE PLAN\n2. Tuesday, 7 April 2026, 16:00–17:00 (Europe/Berlin)\n   Location: Room 4.12, Tower B\n"
        "3. Tuesday, 21 April 2026, 16:00–17:00 (Europe/Berlin)\n"
    ) in text


@pytest.mark.parametrize("recipient", [to_mentor(), to_mentee()], ids=["mentor", "mentee"])
def test_at_risk_alert_goes_to_the_office_only(recipient: Recipient) -> None:
    with pytest.raises(ValueError, match="at_risk_alert message .* goes to the program office"):
        compose(answerable(MessageKind.AT_RISK_ALERT, recipient=recipient, note="x"))


@pytest.mark.parametrize("kind", [MessageKind.CHECK_IN_REMINDER, MessageKind.PAIR_NUDGE, MessageKind.NEW_DATE_CHOSEN])
def test_participant_notices_refuse_the_office(kind: MessageKind) -> None:
    with pytest.raises(ValueError, match="goes to mentor or mentee"):
        compose(answerable(kind, recipient=OFFICE))


@pytest.mark.parametrize("kind", [MessageKind.CHECK_IN_REMINDER, MessageKind.NEW_DATE_CHOSEN])
def test_a_notice_about_a_session_needs_the_session(kind: MessageKind) -> None:
    with pytest.raises(ValueError, match=f"{kind.value} message .* needs session"):
        compose(answerable(kind, the_session=None))


@pytest.mark.parametrize(
    ("language", "recipient", "subject", "opening"),
    [
        (
            Language.EN,
            to_mentee(),
            "New date: reverse mentoring session 2 of 3 on Thursday, 9 April 2026 at 17:30 (Europe/Berlin)",
            "Lena Weber asked for a new date for reverse mentoring session 2 of 3 and chose this one:\n\n"
            "When:  Thursday, 9 April 2026, 17:30–18:30 (Europe/Berlin)\nWhere: Room 5.01, Tower A\n\n"
            "You will receive the updated calendar invitation in a separate email.",
        ),
        (
            Language.EN,
            to_mentor("America/New_York"),
            "New date: reverse mentoring session 2 of 3 on Thursday, 9 April 2026 at 11:30 (America/New_York)",
            "Klaus Richter asked for a new date for reverse mentoring session 2 of 3 and chose this one:\n\n"
            "When:  Thursday, 9 April 2026, 11:30–12:30 (America/New_York)",
        ),
        (
            Language.DE,
            to_mentor(),
            "Neuer Termin: Reverse Mentoring, Termin 2 von 3 am Donnerstag, 9. April 2026 um 17:30 Uhr (Europe/Berlin)",
            "Klaus Richter hat für Ihren Reverse-Mentoring-Termin 2 von 3 einen neuen Termin gewählt:\n\n"
            "Wann: Donnerstag, 9. April 2026, 17:30–18:30 Uhr (Europe/Berlin)\nWo:   Room 5.01, Tower A\n\n"
            "Die aktualisierte Kalendereinladung erhalten Sie in einer eigenen E-Mail.",
        ),
    ],
)
def test_new_date_chosen_tells_the_partner_who_asked_and_when(
    language: Language, recipient: Recipient, subject: str, opening: str
) -> None:
    msg = compose(answerable(MessageKind.NEW_DATE_CHOSEN, language, recipient=recipient, the_session=S2_MOVED))
    assert msg["Subject"] == subject
    assert opening in text_of(msg)
    # A notice, not the invite: the updated invite comes on its own.
    assert [p.get_content_type() for p in msg.walk()] == ["multipart/alternative", "text/plain", "text/html"]


def test_new_date_on_a_night_the_clocks_change_says_so() -> None:
    # 02:30 on 29 March 2026 does not exist in Berlin: the session starts at 03:30.
    gap = session(2, datetime(2026, 3, 29, 2, 30))
    text = text_of(compose(answerable(MessageKind.NEW_DATE_CHOSEN, the_session=gap)))
    assert "On Sunday, 29 March 2026 the clocks in Europe/Berlin go forward" in text
