"""A cohort whose participants answer as a response script says (``simulate
--responses``), on the time-skipping server with the real workers and a local SMTP
inbox: the ground both the report's and the digest's tests stand on."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from activities.answer_links import AnswerLinks
from mentoring.cohort import Cohort
from mentoring.cohort_file import load_cohort
from mentoring_service.cli.response_script import load_responses
from mentoring_service.cli.simulated_answers import SimulatedParticipants
from mentoring_service.cli.start import start_cohort
from mentoring_service.codec import EncryptionCodec, data_converter
from mentoring_service.inbox import start_inbox
from mentoring_service.links import LinkSigner
from mentoring_service.settings import MailSettings, ResponseSiteSettings, WorkerSettings
from mentoring_service.time_skipping import quiet_runtime, start_time_skipping
from mentoring_service.workers import create_workers


@dataclass
class Scripted:
    env: WorkflowEnvironment
    cohort: Cohort
    handle: WorkflowHandle
    participants: SimulatedParticipants
    outbox: Path


@contextlib.asynccontextmanager
async def scripted_cohort(folder: Path, cohort_text: str, responses_text: str) -> AsyncIterator[Scripted]:
    folder.mkdir(parents=True, exist_ok=True)
    cohort_file, responses_file = folder / "cohort.yaml", folder / "responses.yaml"
    cohort_file.write_text(cohort_text, encoding="utf-8")
    responses_file.write_text(responses_text, encoding="utf-8")
    cohort = load_cohort(cohort_file)
    signer = LinkSigner.ephemeral()
    participants = SimulatedParticipants(load_responses(responses_file, cohort), signer)
    outbox = folder / "outbox"
    inbox = start_inbox(outbox, host="127.0.0.1", port=0, on_message=participants.on_message)
    env = await start_time_skipping(data_converter(EncryptionCodec.ephemeral()), quiet_runtime())
    mail = MailSettings(
        smtp_host="127.0.0.1", smtp_port=inbox.port, smtp_tls="none",
        delivery_ledger_url=f"sqlite:///{folder}/ledger.sqlite3",
    )  # fmt: skip
    links = AnswerLinks(signer, ResponseSiteSettings().public_url)
    try:
        async with contextlib.AsyncExitStack() as stack:
            for worker in create_workers(env.client, mail, WorkerSettings(email_rate_per_second=10_000), links):
                await stack.enter_async_context(worker)
            participants.attach(env)
            handle, _ = await start_cohort(env.client, cohort)
            yield Scripted(env, cohort, handle, participants, outbox)
    finally:
        await env.shutdown()
        inbox.stop()
