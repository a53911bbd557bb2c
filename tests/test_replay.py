"""Every recorded history must replay against today's workflow code.

A failure here means a change would break programs that are already running:
guard it with ``workflow.patched`` (see README, "Changing workflow code safely").

Histories are recorded encrypted with the public test key of devstack.temporal_servers;
older ones, recorded before encryption, pass through the codec unchanged."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from devstack.temporal_servers import fixed_key_converter
from workflows.cohort import CohortWorkflow
from workflows.pair import PairProgramWorkflow

HISTORIES = sorted((Path(__file__).parent / "histories").glob("*.json"))


def test_histories_are_recorded():
    assert len(HISTORIES) >= 10, "run scripts/record_histories.py"


@pytest.mark.parametrize("path", HISTORIES, ids=[p.stem for p in HISTORIES])
async def test_history_replays(path: Path):
    replayer = Replayer(workflows=[CohortWorkflow, PairProgramWorkflow], data_converter=fixed_key_converter())
    history = WorkflowHistory.from_json(path.stem, path.read_text())
    await replayer.replay_workflow(history)


def patches_in(path: Path) -> set[str]:
    events = json.loads(path.read_text())["events"]
    found = set()
    for event in events:
        marker = event.get("markerRecordedEventAttributes")
        if marker and marker.get("markerName") == "core_patch":
            for payload in marker["details"]["patch-data"]["payloads"]:
                found.add(json.loads(base64.b64decode(payload["data"]))["id"])
    return found


def test_a_patched_change_replays_old_and_new_histories():
    """`report-progress-after-operations` added a signal to the cohort after each
    operation. Runs recorded before it replay along the old path, runs recorded
    after along the new one; test_history_replays replays both."""
    histories = Path(__file__).parent / "histories"
    assert patches_in(histories / "pair--operations.json") == set()
    assert patches_in(histories / "pair--operations--v2.json") == {"report-progress-after-operations"}


def test_the_v3_changes_replay_beside_the_runs_before_them():
    """v3 moved the welcome to the first invite, cut the pair's progress reports to
    milestones, and started pairs with an activity instead of as children. Each is
    behind a patch; v2 runs replay without them (test_history_replays)."""
    histories = Path(__file__).parent / "histories"
    v3 = {"welcome-with-first-invite", "report-progress-on-milestones"}
    assert patches_in(histories / "pair--in-cohort--v2.json").isdisjoint(v3)
    assert v3 <= patches_in(histories / "pair--in-cohort--v3.json")
    assert patches_in(histories / "cohort--two-pairs--v2.json") == set()
    assert patches_in(histories / "cohort--two-pairs--v3.json") == {"start-pairs-by-activity"}
