"""`python response_site.py`: a bad setting, missing keys, an unreachable Temporal or a
taken port is one clear line and exit code 1, never a traceback; with everything in
place it serves, its health check answers, and a link it cannot read gets its page."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest

from devstack.temporal_servers import TEST_KEY_ENV
from tests.ports import unused_port

ROOT = Path(__file__).resolve().parent.parent


def run_site(env: dict[str, str], timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "response_site.py"],
        cwd=ROOT,
        env={**os.environ, **TEST_KEY_ENV, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def last_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    return result.stderr.strip().splitlines()[-1]


@pytest.mark.parametrize(
    ("env", "said"),
    [
        ({"RESPONSE_SITE_PORT": "99999"}, "settings: RESPONSE_SITE_PORT: Input should be less than or equal to 65535"),
        ({"SMTP_PORT": "mail"}, "settings: SMTP_PORT: Input should be a valid integer"),
        (
            {"MENTORING_ENCRYPTION_KEYS": "", "MENTORING_KEY_FILE": "/nonexistent/keys.json"},
            "encryption keys: cannot read key file /nonexistent/keys.json: No such file or directory",
        ),
        ({"TEMPORAL_ADDRESS": "127.0.0.1:1"}, "cannot reach Temporal at 127.0.0.1:1:"),
    ],
    ids=["port", "smtp-port", "keys", "temporal"],
)
def test_what_keeps_it_from_starting_is_one_line(env, said):
    assert said in last_line(run_site(env))


async def test_it_serves_until_stopped_and_says_where_a_taken_port_is(skipping_env):
    port = unused_port()
    env = {
        **os.environ,
        **TEST_KEY_ENV,
        "TEMPORAL_ADDRESS": skipping_env.client.service_client.config.target_host,
        "RESPONSE_SITE_PORT": str(port),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "response_site.py", cwd=ROOT, env=env, stderr=subprocess.PIPE
    )
    try:
        async with aiohttp.ClientSession() as http:
            for _ in range(100):
                try:
                    async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
                        assert (response.status, await response.text()) == (200, "ok\n")
                        break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.1)
            else:
                pytest.fail("the site did not start")
            async with http.get(f"http://127.0.0.1:{port}/a/not-a-link") as response:
                assert response.status == 400 and "This link is not valid." in await response.text()
        # A second one on the same port says so.
        taken = await asyncio.to_thread(
            run_site, {"TEMPORAL_ADDRESS": env["TEMPORAL_ADDRESS"], "RESPONSE_SITE_PORT": str(port)}
        )
        assert last_line(taken).endswith(f"cannot listen on 127.0.0.1:{port}: Address already in use")
    finally:
        process.terminate()
        await process.wait()
    assert process.stderr is not None
    started = (await process.stderr.read()).decode()
    assert f"response site on http://127.0.0.1:{port} (links start with http://localhost:8090)" in started
    assert "Traceback" not in started
