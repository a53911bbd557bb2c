"""Midpoint and closing reviews on the response site, from the links of the real
review emails: recorded in the pair's state as given, once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from mentoring.answers import KeepMeeting, Ratings, ReviewAnswer, ReviewStage
from mentoring.cohort import Role
from tests.site_harness import SIGNER, site_program

MENTOR, MENTEE = "mentor-p1@example.com", "mentee-p1@example.com"
RECOMMEND_FIELDS = ('name="recommend"', 'name="keep_meeting"')


@pytest.fixture
async def site():
    async with site_program() as harness:
        yield harness


def reviews(state) -> list[ReviewAnswer]:
    return [r.answer for r in state.answers if isinstance(r.answer, ReviewAnswer)]


def answer_id(url: str) -> str:
    return SIGNER.answer_id(url.rsplit("/", 1)[1])


async def test_the_midpoint_and_closing_reviews_are_recorded_as_given_once(site):
    state = await site.start_pair()
    await site.advance(state.midpoint_at + timedelta(minutes=1) - await site.now())
    url = site.links(MENTOR, "midpoint_review")["review"]
    page = await site.get(url)
    assert page.status == 200
    assert page.said.startswith("Reverse mentoring Midpoint review Hello Lena, A few questions about your reverse")
    assert "Progress on your focus, “Social collaboration” (1 = none, 5 = a lot)" in page.said
    assert "A comment to the program office (optional) Only the program office reads this, not Klaus." in page.said
    assert not any(field in page.text for field in RECOMMEND_FIELDS)  # the closing review's
    fields = {"career": "4", "psychosocial": "5", "emotional": "3", "focus_progress": "4"}
    done = await site.post(url, {**fields, "comment": "More hands-on time, please.\r\nThanks!", "recommend": "9"})
    assert done.status == 200
    assert "Thank you, Lena Your review has reached the program office." in done.said
    midpoint = ReviewAnswer(
        answer_id=answer_id(url),
        role=Role.MENTOR,
        stage=ReviewStage.MIDPOINT,
        ratings=Ratings(career=4, psychosocial=5, emotional=3),
        focus_progress=4,
        comment_to_office="More hands-on time, please.\nThanks!",
    )
    assert reviews(await site.state()) == [midpoint]

    state = await site.state()
    await site.advance(state.closing_at + timedelta(minutes=1) - await site.now())
    url = site.links(MENTEE, "closing_review")["review"]
    page = await site.get(url)
    assert page.said.startswith("Reverse mentoring Closing review Hello Klaus,")
    assert all(field in page.text for field in RECOMMEND_FIELDS)
    assert "Would you recommend reverse mentoring to a colleague? (0 = not at all, 10 = definitely)" in page.said
    fields = {"career": "3", "focus_progress": "5", "recommend": "10", "keep_meeting": "maybe"}
    done = await site.post(url, {**fields, "comment": "Grüße – and thank you!"})
    assert done.status == 200
    closing = ReviewAnswer(
        answer_id=answer_id(url),
        role=Role.MENTEE,
        stage=ReviewStage.CLOSING,
        ratings=Ratings(career=3),
        focus_progress=5,
        recommend=10,
        keep_meeting=KeepMeeting.MAYBE,
        comment_to_office="Grüße – and thank you!",
    )
    assert reviews(await site.state()) == [midpoint, closing]

    again = await site.post(url, {"career": "1"}, csrf=page.csrf)
    assert again.status == 409 and "Already answered" in again.said
    assert reviews(await site.state()) == [midpoint, closing]
