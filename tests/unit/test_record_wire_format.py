"""A pair's sessions, calendar replies and message log are slotted dataclasses in
memory (``mentoring.state``), models before v1.3. On the wire nothing changed: every
pair input, continue-as-new input and result recorded by a release reads back and
serializes again to the JSON that was recorded, field for field and in the same order
(fields added since are left out of the comparison)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic_core import to_json
from temporalio.api.common.v1 import Payload
from temporalio.client import WorkflowHistory

from devstack.temporal_servers import fixed_key_converter
from mentoring.state import PairProgramInput, PairProgramResult

HISTORIES = sorted((Path(__file__).parents[1] / "histories").glob("pair--*.json"))


def recorded_payloads(path: Path) -> list[tuple[type[PairProgramInput | PairProgramResult], Payload]]:
    history = WorkflowHistory.from_json(path.stem, path.read_text())
    found: list[tuple[type[PairProgramInput | PairProgramResult], Payload]] = []
    for event in history.events:
        if event.HasField("workflow_execution_started_event_attributes"):
            found += [(PairProgramInput, p) for p in event.workflow_execution_started_event_attributes.input.payloads]
        if event.HasField("workflow_execution_continued_as_new_event_attributes"):
            payloads = event.workflow_execution_continued_as_new_event_attributes.input.payloads
            found += [(PairProgramInput, p) for p in payloads]
        if event.HasField("workflow_execution_completed_event_attributes"):
            payloads = event.workflow_execution_completed_event_attributes.result.payloads
            found += [(PairProgramResult, p) for p in payloads]
    return found


def as_recorded(written: Any, recorded: Any) -> Any:
    """``written`` with only the keys ``recorded`` has, in ``written``'s order."""
    if isinstance(written, dict) and isinstance(recorded, dict):
        return {key: as_recorded(value, recorded[key]) for key, value in written.items() if key in recorded}
    if isinstance(written, list) and isinstance(recorded, list) and len(written) == len(recorded):
        return [as_recorded(w, r) for w, r in zip(written, recorded, strict=True)]
    return written


@pytest.mark.parametrize("path", HISTORIES, ids=[p.stem for p in HISTORIES])
async def test_recorded_pair_payloads_serialize_again_as_recorded(path: Path):
    found = recorded_payloads(path)
    assert found, "a pair history starts with the pair's input"
    codec = fixed_key_converter().payload_codec
    assert codec is not None
    decoded = await codec.decode([payload for _, payload in found])
    for (model, _), payload in zip(found, decoded, strict=True):
        recorded = json.loads(payload.data)
        value = model.model_validate_json(payload.data)
        written = json.loads(to_json(value))
        # Same keys in the same order, same values: json.dumps keeps the order of both.
        assert json.dumps(as_recorded(written, recorded)) == json.dumps(recorded), model.__name__


async def test_the_records_of_a_recorded_pair_hold_no_dict_of_their_own():
    """What keeps them small in the cache: fields in slots, no ``__dict__``, no fields-set."""
    path = next(p for p in HISTORIES if p.stem == "pair--replies--v1.2.0")
    codec = fixed_key_converter().payload_codec
    assert codec is not None
    results = [payload for model, payload in recorded_payloads(path) if model is PairProgramResult]
    [payload] = await codec.decode(results)
    result = PairProgramResult.model_validate_json(payload.data)
    assert result.final_state is not None
    records = [*result.messages, *result.final_state.sessions]
    records += [answer for session in result.final_state.sessions for answer in session.calendar]
    assert len(records) > 20 and any(session.calendar for session in result.final_state.sessions)
    assert not any(hasattr(record, "__dict__") for record in records)
