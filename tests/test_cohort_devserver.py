"""A cohort on the real dev server: visibility, the cohort query, idempotent starts,
and pairs that outlive their cohort workflow."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from temporalio.api.sdk.v1 import WorkflowMetadata
from temporalio.client import WorkflowExecutionStatus
from temporalio.service import RPCError, RPCStatusCode

from devstack.temporal_servers import BIN, TEST_KEY_ENV, start_dev_server
from mentoring.ids import cohort_workflow_id, pair_workflow_id
from mentoring.operations import PausePair
from mentoring_service.cli.start import start_cohort
from tests import factories
from tests.waiting import eventually
from tests.workers import running_workers
from workflows.cohort import CohortWorkflow
from workflows.pair import PairProgramWorkflow

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
async def dev_env():
    env = await start_dev_server()
    yield env
    await env.shutdown()


async def count(client, query: str) -> int:
    return (await client.count_workflows(query)).count


async def test_cohort_starts_every_pair_once_and_pairs_outlive_it(dev_env, smtp):
    client = dev_env.client
    today = datetime.now(UTC).date()
    cohort = factories.cohort(today, ["p1", "p2", "p3"], cohort_id="vis")
    async with running_workers(client, smtp.port):
        handle, started = await start_cohort(client, cohort)
        assert started

        # Start today: each participant gets the welcome and the first invite at once.
        async def kickoff_delivered():
            return len(smtp.handler.received) >= 12

        assert await eventually(kickoff_delivered)
        assert Counter((r.recipient, r.kind) for r in smtp.handler.received) == {
            (f"{role}-{p}@example.com", kind): 1
            for p in ("p1", "p2", "p3")
            for role in ("mentor", "mentee")
            for kind in ("welcome", "invite")
        }

        async def visible():
            return (
                await count(client, "CohortId='vis' AND WorkflowType='PairProgramWorkflow' AND ProgramPhase='kickoff'")
                == 3
            )

        assert await eventually(visible)
        assert await count(client, "CohortId='vis' AND PairId='p2'") == 1

        async def progress_reported():
            progress = await handle.query(CohortWorkflow.progress)
            return progress if progress.messages_sent == 12 else None

        progress = await eventually(progress_reported)
        assert progress is not None
        assert (progress.pairs_total, progress.pairs_started) == (3, 3)
        assert progress.pairs_by_phase == {"kickoff": 3}
        assert (progress.sessions_held, progress.messages_failed) == (0, 0)

        # Starting the same cohort again starts nothing and sends nothing.
        again, started_again = await start_cohort(client, cohort)
        assert not started_again and again.id == handle.id
        await asyncio.sleep(2)
        assert len(smtp.handler.received) == 12
        assert await count(client, "CohortId='vis' AND WorkflowType='PairProgramWorkflow'") == 3

        # Admins find a paused pair by cohort and phase, with the CLI docs/admin-ui.md shows.
        p1 = client.get_workflow_handle_for(PairProgramWorkflow.run, pair_workflow_id("vis", "p1"))
        await p1.execute_update(
            PairProgramWorkflow.pause, PausePair(request_id="pause-1", reason="Dienstreise"), id="pause-1"
        )

        async def paused_visible():
            return await count(client, "CohortId='vis' AND ProgramPhase='paused'") == 1

        assert await eventually(paused_visible)

        async def pause_delivered():
            return len(smtp.handler.received) == 16

        # Each participant of p1: a cancellation for the invited session, and the pause notice.
        assert await eventually(pause_delivered)
        assert sorted(r.kind for r in smtp.handler.received[12:]) == [
            "invite_cancel",
            "invite_cancel",
            "program_paused",
            "program_paused",
        ]
        listed = await asyncio.to_thread(
            subprocess.run,
            [
                str(BIN / "temporal"),
                "workflow",
                "list",
                "--address",
                client.service_client.config.target_host,
                "--query",
                "CohortId='vis' AND ProgramPhase='paused'",
                "--output",
                "json",
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert listed.returncode == 0, listed.stderr
        assert [w["execution"]["workflowId"] for w in json.loads(listed.stdout)] == ["pair:vis:p1"]
        description = await p1.describe()
        assert await description.static_summary() == "Pair p1 · cohort vis"
        assert "**Sessions:** tuesday 16:00 Europe/Berlin, 60 min" in await description.static_details()
        # The UI's one line for what the pair does now, from the SDK's built-in metadata query.
        metadata = await p1.query("__temporal_workflow_metadata", result_type=WorkflowMetadata)
        assert metadata.current_details.startswith("**paused** · 0 of ")
        assert "paused until resumed" in metadata.current_details

        # A pair survives the end of its cohort workflow.
        await handle.terminate(reason="test: cohort workflow lost")
        for pair_id in ("p1", "p2", "p3"):
            description = await client.get_workflow_handle(pair_workflow_id("vis", pair_id)).describe()
            assert description.status == WorkflowExecutionStatus.RUNNING

        # The program office may start it again: pairs are adopted, not doubled.
        rerun, started_rerun = await start_cohort(client, cohort)
        assert started_rerun

        async def all_adopted():
            return (await rerun.query(CohortWorkflow.progress)).pairs_started == 3

        assert await eventually(all_adopted, timeout=10)
        await asyncio.sleep(1)
        assert len(smtp.handler.received) == 16
        assert await count(client, "CohortId='vis' AND WorkflowType='PairProgramWorkflow'") == 3


def run_starter(*args: str, address: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "TEMPORAL_ADDRESS": address, "COLUMNS": "200", **TEST_KEY_ENV}
    return subprocess.run(
        [sys.executable, "starter.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


async def test_starter_start_is_idempotent_and_bad_files_start_nothing(dev_env, smtp, tmp_path):
    client = dev_env.client
    address = client.service_client.config.target_host
    example = ROOT / "examples" / "digital-workplace-2027.yaml"
    async with running_workers(client, smtp.port):
        first = await asyncio.to_thread(run_starter, "start", str(example), "--start-date", "today", address=address)
        assert first.returncode == 0, first.stderr
        assert "started cohort 'dw-2027': 4 pair workflows" in first.stdout
        second = await asyncio.to_thread(run_starter, "start", str(example), "--start-date", "today", address=address)
        assert second.returncode == 0, second.stderr
        # A re-run says what it found, on one line (`make run` shows the starter's last line).
        assert second.stdout.splitlines()[-1] == (
            "cohort 'dw-2027' is already running (workflow cohort:dw-2027): nothing started, nobody gets a second email"
        )
        assert "started cohort" not in second.stdout

        broken = tmp_path / "broken.yaml"
        broken.write_text(
            example.read_text().replace("id: dw-2027", "id: broken").replace("duration_months: 6", "duration_months: 9")
        )
        bad = await asyncio.to_thread(run_starter, "start", str(broken), "--start-date", "today", address=address)
        assert bad.returncode == 2
        assert "Traceback" not in bad.stderr
        assert "nothing was started" in bad.stderr
        assert "duration_months" in bad.stderr
        assert await count(client, "CohortId='broken'") == 0
        with pytest.raises(RPCError) as missing:
            await client.get_workflow_handle(cohort_workflow_id("broken")).describe()
        assert missing.value.status == RPCStatusCode.NOT_FOUND
