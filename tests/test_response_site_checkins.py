"""Check-ins on the response site, answered from the links of the real reflection
emails: "we met" holds the session, "we didn't meet" marks it missed and turns the
pair's health, and "we need a new date" moves the session for both participants."""

from __future__ import annotations

import asyncio
import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from mentoring.answers import CheckInChoice, PairHealth
from mentoring.cohort import Role
from mentoring.state import SessionStatus
from tests.site_harness import site_program

MENTOR, MENTEE, OFFICE = "mentor-p1@example.com", "mentee-p1@example.com", "office@example.com"
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
async def site():
    async with site_program() as harness:
        yield harness


def shown(starts: datetime, ends: datetime) -> str:
    """A session as an English page shows it, on a Berlin clock."""
    start, end = starts.astimezone(BERLIN), ends.astimezone(BERLIN)
    return f"{start:%A}, {start.day} {start:%B %Y}, {start:%H:%M}–{end:%H:%M} (Europe/Berlin)"


def choices(state) -> list[tuple[Role, CheckInChoice]]:
    return [(r.answer.role, r.answer.choice) for r in state.answers]


async def test_we_met_holds_the_session_once_and_a_disagreement_is_noted(site):
    await site.start_pair()
    state = await site.after_session(0)
    first = state.sessions[0]
    links = site.links(MENTOR, "reflection")

    page = await site.get(links["met"])
    assert page.status == 200
    assert "Hello Lena," in page.said
    assert f"Session 1 of {len(state.sessions)} with Klaus: {shown(first.starts_at, first.ends_at)}" in page.said
    # The email's link says which answer was clicked: the page opens with it chosen.
    assert 'value="met" checked' in page.text and page.text.count(" checked") == 1
    assert (await site.state()).answers == []

    # A double click: two posts of one form, at once. The pair records one answer.
    csrf = page.csrf
    first_post, second_post = await asyncio.gather(
        site.post(links["met"], {"choice": "met"}, csrf=csrf), site.post(links["met"], {"choice": "met"}, csrf=csrf)
    )
    assert {first_post.status, second_post.status} <= {200, 409}
    assert "Thank you, Lena We have noted that you met." in (first_post.said + " " + second_post.said)
    state = await site.state()
    assert choices(state) == [(Role.MENTOR, CheckInChoice.MET)]
    assert state.sessions[0].status == SessionStatus.HELD

    # And again later: the page says so, and nothing changes.
    again = await site.post(links["met"], {"choice": "met"}, csrf=csrf)
    assert again.status == 409
    assert "Already answered This was answered already, and the first answer counts." in again.said
    assert (await site.get(links["not_met"])).said.startswith("Reverse mentoring Already answered")
    assert len((await site.state()).answers) == 1

    # The partner did not meet, they say: held it stays, and the two disagree.
    done = await site.post(site.links(MENTEE, "reflection")["not_met"], {"choice": "not_met"})
    assert "Thank you, Klaus We have noted that the session did not take place." in done.said
    state = await site.state()
    assert choices(state) == [(Role.MENTOR, CheckInChoice.MET), (Role.MENTEE, CheckInChoice.NOT_MET)]
    assert state.sessions[0].status == SessionStatus.HELD
    assert state.sessions[0].check_ins_disagree
    assert state.health == PairHealth.HEALTHY


async def test_not_met_from_both_misses_the_session_the_pair_goes_quiet_then_at_risk(site):
    await site.start_pair()
    await site.after_session(0)
    for email in (MENTOR, MENTEE):
        done = await site.post(site.links(email, "reflection")["not_met"], {"choice": "not_met"})
        assert done.status == 200
    await site.settle()
    state = await site.state()
    assert choices(state) == [(Role.MENTOR, CheckInChoice.NOT_MET), (Role.MENTEE, CheckInChoice.NOT_MET)]
    assert state.sessions[0].status == SessionStatus.MISSED
    assert not state.sessions[0].check_ins_disagree
    assert state.health == PairHealth.QUIET
    # One nudge to each of the two, nothing to the office yet.
    assert site.kinds(MENTOR).count("pair_nudge") == site.kinds(MENTEE).count("pair_nudge") == 1
    assert site.kinds(OFFICE) == []

    await site.after_session(1)
    done = await site.post(site.links(MENTEE, "reflection")["not_met"], {"choice": "not_met"})
    assert done.status == 200
    await site.settle()
    state = await site.state()
    # The mentor may still say they met: one "we didn't meet" waits for the check-in to close.
    assert state.sessions[1].status == SessionStatus.MISSED and state.health == PairHealth.QUIET
    assert site.kinds(OFFICE) == []
    done = await site.post(site.links(MENTOR, "reflection")["not_met"], {"choice": "not_met"})
    assert done.status == 200
    await site.settle()
    state = await site.state()
    assert state.health == PairHealth.AT_RISK
    assert site.kinds(OFFICE) == ["at_risk_alert"]


def working_days_after(today: date, taken: set[date], count: int) -> list[date]:
    days, day = [], today
    while len(days) < count:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in taken:
            days.append(day)
    return days


async def test_a_new_date_moves_the_session_for_both_and_tells_the_partner(site):
    await site.start_pair()  # weekly: every week of its weekday holds a session
    state = await site.after_session(0)
    first = state.sessions[0]
    links = site.links(MENTOR, "reflection")
    page = await site.get(links["new_date"])
    offered = re.findall(r'name="slot" value="([^"]+)"', page.text)
    today = (await site.now()).astimezone(BERLIN).date()
    taken = {s.local_start.date() for s in state.sessions}
    assert offered == [f"{day}T16:00" for day in working_days_after(today, taken, 4)]
    assert "The next free dates on your rhythm, on your clock (Europe/Berlin). Klaus gets the updated" in page.said

    chosen = datetime.combine(date.fromisoformat(offered[1][:10]), time(16, 0))
    starts = chosen.replace(tzinfo=BERLIN)
    done = await site.post(links["new_date"], {"choice": "new_date", "slot": offered[1]})
    assert done.status == 200
    assert (
        f"Thank you, Lena Your session moves to {shown(starts, starts + timedelta(hours=1))}. "
        "You and Klaus will receive updated calendar invitations."
    ) in done.said
    await site.settle()

    moved = (await site.state()).sessions[0]
    assert (moved.local_start, moved.sequence, moved.status) == (chosen, 1, SessionStatus.INVITED)
    for email in (MENTOR, MENTEE):
        assert site.calendar(email)[first.uid] == (starts, 1)
    # The partner hears who asked for it; the one who asked does not.
    assert site.kinds(MENTEE).count("new_date_chosen") == 1
    assert "new_date_chosen" not in site.kinds(MENTOR)
    # The moved session takes a check-in of its own once it is over: not before.
    assert "This session is on" in (await site.get(links["met"])).said
