"""Children that hear Ctrl-C as they would from a shell."""

from __future__ import annotations

import signal


def interruptible() -> None:
    """In the child (``preexec_fn``): Ctrl-C as a shell gives it. A test worker's threads
    may hold SIGINT blocked or ignored, and a child inherits both across exec, so a
    process that stops on KeyboardInterrupt would never hear it."""
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    signal.signal(signal.SIGINT, signal.SIG_DFL)
