"""Fixtures every test module may use: a ledger of its own, a time-skipping server,
and a recording SMTP server."""

from __future__ import annotations

import os

import pytest
from hypothesis import settings
from hypothesis.configuration import set_hypothesis_home_dir

from devstack.temporal_servers import start_time_skipping
from tests.smtp_server import SmtpServer

# Locally every run draws new examples; CI (CI=true) draws the same ones each time, so
# what lands is what was tested.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(scope="session", autouse=True)
def hypothesis_outside_the_checkout(tmp_path_factory):
    # Even without an example database, Hypothesis caches Unicode tables and the test
    # modules' constants in ./.hypothesis; tests write nothing into the checkout.
    set_hypothesis_home_dir(tmp_path_factory.mktemp("hypothesis"))


@pytest.fixture(autouse=True)
def isolated_delivery_ledger(tmp_path, monkeypatch):
    # No test sees what another one sent.
    monkeypatch.setenv("DELIVERY_LEDGER_URL", f"sqlite:///{tmp_path}/delivery-ledger.sqlite3")


@pytest.fixture
async def skipping_env():
    env = await start_time_skipping()
    yield env
    await env.shutdown()


@pytest.fixture
def smtp():
    with SmtpServer() as server:
        yield server
