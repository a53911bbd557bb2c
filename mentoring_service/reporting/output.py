"""Writing a cohort's report into a folder: report.json, pairs.csv, report.html and,
where Chromium can print it, report.pdf."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from mentoring.cohort import Language
from mentoring.reporting.figures import figures
from mentoring.reporting.headline import headline_lines
from mentoring_service.cli.console import CommandError
from mentoring_service.reporting.gather import Gathered
from mentoring_service.reporting.html import report_html
from mentoring_service.reporting.pdf import print_pdf
from mentoring_service.reporting.tables import pairs_csv, report_json
from mentoring_service.reporting.timeline import timeline_svg


@dataclass
class Written:
    files: list[Path] = field(default_factory=list)
    # Why there is no PDF, when there is none.
    no_pdf: str | None = None


def check_folder(out: Path) -> None:
    """Before anything is read: the folder exists or can be made, and takes files."""
    if out.exists() and not out.is_dir():
        raise CommandError(f"--out {out}: is a file; give a folder", exit_code=2)
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=out, prefix=".report-", delete=True):
            pass
    except OSError as error:
        raise CommandError(f"--out {out}: cannot write there ({error.strerror or error})", exit_code=2) from None


def write_report(gathered: Gathered, out: Path, language: Language, pdf: bool = True) -> Written:
    cohort = figures(gathered.pairs)
    headline = headline_lines(cohort.headline, language)
    svg = timeline_svg(gathered.pairs, gathered.as_of, language, gathered.cohort_running)
    written = Written()
    contents = {
        "report.json": report_json(gathered, cohort, headline),
        "pairs.csv": pairs_csv(gathered),
        "report.html": report_html(gathered, cohort, headline, svg, language),
    }
    for name, text in contents.items():
        path = out / name
        try:
            out.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        except OSError as error:
            raise CommandError(f"--out {out}: cannot write {name} ({error.strerror or error})") from None
        written.files.append(path)
    if pdf:
        written.no_pdf = print_pdf(out / "report.html", out / "report.pdf")
        if written.no_pdf is None:
            written.files.append(out / "report.pdf")
    return written
