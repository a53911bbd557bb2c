"""The report's files from a simulated cohort: report.json and pairs.csv hold the
numbers the pairs' states give, report.html shows them in German or English with the
timeline inline, the PDF is printed, the same facts write the same bytes, and no
participant's name, address or the office's reasons appear in any file."""

from __future__ import annotations

import csv
import json
import re
from datetime import timedelta
from pathlib import Path

from pypdf import PdfReader

from mentoring.cohort import Language
from mentoring_service.reporting.gather import gather
from mentoring_service.reporting.output import write_report
from tests.report_expectations import expected
from tests.report_program import (
    COHORT_ID,
    NEWCOMER,
    PAIRS,
    PEOPLE,
    PRIVATE_REASONS,
    SimulatedCohort,
    simulated_cohort,
)
from tests.test_report_gather import quiet_states

FILES = ("report.json", "pairs.csv", "report.html", "report.pdf")


def secrets() -> list[str]:
    """Every name and address, whole and by its parts, and the office's reasons."""
    names = [name for name, _ in PEOPLE.values()] + [NEWCOMER.name]
    addresses = [address for _, address in PEOPLE.values()] + [NEWCOMER.email]
    parts = {p for name in names for p in name.replace("-", " ").split() if len(p) > 3 and not p.endswith(".")}
    parts |= {address.split("@")[0] for address in addresses}
    return [*names, *addresses, *sorted(parts), *PRIVATE_REASONS, "müller.example"]


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def assert_private(folder: Path) -> None:
    for name in FILES:
        data = (folder / name).read_bytes()
        # The PDF's text sits in compressed streams: read it as a reader would.
        text = pdf_text(folder / name) if name.endswith(".pdf") else data.decode("utf-8", errors="replace")
        for secret in secrets():
            assert secret not in text, (name, secret)
            assert secret.encode("utf-16-be") not in data, (name, secret)


def csv_rows(folder: Path) -> dict[str, dict[str, str]]:
    with (folder / "pairs.csv").open(encoding="utf-8", newline="") as f:
        return {row["pair"]: row for row in csv.DictReader(f)}


def assert_numbers(folder: Path, states) -> None:
    want = expected(states)
    document = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    figures = document["figures"]
    assert figures["pairs"] == want["pairs"]
    assert {k: figures["sessions"][k] for k in want["sessions"]} == want["sessions"]
    assert {k: v for k, v in figures["health"].items() if v and k != "unknown"} == want["health"]
    assert {role: figures["nps"][role]["score"] for role in ("mentor", "mentee")} == want["nps"]
    assert sorted(c["text"] for c in figures["comments"]) == want["comments"]
    rows = csv_rows(folder)
    assert list(rows) == list(PAIRS)
    for pair_id, state in states.items():
        live = [s for s in state.sessions if s.status != "cancelled"]
        assert (rows[pair_id]["planned"], rows[pair_id]["held"], rows[pair_id]["cancelled"]) == (
            str(len(live)), str(sum(s.status == "held" for s in live)), str(len(state.sessions) - len(live)),
        )  # fmt: skip
        assert rows[pair_id]["pauses"] == str(len(state.pauses))
        assert rows[pair_id]["health"] == state.health.value
    assert document["pairs"] == [
        {k: (v if k not in ("complete",) else v == "True") for k, v in row.items()}
        | {k: int(row[k]) for k in row if row[k].isdigit()}
        for row in rows.values()
    ]


def svg_rows(html: str) -> list[str]:
    """The pair of each group of marks in the picture ("pair-p1-held", "pair-p4-pause-1")."""
    return re.findall(r'<g id="pair-([a-z0-9_]+)-[a-z0-9-]+"', html)


async def snapshot(sim: SimulatedCohort, folder: Path, language: Language):
    states = await quiet_states(sim)
    gathered = await gather(sim.client, COHORT_ID)
    written = write_report(gathered, folder, language)
    return gathered, states, written


async def test_the_files_of_a_running_and_a_finished_cohort(tmp_path):
    async with simulated_cohort(tmp_path / "sim") as sim:
        await sim.advance(timedelta(weeks=5))
        await sim.operate()
        await sim.advance(timedelta(weeks=2))
        running, states, written = await snapshot(sim, tmp_path / "running", Language.DE)
        assert written.no_pdf is None
        assert [p.name for p in written.files] == list(FILES)
        folder = tmp_path / "running"
        assert_numbers(folder, states)
        assert_private(folder)
        html = (folder / "report.html").read_text(encoding="utf-8")
        assert '<html lang="de">' in html and "Auf einen Blick" in html and "weniger als 3 Antworten" in html
        assert "Die Kohorte läuft. 5 Tandems wurden über ihre Statusabfrage gelesen" in html
        # Every pair is a row of the picture, labelled by its id, and no id is there twice.
        assert set(svg_rows(html)) == set(PAIRS)
        ids = re.findall(r' id="([^"]+)"', html)
        assert len(ids) == len(set(ids))
        # Nothing to fetch: no script, stylesheet, import or reference outside the page.
        assert re.findall(r'<script|<link|@import|url\((?!#)|(?:src|href)="(?!#)', html) == []
        assert (folder / "report.pdf").read_bytes().startswith(b"%PDF-")
        # The PDF holds the page's text (so the privacy check above read something).
        assert "Auf einen Blick" in pdf_text(folder / "report.pdf")
        assert "weniger als 3 Antworten" in pdf_text(folder / "report.pdf")

        # The same facts write the same bytes (the picture too).
        again = tmp_path / "again"
        write_report(running, again, Language.DE, pdf=False)
        for name in FILES[:3]:
            assert (again / name).read_bytes() == (folder / name).read_bytes(), name

        await sim.finish()
        finished, states, written = await snapshot(sim, tmp_path / "finished", Language.EN)
        folder = tmp_path / "finished"
        assert_numbers(folder, states)
        assert_private(folder)
        html = (folder / "report.html").read_text(encoding="utf-8")
        assert '<html lang="en">' in html and "At a glance" in html and "fewer than 3 answers" in html
        assert "The cohort has finished. All 6 pairs were read from their results" in html
        # Mentors' recommendation score from 4 answers; the mentees' 2 stay hidden.
        assert re.search(r'id="nps-mentor">25 \(2 promoters, 1 passive, 1 detractors\)<', html)
        assert 'id="nps-mentee">fewer than 3 answers<' in html
