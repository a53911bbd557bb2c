"""Leaving a command that used the Temporal client."""

from __future__ import annotations

import logging
import os
import sys
from typing import NoReturn


def exit_now(code: int) -> NoReturn:
    """Exit without tearing the interpreter down.

    The Temporal client's Rust threads can outlive the event loop, and tearing the
    interpreter down under them aborts the process now and then ("PyGILState_Release:
    thread state must be current", temporalio/sdk-python#300). That would turn a
    command that has finished and printed its result into a crash with exit code
    -6. Everything is flushed first; nothing else is left to clean up.
    """
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
