"""The program office's operations on running programs: look, and change.

    python ops.py status COHORT
    python ops.py show COHORT PAIR
    python ops.py report COHORT --out DIR [--lang de|en]
    python ops.py reschedule COHORT PAIR SESSION --to "YYYY-MM-DD HH:MM"
    python ops.py cancel-session COHORT PAIR SESSION --reason TEXT [--replacement "YYYY-MM-DD HH:MM"]
    python ops.py change-rhythm COHORT PAIR [--weekday D] [--time HH:MM] [--length MIN]
                                            [--location TEXT] [--cadence C]
    python ops.py pause COHORT PAIR --reason TEXT [--until YYYY-MM-DD]
    python ops.py resume COHORT PAIR
    python ops.py extend COHORT PAIR --weeks N
    python ops.py end COHORT PAIR --reason TEXT
    python ops.py withdraw COHORT PAIR --role mentor|mentee --reason TEXT
    python ops.py replace COHORT PAIR --role mentor|mentee --name NAME --email EMAIL --timezone TZ --reason TEXT
    python ops.py add-pair COHORT_FILE --id ID --mentor-name ... --mentee-timezone ... [overrides]
    python ops.py withdraw-pair COHORT PAIR --reason TEXT
    python ops.py end-cohort COHORT --reason TEXT
    python ops.py announce COHORT --subject TEXT (--body TEXT | --body-file FILE) [--to all|mentors|mentees]

Exit codes: 0 done, 1 refused or failed on the server side, 2 bad arguments.
"""

from __future__ import annotations

import argparse

from rich.markup import escape

from mentoring_service.cli.console import err, run_command
from mentoring_service.cli.ops_parser import build_parser


def traceback_wanted() -> bool:
    from pydantic import ValidationError

    from mentoring_service.settings import CommandSettings

    try:
        return CommandSettings().ops_traceback
    except ValidationError:  # set, but not to a yes or no: whoever set it wants to see more
        return True


async def run(args: argparse.Namespace) -> None:
    # Imported here so that `--help` and argument errors stay instant.
    from temporalio.service import RPCError

    from mentoring_service.cli.ops_run import run

    try:
        await run(args)
    except RPCError as error:  # one not explained closer to its call
        from mentoring_service.cli.ops_target import unexplained

        raise unexplained(error) from None


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return run_command(run(args))
    except Exception as error:  # a bug in this tool: say so in one line, details on request
        if traceback_wanted():
            raise
        err.print(
            f"[bold red]error:[/] ops.py failed unexpectedly ({escape(type(error).__name__)}: "
            f"{escape(str(error))}); set OPS_TRACEBACK=1 to see where, and please report it",
            highlight=False,
            soft_wrap=True,
        )
        return 1


if __name__ == "__main__":
    from mentoring_service.cli.exit import exit_now

    exit_now(main())
