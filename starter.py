"""The program office's script: validate, start and preview cohorts.

python starter.py validate FILE
python starter.py start FILE [--start-date YYYY-MM-DD|today]
python starter.py simulate FILE --outbox DIR [--start-date YYYY-MM-DD|today] [--responses RESPONSES.yaml]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.markup import escape

from mentoring_service.cli.arguments import start_date
from mentoring_service.cli.console import out, run_command


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="starter.py", description="Run reverse-mentoring cohorts on Temporal.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    validate = commands.add_parser("validate", help="check a cohort file and show its plan in brief")
    validate.add_argument("file", metavar="FILE")

    start = commands.add_parser("start", help="start a cohort (starting it again starts nothing new)")
    start.add_argument("file", metavar="FILE")
    start.add_argument("--start-date", type=start_date, help="replace the file's start date (YYYY-MM-DD or 'today')")

    simulate = commands.add_parser("simulate", help="run the whole program in seconds and keep every message")
    simulate.add_argument("file", metavar="FILE")
    simulate.add_argument("--outbox", required=True, type=Path, metavar="DIR", help="folder for the .eml files")
    simulate.add_argument("--start-date", type=start_date, help="replace the file's start date")
    simulate.add_argument(
        "--responses",
        metavar="FILE",
        help="who answers which check-in and review (YAML, see docs/responses.md); without it nobody answers",
    )
    return parser


async def run(args: argparse.Namespace) -> None:
    # Imported here so that `--help` and argument errors stay instant.
    from mentoring_service.cli.cohort_input import read_cohort

    cohort = read_cohort(args.file, getattr(args, "start_date", None))
    program = cohort.program
    if args.command == "validate":
        from mentoring_service.cli.clock_changes import print_clock_changes

        out.print(
            f"[green]ok[/] {escape(args.file)}: cohort '{program.cohort_id}' ({escape(program.cohort_name)}), "
            f"{len(cohort.pairs)} pairs, {program.duration_months} months from {program.start_date}",
            soft_wrap=True,
        )
        from mentoring_service.cli.address_report import address_lines
        from mentoring_service.cli.start import proposed_times_line

        if rule := proposed_times_line(cohort):
            out.print(escape(rule), highlight=False, soft_wrap=True)

        for line in address_lines(cohort):
            out.print(escape(line), highlight=False, soft_wrap=True)
        print_clock_changes(cohort)
    elif args.command == "start":
        from mentoring.ids import TASK_QUEUE
        from mentoring_service.cli.connect import connect_or_explain
        from mentoring_service.cli.start import RUNNING, earlier_run, follow_start, schedule_digest, start_cohort

        client = await connect_or_explain()
        handle, started = await start_cohort(client, cohort)
        # The last line says what happened (`make run` shows it): a re-run starts nothing.
        if not started:
            how = await earlier_run(handle)
            if how == RUNNING:
                # An earlier start may have stopped before the digest's schedule existed.
                out.print(await schedule_digest(client, cohort), soft_wrap=True)
            out.print(
                f"cohort '{program.cohort_id}' {how} (workflow {handle.id}): nothing started, "
                "nobody gets a second email",
                soft_wrap=True,
            )
            return
        out.print(await schedule_digest(client, cohort), soft_wrap=True)
        progress = await follow_start(handle, len(cohort.pairs))
        out.print(
            f"[green]started[/] cohort '{program.cohort_id}': {progress.pairs_started} pair workflows "
            f"(workflow {handle.id}, task queue {TASK_QUEUE})",
            soft_wrap=True,
        )
    elif args.command == "simulate":
        from mentoring_service.cli.cohort_input import read_responses
        from mentoring_service.cli.simulate import simulate

        # Read and checked before anything starts.
        script = read_responses(args.responses, cohort) if args.responses else None
        await simulate(cohort, args.outbox, script)


def main(argv: list[str] | None = None) -> int:
    return run_command(run(build_parser().parse_args(argv)))


if __name__ == "__main__":
    from mentoring_service.cli.exit import exit_now

    exit_now(main())
