"""report.json and pairs.csv: the same figures for HR's own tools.

A pair's row has its sessions, pauses and events, never its answers: one pair's
ratings are one or two answers, which the small-group rule keeps out.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from pydantic import BaseModel

from mentoring.reporting.facts import PairFacts, SessionKind
from mentoring.reporting.figures import CohortFigures, session_counts
from mentoring_service.reporting.gather import Gathered

PAIR_COLUMNS = (
    "pair", "source", "complete", "outcome", "phase", "health", "planned",
    *(kind.value for kind in SessionKind), "pauses", "replacements", "midpoint", "closing", "ended",
)  # fmt: skip


class PairRow(BaseModel):
    pair: str
    source: str
    complete: bool
    outcome: str
    phase: str
    health: str
    planned: int
    held: int
    missed: int
    awaiting: int
    declined: int
    upcoming: int
    cancelled: int
    pauses: int
    replacements: int
    # Dates (UTC) the reviews went out and the pair ended, or empty.
    midpoint: str
    closing: str
    ended: str


def pair_row(facts: PairFacts, source: str) -> PairRow:
    kinds = session_counts(facts)
    return PairRow(
        pair=facts.pair_id,
        source=source,
        complete=facts.complete,
        outcome=facts.outcome.value,
        phase=facts.phase.value,
        health=facts.health.value if facts.health else "",
        planned=facts.sessions_planned,
        **{kind.value: kinds[kind] for kind in SessionKind},
        pauses=len(facts.pauses),
        replacements=len(facts.replaced_at),
        midpoint=f"{facts.midpoint_at:%Y-%m-%d}" if facts.midpoint_at and facts.midpoint_done else "",
        closing=f"{facts.closing_at:%Y-%m-%d}" if facts.closing_at and facts.closing_done else "",
        ended=f"{facts.ended_at:%Y-%m-%d}" if facts.ended_at else "",
    )


def pair_rows(gathered: Gathered) -> list[PairRow]:
    return [pair_row(f, gathered.sources[f.pair_id].value) for f in gathered.pairs]


def report_json(gathered: Gathered, figures: CohortFigures, headline: list[str]) -> str:
    document: dict[str, Any] = {
        "cohort": {"id": gathered.cohort_id, "name": gathered.cohort_name},
        "source": {
            "cohort_running": gathered.cohort_running,
            "as_of": gathered.as_of.isoformat(),
            "clock": gathered.clock.value,
            "pairs": {pair_id: source.value for pair_id, source in gathered.sources.items()},
            "missing": [m.model_dump() for m in gathered.missing],
        },
        "headline": headline,
        "figures": figures.model_dump(mode="json"),
        "pairs": [row.model_dump() for row in pair_rows(gathered)],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def pairs_csv(gathered: Gathered) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=PAIR_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in pair_rows(gathered):
        writer.writerow(row.model_dump())
    return buffer.getvalue()
