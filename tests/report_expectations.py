"""The report's numbers as the program office would count them from the pairs' states
(``ops.py show``), written apart from the report's own code."""

from __future__ import annotations

from collections import Counter

from mentoring.answers import ReviewAnswer, ReviewStage
from mentoring.cohort import Role
from mentoring.state import PairState, SessionState


def declined(session: SessionState) -> bool:
    latest = {a.role: a.partstat for a in session.calendar if a.sequence >= session.sequence}
    return "declined" in latest.values()


def nps(scores: list[int]) -> int | None:
    if len(scores) < 3:
        return None
    return round(100 * (sum(s >= 9 for s in scores) - sum(s <= 6 for s in scores)) / len(scores))


def expected(states: dict[str, PairState]) -> dict:
    """The numbers as the program office would count them in ``ops.py show``."""
    sessions = [s for state in states.values() for s in state.sessions]
    live = [s for s in sessions if s.status != "cancelled"]
    ended = [st.ended for st in states.values() if st.ended]
    closing = [
        r.answer
        for st in states.values()
        for r in st.answers
        if isinstance(r.answer, ReviewAnswer) and r.answer.stage == ReviewStage.CLOSING
    ]
    keep = Counter(a.keep_meeting.value for a in closing if a.keep_meeting)
    return {
        "pairs": {
            "started": len(states),
            "running": sum(1 for st in states.values() if not st.ended and not st.closing_done),
            "completed": sum(1 for st in states.values() if not st.ended and st.closing_done),
            "ended_early": sum(1 for e in ended if e.closing_review),
            "withdrawn": sum(1 for e in ended if not e.closing_review),
        },
        "sessions": {
            "planned": len(live),
            "held": sum(1 for s in live if s.status == "held"),
            "cancelled": len(sessions) - len(live),
            "declined": sum(1 for s in live if s.status != "held" and declined(s)),
        },
        "health": dict(Counter(st.health.value for st in states.values())),
        "nps": {
            role.value: nps([a.recommend for a in closing if a.role == role and a.recommend is not None])
            for role in (Role.MENTOR, Role.MENTEE)
        },  # fmt: skip
        "keep_meeting": dict(keep) if sum(keep.values()) >= 3 else None,
        "comments": sorted(a.comment_to_office for a in closing if a.comment_to_office),
    }
