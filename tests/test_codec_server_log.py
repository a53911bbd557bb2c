"""The codec server's log, as `make run` writes it to var/log/codec.log: the UI decodes
payload by payload, so the log must not grow a line with every payload it shows."""

from __future__ import annotations

import base64
import json
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from temporalio.api.common.v1 import Payload

from devstack.temporal_servers import TEST_KEY_ENV, fixed_key_codec
from tests.checkout import ROOT, fresh_environment
from tests.ports import unused_port
from tests.signals import interruptible

TOKEN = "codec-log-test-token-0123456789"


def post(url: str, body: dict) -> dict:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json", "X-Namespace": "default"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def wait_for(port: int, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"codec server did not start: {proc.communicate()}")


async def test_decoding_many_payloads_adds_no_log_lines():
    sealed = await fixed_key_codec().encode([Payload(metadata={"encoding": b"json/plain"}, data=b'"Lena Weber"')])
    as_json = {
        "metadata": {k: base64.b64encode(v).decode() for k, v in sealed[0].metadata.items()},
        "data": base64.b64encode(sealed[0].data).decode(),
    }
    port = unused_port()
    env = fresh_environment(**TEST_KEY_ENV, MENTORING_CODEC_TOKENS=TOKEN)
    proc = subprocess.Popen(
        [sys.executable, "codec_server.py", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        preexec_fn=interruptible,
    )
    try:
        wait_for(port, proc)
        for _ in range(25):  # what the UI does for one workflow's history
            decoded = post(f"http://127.0.0.1:{port}/decode", {"payloads": [as_json]})
            assert base64.b64decode(decoded["payloads"][0]["data"]) == b'"Lena Weber"'
        post(f"http://127.0.0.1:{port}/default/encode", {"payloads": [decoded["payloads"][0]] * 5})
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            log, _ = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            # What it logged is what this test reads, however the server stops.
            proc.kill()
            log, _ = proc.communicate()
    lines = log.splitlines()
    assert len(lines) == 2, log  # where it listens, and which keys it holds
    assert any(f"codec server on http://127.0.0.1:{port}" in line for line in lines), log
    assert "Lena" not in log


@pytest.mark.parametrize(
    ("command", "said"),
    [
        (["codec_server.py"], "ERROR codec_server: cannot listen on 127.0.0.1:{port}: "),
        (
            ["-m", "devstack.ui_gateway", "--upstream", "http://127.0.0.1:9", "--sign-in-url", "http://x/login"],
            "UI gateway: cannot listen on 127.0.0.1:{port}: ",
        ),
    ],
    ids=["codec-server", "ui-gateway"],
)
def test_a_taken_port_is_one_line(command, said):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", unused_port()))
        taken.listen()
        port = taken.getsockname()[1]
        env = fresh_environment(**TEST_KEY_ENV, MENTORING_CODEC_TOKENS=TOKEN)
        done = subprocess.run(
            [sys.executable, *command, "--port", str(port)],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 1, done.stderr
    assert lines[-1].endswith(said.format(port=port) + "Address already in use"), done.stderr
    assert "Traceback" not in done.stderr
