"""Console output: one place decides how errors and tables look."""

from __future__ import annotations

from rich.console import Console

out = Console()
err = Console(stderr=True)


class CommandError(Exception):
    """A problem the user can fix; printed as a plain message, never a traceback."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code
