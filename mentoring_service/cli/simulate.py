"""``starter.py simulate``: the whole program, months in seconds, before anyone is emailed.

It runs the real workflows and activities on the time-skipping test server and
delivers to a local SMTP inbox that writes every message to the outbox folder.
"""

from __future__ import annotations

import contextlib
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

from rich.markup import escape
from rich.table import Table
from temporalio.testing import WorkflowEnvironment

from activities.answer_links import AnswerLinks
from mentoring.cohort import Cohort
from mentoring.digest import DigestResult
from mentoring.ids import pair_workflow_id
from mentoring.state import PairProgramResult
from mentoring_service.cli.address_report import address_lines
from mentoring_service.cli.clock_changes import print_clock_changes
from mentoring_service.cli.console import CommandError, out
from mentoring_service.cli.response_script import ResponseScript
from mentoring_service.cli.simulated_answers import SimulatedParticipants
from mentoring_service.cli.start import start_cohort
from mentoring_service.codec import EncryptionCodec, data_converter
from mentoring_service.digest_preview import run_digests
from mentoring_service.inbox import start_inbox
from mentoring_service.links import LinkSigner
from mentoring_service.settings import MailSettings, ResponseSiteSettings, WorkerSettings
from mentoring_service.time_skipping import ServerNotStarted, quiet_runtime, start_time_skipping
from mentoring_service.workers import create_workers
from workflows.pair import PairProgramWorkflow


def check_outbox(outbox: Path) -> None:
    if outbox.exists() and not outbox.is_dir():
        raise CommandError(f"--outbox {outbox} is a file; give a folder", exit_code=2)
    if outbox.exists() and any(outbox.glob("*.eml")):
        raise CommandError(
            f"--outbox {outbox} already holds .eml files; give an empty or new folder so the "
            "preview shows only this program",
            exit_code=2,
        )


async def run_program(
    env: WorkflowEnvironment,
    cohort: Cohort,
    mail: MailSettings,
    signer: LinkSigner,
    participants: SimulatedParticipants | None = None,
) -> tuple[list[PairProgramResult], list[DigestResult]]:
    client = env.client
    # Time is skipped, so the email rate limit would only slow the preview down.
    workers = create_workers(
        client,
        mail,
        WorkerSettings(email_rate_per_second=10_000),
        AnswerLinks(signer, ResponseSiteSettings().public_url),
    )
    async with contextlib.AsyncExitStack() as stack:
        for worker in workers:
            await stack.enter_async_context(worker)
        if participants is not None:
            participants.attach(env)
        handle, _ = await start_cohort(client, cohort)
        # The office's Monday digests, until the one that finds the cohort over.
        digests = await run_digests(env, cohort)
        await handle.result()
        if participants is not None:
            await participants.finish()
        results = [
            await client.get_workflow_handle_for(
                PairProgramWorkflow.run, pair_workflow_id(cohort.program.cohort_id, pair.id)
            ).result()
            for pair in cohort.pairs
        ]
        return results, digests


def pair_health(results: list[PairProgramResult]) -> Table:
    """Per pair, where the answers led: health and why, sessions held, nudges and alerts."""
    table = Table(title="Pair health at the end of the program")
    for column in ("pair", "health", "why", "sessions held", "not held", "nudges", "alerts"):
        table.add_column(column, overflow="fold")
    for result in results:
        if result.health is None:  # cannot happen for a new pair; kept honest all the same
            table.add_row(result.pair_id, "—", "takes no answers", str(result.sessions_held), "", "", "")
            continue
        table.add_row(
            result.pair_id, result.health.value, result.health_reason,
            f"{result.sessions_held} of {result.sessions_planned}", str(result.sessions_not_held),
            str(result.nudges_sent), str(result.alerts_sent),
        )  # fmt: skip
    return table


def timeline(cohort: Cohort, results: list[PairProgramResult]) -> Table:
    zones = {pair.id: ZoneInfo(pair.pattern.timezone) for pair in cohort.pairs}
    table = Table(title=f"Cohort {cohort.program.cohort_id}: every message of the program")
    for column in ("date (pair's time zone)", "pair", "recipient", "kind", "status"):
        table.add_column(column, overflow="fold")
    rows = sorted(
        ((message.recorded_at, result.pair_id, message) for result in results for message in result.messages),
        key=lambda row: (row[0], row[1]),
    )
    for recorded_at, pair_id, message in rows:
        local = recorded_at.astimezone(zones[pair_id])
        table.add_row(
            f"{local:%Y-%m-%d %H:%M %Z}",
            pair_id,
            f"{message.role.value}: {message.email}",
            message.kind.value,
            message.status.value,
        )
    return table


def digest_line(digests: list[DigestResult]) -> str:
    """The program office's Monday digests in the preview: how many, and the weeks left out."""
    sent = [d for d in digests if d.sent]
    line = f"weekly digests to the program office: {len(sent)} sent"
    if sent:
        line += f" (Mondays {sent[0].week_ends_on} to {sent[-1].week_ends_on})"
    if skipped := len(digests) - len(sent):
        line += f", {skipped} skipped (a week with nothing in it or ahead)"
    return line


async def simulate(cohort: Cohort, outbox: Path, script: ResponseScript | None = None) -> list[PairProgramResult]:
    """``script``: who answers what (``--responses``); without one, nobody answers."""
    check_outbox(outbox)
    outbox.mkdir(parents=True, exist_ok=True)
    began = time.monotonic()
    # Links signed with a key of the preview's own, which its participants read.
    signer = LinkSigner.ephemeral()
    participants = SimulatedParticipants(script, signer) if script is not None else None
    answer = participants.on_message if participants is not None else None
    inbox = start_inbox(outbox, host="127.0.0.1", port=0, on_message=answer)
    try:
        # A key of its own, gone with the process: the preview's server is thrown away too.
        try:
            env = await start_time_skipping(data_converter(EncryptionCodec.ephemeral()), quiet_runtime())
        except ServerNotStarted as error:
            raise CommandError(str(error).splitlines()[0]) from None
        try:
            # A preview keeps its own ledger: it must never mark real messages as sent.
            with tempfile.TemporaryDirectory() as scratch:
                mail = MailSettings(
                    smtp_host="127.0.0.1",
                    smtp_port=inbox.port,
                    smtp_tls="none",
                    delivery_ledger_url=f"sqlite:///{scratch}/ledger.sqlite3",
                )
                results, digests = await run_program(env, cohort, mail, signer, participants)
        finally:
            await env.shutdown()
    finally:
        inbox.stop()
    out.print(timeline(cohort, results))
    out.print(pair_health(results))
    for note in participants.notes if participants is not None else []:
        out.print(escape(f"note: {note}"), highlight=False, soft_wrap=True)
    print_clock_changes(cohort, results)
    out.print(digest_line(digests), highlight=False, soft_wrap=True)
    total = sum(len(r.messages) for r in results)
    failed = sum(r.messages_failed for r in results)
    out.print(
        f"{len(results)} pairs, {total} messages ({failed} failed), "
        f"{len(list(outbox.glob('*.eml')))} .eml files in {outbox}, "
        f"simulated in {time.monotonic() - began:.1f} s",
        soft_wrap=True,
    )
    notes = address_lines(cohort)
    if notes:
        for line in notes:
            out.print(escape(line), highlight=False, soft_wrap=True)
        out.print("(the preview's own inbox offers SMTPUTF8; check that your mail server does)", highlight=False)
    return results
