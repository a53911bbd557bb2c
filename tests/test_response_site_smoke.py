from __future__ import annotations

import time

import pytest

from devstack.temporal_servers import start_time_skipping
from tests.site_harness import SiteHarness
from tests.smtp_server import SmtpServer

MENTOR, MENTEE = "mentor-p1@example.com", "mentee-p1@example.com"


@pytest.fixture
async def site():
    env = await start_time_skipping()
    with SmtpServer() as smtp:
        async with SiteHarness(env, smtp, update_timeout=1.0, cache=False) as harness:
            yield harness
    await env.shutdown()


async def test_smoke(site):
    t0 = time.monotonic()

    def tick(what):
        print(what, round(time.monotonic() - t0, 2))

    await site.start_pair()
    tick("started")
    await site.after_session(0)
    tick("after")
    links = site.links(MENTOR, "reflection")
    csrf = (await site.get(links["met"])).csrf
    tick("get")
    await site.stop_workers()
    tick("stopped")
    done = await site.post(links["met"], {"choice": "met"}, csrf=csrf)
    tick("posted")
    await site.start_workers()
    tick("restarted")
    await site.settle()
    tick("settled")
    print((await site.state()).answers)
    tick("state")
