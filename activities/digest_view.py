"""The weekly digest as its email shows it: every time on the program office's clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from mentoring.messages import DeliveryRequest
from mentoring.reporting.digest import UpcomingMilestone, WeeklyDigest
from mentoring.reporting.headline import headline_lines


@dataclass(frozen=True)
class Upcoming:
    milestone: UpcomingMilestone
    at: datetime  # on the office's clock


@dataclass(frozen=True)
class DigestView:
    digest: WeeklyDigest
    zone: str
    starts: datetime
    ends: datetime
    next_ends: datetime
    upcoming: list[Upcoming]
    # The report's headline, in the report's words (``mentoring.reporting.headline``).
    headline: list[str]


def digest_view(request: DeliveryRequest) -> DigestView | None:
    digest: WeeklyDigest | None = getattr(request, "digest", None)
    if digest is None:
        return None
    zone = request.recipient.timezone or digest.week.timezone
    own = ZoneInfo(zone)
    week = digest.week
    return DigestView(
        digest=digest,
        zone=zone,
        starts=week.starts_at.astimezone(own),
        ends=week.ends_at.astimezone(own),
        next_ends=week.next_ends_at.astimezone(own),
        upcoming=[Upcoming(m, m.at.astimezone(own)) for m in digest.upcoming],
        headline=headline_lines(digest.headline, request.program.language),
    )
