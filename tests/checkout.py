"""A throwaway copy of this checkout, for tests that run the project the way a user does
(``make run``, the README's commands, a build) but must not write into the real one."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Made by running or building, not part of a fresh clone; the recorded histories are large
# and only the replay test reads them.
_LEFT_OUT = shutil.ignore_patterns(
    ".git", ".venv", "var", "build", "*.egg-info", "__pycache__", ".pytest_cache", ".hypothesis", "outbox", "histories"
)


def copy_checkout(destination: Path, *, with_venv: bool = False) -> Path:
    """Copy the checkout to ``destination``; with ``with_venv``, its ``.venv`` is a link to
    this checkout's, so ``.venv/bin/...`` works there as printed."""
    shutil.copytree(ROOT, destination, ignore=_LEFT_OUT)
    if with_venv:
        venv = ROOT / ".venv"
        assert (venv / "bin" / "python").exists(), f"{venv} is missing; `make venv` creates it"
        (destination / ".venv").symlink_to(venv)
    return destination


def fresh_environment(**extra: str) -> dict[str, str]:
    """A new login shell's environment: no venv on PATH, no VIRTUAL_ENV or PYTHONPATH, and
    none of the developer's Temporal, SMTP or key settings."""
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": os.environ.get("HOME", "/root"),
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",  # no __pycache__ left in the checkout
        "TEMPORAL_CONFIG_FILE": os.devnull,  # a personal temporal.toml must not point elsewhere
    }
    env.update(extra)
    return env
