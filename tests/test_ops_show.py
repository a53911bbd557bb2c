"""``ops.py show`` in an 80-column terminal and through a pipe: every message's outcome is
there in full, however long the addresses, kinds and SMTP replies around it."""

from __future__ import annotations

import asyncio
import io
import re
import subprocess
import sys
import zoneinfo
from datetime import UTC, datetime, timedelta
from unittest import mock

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.console import Console

from devstack.temporal_servers import TEST_KEY_ENV
from mentoring.cohort import Person, Role
from mentoring.messages import MessageKind
from mentoring.state import DeliveryStatus, MessageRecord, PairProgramInput, PairState, SessionState, SessionStatus
from mentoring_service.cli import ops_views
from tests import factories
from tests.checkout import ROOT, fresh_environment
from tests.program_harness import ProgramHarness
from workflows.agenda import position

ROW = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d ")  # a message row starts with its time
LONG_MENTEE = "prof.dr.matthias.schaefer-mueller@example-holding-international.com"
REFUSAL = "550 5.1.1 <{}>: Recipient address rejected: User unknown in virtual mailbox table"


def message_rows(output: str) -> list[str]:
    section = output.split("Messages (times in", 1)[1].split("Pauses (times in", 1)[0]
    return [line for line in section.splitlines() if ROW.match(line)]


def shown_number(state: PairState, session: SessionState) -> str:
    """As ops.py show numbers sessions: in time order, a cancelled one in brackets."""
    place = position(state, session)
    return f"({place})" if session.status == SessionStatus.CANCELLED else str(place)


def assert_readable(output: str, state: PairState, width: int) -> None:
    assert "…" not in output, output
    # Display cells, not code points: some characters take none, some two.
    assert max(map(cell_len, output.splitlines())) <= width, output
    rows = message_rows(output)
    messages = state.messages
    assert len(rows) == len(messages), output
    by_id = {s.number: s for s in state.sessions}
    for row, message in zip(rows, messages, strict=True):
        session = by_id.get(message.session_number or 0)
        kind = message.kind.value + (f" {position(state, session)}" if session else "")
        # The row's first line: time, kind, then the status as a whole word.
        assert re.search(rf"^\S+ \S+ +{re.escape(kind)} +{message.status.value} ", row), (row, message)


async def test_show_at_80_columns_through_a_pipe(skipping_env, smtp):
    mentee = Person(name="Prof. Dr. Matthias Schäfer-Müller", email=LONG_MENTEE, timezone="America/Sao_Paulo")
    pair = factories.pair("p1").model_copy(update={"mentee": mentee})
    smtp.handler.refused[LONG_MENTEE] = REFUSAL.format(LONG_MENTEE)
    now = await skipping_env.get_current_time()
    program_input = PairProgramInput(program=factories.program(now.date(), cohort_id="ops"), pair=pair)
    async with ProgramHarness(skipping_env, smtp) as harness:
        handle = await harness.start(program_input)
        await harness.advance(timedelta(days=20))  # invites, reminders, reflections, failure notices
        state = await harness.state()
        kinds = {m.kind for m in state.messages}
        assert {MessageKind.DELIVERY_FAILURE_NOTICE, MessageKind.REFLECTION} <= kinds
        assert {m.status for m in state.messages} == {DeliveryStatus.SENT, DeliveryStatus.FAILED}

        pair_id = handle.id.rsplit(":", 1)[1]
        address = skipping_env.client.service_client.config.target_host
        env = fresh_environment(TEMPORAL_ADDRESS=address, COLUMNS="80", **TEST_KEY_ENV)
        shown = await asyncio.to_thread(  # piped: stdout is not a terminal
            subprocess.run,
            [sys.executable, "ops.py", "show", "ops", pair_id],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    assert_readable(shown.stdout, state, 80)


def records() -> st.SearchStrategy[list[MessageRecord]]:
    local = st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyzäöüß.-"), min_size=1, max_size=40)
    domain = st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyzü-"), min_size=1, max_size=40)
    moment = datetime(2027, 3, 1, 15, tzinfo=UTC)
    record = st.builds(
        lambda kind, role, user, host, number, status, detail: MessageRecord(
            key="k", kind=kind, role=role, email=f"{user}@{host}.example", session_number=number,
            due_at=moment, recorded_at=moment, status=status, detail=detail,
        ),
        st.sampled_from(MessageKind), st.sampled_from(Role), local, domain,
        st.none() | st.integers(1, 99), st.sampled_from(DeliveryStatus),
        st.text(st.characters(codec="utf-8", categories=["L", "N", "P", "Zs"]), max_size=120),
    )  # fmt: skip
    return st.lists(record, min_size=1, max_size=6)


def sessions() -> st.SearchStrategy[list[SessionState]]:
    start = datetime(2027, 3, 2, 15, tzinfo=UTC)
    session = st.builds(
        lambda number, zone, status, sequence: SessionState(
            number=number, uid=f"u{number}", sequence=sequence, starts_at=start, ends_at=start + timedelta(hours=1),
            local_start=datetime(2027, 3, 2, 16), timezone=zone, location="Teams", status=status,
        ),
        st.integers(1, 99), st.sampled_from(sorted(zoneinfo.available_timezones() - {"Factory", "localtime"})),
        st.sampled_from(SessionStatus), st.integers(0, 20),
    )  # fmt: skip
    return st.lists(session, max_size=3)


@settings(max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(messages=records(), plan=sessions(), width=st.integers(80, 160))
def test_every_status_is_whole_at_any_width_from_80(messages, plan, width):
    state = PairState(messages=messages, sessions=plan, mentor=factories.pair().mentor, mentee=factories.pair().mentee)
    console = Console(file=io.StringIO(), width=width, color_system=None)
    with mock.patch.object(ops_views, "out", console):
        ops_views.print_pair("ops", "p1", state)
    output = console.file.getvalue()
    assert_readable(output, state, width)
    for session in plan:  # status and SEQUENCE of every session, whole
        shown = re.escape(shown_number(state, session))
        assert re.search(rf"^{shown} .* {session.status.value} +{session.sequence} *$", output, re.MULTILINE)
