"""The weekly digest's content, decided from the report's pair facts. Pure.

The digest reads the same facts as the report (``facts.py``) and shows the report's
headline (``figures.py``), so a figure is computed once and the small-group rule holds
here too. It adds only what a week needs: which sessions of the past week were held or
not, which running pairs are quiet or at risk with the ``ops.py`` commands that help,
and what the coming week holds. Pair ids, counts and dates: no names, no addresses,
no text anyone wrote.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel

from mentoring.answers import PairHealth
from mentoring.digest import DigestWeek
from mentoring.messages import DeliveryRequest
from mentoring.reporting.facts import Outcome, PairFacts, SessionFact, SessionKind
from mentoring.reporting.figures import Headline

# The command every hint starts with, as the office runs it from the checkout.
OPS = ".venv/bin/python ops.py"
_NEEDS_A_LOOK = (PairHealth.AT_RISK, PairHealth.QUIET)


class DigestPair(BaseModel):
    """One pair as the digest needs it: its facts, cut to the two weeks it looks at."""

    pair_id: str
    outcome: Outcome
    health: PairHealth | None = None
    # The sessions that start in the past week or the next one.
    sessions: list[SessionFact] = []
    midpoint_at: AwareDatetime | None = None
    midpoint_done: bool = False
    closing_at: AwareDatetime | None = None
    closing_done: bool = False


class DigestFacts(BaseModel):
    """What the gathering activity hands the workflow: small, whatever the cohort's size."""

    week: DigestWeek
    headline: Headline
    pairs: list[DigestPair]
    # The cohort's workflow has closed: every pair has finished, and this digest is the last.
    cohort_finished: bool = False
    # Pairs whose facts could not be read (terminated by hand, or no longer retained).
    missing_pairs: list[str] = []


def digest_pair(facts: PairFacts, week: DigestWeek) -> DigestPair:
    return DigestPair(
        pair_id=facts.pair_id,
        outcome=facts.outcome,
        health=facts.health,
        sessions=[s for s in facts.sessions if week.starts_at <= s.starts_at < week.next_ends_at],
        midpoint_at=facts.midpoint_at,
        midpoint_done=facts.midpoint_done,
        closing_at=facts.closing_at,
        closing_done=facts.closing_done,
    )


class WeekSessions(BaseModel):
    """The past week's sessions by what became of them (``SessionKind``)."""

    held: int = 0
    missed: int = 0
    declined: int = 0
    # Nobody has said yet whether they met: the check-in is open, or not yet asked.
    open: int = 0
    cancelled: int = 0

    @property
    def total(self) -> int:
        return self.held + self.missed + self.declined + self.open + self.cancelled


class Help(StrEnum):
    """What a command does for a pair; the templates say it in the office's language."""

    SHOW = "show"
    RESCHEDULE = "reschedule"
    CHANGE_RHYTHM = "change_rhythm"
    PAUSE = "pause"
    END = "end"


class OpsHint(BaseModel):
    help: Help
    command: str


class PairToWatch(BaseModel):
    """A running pair that is quiet or at risk as the week ends."""

    pair_id: str
    health: PairHealth
    # Its sessions of the past week that did not take place (missed or declined).
    not_held: int = 0
    hints: list[OpsHint] = []


class Milestone(StrEnum):
    MIDPOINT = "midpoint"
    CLOSING = "closing"


class UpcomingMilestone(BaseModel):
    pair_id: str
    milestone: Milestone
    at: AwareDatetime


class WeeklyDigest(BaseModel):
    cohort_id: str
    week: DigestWeek
    last_week: WeekSessions
    watch: list[PairToWatch]
    sessions_next_week: int
    upcoming: list[UpcomingMilestone]
    headline: Headline
    missing_pairs: list[str] = []


class DigestDelivery(DeliveryRequest):
    """The digest's email: a delivery request like any other, with the digest it shows."""

    digest: WeeklyDigest


class DigestDecision(BaseModel):
    digest: WeeklyDigest | None = None
    # Why no email goes out.
    skipped: str | None = None


def hints(cohort_id: str, pair_id: str, health: PairHealth) -> list[OpsHint]:
    """Commands that exist (``ops.py --help``) and fit: a quiet pair may need another
    time or rhythm; a pair at risk may need a break, or an end."""
    pair = f"{cohort_id} {pair_id}"
    found = [
        OpsHint(help=Help.SHOW, command=f"{OPS} show {pair}"),
        OpsHint(help=Help.RESCHEDULE, command=f'{OPS} reschedule {pair} SESSION --to "YYYY-MM-DD HH:MM"'),
    ]
    if health == PairHealth.QUIET:
        return [
            *found,
            OpsHint(help=Help.CHANGE_RHYTHM, command=f"{OPS} change-rhythm {pair} --weekday D --time HH:MM"),
        ]
    return [
        *found,
        OpsHint(help=Help.PAUSE, command=f"{OPS} pause {pair} --reason TEXT --until YYYY-MM-DD"),
        OpsHint(help=Help.END, command=f"{OPS} end {pair} --reason TEXT"),
    ]


def _in(moment: datetime | None, start: datetime, end: datetime) -> bool:
    return moment is not None and start <= moment < end


def _past_week(pairs: list[DigestPair], week: DigestWeek) -> WeekSessions:
    kinds = Counter(s.kind for p in pairs for s in p.sessions if _in(s.starts_at, week.starts_at, week.ends_at))
    return WeekSessions(
        held=kinds[SessionKind.HELD],
        missed=kinds[SessionKind.MISSED],
        declined=kinds[SessionKind.DECLINED],
        # Nobody has said yet: the check-in is open, or its prompt not yet out.
        open=kinds[SessionKind.AWAITING] + kinds[SessionKind.UPCOMING],
        cancelled=kinds[SessionKind.CANCELLED],
    )


def _watch(cohort_id: str, pairs: list[DigestPair], week: DigestWeek) -> list[PairToWatch]:
    watched = []
    for pair in pairs:
        if pair.outcome != Outcome.RUNNING or pair.health not in _NEEDS_A_LOOK:
            continue
        assert pair.health is not None
        not_held = sum(
            1
            for s in pair.sessions
            if _in(s.starts_at, week.starts_at, week.ends_at) and s.kind in (SessionKind.MISSED, SessionKind.DECLINED)
        )
        watched.append(
            PairToWatch(
                pair_id=pair.pair_id,
                health=pair.health,
                not_held=not_held,
                hints=hints(cohort_id, pair.pair_id, pair.health),
            )
        )
    # At risk first; otherwise in the cohort's order.
    return sorted(watched, key=lambda p: p.health != PairHealth.AT_RISK)


def _upcoming(pairs: list[DigestPair], week: DigestWeek) -> list[UpcomingMilestone]:
    found = []
    for pair in pairs:
        if pair.outcome != Outcome.RUNNING:
            continue
        for milestone, at, done in (
            (Milestone.MIDPOINT, pair.midpoint_at, pair.midpoint_done),
            (Milestone.CLOSING, pair.closing_at, pair.closing_done),
        ):
            if not done and at is not None and _in(at, week.ends_at, week.next_ends_at):
                found.append(UpcomingMilestone(pair_id=pair.pair_id, milestone=milestone, at=at))
    return sorted(found, key=lambda m: (m.at, m.pair_id))


def compose(cohort_id: str, facts: DigestFacts) -> DigestDecision:
    """The digest, or why none goes out: nothing happened in the past week (no session
    held, missed, declined, open or cancelled) and nothing is coming in the next (no
    session, midpoint or closing)."""
    week = facts.week
    past = _past_week(facts.pairs, week)
    next_week = sum(
        1
        for pair in facts.pairs
        for s in pair.sessions
        if _in(s.starts_at, week.ends_at, week.next_ends_at) and s.kind != SessionKind.CANCELLED
    )
    upcoming = _upcoming(facts.pairs, week)
    if past.total == 0 and next_week == 0 and not upcoming:
        return DigestDecision(
            skipped=f"nothing happened in the week to {week.ends_on.isoformat()} and nothing is planned for the next"
        )
    digest = WeeklyDigest(
        cohort_id=cohort_id,
        week=week,
        last_week=past,
        watch=_watch(cohort_id, facts.pairs, week),
        sessions_next_week=next_week,
        upcoming=upcoming,
        headline=facts.headline,
        missing_pairs=facts.missing_pairs,
    )
    return DigestDecision(digest=digest)
