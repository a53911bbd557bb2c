"""``ops.py report`` as the program office runs it: a subprocess against a real dev
server with a worker, for a cohort started today; and its one-line errors."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from datetime import UTC, datetime

import pytest

from devstack.temporal_servers import TEST_KEY_ENV, start_dev_server
from mentoring_service.cli.start import start_cohort
from tests import factories
from tests.smtp_server import SmtpServer
from tests.test_ops_cli import ROOT
from tests.waiting import eventually
from tests.workers import running_workers
from workflows.cohort import CohortWorkflow

COHORT = "rep"
PAIRS = ["p1", "p2"]


async def ops(address: str, *args: str, path: str | None = None) -> subprocess.CompletedProcess:
    """In a thread: the worker answering the pairs' queries runs on this event loop."""
    env = {"PATH": path or os.environ.get("PATH", "/usr/bin:/bin"), "TEMPORAL_ADDRESS": address, "COLUMNS": "300",
           **TEST_KEY_ENV}  # fmt: skip
    command = [sys.executable, "ops.py", *args]
    return await asyncio.to_thread(
        subprocess.run, command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.fixture(scope="module")
async def address(tmp_path_factory):
    env = await start_dev_server()
    client = env.client
    with SmtpServer() as smtp, pytest.MonkeyPatch.context() as patch:
        ledger = tmp_path_factory.mktemp("report-ledger") / "delivery-ledger.sqlite3"
        patch.setenv("DELIVERY_LEDGER_URL", f"sqlite:///{ledger}")
        async with running_workers(client, smtp.port, rate=100):
            handle, _ = await start_cohort(client, factories.cohort(datetime.now(UTC).date(), PAIRS, cohort_id=COHORT))

            async def kickoff_reported():
                return (await handle.query(CohortWorkflow.progress)).messages_sent == 4 * len(PAIRS)

            assert await eventually(kickoff_reported)
            yield client.service_client.config.target_host
    await env.shutdown()


async def test_report_writes_the_files_and_says_from_where(address, tmp_path):
    folder = tmp_path / "new" / "report"
    before = datetime.now(UTC)
    result = await ops(address, "report", COHORT, "--out", str(folder), "--lang", "en")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"cohort {COHORT} (running) as of ")
    assert lines[0].endswith("UTC (this machine's clock): 2 pair(s) from their state query, 0 from their results")
    assert lines[1:] == [f"wrote {folder / name}" for name in ("report.json", "pairs.csv", "report.html", "report.pdf")]
    document = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    assert document["source"]["clock"] == "machine"
    assert datetime.fromisoformat(document["source"]["as_of"]) >= before
    assert document["figures"]["pairs"]["running"] == 2
    # A biweekly Tuesday rhythm from today over six months: every session still to come.
    assert document["figures"]["sessions"]["planned"] == document["figures"]["sessions"]["upcoming"] > 0
    assert '<html lang="en">' in (folder / "report.html").read_text(encoding="utf-8")


async def test_without_chromium_the_rest_is_written_and_one_line_says_why(address, tmp_path):
    result = await ops(address, "report", COHORT, "--out", str(tmp_path), path="/nonexistent")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == (
        "no PDF: Chromium is not installed (apt-get install chromium); report.html prints to PDF from any browser"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pairs.csv", "report.html", "report.json"]
    # The cohort's own language (the factory's cohorts are English).
    assert '<html lang="en">' in (tmp_path / "report.html").read_text(encoding="utf-8")


async def test_an_unknown_cohort_is_one_line(address, tmp_path):
    result = await ops(address, "report", "nope", "--out", str(tmp_path))
    assert (result.returncode, result.stderr) == (1, "error: no cohort 'nope' in namespace 'default'\n")
    assert list(tmp_path.iterdir()) == []


async def test_a_folder_that_takes_no_files_is_one_line_before_any_call(tmp_path):
    """Checked before connecting: no server listens at the address given."""
    (tmp_path / "taken").write_text("x")
    result = await ops("127.0.0.1:1", "report", COHORT, "--out", str(tmp_path / "taken"))
    assert (result.returncode, result.stderr) == (2, f"error: --out {tmp_path / 'taken'}: is a file; give a folder\n")
    result = await ops("127.0.0.1:1", "report", COHORT, "--out", str(tmp_path / "taken" / "below"))
    assert result.returncode == 2
    assert result.stderr == f"error: --out {tmp_path / 'taken' / 'below'}: cannot write there (Not a directory)\n"
