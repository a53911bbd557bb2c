"""Fixtures every test module may use: a ledger of its own, a time-skipping server,
and a recording SMTP server."""

from __future__ import annotations

import tempfile

import pytest
from hypothesis.configuration import set_hypothesis_home_dir

from devstack.temporal_servers import start_time_skipping
from tests.smtp_server import SmtpServer

# Hypothesis keeps a cache of constants even without an example database; it goes
# to a scratch folder, never into the checkout.
set_hypothesis_home_dir(tempfile.mkdtemp(prefix="hypothesis-"))


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
