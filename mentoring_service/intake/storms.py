"""Noticing a storm of replies about one session: a client that loops, a forwarding rule,
someone who knows a participant's address and an invite's UID.

Nothing is held back for it: every reply is handed on, recorded and moved as usual, and
the pair keeps its state and its emails bounded (``workflows/reply_bounds.py``). The
intake only says so in its log, with counts: how many replies the busiest sessions had
within the hour, and how many of them in this sweep. Never which pair or session.

Counts are kept per session for the current hour (then started afresh), for at most
``TRACKED`` sessions, so a storm costs the intake no memory of its own.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Hashable

STORM = 20  # replies about one session within the hour; a participant sends a few
WINDOW_SECONDS = 3600.0
TRACKED = 10_000  # sessions counted per hour; more are no storm about one session
SHOWN = 3  # sessions whose counts a log line gives


class StormWatch:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._since = clock()
        self._hour: Counter[Hashable] = Counter()

    def note(self, session: Hashable, sweep: Counter[Hashable]) -> None:
        """One reply about ``session`` handed on; ``sweep`` counts this sweep's."""
        if self._clock() - self._since >= WINDOW_SECONDS:
            self._since, self._hour = self._clock(), Counter()
        if session in self._hour or len(self._hour) < TRACKED:
            self._hour[session] += 1
        sweep[session] += 1

    @property
    def sessions_counted(self) -> int:
        return len(self._hour)

    def line(self, sweep: Counter[Hashable]) -> str | None:
        """The log line for a sweep that handed on replies about a session in a storm."""
        storms = sorted(
            ((self._hour[s], n) for s, n in sweep.items() if self._hour[s] >= STORM), key=lambda c: c[0], reverse=True
        )
        if not storms:
            return None
        shown = storms[:SHOWN]
        within = ", ".join(str(hour) for hour, _ in shown)
        now = ", ".join(str(n) for _, n in shown)
        many = "one session" if len(storms) == 1 else f"{len(storms)} sessions"
        return (
            f"reply storm: {many} with {STORM} or more replies within the hour ({within}; {now} in this sweep); "
            "each is recorded and moved as usual"
        )
