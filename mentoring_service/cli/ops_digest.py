"""``ops.py pause-digest`` and ``resume-digest``, and the digest's line in ``ops.py status``."""

from __future__ import annotations

import argparse
from datetime import UTC

from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from mentoring.digest import digest_when
from mentoring.ids import digest_schedule_id
from mentoring_service.cli.console import CommandError, out, say
from mentoring_service.digest_schedule import DigestStatus, digest_status

RESUMED_NOTE = "resumed with ops.py"


def status_line(cohort_id: str, status: DigestStatus | None) -> str:
    if status is None:
        return f"weekly digest: none (schedule {digest_schedule_id(cohort_id)} does not exist or has ended)"
    when = digest_when(status.zone)
    if status.paused:
        return f"weekly digest: paused ({status.note}); resume with: ops.py resume-digest {cohort_id}"
    after = f", next {status.next_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC" if status.next_at else ""
    return f"weekly digest: {when}{after}"


async def print_digest_status(client: Client, cohort_id: str) -> None:
    say(status_line(cohort_id, await digest_status(client, cohort_id)))


async def pause_or_resume(client: Client, args: argparse.Namespace) -> None:
    """Idempotent: pausing a paused digest (or resuming a running one) changes nothing."""
    pause = args.command == "pause-digest"
    cohort_id = args.cohort
    status = await digest_status(client, cohort_id)
    if status is None:
        raise CommandError(
            f"cohort '{cohort_id}' has no weekly digest: `starter.py start` creates it with the cohort, "
            "and it ends once every pair has finished"
        )
    if status.paused == pause:
        state = f"already paused ({status.note})" if pause else "not paused"
        out.print(f"weekly digest of cohort {cohort_id} is {state}; nothing was changed", highlight=False, markup=False)
        return
    handle = client.get_schedule_handle(digest_schedule_id(cohort_id))
    try:
        if pause:
            await handle.pause(note=args.note)
        else:
            await handle.unpause(note=args.note or RESUMED_NOTE)
    except RPCError as error:
        if error.status != RPCStatusCode.NOT_FOUND:
            raise
        raise CommandError(f"cohort '{cohort_id}' has no weekly digest any more: it ended meanwhile") from None
    if pause:
        line = (
            f"weekly digest of cohort {cohort_id} paused; no digest goes out until `ops.py resume-digest {cohort_id}`"
        )
    else:
        line = status_line(cohort_id, await digest_status(client, cohort_id))
    say(line)
