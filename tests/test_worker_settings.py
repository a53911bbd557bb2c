"""How the worker runs: workflow modules shared by default (reloaded per run on
request), and which task queues one process polls.

The strict (reloading) sandbox is what the replay tests and tests/test_pair_agenda.py
run the workflows in, so code that only works with shared modules fails there."""

from __future__ import annotations

import contextlib

import pytest
from pydantic import ValidationError

from devstack.temporal_servers import TEST_KEY_ENV
from mentoring.ids import EMAIL_TASK_QUEUE, TASK_QUEUE
from mentoring_service.keys import KeyConfigError
from mentoring_service.settings import MailSettings, WorkerSettings
from mentoring_service.workers import create_workers, workflow_runner


async def test_an_email_worker_without_keys_refuses_to_start(skipping_env, tmp_path, monkeypatch):
    monkeypatch.delenv("MENTORING_ENCRYPTION_KEYS", raising=False)
    monkeypatch.setenv("MENTORING_KEY_FILE", str(tmp_path / "missing.json"))
    mail = MailSettings(delivery_ledger_url=f"sqlite:///{tmp_path}/ledger.sqlite3")
    with pytest.raises(KeyConfigError):
        create_workers(skipping_env.client, mail, WorkerSettings(worker_queues="email"))
    # A workflow worker signs nothing and needs no key.
    assert len(create_workers(skipping_env.client, mail, WorkerSettings(worker_queues="workflows"))) == 1


def test_workflow_modules_are_shared_by_default():
    assert WorkerSettings().reload_workflow_modules is False
    assert workflow_runner(WorkerSettings()).restrictions.passthrough_all_modules is True


def test_reload_workflow_modules_restores_the_sdk_default(monkeypatch):
    monkeypatch.setenv("RELOAD_WORKFLOW_MODULES", "true")
    assert workflow_runner(WorkerSettings()).restrictions.passthrough_all_modules is False


@pytest.mark.parametrize(
    ("queues", "expected"),
    [("all", [TASK_QUEUE, EMAIL_TASK_QUEUE]), ("workflows", [TASK_QUEUE]), ("email", [EMAIL_TASK_QUEUE])],
)
async def test_worker_queues_split_one_worker_into_two(skipping_env, tmp_path, monkeypatch, queues, expected):
    # The email worker signs response links with the payload keys.
    for name, value in TEST_KEY_ENV.items():
        monkeypatch.setenv(name, value)
    ledger = tmp_path / "ledger.sqlite3"
    mail = MailSettings(delivery_ledger_url=f"sqlite:///{ledger}")
    workers = create_workers(skipping_env.client, mail, WorkerSettings(worker_queues=queues))
    assert [w.task_queue for w in workers] == expected
    # Only a process that sends email opens the delivery ledger.
    assert ledger.exists() == (EMAIL_TASK_QUEUE in expected)
    # Each starts polling and stops cleanly on its own.
    async with contextlib.AsyncExitStack() as running:
        for worker in workers:
            await running.enter_async_context(worker)


def test_an_unknown_worker_queue_is_named(monkeypatch):
    monkeypatch.setenv("WORKER_QUEUES", "mail")
    with pytest.raises(ValidationError, match="worker_queues"):
        WorkerSettings()
