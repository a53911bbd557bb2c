"""Every recorded history of a supported release must replay against today's code.

A failure here means a change would break programs that are already running: guard
it with ``workflow.patched`` (see docs/developing.md, "Versions and replay").

Histories are recorded encrypted with the public test key of devstack.temporal_servers
by ``scripts/record_histories.py TAG``, one set per release, named ``*--TAG.json``."""

from __future__ import annotations

import base64
import json
from datetime import UTC
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.converter import encode_search_attributes
from temporalio.worker import Replayer

from devstack.temporal_servers import fixed_key_converter
from mentoring.pair_labels import first_event_at, pair_search_attributes
from mentoring.state import PairProgramInput
from workflows.cohort import CohortWorkflow
from workflows.digest import WeeklyDigestWorkflow
from workflows.pair import PairProgramWorkflow

HISTORIES = sorted((Path(__file__).parent / "histories").glob("*.json"))
SCENARIOS = {
    "cohort--two-pairs",
    "pair--in-cohort",
    "pair--in-cohort-mentee-bounces",
    "pair--operations",
    "pair--weekly-six-months",
}


# Participants answer since v1.1.0.
SCENARIOS_SINCE = {"v1.1.0": {"pair--answers"}, "v1.2.0": {"pair--replies", "digest--weekly"}}


def scenarios(release: str) -> set[str]:
    added = [names for since, names in SCENARIOS_SINCE.items() if version(release) >= version(since)]
    return SCENARIOS.union(*added)


def version(release: str) -> tuple[int, ...]:
    return tuple(int(part) for part in release.lstrip("v").split("."))


def releases() -> set[str]:
    return {path.stem.rsplit("--", 1)[1] for path in HISTORIES}


def test_every_supported_release_has_every_scenario():
    assert "v1.0.0" in releases(), "run scripts/record_histories.py v1.0.0"
    for release in releases():
        assert {p.stem.rsplit("--", 1)[0] for p in HISTORIES if p.stem.endswith(f"--{release}")} == scenarios(release)


@pytest.mark.parametrize("path", HISTORIES, ids=[p.stem for p in HISTORIES])
async def test_history_replays(path: Path):
    replayer = Replayer(
        workflows=[CohortWorkflow, PairProgramWorkflow, WeeklyDigestWorkflow], data_converter=fixed_key_converter()
    )
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


def test_the_first_release_carries_no_patch():
    """Nothing was released before v1.0.0, so it starts without ``workflow.patched``
    branches; the first change after it adds the first one."""
    for path in HISTORIES:
        if path.stem.endswith("--v1.0.0"):
            assert patches_in(path) == set(), path.name


async def started_input(history: WorkflowHistory) -> PairProgramInput:
    payloads = history.events[0].workflow_execution_started_event_attributes.input.payloads
    [input] = await fixed_key_converter().decode(list(payloads), [PairProgramInput])
    return input


async def test_pairs_since_v1_1_0_listen_to_their_participants():
    """Every pair started by v1.1.0 or later records the patch that lets it take answers,
    unless its starter said it listens (``PairProgramInput.listening``, set by
    ``start_pairs`` after v1.1.0); a cohort workflow has no patch of its own."""
    for path in HISTORIES:
        release = path.stem.rsplit("--", 1)[1]
        if version(release) >= version("v1.1.0"):
            expected = set()
            if path.stem.startswith("pair--"):
                # Its start is enough: test_history_replays parses the whole of each.
                first = {"events": json.loads(path.read_text())["events"][:1]}
                history = WorkflowHistory.from_json(path.stem, first)
                expected = set() if (await started_input(history)).listening else {"participant-answers"}
            assert patches_in(path) == expected, path.name


@pytest.mark.parametrize("path", [p for p in HISTORIES if p.stem.startswith("pair--") and p.stem.endswith("--v1.1.0")])
async def test_a_pair_started_listening_whose_first_task_a_v1_1_0_worker_ran_replays(path: Path):
    """Workers are upgraded one at a time: a newer ``start_pairs`` may start a pair
    (listening, with its first search attributes) whose first task a v1.1.0 worker runs,
    with the patch marker and the upserts. A newer worker replays that as it ran."""
    history = WorkflowHistory.from_json(path.stem, path.read_text())
    started = history.events[0].workflow_execution_started_event_attributes
    input = (await started_input(history)).model_copy(update={"listening": True})
    started.input.payloads[0].CopyFrom((await fixed_key_converter().encode([input]))[0])
    if input.plan is not None:
        first = first_event_at(input.program, input.plan, history.events[0].event_time.ToDatetime(UTC))
        if first is not None:
            attributes = pair_search_attributes(input.program.cohort_id, input.pair, first)
            encode_search_attributes(attributes, started.search_attributes)
    replayer = Replayer(
        workflows=[CohortWorkflow, PairProgramWorkflow, WeeklyDigestWorkflow], data_converter=fixed_key_converter()
    )
    await replayer.replay_workflow(history)
