"""``ops.py`` as the program office runs it: a subprocess against a real dev server,
with an in-process worker and a local SMTP server. One small cohort, started today,
serves every test; the commands that do not depend on each other run in parallel."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from temporalio.client import Client

from devstack.temporal_servers import TEST_KEY_ENV, start_dev_server
from mentoring.answers import ANSWERS_AFTER_CLOSING
from mentoring.ids import pair_workflow_id
from mentoring.state import PairState, ProgramPhase, SessionStatus
from mentoring_service.cli.ops_parser import build_parser
from mentoring_service.cli.ops_request_id import derived_request_id
from mentoring_service.cli.ops_requests import COHORT_CHANGES, PAIR_CHANGES, build_change
from mentoring_service.cli.start import start_cohort
from tests import factories
from tests.smtp_server import SmtpServer
from tests.waiting import eventually
from tests.workers import running_workers
from workflows.cohort import CohortWorkflow
from workflows.pair import PairProgramWorkflow

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "digital-workplace-2027.yaml"
COHORT = "ops"
PAIRS = ["p1", "p2", "p3"]
BERLIN = ZoneInfo("Europe/Berlin")


@dataclass
class Stack:
    client: Client
    address: str


@pytest.fixture(scope="module")
async def stack(tmp_path_factory):
    env = await start_dev_server()
    client = env.client
    with SmtpServer() as smtp, pytest.MonkeyPatch.context() as patch:
        # The worker's own delivery ledger: the per-test one from conftest does not exist yet
        # when this module-wide worker starts, and the default lives in the repository's var/.
        ledger = tmp_path_factory.mktemp("ops-ledger") / "delivery-ledger.sqlite3"
        patch.setenv("DELIVERY_LEDGER_URL", f"sqlite:///{ledger}")
        async with running_workers(client, smtp.port, rate=100):
            cohort = factories.cohort(datetime.now(UTC).date(), PAIRS, cohort_id=COHORT)
            handle, _ = await start_cohort(client, cohort)

            async def kickoff_reported():
                # Welcome and first invite, to mentor and mentee, for every pair.
                progress = await handle.query(CohortWorkflow.progress)
                return progress.messages_sent == 4 * len(PAIRS)

            assert await eventually(kickoff_reported)
            yield Stack(client, client.service_client.config.target_host)
    await env.shutdown()


def ops_sync(address: str, *args: str) -> subprocess.CompletedProcess:
    # Nothing from the caller's environment (namespace, profile, API key) may point elsewhere.
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "TEMPORAL_ADDRESS": address,
        "COLUMNS": "200",
        **TEST_KEY_ENV,
    }
    return subprocess.run(
        [sys.executable, "ops.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


async def ops(stack: Stack, *args: str) -> subprocess.CompletedProcess:
    return await asyncio.to_thread(ops_sync, stack.address, *args)


def lines(text: str) -> list[str]:
    """Output lines with runs of spaces folded and table rules left out, so tables compare exactly."""
    return [" ".join(line.split()) for line in text.splitlines() if line.strip().strip("─")]


async def pair_state(stack: Stack, pair_id: str) -> PairState:
    handle = stack.client.get_workflow_handle(pair_workflow_id(COHORT, pair_id))
    return await handle.query(PairProgramWorkflow.state)


def wall(moment: datetime) -> str:
    return f"{moment:%a %Y-%m-%d %H:%M}"


# ------------------------------------------------------------------ looking


async def test_status_prints_one_row_per_pair(stack):
    progress = await stack.client.get_workflow_handle(f"cohort:{COHORT}").query(CohortWorkflow.progress)
    result = await ops(stack, "status", COHORT)
    assert result.returncode == 0, result.stderr
    planned = {p.pair_id: p.sessions_planned for p in progress.pairs}
    next_event = {
        p.pair_id: f"{p.next_event_at.astimezone(UTC):%Y-%m-%d %H:%M}" if p.next_event_at else "-"
        for p in progress.pairs
    }
    assert all(n >= 12 for n in planned.values())
    assert lines(result.stdout) == [
        f"cohort {COHORT}: 3 of 3 pairs started · 0 sessions held · 12 messages sent · 0 failed",
        "sessions next next event sent/",
        "pair phase health held/planned calendars (UTC) failed",
        *(f"{p} kickoff healthy 0/{planned[p]} – {next_event[p]} 4/0" for p in PAIRS),
        # Started without ``starter.py start``, so without the digest's schedule.
        f"weekly digest: none (schedule digest:{COHORT} does not exist or has ended)",
    ]


async def test_show_prints_plan_messages_and_pauses(stack):
    state = await pair_state(stack, "p1")
    result = await ops(stack, "show", COHORT, "p1")
    assert result.returncode == 0, result.stderr
    # The plan is the factory's: Tuesdays at 16:00 in Berlin, every two weeks, from today on.
    first = state.sessions[0]
    assert first.local_start.weekday() == 1 and f"{first.local_start:%H:%M}" == "16:00"
    assert 0 <= (first.local_start.date() - datetime.now(BERLIN).date()).days <= 14
    assert [b.local_start - a.local_start for a, b in zip(state.sessions, state.sessions[1:], strict=False)] == [
        timedelta(weeks=2)
    ] * (len(state.sessions) - 1)
    sent = [f"{m.recorded_at.astimezone(BERLIN):%Y-%m-%d %H:%M}" for m in state.messages]
    assert lines(result.stdout) == [
        f"pair p1 · cohort {COHORT} · phase kickoff · 0 of {len(state.sessions)} sessions held"
        f" · program ends {state.program_end}",
        "mentor: Lena Weber p1 <mentor-p1@example.com> (Europe/Berlin) · "
        "mentee: Klaus Richter p1 <mentee-p1@example.com> (Europe/Berlin)",
        "health: healthy",
        "Sessions (local times in Europe/Berlin)",
        "no. local start status SEQUENCE calendars",
        f"{first.number} {wall(first.local_start)} invited 0 –",
        *(f"{s.number} {wall(s.local_start)} planned 0 –" for s in state.sessions[1:]),
        "Check-ins and reflections (ratings career/psychosocial/emotional, 1–5)",
        "none yet",
        "Reviews (ratings 1–5)",
        "none yet",
        "Messages (times in Europe/Berlin)",
        "time kind status recipient / reply",
        f"{sent[0]} welcome sent mentor mentor-p1@example.com",
        f"{sent[1]} welcome sent mentee mentee-p1@example.com",
        f"{sent[2]} invite 1 sent mentor mentor-p1@example.com",
        f"{sent[3]} invite 1 sent mentee mentee-p1@example.com",
        "Pauses (times in Europe/Berlin)",
        "none",
    ]


# ------------------------------------------------------------------ refused before any call


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["reschedule", COHORT, "p1", "2", "--to", "2027-03-16"],
            'argument --to: \'2027-03-16\' is not a date and time; use "YYYY-MM-DD HH:MM", e.g. "2027-03-16 16:00"',
        ),
        (
            ["reschedule", COHORT, "p1", "2", "--to", "16.03.2027 16:00"],
            "argument --to: '16.03.2027 16:00' is not a date and time; "
            'use "YYYY-MM-DD HH:MM", e.g. "2027-03-16 16:00"',
        ),
        (
            ["change-rhythm", COHORT, "p1", "--weekday", "funday"],
            "argument --weekday: unknown weekday 'funday' (did you mean 'sunday'?); "
            "use one of: monday, tuesday, wednesday, thursday, friday, saturday, sunday (or in German: montag ... sonntag)",
        ),
        (
            ["pause", COHORT, "p1", "--reason", "   "],
            "argument --reason: is empty",
        ),
        (
            ["end", COHORT, "p1", "--reason", "done\r\nBcc: everyone@example.com"],
            "argument --reason: contains a line break; it must be a single line",
        ),
        (
            ["pause", COHORT, "p1", "--reason", "x", "--until", "2027-02-30"],
            "argument --until: '2027-02-30' is not a real date",
        ),
        (
            [
                "replace",
                COHORT,
                "p1",
                "--role",
                "mentor",
                "--name",
                "A B",
                "--email",
                "a.b@",
                "--timezone",
                "Europe/Berlin",
                "--reason",
                "x",
            ],
            "argument --email: 'a.b@' is not a valid email address: There must be something after the @-sign.",
        ),
        (
            [
                "replace",
                COHORT,
                "p1",
                "--role",
                "mentor",
                "--name",
                "A B",
                "--email",
                "a.b@example.com",
                "--timezone",
                "Europe/Berlinn",
                "--reason",
                "x",
            ],
            "argument --timezone: unknown time zone 'Europe/Berlinn'; did you mean 'Europe/Berlin'?",
        ),
        (
            ["status", "DW 2027"],
            "argument COHORT: 'DW 2027' is not a valid id; use lowercase letters a-z, digits, '-' or '_' (e.g. 'dw-2027')",
        ),
        (
            [
                "add-pair",
                str(EXAMPLE),
                "--id",
                "p9",
                "--mentor-name",
                "Lena W.",
                "--mentor-email",
                "Lena.Weber@example.com",
                "--mentor-timezone",
                "Europe/Berlin",
                "--mentee-name",
                "Eva Schulz",
                "--mentee-email",
                "eva.schulz@example.com",
                "--mentee-timezone",
                "Europe/Berlin",
            ],
            "argument --mentor-email: 'Lena.Weber@example.com' is already in pair 'p1' as mentor; "
            "a person can be in only one pair of a cohort",
        ),
    ],
    ids=["date-only", "german-date", "weekday", "empty-reason", "crlf", "no-such-day", "email", "zone", "id", "twice"],
)
def test_bad_arguments_are_named_and_exit_2(args, message):
    # Nothing is called: the address would not even answer.
    result = ops_sync("127.0.0.1:1", *args)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].endswith(f"error: {message}")


def test_change_rhythm_needs_something_to_change():
    result = ops_sync("127.0.0.1:1", "change-rhythm", COHORT, "p1")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "error: argument --weekday/--time/--length/--location/--cadence: give at least one of them; "
        "nothing would change"
    )


def test_no_server_is_explained():
    result = ops_sync("127.0.0.1:1", "status", COHORT)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("error: cannot reach Temporal at 127.0.0.1:1")


def test_every_command_names_an_update_of_the_contract():
    from temporalio.workflow import _Definition

    pair_updates = set(_Definition.from_class(PairProgramWorkflow).updates)
    cohort_updates = set(_Definition.from_class(CohortWorkflow).updates)
    names = {
        "reschedule_session",
        "cancel_session",
        "change_rhythm",
        "pause",
        "resume",
        "extend",
        "end_program",
        "withdraw_participant",
        "replace_participant",
        "approve_counter",
        "refuse_counter",
    }
    assert names <= pair_updates
    assert {"add_pair", "withdraw_pair", "end_cohort", "announce"} <= cohort_updates
    assert len(PAIR_CHANGES) == 11 and len(COHORT_CHANGES) == 4


def test_request_ids_follow_the_request_not_its_spelling():
    def request_id(*argv: str) -> str:
        args = build_parser().parse_args(argv)
        change = build_change(args)
        return derived_request_id(args.command, change.target.workflow_id, change.request)

    rhythm = request_id("change-rhythm", "dw", "p1", "--weekday", "Dienstag", "--time", "9.30")
    assert rhythm == request_id("change-rhythm", "dw", "p1", "--time", "09:30", "--weekday", "tuesday")
    assert rhythm.startswith("change-rhythm-") and len(rhythm) == len("change-rhythm-") + 12
    assert rhythm != request_id("change-rhythm", "dw", "p2", "--weekday", "tuesday", "--time", "09:30")
    assert request_id("resume", "dw", "p1") != request_id("resume", "dw-2", "p1")


# ------------------------------------------------------------------ refused by the server


async def test_server_side_rejections_exit_1(stack):
    state = await pair_state(stack, "p1")
    two_days_ago = datetime.now(BERLIN).date() - timedelta(days=2)
    too_late = state.program_end + timedelta(days=30)
    start = datetime.now(UTC).date()
    cases = {
        ("status", "nope"): "no cohort 'nope' in namespace 'default'",
        ("show", COHORT, "p9"): f"no pair 'p9' in cohort '{COHORT}'",
        ("reschedule", COHORT, "p9", "2", "--to", f"{too_late} 10:00"): f"no pair 'p9' in cohort '{COHORT}'",
        ("reschedule", COHORT, "p1", "2", "--to", f"{two_days_ago} 10:00"): (
            f"new time {two_days_ago} 10:00 is in the past"
        ),
        ("reschedule", COHORT, "p1", "2", "--to", f"{too_late} 10:00"): (
            f"new time {too_late} is outside the program ({start} to {state.program_end}); extend the program first"
        ),
        ("reschedule", COHORT, "p1", "99", "--to", f"{too_late} 10:00"): (
            f"there is no session 99 (the sessions are numbered 1 to {len(state.sessions)}; see ops.py show)"
        ),
        (
            "replace",
            COHORT,
            "p1",
            "--role",
            "mentor",
            "--name",
            "Klaus Again",
            "--email",
            "Mentee-P1@example.com",
            "--timezone",
            "Europe/Berlin",
            "--reason",
            "swap",
        ): "Mentee-P1@example.com is already the other participant of this pair; choose someone else",
    }
    results = await asyncio.gather(*(ops(stack, *args) for args in cases))
    for (args, message), result in zip(cases.items(), results, strict=True):
        assert (result.returncode, result.stderr.strip()) == (1, f"error: {message}"), args
        assert result.stdout == ""
    # Nothing of it changed the plan.
    assert (await pair_state(stack, "p1")).sessions == state.sessions


# ------------------------------------------------------------------ changes


async def _reschedule_twice(stack: Stack) -> None:
    before = (await pair_state(stack, "p1")).sessions[1]
    new_day = before.local_start.date() + timedelta(days=1)
    args = ("reschedule", COHORT, "p1", "2", "--to", f"{new_day} 10:00")
    first = await ops(stack, *args)
    assert first.returncode == 0, first.stderr
    out = lines(first.stdout)
    new = datetime.combine(new_day, datetime.min.time()).replace(hour=10)
    assert out[0] == f"session 2 moved to {new_day} 10:00 Europe/Berlin"
    assert out[1].startswith("request id: reschedule-")
    assert out[2] == f"session 2: moved, {wall(before.local_start)} → {wall(new)}"
    assert out[3] == "messages queued: 0"
    # The same command again is the same request: applied once.
    again = await ops(stack, *args)
    assert again.returncode == 0, again.stderr
    assert lines(again.stdout)[:2] == out[:2]
    # Seconds later, and it says so: the workflow had the request id already.
    assert not any("already applied" in line for line in out)
    assert lines(again.stdout)[-1].startswith("This request was already applied at ")
    assert lines(again.stdout)[-1].endswith(
        "nothing was done again. To do the same thing once more, pass a new --request-id."
    )
    session = (await pair_state(stack, "p1")).sessions[1]
    assert (session.local_start, session.sequence, session.status) == (new, 1, SessionStatus.PLANNED)


async def _pause_and_resume(stack: Stack) -> None:
    until = datetime.now(BERLIN).date() + timedelta(days=20)
    before = await pair_state(stack, "p2")
    in_pause = [s.number for s in before.sessions if s.local_start.date() <= until]
    paused = await ops(stack, "pause", COHORT, "p2", "--reason", "Elternzeit", "--until", str(until))
    assert paused.returncode == 0, paused.stderr
    out = lines(paused.stdout)
    assert out[0] == f"paused until {until}; {len(in_pause)} session(s) cancelled"
    assert out[2 : 2 + len(in_pause)] == [
        f"session {s.number}: cancelled, {wall(s.local_start)}" for s in before.sessions if s.number in in_pause
    ]
    state = await pair_state(stack, "p2")
    assert state.phase == ProgramPhase.PAUSED
    assert [(p.reason, p.until, p.resumed_at) for p in state.pauses] == [("Elternzeit", until, None)]
    assert [s.number for s in state.sessions if s.status == SessionStatus.CANCELLED] == in_pause

    shown = await ops(stack, "show", COHORT, "p2")
    assert lines(shown.stdout)[-1] == (
        f"{state.pauses[0].started_at.astimezone(BERLIN):%Y-%m-%d %H:%M} {until} still paused Elternzeit"
    )

    resumed = await ops(stack, "resume", COHORT, "p2")
    assert resumed.returncode == 0, resumed.stderr
    state = await pair_state(stack, "p2")
    assert lines(resumed.stdout)[0] == f"resumed; program now ends {state.program_end}"
    assert state.phase != ProgramPhase.PAUSED and state.pauses[0].resumed_at is not None
    again = await ops(stack, "resume", COHORT, "p2", "--request-id", "resume-p2-once-more")
    assert (again.returncode, again.stderr.strip()) == (1, "error: the pair is not paused")


async def _end_then_finished(stack: Stack) -> None:
    ended = await ops(stack, "end", COHORT, "p3", "--reason", "Moved abroad")
    assert ended.returncode == 0, ended.stderr
    assert lines(ended.stdout)[0] == "program ended: Moved abroad"

    # The closing review goes out at once; the pair then takes its answers for three weeks.
    async def reviewed() -> PairState | None:
        state = await pair_state(stack, "p3")
        return state if state.closing_done else None

    state = await eventually(reviewed)
    assert state is not None and state.answers_until is not None and state.ended is not None
    # Counted from when the closing review went out, a moment after the end.
    assert timedelta(0) <= state.answers_until - state.ended.at - ANSWERS_AFTER_CLOSING < timedelta(seconds=30)
    assert state.phase == ProgramPhase.ENDED and state.ended.reason == "Moved abroad"
    assert all(s.status == SessionStatus.CANCELLED for s in state.sessions if s.status != SessionStatus.HELD)
    late = await ops(stack, "end", COHORT, "p3", "--reason", "Moved abroad, really")
    assert (late.returncode, late.stderr.strip()) == (
        1,
        "error: the program was ended early (Moved abroad); nothing to change",
    )


async def _add_pair_from_the_cohort_file(stack: Stack, folder: Path) -> None:
    # The example file's defaults (dienstag, 16:00, 60 minutes, biweekly), under this cohort's id.
    cohort_file = folder / "cohort.yaml"
    cohort_file.write_text(EXAMPLE.read_text(encoding="utf-8").replace("id: dw-2027", f"id: {COHORT}"))
    add_args = (
        "add-pair",
        str(cohort_file),
        "--id",
        "p4",
        "--mentor-name",
        "Jonas Beck",
        "--mentor-email",
        "j.beck@example.com",
        "--mentor-timezone",
        "Europe/Berlin",
        "--mentee-name",
        "Dr. Petra Lang",
        "--mentee-email",
        "p.lang@example.com",
        "--mentee-timezone",
        "America/New_York",
        "--time",
        "10:00",
    )
    added = await ops(stack, *add_args)
    assert added.returncode == 0, added.stderr
    assert lines(added.stdout)[0] == "pair p4 added and started"
    assert lines(added.stdout)[2] == "pairs affected: p4"
    again = await ops(stack, *add_args)
    assert again.returncode == 0, again.stderr
    assert lines(again.stdout)[:3] == lines(added.stdout)[:3]
    assert lines(again.stdout)[-1].startswith("This request was already applied; nothing was done again.")

    async def planned():
        with contextlib.suppress(Exception):
            return (await pair_state(stack, "p4")).sessions
        return None

    sessions = await eventually(planned)
    assert sessions and all(s.timezone == "America/New_York" for s in sessions)
    assert {(s.local_start.weekday(), f"{s.local_start:%H:%M}") for s in sessions} == {(1, "10:00")}
    assert sessions[0].location == "Microsoft Teams: https://teams.example.com/l/meetup-join/dw-2027"


async def _announce_twice(stack: Stack) -> None:
    args = ("announce", COHORT, "--subject", "Abschlussfeier", "--body", "Am 30. Juni.", "--to", "mentors")
    first = await ops(stack, *args)
    assert first.returncode == 0, first.stderr
    again = await ops(stack, *args)
    assert again.returncode == 0, again.stderr
    assert lines(again.stdout)[0] == lines(first.stdout)[0]
    assert lines(again.stdout)[-1].startswith("This request was already applied; nothing was done again.")


async def _replace_with_someone_of_another_pair(stack: Stack) -> None:
    refused = await ops(
        stack,
        "replace",
        COHORT,
        "p1",
        "--role",
        "mentee",
        "--name",
        "Lena",
        "--email",
        "MENTOR-P2@example.com",
        "--timezone",
        "Europe/Berlin",
        "--reason",
        "swap",
    )
    assert (refused.returncode, refused.stderr.strip()) == (
        1,
        "error: MENTOR-P2@example.com is already in pair 'p2' as mentor; a person can be in only one pair "
        "of a cohort. Nothing was changed.",
    )


async def test_changes_print_their_summary_and_change_the_state(stack, tmp_path):
    # Not beside the reschedule: its "messages queued" would count the announcement too.
    await _announce_twice(stack)
    await asyncio.gather(
        _replace_with_someone_of_another_pair(stack),
        _reschedule_twice(stack),
        _pause_and_resume(stack),
        _end_then_finished(stack),
        _add_pair_from_the_cohort_file(stack, tmp_path),
    )
