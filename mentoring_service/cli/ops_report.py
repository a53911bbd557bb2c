"""What a change did, in a few plain lines."""

from __future__ import annotations

from datetime import UTC

from mentoring.operations import CohortOperationResult, OperationResult
from mentoring_service.cli.console import out, say
from mentoring_service.cli.ops_views import wall_clock


def print_result(result: OperationResult | CohortOperationResult, repeat: bool = False) -> None:
    """``repeat``: the workflow had applied this request id before the command ran."""
    out.print(result.summary, highlight=False, markup=False)
    out.print(f"request id: {result.request_id}", highlight=False, markup=False)
    if isinstance(result, OperationResult):
        for change in result.sessions:
            before = f"{wall_clock(change.previous_local_start)} → " if change.previous_local_start else ""
            after = wall_clock(change.local_start)
            out.print(f"  session {change.session_number}: {change.change.value}, {before}{after}", highlight=False)
        out.print(f"messages queued: {result.messages_queued}", highlight=False)
        if result.beyond_six_months:
            end = f" (it now ends on {result.program_end})" if result.program_end else ""
            out.print(f"note: this program now runs longer than six months{end}.", highlight=False)
    elif result.pairs_affected:
        out.print(f"pairs affected: {', '.join(result.pairs_affected)}", highlight=False)
    if repeat:
        applied_at = getattr(result, "applied_at", None)
        when = f" at {applied_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC" if applied_at else ""
        say(
            f"This request was already applied{when}; nothing was done again. "
            "To do the same thing once more, pass a new --request-id."
        )
