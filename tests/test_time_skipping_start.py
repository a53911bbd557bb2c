"""Starting Temporal's local servers when the port the SDK picked was taken in the meantime.

The SDK picks a free port and the server binds it a moment later; another process can
take it in between (once in a fresh-clone CI run, four test processes starting servers
at once). The failure here is the SDK's own, raised before the real server starts; the
server that then starts is real."""

from __future__ import annotations

from datetime import timedelta

import pytest
from temporalio.testing import WorkflowEnvironment

import starter
from devstack.temporal_servers import fixed_key_converter, start_dev_server
from mentoring_service import time_skipping
from tests.test_starter_cli import EXAMPLE

# The SDK's words when the server process could not bind its port (from that CI run).
PORT_TAKEN = (
    "Failed starting test server: ephemeral server at 127.0.0.1:38507 did not start within 5s; "
    "last connection error: `get_system_info` call error after connection"
)


def failing_first(monkeypatch: pytest.MonkeyPatch, failures: int) -> list[int]:
    """The SDK's start fails ``failures`` times, then starts the real server."""
    real, calls = WorkflowEnvironment.start_time_skipping, []

    async def start(**kwargs: object) -> WorkflowEnvironment:
        calls.append(1)
        if len(calls) <= failures:
            raise RuntimeError(PORT_TAKEN)
        return await real(**kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(WorkflowEnvironment, "start_time_skipping", start)
    return calls


async def test_a_port_taken_before_the_server_binds_it_is_tried_again(monkeypatch):
    calls = failing_first(monkeypatch, failures=time_skipping.START_ATTEMPTS - 1)
    env = await time_skipping.start_time_skipping(fixed_key_converter())
    try:
        before = await env.get_current_time()
        await env.sleep(timedelta(days=3))
        assert await env.get_current_time() - before >= timedelta(days=3)
    finally:
        await env.shutdown()
    assert len(calls) == time_skipping.START_ATTEMPTS


async def test_a_server_that_never_starts_is_named_once(monkeypatch):
    calls = failing_first(monkeypatch, failures=time_skipping.START_ATTEMPTS)
    with pytest.raises(time_skipping.ServerNotStarted, match="^Temporal's time-skipping server did not start: "):
        await time_skipping.start_time_skipping(fixed_key_converter())
    assert len(calls) == time_skipping.START_ATTEMPTS


def test_simulate_says_so_in_one_line_without_a_traceback(monkeypatch, tmp_path, capsys):
    failing_first(monkeypatch, failures=time_skipping.START_ATTEMPTS)
    code = starter.main(["simulate", str(EXAMPLE), "--outbox", str(tmp_path / "outbox"), "--start-date", "2027-02-02"])
    err = capsys.readouterr().err
    assert code == 1
    assert "Temporal's time-skipping server did not start: Failed starting test server" in err
    assert "Traceback" not in err
    assert not list((tmp_path / "outbox").glob("*.eml"))


async def test_the_dev_server_is_tried_again_too(monkeypatch):
    real, calls = WorkflowEnvironment.start_local, []

    async def start(**kwargs: object) -> WorkflowEnvironment:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("Failed starting Temporal dev server: ephemeral server at 127.0.0.1:42449 did not start")
        return await real(**kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(WorkflowEnvironment, "start_local", start)
    env = await start_dev_server()
    try:
        assert (await env.client.count_workflows()).count == 0
    finally:
        await env.shutdown()
    assert len(calls) == 2
