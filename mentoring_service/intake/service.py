"""The intake's loop: every message in the office's folder is read once, its calendar
reply handed to the pair, and the message moved out of the way.

For each message, oldest first:

1. its size and Message-ID (no body yet). A message over ``MESSAGE_MAX`` goes to the
   ignored folder unread; one the ledger has as ``recorded`` goes to the processed
   folder (the intake stopped after recording it, before moving it);
2. its bytes, one message at a time, then ``parse`` (pure: a reply, or why not);
3. no reply: ``ignored`` in the ledger, then the ignored folder;
4. a reply: ``taken`` in the ledger, ``deliver`` (the pair's update, idempotent by
   Message-ID), ``recorded`` with its outcome, then the processed folder.

Moves are gathered and sent a batch at a time, after the ledger has the states: a
restart at any point re-reads at most the messages not yet moved, and hands on again
only what was ``taken`` and not ``recorded``, which the pair recognises. A delivery
that fails (Temporal unreachable, no worker) leaves its message in the folder, and the
sweep starts again after a pause.

Logs say how many messages, which outcomes and reasons: never an address, a subject,
a pair or a UID. Many replies about one session within the hour (a reply storm) add a
warning with their counts (``storms``); they are handled as usual all the same.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar, runtime_checkable

from mentoring_service.intake.ledger import IntakeLedger, LedgerState, message_key, usable_message_id
from mentoring_service.intake.mailbox import ENVELOPE_BATCH, Envelope, ImapMailbox, MailboxError, SignInRefused
from mentoring_service.intake.storms import StormWatch
from mentoring_service.intake.tokens import TokenSource
from mentoring_service.settings import IntakeAuth, IntakeSettings

log = logging.getLogger("intake")

MESSAGE_MAX = 2 * 1024 * 1024  # the parser's own limit; bigger ones are not even fetched
MOVE_BATCH = 100  # messages moved in one command
RETRY_SECONDS = (1.0, 2.0, 5.0, 10.0, 30.0)  # after a lost connection or a failed delivery

TOO_BIG = "over 2 MB"
ALREADY_RECORDED = "already recorded"  # by an earlier sweep, which stopped before moving it


@runtime_checkable
class Refusal(Protocol):
    """What ``parse`` returns for a message that holds no usable reply."""

    @property
    def reason(self) -> str: ...


R = TypeVar("R")


@dataclass
class Sweep:
    """What one pass over the folder did (the log line's counts)."""

    outcomes: Counter[str] = field(default_factory=Counter)  # recorded: the pair's outcomes
    ignored: Counter[str] = field(default_factory=Counter)  # the reasons
    # Replies handed on per session (``Intake.about``), for the storm warning; never logged.
    sessions: Counter[Hashable] = field(default_factory=Counter)
    failed: bool = False

    @property
    def total(self) -> int:
        return sum(self.outcomes.values()) + sum(self.ignored.values())

    def line(self) -> str:
        parts = [f"{n} {what}" for what, n in sorted(self.outcomes.items())]
        parts += [f"{n} ignored ({why})" for why, n in sorted(self.ignored.items())]
        return f"{self.total} message{'s' if self.total != 1 else ''}: " + ", ".join(parts)


class Intake(Generic[R]):
    def __init__(
        self,
        settings: IntakeSettings,
        ledger: IntakeLedger,
        parse: Callable[[bytes], R | Refusal],
        deliver: Callable[[R], Awaitable[str]],
        about: Callable[[R], Hashable] | None = None,
    ) -> None:
        self.settings = settings
        self.ledger = ledger
        self.parse = parse
        self.deliver = deliver
        # The session a reply is about, for noticing a storm of them (None: not watched).
        self.about = about
        self.storms = StormWatch()
        self.sweeps = 0  # passes over the folder so far (tests wait on it)
        # XOAUTH2's tokens, kept across connections (None: the intake signs in with LOGIN).
        self.tokens = TokenSource(settings) if settings.auth == IntakeAuth.OAUTH2 else None

    def mailbox(self) -> ImapMailbox:
        return ImapMailbox(self.settings, tokens=self.tokens)

    async def run(self) -> None:
        """Forever: connect, sweep, wait for news, sweep ...; reconnect after a failure,
        and before the access token a connection signed in with expires. A sign-in that
        cannot work (``SignInRefused``) is raised: trying again would not help."""
        failures = 0
        while True:
            try:
                async with self.mailbox() as mailbox:
                    log.info("reading %s (%s)", self.settings.folder, "IDLE" if mailbox.offers("IDLE") else "polling")
                    failures = 0
                    await self._serve(mailbox)
                log.info("signing in again with a new access token")
            except SignInRefused:
                raise
            except MailboxError as error:
                pause = RETRY_SECONDS[min(failures, len(RETRY_SECONDS) - 1)]
                failures += 1
                log.warning("mailbox: %s; trying again in %.0f s", error, pause)
                await asyncio.sleep(pause)

    async def _serve(self, mailbox: ImapMailbox) -> None:
        """Sweeps and waits; returns when the connection's access token is due."""
        due = self.tokens.due_at if self.tokens else None
        failures = 0
        while True:
            sweep = await self.sweep(mailbox)
            if sweep.failed:
                pause = RETRY_SECONDS[min(failures, len(RETRY_SECONDS) - 1)]
                failures += 1
                await asyncio.sleep(pause)
                continue
            failures = 0
            if sweep.total:
                # Mail that came during the sweep may have been announced in the answer to
                # one of its commands, which IDLE would not repeat: look again first.
                continue
            wait = self.settings.poll_seconds
            if self.tokens is not None and due is not None:
                if (left := due - self.tokens.clock()) <= 0:
                    return
                wait = min(wait, left)
            await mailbox.wait_for_news(wait)

    async def sweep(self, mailbox: ImapMailbox) -> Sweep:
        """One pass over every message in the folder."""
        sweep = Sweep()
        moves: dict[str, list[int]] = {self.settings.processed_folder: [], self.settings.ignored_folder: []}
        uids = await mailbox.uids()
        for start in range(0, len(uids), ENVELOPE_BATCH):
            for envelope in await mailbox.envelopes(uids[start : start + ENVELOPE_BATCH]):
                folder = await self._handle(mailbox, envelope, sweep)
                if folder is None:  # its reply could not be handed on: it and all after it wait
                    sweep.failed = True
                    break
                if folder == GONE:
                    continue
                moves[folder].append(envelope.uid)
                if len(moves[folder]) >= MOVE_BATCH:
                    await mailbox.move(moves[folder], folder)
                    moves[folder] = []
            if sweep.failed:
                break
        # Interrupted before this (a crash, a lost connection), the next sweep finds
        # these messages again: recorded ones are moved, ignored ones read again.
        for folder, batch in moves.items():
            await mailbox.move(batch, folder)
        self.sweeps += 1
        if sweep.total:
            log.info("%s", sweep.line())
        if storm := self.storms.line(sweep.sessions):
            log.warning("%s", storm)
        return sweep

    async def _handle(self, mailbox: ImapMailbox, envelope: Envelope, sweep: Sweep) -> str | None:
        """The folder the message goes to; ``STAYS`` when its reply could not be handed
        on, ``GONE`` when someone else took it out of the folder meanwhile."""
        processed, ignored = self.settings.processed_folder, self.settings.ignored_folder
        if envelope.size > MESSAGE_MAX:
            sweep.ignored[TOO_BIG] += 1
            return ignored
        key = usable_message_id(envelope.message_id)
        if key is not None and self._recorded(key):
            sweep.outcomes[ALREADY_RECORDED] += 1
            return processed
        raw = await mailbox.fetch(envelope.uid)
        if raw is None:
            return GONE
        key = message_key(envelope.message_id, raw)
        if self._recorded(key):
            sweep.outcomes[ALREADY_RECORDED] += 1
            return processed
        try:
            result = self.parse(raw)
        except Exception as error:  # a parser bug must not stop the intake; the message is kept aside
            result = ParserFailed(f"parser failed ({type(error).__name__})")
        del raw  # one message in memory at a time
        if isinstance(result, Refusal):
            self.ledger.finish(key, LedgerState.IGNORED, result.reason)
            sweep.ignored[result.reason] += 1
            return ignored
        self.ledger.take(key)
        try:
            outcome = await self.deliver(result)
        except Exception as error:
            log.warning("a reply could not be handed on (%s); it stays in %s", _name(error), self.settings.folder)
            return STAYS
        self.ledger.finish(key, LedgerState.RECORDED, outcome)
        sweep.outcomes[outcome] += 1
        if self.about is not None:
            self.storms.note(self.about(result), sweep.sessions)
        return processed

    def _recorded(self, key: str) -> bool:
        entry = self.ledger.get(key)
        return entry is not None and entry.state == LedgerState.RECORDED


@dataclass(frozen=True)
class ParserFailed:
    reason: str


# What ``_handle`` returns besides a folder.
STAYS: None = None
GONE = ""


def _name(error: BaseException) -> str:
    """An error's kind, for a log line: its text might quote an address."""
    return type(error).__name__
