"""Reflections on the response site, from the links of the real reflection emails: the
text is mailed as a journal entry to the writer (and the partner only when shared) and
then gone; the pair records the ratings and whether it was shared, nothing else."""

from __future__ import annotations

import logging

import pytest

from mentoring.answers import Ratings, ReflectionAnswer
from mentoring.cohort import Role
from tests.site_harness import SIGNER, html_part, site_program, text_part

MENTOR, MENTEE = "mentor-p1@example.com", "mentee-p1@example.com"
JOURNAL = "reflection_journal"
# Lena's questions after session 1: career, the first set of the bank.
LENA_QUESTIONS = (
    "Which part of your expertise was most useful to your mentee, and why?",
    "What did you learn about how decisions are made at leadership level?",
    "Which of your skills would you like to make more visible in your own career?",
)
PRIVATE = "Explaining dashboards to Klaus <b>showed</b> me what I take for granted"
ALSO_PRIVATE = "Line one of my notes\nand line two & more"


@pytest.fixture
async def site():
    async with site_program() as harness:
        yield harness


def reflections(state) -> list[ReflectionAnswer]:
    return [r.answer for r in state.answers if isinstance(r.answer, ReflectionAnswer)]


async def test_a_shared_reflection_reaches_both_and_only_its_ratings_reach_the_pair(site, caplog):
    caplog.set_level(logging.DEBUG)
    await site.start_pair()
    state = await site.after_session(0)
    total = len(state.sessions)
    url = site.links(MENTOR, "reflection")["reflection"]
    page = await site.get(url)
    assert page.status == 200
    # The questions the email asked, each with its own box.
    for number, question in enumerate(LENA_QUESTIONS, 1):
        assert f'<label class="block" for="answer_{number}">{number}. ' in page.text
        assert question in page.said
    assert "to Klaus only if you tick “Share with my partner” below" in page.said

    fields = {"answer_1": PRIVATE, "answer_3": ALSO_PRIVATE.replace("\n", "\r\n"), "career": "4", "emotional": "2"}
    done = await site.post(url, {**fields, "share": "yes"})
    assert done.status == 200
    assert (
        "Thank you, Lena Your journal entry is on its way to you and to Klaus. We did not keep your text." in done.said
    )

    # One message, to Lena with Klaus in copy: both have it, or neither.
    journals = [r for r in site.smtp.handler.received if r.kind == JOURNAL]
    assert sorted(r.recipient for r in journals) == [MENTEE, MENTOR]
    message = journals[0].message
    assert (message["To"], message["Cc"], message["Reply-To"]) == (
        "Lena <mentor-p1@example.com>",
        "Klaus <mentee-p1@example.com>",
        "Lena <mentor-p1@example.com>",
    )
    assert message["Subject"] == f"Reflection by Lena on session 1 of {total}"
    text = text_part(message)
    assert text.startswith("Hello Lena and Klaus,\n\nhere is Lena's reflection on session 1 of")
    assert f"1. {LENA_QUESTIONS[0]}\n\n{PRIVATE}\n\n3. {LENA_QUESTIONS[2]}\n\n{ALSO_PRIVATE}\n" in text
    assert LENA_QUESTIONS[1] not in text  # not answered, not sent
    html = html_part(message)
    assert "Explaining dashboards to Klaus &lt;b&gt;showed&lt;/b&gt;" in html and "two &amp; more" in html

    state = await site.state()
    assert reflections(state) == [
        ReflectionAnswer(
            answer_id=SIGNER.answer_id(url.rsplit("/", 1)[1]),
            role=Role.MENTOR,
            session=1,
            ratings=Ratings(career=4, emotional=2),
            shared=True,
        )
    ]
    # Nothing of the text anywhere in the pair's history, decrypted; the answer is there.
    history = await site.history_text()
    assert '"shared":true' in history.replace(" ", "")
    for words in ("dashboards", "line two", "Line one"):
        assert words not in history
    # Nor in any log line of the site, the workers or the libraries: no text, name,
    # address or token. (The test's mail server logs what it receives, as a mailbox would.)
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name != "mail.log")
    assert "pair pair:dw:p1: reflection answer recorded" in logged
    for secret in ("dashboards", "line two", "Lena", "Klaus", "example.com", url.rsplit("/", 1)[1]):
        assert secret not in logged


async def test_a_reflection_not_shared_goes_to_its_writer_alone(site):
    await site.start_pair()
    await site.after_session(0)
    url = site.links(MENTEE, "reflection")["reflection"]
    done = await site.post(url, {"answer_2": "What I learned about our team chat", "psychosocial": "5"})
    assert done.status == 200
    assert "Thank you, Klaus Your journal entry is on its way to your inbox. We did not keep your text." in done.said
    journals = [r for r in site.smtp.handler.received if r.kind == JOURNAL]
    assert [r.recipient for r in journals] == [MENTEE]
    message = journals[0].message
    assert message["Cc"] is None
    assert text_part(message).startswith("Hello Klaus,\n\nhere is your reflection on session 1 of")
    assert "What I learned about our team chat" in text_part(message)
    (answer,) = reflections(await site.state())
    assert (answer.role, answer.ratings, answer.shared) == (Role.MENTEE, Ratings(psychosocial=5), False)


async def test_a_journal_that_cannot_be_sent_keeps_the_text_on_the_page_and_records_nothing(site):
    await site.start_pair()
    await site.after_session(0)
    url = site.links(MENTOR, "reflection")["reflection"]
    site.smtp.handler.refused[MENTEE] = "550 5.1.1 mailbox unavailable"
    failed = await site.post(url, {"answer_1": PRIVATE, "career": "3", "share": "yes"})
    assert failed.status == 503
    assert "We could not send your journal email, so nothing was recorded. Your text is still below" in failed.said
    # What was typed and chosen is still there, escaped, to send again.
    assert "Explaining dashboards to Klaus &lt;b&gt;showed&lt;/b&gt;" in failed.text
    assert 'id="career-3" name="career" value="3" checked' in failed.text
    assert 'id="share" name="share" value="yes" aria-describedby="share-hint" checked' in failed.text
    assert [r for r in site.smtp.handler.received if r.kind == "reflection_journal"] == []
    assert reflections(await site.state()) == []

    del site.smtp.handler.refused[MENTEE]
    done = await site.post(url, {"answer_1": PRIVATE, "career": "3", "share": "yes"}, csrf=failed.csrf)
    assert done.status == 200
    assert len(reflections(await site.state())) == 1
    assert sorted(r.recipient for r in site.smtp.handler.received if r.kind == JOURNAL) == [MENTEE, MENTOR]
