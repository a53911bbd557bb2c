"""Record real program histories into tests/histories/ for the replay test.

Run it after a change to workflow code has shipped, so the next change is checked
against what is running in production:

    .venv/bin/python scripts/record_histories.py

Each scenario runs the real workflows and activities on the time-skipping server
with a local SMTP inbox. Files are named <workflow-type>--<scenario>.json.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from devstack.temporal_servers import quiet_runtime, start_time_skipping  # noqa: E402
from mentoring.cohort import Cadence  # noqa: E402
from mentoring.ids import TASK_QUEUE, pair_workflow_id  # noqa: E402
from mentoring.settings import MailSettings, WorkerSettings  # noqa: E402
from mentoring.state import CohortInput, PairProgramInput  # noqa: E402
from tests import factories  # noqa: E402
from tests.smtp_server import SmtpServer  # noqa: E402
from worker import create_workers  # noqa: E402
from workflows.cohort import CohortWorkflow  # noqa: E402
from workflows.pair import PairProgramWorkflow  # noqa: E402

HISTORIES = ROOT / "tests" / "histories"


async def three_weeks_ahead(env):
    # Each scenario skips months ahead, so every start date is taken from the server's clock.
    return (await env.get_current_time() + timedelta(days=21)).date()


async def record(env, scenario: str, handle) -> None:
    await handle.result()
    history = await handle.fetch_history()
    kind = "cohort" if handle.id.startswith("cohort:") else "pair"
    path = HISTORIES / f"{kind}--{scenario}.json"
    path.write_text(history.to_json())
    print(f"{path.relative_to(ROOT)}: {len(history.events)} events")


async def main() -> None:
    HISTORIES.mkdir(parents=True, exist_ok=True)
    with SmtpServer() as smtp:
        # A refused address puts the failure path (and the office notice) into history.
        smtp.handler.refused["mentee-b@example.com"] = "550 5.1.1 No such user"
        env = await start_time_skipping(quiet_runtime())
        try:
            start = await three_weeks_ahead(env)
            mail = MailSettings(smtp_host="127.0.0.1", smtp_port=smtp.port)
            async with contextlib.AsyncExitStack() as stack:
                for worker in create_workers(env.client, mail, WorkerSettings(email_rate_per_second=10_000)):
                    await stack.enter_async_context(worker)

                weekly = PairProgramInput(
                    program=factories.program(start), pair=factories.pair("weekly", cadence=Cadence.WEEKLY)
                )
                await record(
                    env,
                    "weekly-six-months",
                    await env.client.start_workflow(
                        PairProgramWorkflow.run, weekly, id="pair:histories:weekly", task_queue=TASK_QUEUE
                    ),
                )

                cohort = factories.cohort(await three_weeks_ahead(env), ["a", "b"], cohort_id="histories")
                handle = await env.client.start_workflow(
                    CohortWorkflow.run, CohortInput(cohort=cohort), id="cohort:histories", task_queue=TASK_QUEUE
                )
                await record(env, "two-pairs", handle)
                for pair_id, scenario in (("a", "in-cohort"), ("b", "in-cohort-mentee-bounces")):
                    await record(
                        env, scenario, env.client.get_workflow_handle(pair_workflow_id("histories", pair_id))
                    )
        finally:
            await env.shutdown()


if __name__ == "__main__":
    asyncio.run(main())
