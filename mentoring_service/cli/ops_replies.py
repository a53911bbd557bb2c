"""What ``ops.py show`` says of calendar replies: each participant's accept, tentative or
decline per session, and the new times proposed from calendars, with the commands (for
a time nobody can approve as it stands, why, and no approve command)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from rich.console import RenderableType

from mentoring.cohort import Role
from mentoring.replies import unapprovable
from mentoring.state import CounterStatus, PairState, SessionState
from mentoring_service.cli.console import table
from workflows.agenda import position

_ROLES = (Role.MENTOR, Role.MENTEE)
_STATUS = {CounterStatus.AUTO_APPROVED: "approved automatically"}


def calendars(session: SessionState) -> str:
    """ "mentor accepted" and "mentee declined", one to a line; a reply to an earlier
    version of the invite (a lower SEQUENCE) is marked "(earlier)"."""
    said = []
    for role in _ROLES:
        latest = next((a for a in reversed(session.calendar) if a.role == role), None)
        if latest is None:
            continue
        earlier = " (earlier)" if latest.sequence < session.sequence else ""
        said.append(f"{role.value} {latest.partstat.value}{earlier}")
    return "\n".join(said) or "–"


def counters(state: PairState, cohort_id: str, pair_id: str, local: Callable[[datetime], str]) -> RenderableType:
    rows = table("no.", "by", "proposed", "status", wrap=("status",))
    for counter in state.counters:
        session = next((s for s in state.sessions if s.number == counter.session_number), None)
        place = position(state, session) if session else counter.session_number
        status = _STATUS.get(counter.status, counter.status.value)
        if counter.status == CounterStatus.PENDING and unapprovable(counter.holds):
            # Nobody can approve it as it stands (the remark says why): refuse it, or move the session.
            status += f": {counter.remark}; ops.py refuse-counter {cohort_id} {pair_id} {place} (or reschedule)"
        elif counter.status == CounterStatus.PENDING:
            status += f": ops.py approve-counter {cohort_id} {pair_id} {place} (or refuse-counter)"
            # A cohort that approves some by itself says why not this one.
            status += f"; {counter.remark}" if counter.remark else ""
        elif counter.remark:
            status += f" ({counter.remark})"
        rows.add_row(
            str(place), counter.role.value, f"{local(counter.starts_at)}–{local(counter.ends_at)[-5:]}", status
        )
    return rows
