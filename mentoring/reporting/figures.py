"""A cohort's figures, from its pairs' facts alone. Pure.

The small-group rule lives here, once: a figure built from fewer than
``MIN_ANSWERS`` answers keeps only how many answers there were, and every value of it
is None ("fewer than 3 answers"). ``Guarded`` enforces it as the figure is made, so
no caller can build, store or print such a value.
"""

from __future__ import annotations

from collections import Counter
from typing import ClassVar, Self

from pydantic import BaseModel, model_validator

from mentoring.answers import KeepMeeting, PairHealth, ReviewStage
from mentoring.cohort import Role
from mentoring.reporting.facts import PARTICIPANTS, OfficeComment, Outcome, PairFacts, ReviewFact, SessionKind
from mentoring.state import CancelledBy

MIN_ANSWERS = 3
BENCHMARK = 0.8
RATED = ("career", "psychosocial", "emotional", "focus_progress")
RATING_VALUES = range(1, 6)
# Net Promoter Score: 9–10 promote, 7–8 are passive, 0–6 detract.
PROMOTER, DETRACTOR = 9, 6


def too_few(answers: int) -> bool:
    """The small-group rule: fewer than 3 answers show no figure."""
    return answers < MIN_ANSWERS


class Guarded(BaseModel):
    """A figure from answers: with too few, its values are withheld (None)."""

    answers: int
    _withheld: ClassVar[tuple[str, ...]] = ()

    @model_validator(mode="after")
    def _small_groups_stay_anonymous(self) -> Self:
        if too_few(self.answers):
            for name in self._withheld:
                setattr(self, name, None)
        return self

    @property
    def shown(self) -> bool:
        return not too_few(self.answers)


class Rate(Guarded):
    """How many of those asked answered. ``answers`` counts those asked: whether one
    person answered stays private too."""

    answered: int | None = None
    share: float | None = None
    _withheld = ("answered", "share")


class Distribution(Guarded):
    """How often each rating 1 to 5 was given."""

    counts: dict[int, int] | None = None
    mean: float | None = None
    _withheld = ("counts", "mean")


class Nps(Guarded):
    promoters: int | None = None
    passives: int | None = None
    detractors: int | None = None
    # % promoters − % detractors, −100 to 100.
    score: int | None = None
    _withheld = ("promoters", "passives", "detractors", "score")


class KeepMeetingTally(Guarded):
    counts: dict[KeepMeeting, int] | None = None
    _withheld = ("counts",)


class PairCounts(BaseModel):
    started: int
    running: int
    completed: int
    ended_early: int
    withdrawn: int


class SessionCounts(BaseModel):
    """``planned`` (every session not cancelled) is held + missed + awaiting + declined + upcoming."""

    planned: int
    held: int
    missed: int
    awaiting: int
    declined: int
    upcoming: int
    cancelled: int
    cancelled_by: dict[CancelledBy, int]


class HeldRate(BaseModel):
    """Sessions held of those whose check-in is settled (held, missed or declined
    after their time), against the benchmark; and how many pairs reach it."""

    due: int
    held: int
    rate: float | None
    benchmark: float = BENCHMARK
    meets_benchmark: bool | None
    pairs_measured: int
    pairs_meeting_benchmark: int


class HealthCounts(BaseModel):
    healthy: int
    quiet: int
    at_risk: int
    # Pairs that take no answers (started before v1.1.0).
    unknown: int


class Responses(BaseModel):
    check_ins: Rate
    reflections: Rate
    reviews: dict[ReviewStage, Rate]


class Headline(BaseModel):
    """The few numbers leadership reads first; the weekly digest shows them too."""

    pairs_started: int
    pairs_running: int
    pairs_completed: int
    sessions_planned: int
    sessions_held: int
    held_rate: float | None
    meets_benchmark: bool | None
    pairs_at_risk: int
    pairs_quiet: int
    nps: dict[Role, Nps]


class CohortFigures(BaseModel):
    pairs: PairCounts
    sessions: SessionCounts
    held_rate: HeldRate
    health: HealthCounts
    responses: Responses
    # stage -> role -> rated item (career, psychosocial, emotional, focus_progress)
    ratings: dict[ReviewStage, dict[Role, dict[str, Distribution]]]
    nps: dict[Role, Nps]
    keep_meeting: KeepMeetingTally
    comments: list[OfficeComment]
    # Pairs whose facts are counts only (results from before v1.2).
    pairs_counted_only: int
    headline: Headline


def session_counts(facts: PairFacts) -> Counter[SessionKind]:
    """One pair's sessions by kind; a pair known by counts only has no declined,
    awaiting or cancelled ones to tell."""
    if facts.complete:
        return Counter(s.kind for s in facts.sessions)
    missed = facts.counted_not_held
    upcoming = max(facts.counted_planned - facts.counted_held - missed, 0)
    return Counter({SessionKind.HELD: facts.counted_held, SessionKind.MISSED: missed, SessionKind.UPCOMING: upcoming})


def due_and_held(facts: PairFacts) -> tuple[int, int]:
    if not facts.complete:
        return facts.counted_held + facts.counted_not_held, facts.counted_held
    settled = (SessionKind.HELD, SessionKind.MISSED, SessionKind.DECLINED)
    due = sum(1 for s in facts.sessions if s.past and s.kind in settled)
    return due, facts.count(SessionKind.HELD)


def _pairs(facts: list[PairFacts]) -> PairCounts:
    outcomes = Counter(f.outcome for f in facts)
    return PairCounts(
        started=len(facts),
        running=outcomes[Outcome.RUNNING],
        completed=outcomes[Outcome.COMPLETED],
        ended_early=outcomes[Outcome.ENDED_EARLY],
        withdrawn=outcomes[Outcome.WITHDRAWN],
    )


def _sessions(facts: list[PairFacts]) -> SessionCounts:
    kinds: Counter[SessionKind] = Counter()
    for f in facts:
        kinds += session_counts(f)
    by = Counter(
        s.cancelled_by or CancelledBy.OFFICE for f in facts for s in f.sessions if s.kind == SessionKind.CANCELLED
    )
    counted = [SessionKind.HELD, SessionKind.MISSED, SessionKind.AWAITING, SessionKind.DECLINED, SessionKind.UPCOMING]
    return SessionCounts(
        planned=sum(kinds[k] for k in counted),
        held=kinds[SessionKind.HELD],
        missed=kinds[SessionKind.MISSED],
        awaiting=kinds[SessionKind.AWAITING],
        declined=kinds[SessionKind.DECLINED],
        upcoming=kinds[SessionKind.UPCOMING],
        cancelled=kinds[SessionKind.CANCELLED],
        cancelled_by={reason: by[reason] for reason in CancelledBy},
    )


def _held_rate(facts: list[PairFacts]) -> HeldRate:
    per_pair = [due_and_held(f) for f in facts]
    due, held = sum(d for d, _ in per_pair), sum(h for _, h in per_pair)
    rate = held / due if due else None
    measured = [(d, h) for d, h in per_pair if d]
    return HeldRate(
        due=due,
        held=held,
        rate=rate,
        meets_benchmark=None if rate is None else rate >= BENCHMARK,
        pairs_measured=len(measured),
        pairs_meeting_benchmark=sum(1 for d, h in measured if h / d >= BENCHMARK),
    )


def _health(facts: list[PairFacts]) -> HealthCounts:
    health = Counter(f.health for f in facts)
    return HealthCounts(
        healthy=health[PairHealth.HEALTHY],
        quiet=health[PairHealth.QUIET],
        at_risk=health[PairHealth.AT_RISK],
        unknown=health[None],
    )


def rate(asked: int, answered: int) -> Rate:
    return Rate(answers=asked, answered=answered, share=answered / asked if asked else None)


def _responses(facts: list[PairFacts]) -> Responses:
    def total(pick: str) -> Rate:
        asked = [getattr(f, pick) for f in facts]
        return rate(sum(a.asked for a in asked), sum(a.answered for a in asked))

    reviews = {}
    for stage in ReviewStage:
        asked = [f.reviews_asked[stage] for f in facts if stage in f.reviews_asked]
        reviews[stage] = rate(sum(a.asked for a in asked), sum(a.answered for a in asked))
    return Responses(check_ins=total("check_ins"), reflections=total("reflections"), reviews=reviews)


def distribution(values: list[int]) -> Distribution:
    counts = Counter(values)
    return Distribution(
        answers=len(values),
        counts={v: counts[v] for v in RATING_VALUES},
        mean=sum(values) / len(values) if values else None,
    )


def nps(scores: list[int]) -> Nps:
    promoters = sum(1 for s in scores if s >= PROMOTER)
    detractors = sum(1 for s in scores if s <= DETRACTOR)
    score = round(100 * (promoters - detractors) / len(scores)) if scores else None
    return Nps(
        answers=len(scores),
        promoters=promoters,
        passives=len(scores) - promoters - detractors,
        detractors=detractors,
        score=score,
    )


def keep_meeting(answers: list[KeepMeeting]) -> KeepMeetingTally:
    counts = Counter(answers)
    return KeepMeetingTally(answers=len(answers), counts={k: counts[k] for k in KeepMeeting})


def _values(reviews: list[ReviewFact], item: str) -> list[int]:
    return [v for r in reviews if (v := getattr(r, item)) is not None]


def _ratings(reviews: list[ReviewFact]) -> dict[ReviewStage, dict[Role, dict[str, Distribution]]]:
    return {
        stage: {
            role: {
                item: distribution(_values([r for r in reviews if (r.stage, r.role) == (stage, role)], item))
                for item in RATED
            }
            for role in PARTICIPANTS
        }
        for stage in ReviewStage
    }


def figures(facts: list[PairFacts]) -> CohortFigures:
    reviews = [r for f in facts for r in f.reviews]
    closing = [r for r in reviews if r.stage == ReviewStage.CLOSING]
    scores = {
        role: nps([r.recommend for r in closing if r.role == role and r.recommend is not None]) for role in PARTICIPANTS
    }
    pairs, sessions, held, health = _pairs(facts), _sessions(facts), _held_rate(facts), _health(facts)
    return CohortFigures(
        pairs=pairs,
        sessions=sessions,
        held_rate=held,
        health=health,
        responses=_responses(facts),
        ratings=_ratings(reviews),
        nps=scores,
        keep_meeting=keep_meeting([r.keep_meeting for r in closing if r.keep_meeting is not None]),
        # Without the pair, in a fixed order: a comment is not traced back to its pair here.
        comments=sorted((c for f in facts for c in f.comments), key=lambda c: (c.stage, c.role, c.text)),
        pairs_counted_only=sum(1 for f in facts if not f.complete),
        headline=Headline(
            pairs_started=pairs.started,
            pairs_running=pairs.running,
            pairs_completed=pairs.completed,
            sessions_planned=sessions.planned,
            sessions_held=sessions.held,
            held_rate=held.rate,
            meets_benchmark=held.meets_benchmark,
            pairs_at_risk=health.at_risk,
            pairs_quiet=health.quiet,
            nps=scores,
        ),
    )
