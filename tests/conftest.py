"""Every test gets its own delivery ledger, so no test sees what another one sent."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def isolated_delivery_ledger(tmp_path, monkeypatch):
    monkeypatch.setenv("DELIVERY_LEDGER_URL", f"sqlite:///{tmp_path}/delivery-ledger.sqlite3")
