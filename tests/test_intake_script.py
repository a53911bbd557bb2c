"""`python intake.py`: a bad setting, an unusable ledger, missing keys, an unreachable
Temporal or a mailbox that refuses it is one clear line and exit code 1, never a
traceback, and never the password."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from devstack.temporal_servers import TEST_KEY_ENV
from tests.checkout import ROOT
from tests.imap_server import ImapServer


def run_intake(env: dict[str, str], timeout: float = 30) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("INTAKE_")}
    return subprocess.run(
        [sys.executable, "intake.py"],
        cwd=ROOT,
        env={**clean, **TEST_KEY_ENV, "INTAKE_PASSWORD": "not-the-real-one", **env},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def last_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "not-the-real-one" not in result.stderr
    return result.stderr.strip().splitlines()[-1]


@pytest.mark.parametrize(
    ("env", "said"),
    [
        ({"INTAKE_PORT": "imap"}, "settings: INTAKE_PORT: Input should be a valid integer"),
        ({"INTAKE_TLS": "ssl"}, "settings: INTAKE_TLS: Input should be 'none', 'starttls' or 'tls'"),
        (
            {"INTAKE_PROCESSED_FOLDER": "INBOX"},
            "INTAKE_FOLDER, INTAKE_PROCESSED_FOLDER and INTAKE_IGNORED_FOLDER must differ",
        ),  # fmt: skip
        (
            {"INTAKE_IGNORED_FOLDER": "Entwürfe"},
            "settings: INTAKE_IGNORED_FOLDER: Value error, a folder name must be printable ASCII",
        ),  # fmt: skip
        ({"INTAKE_LEDGER_URL": "postgresql://db/intake"}, "intake ledger: INTAKE_LEDGER_URL must be sqlite:///PATH"),
        (
            {"MENTORING_ENCRYPTION_KEYS": "", "MENTORING_KEY_FILE": "/nonexistent/keys.json"},
            "encryption keys: cannot read key file /nonexistent/keys.json: No such file or directory",
        ),
        ({"TEMPORAL_ADDRESS": "127.0.0.1:1"}, "cannot reach Temporal at 127.0.0.1:1:"),
    ],
    ids=["port", "tls", "folders", "folder-name", "ledger", "keys", "temporal"],
)
def test_what_keeps_it_from_starting_is_one_line(env, said, tmp_path):
    env.setdefault("INTAKE_LEDGER_URL", f"sqlite:///{tmp_path}/ledger.sqlite3")
    assert said in last_line(run_intake(env))


def test_a_missing_password_is_one_line(tmp_path, skipping_env):
    env = {
        "TEMPORAL_ADDRESS": skipping_env.client.service_client.config.target_host,
        "INTAKE_PASSWORD": "",
        "INTAKE_LEDGER_URL": f"sqlite:///{tmp_path}/ledger.sqlite3",
    }
    assert last_line(run_intake(env)).endswith("settings: INTAKE_PASSWORD is not set")


def test_a_mailbox_that_refuses_it_is_one_line(tmp_path, skipping_env):
    with ImapServer(tmp_path) as imap:
        env = {
            "TEMPORAL_ADDRESS": skipping_env.client.service_client.config.target_host,
            "INTAKE_HOST": "127.0.0.1",
            "INTAKE_PORT": str(imap.port),
            "INTAKE_LEDGER_URL": f"sqlite:///{tmp_path}/ledger.sqlite3",
        }
        said = last_line(run_intake(env))
    assert said.endswith(f"mailbox at 127.0.0.1:{imap.port}: LOGIN refused: NO [AUTHENTICATIONFAILED] Authentication failed.")  # fmt: skip


def test_a_mailbox_nobody_serves_is_one_line(tmp_path, skipping_env):
    with ImapServer(tmp_path) as imap:
        port = imap.port
    env = {
        "TEMPORAL_ADDRESS": skipping_env.client.service_client.config.target_host,
        "INTAKE_HOST": "127.0.0.1",
        "INTAKE_PORT": str(port),
        "INTAKE_LEDGER_URL": f"sqlite:///{tmp_path}/ledger.sqlite3",
    }
    assert last_line(run_intake(env)).endswith(f"mailbox at 127.0.0.1:{port}: cannot reach 127.0.0.1:{port}: Connect call failed ('127.0.0.1', {port})")  # fmt: skip
