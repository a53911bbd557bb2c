"""Pair states built in memory, for the pure workflow modules' unit tests: UTC
throughout (the pure modules never see a zone), sessions weekly from a Tuesday."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from mentoring.plan import PlannedSession, SessionPlan
from mentoring.state import PairState
from tests import factories
from workflows.changes import plan_sessions

START = datetime(2027, 3, 2, 15, 0, tzinfo=UTC)  # a Tuesday, 16:00 in Berlin
WORKFLOW_ID = "pair:unit:p1"


def slot(when: datetime, number: int = 0, minutes: int = 60) -> PlannedSession:
    return PlannedSession(
        number=number,
        starts_at=when,
        ends_at=when + timedelta(minutes=minutes),
        local_start=when.replace(tzinfo=None),
        timezone="UTC",
        location="Teams",
    )


def weekly(count: int, first: datetime = START) -> list[PlannedSession]:
    return [slot(first + timedelta(weeks=i), i + 1) for i in range(count)]


def pair_state(sessions: int = 8, invited: int = 2) -> PairState:
    pair = factories.pair()
    plan = SessionPlan(
        sessions=weekly(sessions),
        midpoint_at=START + timedelta(weeks=sessions // 2),
        closing_at=START + timedelta(weeks=sessions, days=1),
        program_end=(START + timedelta(weeks=sessions)).date(),
    )
    state = PairState(
        mentor=pair.mentor, mentee=pair.mentee, pattern=pair.pattern, started_at=START - timedelta(days=20)
    )
    state.sessions = plan_sessions(WORKFLOW_ID, plan)
    state.midpoint_at, state.closing_at, state.program_end = plan.midpoint_at, plan.closing_at, plan.program_end
    state.six_month_end = date(2027, 9, 2)
    state.welcome_done = True
    for session in state.sessions[:invited]:
        session.invited_sequence = 0
        session.invited_to = [pair.mentor.email.casefold(), pair.mentee.email.casefold()]
    return state
