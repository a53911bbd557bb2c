"""Reading a cohort file or its CSV: size, file type and encoding, before any parsing."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

from mentoring.cohort_file.problems import Report

MAX_BYTES = 5_000_000
# Values (YAML scalars, CSV cells) read before giving up, the same for the cohort file
# and its CSV: a cohort is much smaller, and checking costs time (5 MB of one-cell
# rows took over a minute).
MAX_VALUES = 100_000


class _NotRegular(Exception):
    pass


def _open_binary(path: Path, regular_only: bool) -> BinaryIO:
    """Open for reading; with ``regular_only``, refuse pipes, sockets and devices.

    The check opens without blocking: opening a FIFO (or a terminal, as with
    ``pairs_csv: /dev/stdin``) would otherwise wait for a writer for ever.
    """
    if not regular_only:
        return path.open("rb")
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(path)
        if not stat.S_ISREG(mode):
            raise _NotRegular(path)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _read_bytes(path: Path, display: str, add: Report, regular_only: bool) -> bytes | None:
    try:
        with _open_binary(path, regular_only) as f:
            return f.read(MAX_BYTES + 1)
    except _NotRegular:
        add(display, "is not a regular file (it is a pipe, socket or device); name a file")
    except FileNotFoundError:
        add(display, "file not found")
    except IsADirectoryError:
        add(display, "is a directory, not a file")
    except PermissionError:
        add(display, "cannot be read: permission denied")
    except (OSError, ValueError) as e:
        add(display, f"cannot be read: {getattr(e, 'strerror', None) or e}")
    return None


def read_text(path: Path, display: str, add: Report, *, regular_only: bool = False) -> str | None:
    """The file's text, or None after reporting why it cannot be read."""
    raw = _read_bytes(path, display, add, regular_only)
    if raw is None:
        return None
    if len(raw) > MAX_BYTES:
        add(
            display,
            f"is too large (more than {MAX_BYTES // 1_000_000} MB); a cohort file is a few kilobytes",
        )
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        add(
            f"{display} line {line}",
            f"is not UTF-8 text (byte 0x{raw[e.start]:02x} cannot be read); save the file with UTF-8 encoding",
        )
        return None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        add(f"{display} line {line}", "contains a NUL byte; this is not a text file")
        return None
    return text
