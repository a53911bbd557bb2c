"""`python intake.py`: a bad setting, an unusable ledger, missing keys, an unreachable
Temporal or a mailbox that refuses it is one clear line and exit code 1, never a
traceback, and never the password."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import uuid

import pytest
from temporalio.worker import Worker

from devstack.temporal_servers import TEST_KEY_ENV, start_time_skipping
from tests import reply_shapes as shapes
from tests.checkout import ROOT
from tests.imap_server import ImapServer
from tests.intake_workflow import ReplyRecorder
from tests.signals import interruptible
from tests.test_intake import mail
from tests.waiting import eventually


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
        # What docker-compose passes when .env names no mailbox.
        ({"INTAKE_HOST": ""}, "settings: INTAKE_HOST: String should have at least 1 character"),
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
    ids=["host", "port", "tls", "folders", "folder-name", "ledger", "keys", "temporal"],
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
    assert said.endswith(f"mailbox at 127.0.0.1:{imap.port}: LOGIN refused: NO [AUTHENTICATIONFAILED] Authentication failed. (INTAKE_USER, INTAKE_PASSWORD)")  # fmt: skip


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


async def test_it_hands_real_client_replies_to_their_pair_and_stops_on_ctrl_c(tmp_path):
    """The whole process: Google's and Outlook's replies, read by the real parser, reach
    the pair (a stand-in that records them); an out-of-office goes to Ignored."""
    env = await start_time_skipping()
    pair = f"pair:t{uuid.uuid4().hex[:8]}:p1"
    try:
        async with Worker(env.client, task_queue="intake-script", workflows=[ReplyRecorder]):
            handle = await env.client.start_workflow(ReplyRecorder.run, id=pair, task_queue="intake-script")
            with ImapServer(tmp_path) as imap:
                accepted = shapes.google(shapes.Answer(uid=f"{pair}-session-3@reverse-mentoring", token="g1"))
                declined = shapes.outlook_desktop(
                    shapes.Answer(uid=f"{pair}-session-2@reverse-mentoring", partstat="DECLINED", token="o1")
                )
                for raw in (accepted.raw, declined.raw, mail(9, reply=False)):
                    imap.deliver(raw)
                # A file, not a pipe: the test reads the sweep's line while the intake runs.
                log = (tmp_path / "intake.log").open("wb")
                process = await asyncio.create_subprocess_exec(
                    sys.executable, "intake.py", cwd=ROOT, stderr=log, preexec_fn=interruptible,
                    env={
                        **{k: v for k, v in os.environ.items() if not k.startswith("INTAKE_")}, **TEST_KEY_ENV,
                        "TEMPORAL_ADDRESS": env.client.service_client.config.target_host,
                        "INTAKE_HOST": "127.0.0.1", "INTAKE_PORT": str(imap.port),
                        "INTAKE_PASSWORD": imap.dovecot.password,
                        "INTAKE_LEDGER_URL": f"sqlite:///{tmp_path}/ledger.sqlite3",
                    },
                )  # fmt: skip
                try:
                    drained = await eventually(lambda: _moved(imap), timeout=30, every=0.1)
                    assert drained, (imap.count("INBOX"), imap.count("Processed"), imap.count("Ignored"))
                    # The sweep logs its line after its last move: Ctrl-C only once it has.
                    await eventually(lambda: _swept(tmp_path / "intake.log"), timeout=10, every=0.05)
                finally:
                    process.send_signal(signal.SIGINT)
                    await asyncio.wait_for(process.wait(), 20)
                    log.close()
            recorded = await handle.query(ReplyRecorder.replies)
    finally:
        await env.shutdown()
    logged = (tmp_path / "intake.log").read_text()
    assert process.returncode == 0, logged
    assert sorted((r["session"], r["partstat"], r["message_id"]) for r in recorded) == [
        (2, "declined", declined.message_id),
        (3, "accepted", accepted.message_id),
    ]
    assert "intake: reading INBOX (IDLE)" in logged
    assert "3 messages: 2 recorded, 1 ignored (" in logged, logged
    assert "Traceback" not in logged and "@" not in logged.replace("@reverse-mentoring", ""), logged


async def _swept(log) -> bool:
    return " messages: " in log.read_text()


async def _moved(imap: ImapServer) -> bool:
    return imap.count("INBOX") == 0 and imap.count("Processed") == 2 and imap.count("Ignored") == 1
