"""`make run` (devstack/run.py) refuses to start on a taken port, with a message, not a traceback.

The full run (dev server, inbox, worker, starter, Ctrl-C) binds fixed ports, so it is
checked by hand: `make run`, then Ctrl-C.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_taken_port_is_reported_plainly() -> None:
    with socket.socket() as taken:
        taken.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # TIME_WAIT leftovers do not count
        try:
            taken.bind(("127.0.0.1", 1025))
            taken.listen()
        except OSError:
            # Already taken by another process: the port is just as taken for this test.
            pass
        proc = subprocess.Popen(
            [sys.executable, "-m", "devstack.run", "--no-worker"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            output, _ = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGINT)  # it started after all: let it stop its children
            output, _ = proc.communicate(timeout=30)
            pytest.fail(f"devstack.run did not notice the taken port:\n{output}")
    assert proc.returncode == 1, output
    assert "is already in use" in output
    assert "Traceback" not in output
