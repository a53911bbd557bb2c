"""The ``workflow.patched`` markers a history carries."""

from __future__ import annotations

from temporalio.client import WorkflowHistory


def patches(history: WorkflowHistory) -> list[bytes]:
    """Each marker's patch data, which names its patch id."""
    return [
        payload.data
        for event in history.events
        if event.marker_recorded_event_attributes.marker_name == "core_patch"
        for payload in event.marker_recorded_event_attributes.details["patch-data"].payloads
    ]
