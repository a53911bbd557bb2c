"""scripts/install-system-deps.sh (run by `make test` before the tests) covers every
system package the tests use, and on a machine that has them it changes nothing."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "install-system-deps.sh"


def test_with_everything_present_it_names_each_package_and_calls_no_apt_get(tmp_path):
    calls = tmp_path / "apt-get-calls"
    fakes = tmp_path / "bin"
    fakes.mkdir()
    for tool in ("apt-get", "sudo"):
        fake = fakes / tool
        fake.write_text(f'#!/bin/sh\necho "{tool} $*" >> {calls}\nexit 1\n')
        fake.chmod(0o755)
    env = {**os.environ, "PATH": f"{fakes}:{os.environ.get('PATH', '/usr/bin:/bin')}"}
    result = subprocess.run(["bash", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines() == ["docker-compose present", "chromium present", "dovecot-imapd present"]
    assert not calls.exists()
