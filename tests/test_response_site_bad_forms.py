"""Forms the site does not take: without their CSRF token or with a wrong or an old
one, with values out of range, too long or with control characters, too big to read,
for a pair that is paused or has ended, or answered before. Each gets a clear page
with its status, what was typed stays on the page, and nothing is recorded or sent."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from itsdangerous.timed import TimestampSigner

from mentoring.operations import EndProgram, PausePair
from tests.site_harness import SIGNER, site_program
from workflows.pair import PairProgramWorkflow

MENTOR, MENTEE = "mentor-p1@example.com", "mentee-p1@example.com"
NOT_ACCEPTED = "Form not accepted We could not accept this form, and nothing was recorded."


@pytest.fixture
async def site():
    async with site_program() as harness:
        yield harness


def field_error(page, field: str) -> str | None:
    """The message shown next to ``field``, if any."""
    found = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', page.text)
    return found.group(1).replace("&#39;", "'") if found else None


async def nothing_recorded(site) -> None:
    assert (await site.state()).answers == []
    assert [r for r in site.smtp.handler.received if r.kind == "reflection_journal"] == []


async def test_a_form_without_its_own_fresh_csrf_token_is_not_taken(site, monkeypatch):
    await site.start_pair()
    await site.after_session(0)
    links = site.links(MENTOR, "reflection")
    other_page = (await site.get(links["not_met"])).csrf  # the same person's other link
    for csrf in ("", "garbage", other_page):
        page = await site.post(links["met"], {"choice": "met"}, csrf=csrf)
        assert page.status == 400 and NOT_ACCEPTED in page.said
    async with site.http.post(links["met"], data={"choice": "met"}) as response:
        assert response.status == 400 and "We could not accept this form" in await response.text()

    # A page left open for more than four hours: sent again after a reload, it counts.
    with monkeypatch.context() as past:
        past.setattr(TimestampSigner, "get_timestamp", lambda self: int(time.time()) - 5 * 3600)
        old = SIGNER.csrf_token(links["met"].rsplit("/", 1)[1])
    page = await site.post(links["met"], {"choice": "met"}, csrf=old)
    assert page.status == 400
    assert "This page was open for a long time, and nothing was recorded. Please open it again" in page.said
    assert '<a href="">Open the form again</a>' in page.text
    await nothing_recorded(site)
    assert (await site.post(links["met"], {"choice": "met"})).status == 200


async def test_wrong_check_in_values_are_named_next_to_their_field(site):
    await site.start_pair()
    await site.after_session(0)
    url = site.links(MENTOR, "reflection")["new_date"]
    for fields, field, message in (
        ({"choice": "maybe"}, "choice", "Please choose one of the options."),
        ({}, "choice", "Please choose one of the options."),
        ({"choice": "new_date"}, "slot", "Please choose one of the new dates offered."),
        ({"choice": "new_date", "slot": "2030-01-01T16:00"}, "slot", "Please choose one of the new dates offered."),
    ):
        page = await site.post(url, fields)
        assert page.status == 400
        assert "Please check the marked fields. Nothing has been recorded yet." in page.said
        assert field_error(page, field) == message, fields
    await nothing_recorded(site)


async def test_reflections_too_long_or_with_control_characters_are_shown_again_and_not_sent(site):
    await site.start_pair()
    await site.after_session(0)
    url = site.links(MENTOR, "reflection")["reflection"]
    for fields, field, message in (
        ({"answer_1": "x" * 10_001}, "answer_1", "This is too long: 10001 characters, at most 10000."),
        (
            {"answer_2": "before\x00after"},
            "answer_2",
            "This contains a control character that cannot be sent. Please remove it.",
        ),
        (
            {"answer_3": "colour \x1b[31mred"},
            "answer_3",
            "This contains a control character that cannot be sent. Please remove it.",
        ),
        (
            {"answer_1": "a line\u2028another"},
            "answer_1",
            "This contains a control character that cannot be sent. Please remove it.",
        ),
        ({"answer_1": "  \r\n "}, "answer_1", "Please answer at least one question."),
        ({"answer_1": "fine", "career": "6"}, "career", "Please choose a value from 1 to 5."),
    ):
        page = await site.post(url, {**fields, "share": "yes"})
        assert page.status == 400
        assert field_error(page, field) is not None and field_error(page, field).startswith(message), fields
        assert 'name="share" value="yes" aria-describedby="share-hint" checked' in page.text
    page = await site.post(url, {"answer_1": "my words <kept>", "answer_2": "x" * 10_001})
    assert "my words &lt;kept&gt;</textarea>" in page.text
    # Bigger than any form: refused before it is read.
    async with site.http.post(url, data={"answer_1": "y" * 300_000, "csrf": page.csrf}) as response:
        assert response.status == 413
        assert "Your answer is too long to send, and nothing was recorded." in await response.text()
    await nothing_recorded(site)


async def test_reviews_too_long_or_out_of_range_are_named_next_to_their_field(site):
    state = await site.start_pair()
    await site.advance(state.midpoint_at + timedelta(minutes=1) - await site.now())
    url = site.links(MENTEE, "midpoint_review")["review"]
    for fields, field, message in (
        ({"comment": "c" * 2001}, "comment", "This is too long: 2001 characters, at most 2000."),
        (
            {"comment": "bell\x07"},
            "comment",
            "This contains a control character that cannot be sent. Please remove it.",
        ),
        ({"career": "6"}, "career", "Please choose a value from 1 to 5."),
        ({"focus_progress": "0"}, "focus_progress", "Please choose a value from 1 to 5."),
        ({"emotional": "-1"}, "emotional", "Please choose a value from 1 to 5."),
        ({}, "career", "Please answer at least one question."),
    ):
        page = await site.post(url, fields)
        assert page.status == 400
        assert field_error(page, field) == message, fields
    page = await site.post(url, {"comment": "c" * 2001})
    assert re.search(
        r'<textarea id="comment" [^>]*aria-invalid="true" aria-describedby="comment-error">c{2001}<', page.text
    )
    await nothing_recorded(site)


async def test_a_paused_pair_takes_no_check_in(site):
    await site.start_pair()
    await site.after_session(0)
    url = site.links(MENTOR, "reflection")["met"]
    csrf = (await site.get(url)).csrf
    await site.update(PairProgramWorkflow.pause, PausePair(request_id="pause-1", reason="parental leave"))
    page = await site.get(url)
    assert (page.status, "Your pair is paused at the moment, so sessions take no check-ins." in page.said) == (
        200,
        True,
    )
    posted = await site.post(url, {"choice": "met"}, csrf=csrf)
    assert posted.status == 409 and "Your pair is paused at the moment" in posted.said
    await nothing_recorded(site)


async def test_an_ended_pair_takes_no_check_in_and_an_answered_one_no_second(site):
    await site.start_pair()
    await site.after_session(0)
    links = site.links(MENTOR, "reflection")
    csrf = (await site.get(links["not_met"])).csrf
    assert (await site.post(links["met"], {"choice": "met"})).status == 200
    # Another link to the same question (the email had one per answer): answered already.
    replayed = await site.post(links["not_met"], {"choice": "not_met"}, csrf=csrf)
    assert replayed.status == 409 and "Already answered" in replayed.said

    url = site.links(MENTEE, "reflection")["met"]
    csrf = (await site.get(url)).csrf
    await site.update(PairProgramWorkflow.end_program, EndProgram(request_id="end-1", reason="reorganisation"))
    page = await site.get(url)
    assert page.status == 200 and "Your program has ended, so this session takes no more answers." in page.said
    posted = await site.post(url, {"choice": "met"}, csrf=csrf)
    assert posted.status == 409
    assert [r.answer.role.value for r in (await site.state()).answers] == ["mentor"]
