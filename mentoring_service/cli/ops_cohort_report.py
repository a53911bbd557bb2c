"""``ops.py report COHORT --out DIR [--lang de|en]``: the cohort's report, from its workflows."""

from __future__ import annotations

import argparse
from datetime import UTC
from pathlib import Path

from mentoring.cohort import Language
from mentoring_service.cli.connect import connect_or_explain
from mentoring_service.cli.console import out
from mentoring_service.reporting.gather import Gathered, Source, gather

CLOCKS = {
    "server": "the Temporal server's clock",
    "closed": "when the cohort closed",
    "machine": "this machine's clock",
}


def source_line(gathered: Gathered) -> str:
    queried = sum(1 for s in gathered.sources.values() if s == Source.QUERY)
    results = len(gathered.sources) - queried
    state = "running" if gathered.cohort_running else "finished"
    as_of = f"{gathered.as_of.astimezone(UTC):%Y-%m-%d %H:%M} UTC ({CLOCKS[gathered.clock.value]})"
    return (
        f"cohort {gathered.cohort_id} ({state}) as of {as_of}: "
        f"{queried} pair(s) from their state query, {results} from their results"
    )


async def report(args: argparse.Namespace) -> None:
    # Only here: the report's figures need matplotlib, which would double the start-up of
    # every other ops.py command (about 0.4 s of its 0.7 s).
    from mentoring_service.reporting.output import check_folder, write_report

    folder = Path(args.out)
    # A folder that takes no files is refused before anything is read.
    check_folder(folder)
    gathered = await gather(await connect_or_explain(), args.cohort)
    language = Language(args.lang) if args.lang else gathered.language
    written = write_report(gathered, folder, language)
    out.print(source_line(gathered), highlight=False, markup=False)
    for missing in gathered.missing:
        out.print(f"not in the report: pair {missing.pair_id}, {missing.why}", highlight=False, markup=False)
    for path in written.files:
        out.print(f"wrote {path}", highlight=False, markup=False)
    if written.no_pdf:
        out.print(written.no_pdf, highlight=False, markup=False)
