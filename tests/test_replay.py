"""Every recorded history must replay against today's workflow code.

A failure here means a change would break programs that are already running:
guard it with ``workflow.patched`` (see README, "Changing workflow code safely").

Histories are recorded encrypted with the public test key of devstack.temporal_servers;
older ones, recorded before encryption, pass through the codec unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from devstack.temporal_servers import fixed_key_converter
from workflows.cohort import CohortWorkflow
from workflows.pair import PairProgramWorkflow

HISTORIES = sorted((Path(__file__).parent / "histories").glob("*.json"))


def test_histories_are_recorded():
    assert len(HISTORIES) >= 3, "run scripts/record_histories.py"


@pytest.mark.parametrize("path", HISTORIES, ids=[p.stem for p in HISTORIES])
async def test_history_replays(path: Path):
    replayer = Replayer(workflows=[CohortWorkflow, PairProgramWorkflow], data_converter=fixed_key_converter())
    history = WorkflowHistory.from_json(path.stem, path.read_text())
    await replayer.replay_workflow(history)
