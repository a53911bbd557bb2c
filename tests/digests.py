"""A weekly digest with something in every part, for the tests of its email."""

from __future__ import annotations

from datetime import UTC, date, datetime

from mentoring.answers import PairHealth
from mentoring.cohort import Program, Role
from mentoring.digest import DigestWeek
from mentoring.messages import MessageKind, Recipient
from mentoring.reporting.digest import (
    DigestDelivery,
    Milestone,
    PairToWatch,
    UpcomingMilestone,
    WeeklyDigest,
    WeekSessions,
    hints,
)
from mentoring.reporting.figures import Headline, nps

# The week across the EU's clock change: 22 March 08:00 CET to 29 March 08:00 CEST.
WEEK = DigestWeek(
    timezone="Europe/Berlin",
    starts_at=datetime(2027, 3, 22, 7, tzinfo=UTC),
    ends_at=datetime(2027, 3, 29, 6, tzinfo=UTC),
    next_ends_at=datetime(2027, 4, 5, 6, tzinfo=UTC),
    ends_on=date(2027, 3, 29),
)


def sample_digest(cohort_id: str = "dw-2027") -> WeeklyDigest:
    headline = Headline(
        pairs_started=4, pairs_running=3, pairs_completed=1, sessions_planned=52, sessions_held=12,
        held_rate=12 / 14, meets_benchmark=True, pairs_at_risk=1, pairs_quiet=1,
        # Two mentors answered (too few to show), four mentees.
        nps={Role.MENTOR: nps([9, 10]), Role.MENTEE: nps([9, 10, 3, 8])},
    )  # fmt: skip
    return WeeklyDigest(
        cohort_id=cohort_id,
        week=WEEK,
        last_week=WeekSessions(held=3, missed=1, declined=1, open=2, cancelled=1),
        watch=[
            PairToWatch(
                pair_id="p2", health=PairHealth.AT_RISK, not_held=2, hints=hints(cohort_id, "p2", PairHealth.AT_RISK)
            ),
            PairToWatch(pair_id="p3", health=PairHealth.QUIET, hints=hints(cohort_id, "p3", PairHealth.QUIET)),
        ],
        sessions_next_week=4,
        upcoming=[
            UpcomingMilestone(pair_id="p1", milestone=Milestone.MIDPOINT, at=datetime(2027, 3, 31, 7, tzinfo=UTC))
        ],
        headline=headline,
    )


def digest_delivery(program: Program, recipient: Recipient, digest: WeeklyDigest | None = None) -> DigestDelivery:
    return DigestDelivery(
        key=f"digest:{program.cohort_id}/week-2027-03-29/0/program_office",
        kind=MessageKind.WEEKLY_DIGEST,
        recipient=recipient,
        program=program,
        digest=digest or sample_digest(program.cohort_id),
        composed_at=datetime(2027, 3, 29, 6, tzinfo=UTC),
    )
