"""``mentoring.reporting.figures``: a cohort's figures add up, and a figure from fewer
than 3 answers is withheld wherever it is made."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mentoring.answers import KeepMeeting, PairHealth, ReviewStage
from mentoring.cohort import Role
from mentoring.reporting.facts import Asked, Outcome, PairFacts, ReviewFact, SessionFact, SessionKind
from mentoring.reporting.figures import (
    MIN_ANSWERS,
    Distribution,
    KeepMeetingTally,
    Nps,
    Rate,
    distribution,
    figures,
    keep_meeting,
    nps,
    rate,
)
from mentoring.state import CancelledBy, ProgramPhase

T0 = datetime(2027, 3, 2, 15, tzinfo=UTC)


def closing(role: Role, recommend: int, keep: KeepMeeting = KeepMeeting.YES, career: int = 4) -> ReviewFact:
    return ReviewFact(stage=ReviewStage.CLOSING, role=role, career=career, recommend=recommend, keep_meeting=keep)


def pair(pair_id: str, reviews: list[ReviewFact]) -> PairFacts:
    return PairFacts(pair_id=pair_id, phase=ProgramPhase.COMPLETED, outcome=Outcome.COMPLETED, reviews=reviews)


# ------------------------------------------------------------------ the small-group rule


@pytest.mark.parametrize("answers", [2, 3, 4])
def test_the_small_group_rule_at_2_3_and_4_answers(answers):
    shown = answers >= 3
    assert MIN_ANSWERS == 3
    scores = [10, 9, 3, 7][:answers]
    assert nps(scores).shown is shown
    assert nps(scores).score == ({3: 33, 4: 25}.get(answers) if shown else None)
    assert distribution([5, 4, 4, 1][:answers]).counts == (
        {1: 0, 2: 0, 3: 0, 4: 2, 5: 1} if answers == 3 else {1: 1, 2: 0, 3: 0, 4: 2, 5: 1} if shown else None
    )
    assert keep_meeting([KeepMeeting.YES] * answers).counts == (
        {KeepMeeting.YES: answers, KeepMeeting.MAYBE: 0, KeepMeeting.NO: 0} if shown else None
    )
    assert rate(answers, 1).answered == (1 if shown else None)
    # In a cohort: mentors' closing reviews from ``answers`` pairs, one mentee's review.
    cohort = figures([pair(f"p{i}", [closing(Role.MENTOR, s)]) for i, s in enumerate(scores)] + [
        pair("solo", [closing(Role.MENTEE, 10, KeepMeeting.NO, career=1)])
    ])  # fmt: skip
    mentor_career = cohort.ratings[ReviewStage.CLOSING][Role.MENTOR]["career"]
    assert (cohort.nps[Role.MENTOR].shown, mentor_career.shown) == (shown, shown)
    assert mentor_career.counts == ({1: 0, 2: 0, 3: 0, 4: answers, 5: 0} if shown else None)
    # One mentee: nothing of theirs is shown, and nothing is in the JSON either.
    mentee = cohort.nps[Role.MENTEE]
    assert mentee == Nps(answers=1) and mentee.shown is False
    assert cohort.ratings[ReviewStage.CLOSING][Role.MENTEE]["career"] == Distribution(answers=1)
    assert cohort.headline.nps[Role.MENTEE] == Nps(answers=1)
    # Keep meeting counts both roles: answers + 1 of them.
    assert cohort.keep_meeting.shown is True
    assert cohort.keep_meeting.counts == {KeepMeeting.YES: answers, KeepMeeting.MAYBE: 0, KeepMeeting.NO: 1}


@pytest.mark.parametrize("model", [Nps, Distribution, KeepMeetingTally, Rate])
def test_no_figure_can_be_made_with_its_values_from_too_few_answers(model):
    values = {
        Nps: {"promoters": 1, "passives": 0, "detractors": 1, "score": 0},
        Distribution: {"counts": {5: 2}, "mean": 5.0},
        KeepMeetingTally: {"counts": {KeepMeeting.NO: 2}},
        Rate: {"answered": 1, "share": 0.5},
    }[model]
    withheld = model(answers=2, **values)
    assert withheld.shown is False
    assert all(getattr(withheld, name) is None for name in values)
    assert model.model_validate_json(withheld.model_dump_json()) == withheld
    assert all(getattr(model(answers=3, **values), name) == value for name, value in values.items())


# ------------------------------------------------------------------ figures add up

# Held, missed and awaiting sessions are past by definition; a declined one may be either.
PAST = {SessionKind.HELD: True, SessionKind.MISSED: True, SessionKind.AWAITING: True, SessionKind.UPCOMING: False,
        SessionKind.CANCELLED: False}  # fmt: skip
SESSION = st.builds(
    lambda kind, past, by, day: SessionFact(
        starts_at=T0 + timedelta(days=day), ends_at=T0 + timedelta(days=day, hours=1), kind=kind,
        past=PAST.get(kind, past), cancelled_by=by if kind == SessionKind.CANCELLED else None,
    ),
    st.sampled_from(SessionKind), st.booleans(), st.sampled_from(CancelledBy), st.integers(0, 180),
)  # fmt: skip
RATING = st.none() | st.integers(1, 5)
REVIEW = st.builds(
    ReviewFact, stage=st.sampled_from(ReviewStage), role=st.sampled_from([Role.MENTOR, Role.MENTEE]),
    career=RATING, psychosocial=RATING, emotional=RATING, focus_progress=RATING,
    recommend=st.none() | st.integers(0, 10), keep_meeting=st.none() | st.sampled_from(KeepMeeting),
)  # fmt: skip


@st.composite
def asked(draw: st.DrawFn) -> Asked:
    n = draw(st.integers(0, 6))
    return Asked(asked=n, answered=draw(st.integers(0, n)))


@st.composite
def pair_facts(draw: st.DrawFn, index: int) -> PairFacts:
    facts = PairFacts(
        pair_id=f"p{index}", phase=ProgramPhase.SESSIONS, outcome=draw(st.sampled_from(Outcome)),
        health=draw(st.none() | st.sampled_from(PairHealth)), sessions=draw(st.lists(SESSION, max_size=10)),
        check_ins=draw(asked()), reflections=draw(asked()),
        reviews_asked={stage: draw(asked()) for stage in ReviewStage}, reviews=draw(st.lists(REVIEW, max_size=4)),
    )  # fmt: skip
    if draw(st.integers(0, 4)) == 0:  # now and then a pair known by its counts alone
        planned = draw(st.integers(0, 12))
        held = draw(st.integers(0, planned))
        facts = PairFacts(
            pair_id=f"p{index}", phase=ProgramPhase.COMPLETED, outcome=Outcome.COMPLETED, complete=False,
            counted_planned=planned, counted_held=held, counted_not_held=draw(st.integers(0, planned - held)),
        )  # fmt: skip
    return facts


COHORTS = st.integers(0, 8).flatmap(lambda n: st.tuples(*(pair_facts(i) for i in range(n))))


@settings(max_examples=60)
@given(COHORTS)
def test_the_figures_add_up(cohort):
    facts = list(cohort)
    f = figures(facts)
    p, s = f.pairs, f.sessions
    assert p.started == len(facts) == p.running + p.completed + p.ended_early + p.withdrawn
    assert s.planned == s.held + s.missed + s.awaiting + s.declined + s.upcoming
    assert s.planned == sum(x.sessions_planned for x in facts)
    assert s.held == sum(x.sessions_held for x in facts) == f.headline.sessions_held
    assert s.cancelled == sum(s.cancelled_by.values())
    assert f.health.healthy + f.health.quiet + f.health.at_risk + f.health.unknown == len(facts)
    assert f.held_rate.held <= f.held_rate.due
    assert f.held_rate.pairs_meeting_benchmark <= f.held_rate.pairs_measured <= len(facts)
    if f.held_rate.rate is not None:
        assert f.held_rate.meets_benchmark == (f.held_rate.rate >= 0.8)
    for role, score in f.nps.items():
        closing_scores = [r.recommend for x in facts for r in x.reviews if r.stage == "closing" and r.role == role]
        answers = [v for v in closing_scores if v is not None]
        assert score.answers == len(answers)
        if score.shown:
            assert score.promoters + score.passives + score.detractors == score.answers
            assert -100 <= score.score <= 100
        else:
            assert score.score is None and len(answers) < 3
    for by_role in f.ratings.values():
        for items in by_role.values():
            for dist in items.values():
                assert (dist.counts is None) == (dist.answers < 3)
                assert dist.counts is None or sum(dist.counts.values()) == dist.answers
    for r in [f.responses.check_ins, f.responses.reflections, *f.responses.reviews.values()]:
        assert r.answered is None or r.answered <= r.answers
    assert f.pairs_counted_only == sum(1 for x in facts if not x.complete)
