"""Console output: one place decides how errors and tables look."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

out = Console()
err = Console(stderr=True)


def say(line: str) -> None:
    """A line of prose, whole: through a pipe (80 columns) it stays one line that grep
    finds, and a terminal wraps it itself. Tables fold in their own way (``table``)."""
    out.print(line, highlight=False, markup=False, soft_wrap=True)


def table(*columns: str, wrap: tuple[str, ...] = ()) -> Table:
    """Columns in ``wrap`` fold onto more lines when the terminal (or a pipe's 80
    columns) is too narrow; the others are kept whole, so no status is ever cut."""
    shown = Table(box=box.SIMPLE, show_edge=False, pad_edge=False, highlight=False)
    for column in columns:
        if column in wrap:
            shown.add_column(column, overflow="fold")
        else:
            shown.add_column(column, no_wrap=True)
    return shown


class CommandError(Exception):
    """A problem the user can fix; printed as a plain message, never a traceback."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def run_command(work: Coroutine[Any, Any, None]) -> int:
    """Run a command to its exit code: a CommandError is one line on stderr, never a traceback."""
    try:
        asyncio.run(work)
    except CommandError as error:
        # Escaped: messages quote cohort files and validators as written, and "[/x]" is text.
        err.print(f"[bold red]error:[/] {escape(str(error))}", highlight=False, soft_wrap=True)
        return error.exit_code
    except KeyboardInterrupt:
        err.print("interrupted")
        return 130
    return 0
