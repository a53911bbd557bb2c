"""How the worker runs workflow code: shared modules by default, reloaded per run on request.

The strict (reloading) sandbox is what the replay tests and tests/test_pair_agenda.py
run the workflows in, so code that only works with shared modules fails there."""

from __future__ import annotations

from mentoring.settings import WorkerSettings
from worker import workflow_runner


def test_workflow_modules_are_shared_by_default():
    assert WorkerSettings().reload_workflow_modules is False
    assert workflow_runner(WorkerSettings()).restrictions.passthrough_all_modules is True


def test_reload_workflow_modules_restores_the_sdk_default(monkeypatch):
    monkeypatch.setenv("RELOAD_WORKFLOW_MODULES", "true")
    assert workflow_runner(WorkerSettings()).restrictions.passthrough_all_modules is False
