"""``ops.py status`` and ``ops.py show``: a cohort's pairs, and one pair in full."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from datetime import UTC, datetime

from rich.table import Table
from rich.text import Text

from mentoring.cohort import Person
from mentoring.cohort_state import CohortProgress
from mentoring.state import PairState, SessionStatus
from mentoring_service.cli import ops_answers, ops_replies
from mentoring_service.cli.console import out, say, table
from workflows.agenda import position


def wall_clock(moment: datetime) -> str:
    """A local (naive) start as people read it: 'Tue 2027-03-16 16:00'."""
    return f"{moment:%a %Y-%m-%d %H:%M}"


def utc(moment: datetime | None) -> str:
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M}" if moment else "-"


def print_status(progress: CohortProgress) -> None:
    say(
        f"cohort {progress.cohort_id}: {progress.pairs_started} of {progress.pairs_total} pairs started · "
        f"{progress.sessions_held} sessions held · {progress.messages_sent} messages sent · "
        f"{progress.messages_failed} failed"
    )
    # Two-line headers keep a row within 80 columns (a pipe's width); a long pair id folds.
    rows = table(
        "pair",
        "phase",
        "health",
        "sessions\nheld/planned",
        "next\ncalendars",
        "next event\n(UTC)",
        "sent/\nfailed",
        wrap=("pair",),
    )
    for pair in progress.pairs:
        rows.add_row(
            pair.pair_id,
            pair.phase.value,
            # As the PairHealth search attribute has it; "—" for a pair that takes no answers.
            pair.health.value if pair.health else "—",
            # 0 planned: the pair has not reported since it was started (nothing sent yet).
            f"{pair.sessions_held}/{pair.sessions_planned or '-'}",
            # Mentor/mentee: acc, tent or dec, as their calendars replied.
            pair.next_calendars or "–",
            utc(pair.next_event_at),
            f"{pair.messages_sent}/{pair.messages_failed}",
        )
    out.print(rows)


def meeting_zone(state: PairState) -> str:
    if state.pattern is not None:
        return state.pattern.timezone
    return state.sessions[0].timezone if state.sessions else "UTC"


def _person(role: str, person: Person | None, vacant: bool) -> str:
    if vacant or person is None:
        return f"{role}: vacant (withdrawn)"
    return f"{role}: {person.name} <{person.email}> ({person.timezone})"


def print_pair(cohort_id: str, pair_id: str, state: PairState) -> None:
    zone_name = meeting_zone(state)
    zone = zoneinfo.ZoneInfo(zone_name)

    def local(moment: datetime) -> str:
        return f"{moment.astimezone(zone):%Y-%m-%d %H:%M}"

    planned = sum(1 for s in state.sessions if s.status != SessionStatus.CANCELLED)
    ends = f" · program ends {state.program_end}" if state.program_end else ""
    out.print(
        f"pair {pair_id} · cohort {cohort_id} · phase {state.phase.value} · "
        f"{state.sessions_held} of {planned} sessions held{ends}",
        highlight=False,
    )
    vacant = state.vacant_role.value if state.vacant_role else None
    mentor = _person("mentor", state.mentor, vacant == "mentor")
    mentee = _person("mentee", state.mentee, vacant == "mentee")
    out.print(f"{mentor} · {mentee}", highlight=False, markup=False)
    if state.ended is not None:
        ended = f"ended early at {local(state.ended.at)} {zone_name}: {state.ended.reason}"
        out.print(ended, highlight=False, markup=False)
    if state.listening:
        out.print(ops_answers.health_line(state), highlight=False, markup=False)
    out.print(f"\n[bold]Sessions[/] (local times in {zone_name})", highlight=False)
    out.print(_sessions(state, zone_name))
    if state.listening:
        out.print("\n[bold]Check-ins and reflections[/] (ratings career/psychosocial/emotional, 1–5)")
        out.print(ops_answers.check_ins(state))
        out.print("\n[bold]Reviews[/] (ratings 1–5)")
        out.print(ops_answers.reviews(state))
    if state.counters:
        out.print(f"\n[bold]Proposed new times[/] (from calendars, times in {zone_name})", highlight=False)
        out.print(ops_replies.counters(state, cohort_id, pair_id, local))
    out.print(f"\n[bold]Messages[/] (times in {zone_name})", highlight=False)
    out.print(_messages(state, local) if state.messages else "none yet")
    out.print(f"\n[bold]Pauses[/] (times in {zone_name})", highlight=False)
    out.print(_pauses(state, local) if state.pauses else "none")


def _sessions(state: PairState, zone_name: str) -> Table:
    # The pair's zone is in the title; a column only when a session meets in another,
    # so 80 columns (a pipe's width) leave the calendar replies room to stay whole.
    other_zones = any(s.timezone != zone_name for s in state.sessions)
    zone = ("time zone",) if other_zones else ()
    rows = table("no.", "local start", *zone, "status", "SEQUENCE", "calendars", wrap=("time zone", "calendars"))
    # Numbered as ops commands and the emails number them; a cancelled one keeps its
    # number in brackets.
    for session in sorted(state.sessions, key=lambda s: (s.starts_at, s.number)):
        place = position(state, session)
        rows.add_row(
            f"({place})" if session.status == SessionStatus.CANCELLED else str(place),
            # When the session really starts on the pair's clock: a time the clocks
            # skipped shows the later time its invite and emails give.
            wall_clock(session.starts_at.astimezone(zoneinfo.ZoneInfo(session.timezone))),
            *((session.timezone,) if other_zones else ()),
            session.status.value,
            str(session.sequence),
            Text(ops_replies.calendars(session)),
        )
    return rows


def _messages(state: PairState, local: Callable[[datetime], str]) -> Table:
    by_id = {s.number: s for s in state.sessions}
    # The outcome sits next to what was sent; recipient and SMTP reply share the last
    # column, which alone folds, so 80 columns (a pipe's width) keep every row readable.
    rows = table("time", "kind", "status", "recipient / reply", wrap=("recipient / reply",))
    for message in state.messages:
        about = by_id.get(message.session_number or 0)
        rows.add_row(
            local(message.recorded_at),
            message.kind.value + (f" {position(state, about)}" if about else ""),
            message.status.value,
            Text(f"{message.role.value} {message.email}" + (f"\n{message.detail}" if message.detail else "")),
        )
    return rows


def _pauses(state: PairState, local: Callable[[datetime], str]) -> Table:
    rows = table("from", "until (last day)", "resumed", "reason", wrap=("reason",))
    for pause in state.pauses:
        rows.add_row(
            local(pause.started_at),
            str(pause.until) if pause.until else "until resumed",
            local(pause.resumed_at) if pause.resumed_at else "still paused",
            Text(pause.reason),
        )
    return rows
