"""Record real program histories into tests/histories/ for the replay test.

Run it after a change to workflow code has shipped, so the next change is checked
against what is running in production:

    .venv/bin/python scripts/record_histories.py TAG     (e.g. v1.1.0; files are added, never replaced)

Each scenario runs the real workflows and activities on the time-skipping server
with a local SMTP inbox. Files are named <workflow-type>--<scenario>.json.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import tempfile
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from activities.answer_links import AnswerLinks  # noqa: E402
from activities.digest_week import digest_times  # noqa: E402
from devstack.temporal_servers import fixed_key_converter, start_time_skipping  # noqa: E402
from mentoring.answers import (  # noqa: E402
    AnswerRequest,
    CheckInAnswer,
    CheckInChoice,
    KeepMeeting,
    Ratings,
    ReflectionAnswer,
    ReviewAnswer,
    ReviewStage,
)
from mentoring.cohort import Cadence, Person, Role, office_zone  # noqa: E402
from mentoring.cohort_state import CohortInput  # noqa: E402
from mentoring.digest import DigestInput  # noqa: E402
from mentoring.ids import TASK_QUEUE, digest_workflow_id, pair_workflow_id  # noqa: E402
from mentoring.operations import (  # noqa: E402
    ApproveCounter,
    CancelSession,
    ChangeRhythm,
    EndProgram,
    ExtendProgram,
    PausePair,
    RefuseCounter,
    ReplaceParticipant,
    RescheduleSession,
    WithdrawParticipant,
)
from mentoring.replies import CalendarReply, PartStat, ReplyMethod, ReplyRequest  # noqa: E402
from mentoring.state import PairProgramInput, PairState  # noqa: E402
from mentoring_service.links import LinkSigner  # noqa: E402
from mentoring_service.settings import (  # noqa: E402
    MailSettings,
    ResponseSiteSettings,
    WorkerSettings,
)
from mentoring_service.time_skipping import quiet_runtime  # noqa: E402
from mentoring_service.workers import create_workers  # noqa: E402
from tests import factories  # noqa: E402
from tests.program_harness import ProgramHarness  # noqa: E402
from tests.smtp_server import SmtpServer  # noqa: E402
from workflows.cohort import CohortWorkflow  # noqa: E402
from workflows.digest import WeeklyDigestWorkflow  # noqa: E402
from workflows.pair import PairProgramWorkflow  # noqa: E402

HISTORIES = ROOT / "tests" / "histories"
# Histories are kept, never replaced: each recording adds files tagged with its version.
TAG = "v1.0.0"  # set from the command line


async def three_weeks_ahead(env):
    # Each scenario skips months ahead, so every start date is taken from the server's clock.
    return (await env.get_current_time() + timedelta(days=21)).date()


async def record(env, scenario: str, handle) -> None:
    await handle.result()
    history = await handle.fetch_history()
    kind = handle.id.split(":", 1)[0]  # pair, cohort or digest
    path = HISTORIES / f"{kind}--{scenario}--{TAG}.json"
    path.write_text(history.to_json())
    print(f"{path.relative_to(ROOT)}: {len(history.events)} events")


async def change_sessions(program: ProgramHarness, state: PairState) -> None:
    """Before the first session: one rescheduled, one cancelled with a replacement, a new rhythm."""
    w = PairProgramWorkflow
    await program.update(
        w.reschedule_session,
        RescheduleSession(
            request_id="o1", session_number=1, new_local_start=state.sessions[0].local_start + timedelta(hours=2)
        ),
    )
    await program.update(
        w.cancel_session,
        CancelSession(
            request_id="o2",
            session_number=2,
            reason="travel",
            replacement_local_start=state.sessions[1].local_start + timedelta(days=1),
        ),
    )
    await program.update(w.change_rhythm, ChangeRhythm(request_id="o3", cadence=Cadence.BIWEEKLY, location="Room 4.12"))


async def change_participants(program: ProgramHarness) -> None:
    """The mentee replaced; the mentor withdrawn, then replaced."""
    w = PairProgramWorkflow
    await program.update(
        w.replace_participant,
        ReplaceParticipant(
            request_id="o5",
            role=Role.MENTEE,
            person=Person(name="Ines Brandt", email="ines@example.com", timezone="Europe/Berlin"),
            reason="new role",
        ),
    )
    await program.update(w.withdraw_participant, WithdrawParticipant(request_id="o6", role=Role.MENTOR, reason="left"))
    await program.update(
        w.replace_participant,
        ReplaceParticipant(
            request_id="o7",
            role=Role.MENTOR,
            person=Person(name="Tim Nguyen", email="tim@example.com", timezone="Europe/Vienna"),
            reason="successor",
        ),
    )


async def record_operations(env, smtp) -> None:
    """Every pair operation once, in the order life tends to bring them."""
    async with ProgramHarness(env, smtp) as program:
        now = await program.now()
        await program.start(
            PairProgramInput(
                program=factories.program((now + timedelta(days=1)).date()),
                pair=factories.pair("ops", cadence=Cadence.WEEKLY),
            )
        )
        w = PairProgramWorkflow
        await change_sessions(program, await program.state())
        await program.advance(timedelta(days=10))
        until = (await program.now() + timedelta(days=14)).date()
        await program.update(w.pause, PausePair(request_id="o4", reason="parental leave", until=until))
        await program.advance(timedelta(days=16))
        await change_participants(program)
        await program.update(w.extend, ExtendProgram(request_id="o8", weeks=4))
        await program.advance(timedelta(days=30))
        await program.update(w.end_program, EndProgram(request_id="o9", reason="reorganisation"))
        await record(env, "operations", program.handle)


async def answer(program: ProgramHarness, answer) -> None:
    assert program.handle is not None
    await program.handle.execute_update(PairProgramWorkflow.record_answer, AnswerRequest(answer=answer))


async def until_prompted(program: ProgramHarness, number: int) -> None:
    """Just after session ``number``'s reflection prompt, which asks for the check-in."""
    state = await program.state()
    session = next(s for s in state.sessions if s.number == number)
    await program.advance(session.ends_at + timedelta(hours=2, minutes=5) - await program.now())


async def record_answers(env, smtp) -> None:
    """Participants answer (since v1.1.0): check-ins of every kind, through the update and
    the signal, a reflection, a silent session and both reviews."""
    async with ProgramHarness(env, smtp) as program:
        state = await program.start_tomorrow(Cadence.WEEKLY, months=4)
        mentee, mentor = Role.MENTEE, Role.MENTOR
        await until_prompted(program, 1)
        await answer(program, CheckInAnswer(answer_id="answer-1", role=mentee, session=1, choice=CheckInChoice.MET))
        await answer(program, ReflectionAnswer(answer_id="answer-2", role=mentor, session=1, ratings=Ratings(career=4)))
        await until_prompted(program, 2)
        new_date = state.sessions[1].local_start + timedelta(days=2)
        await answer(
            program,
            CheckInAnswer(
                answer_id="answer-3", role=mentor, session=2, choice=CheckInChoice.NEW_DATE, new_local_start=new_date
            ),
        )
        await until_prompted(program, 3)  # nobody checks in: a reminder, then quiet and a nudge
        await program.advance(timedelta(days=8))
        await answer(program, CheckInAnswer(answer_id="answer-4", role=mentee, session=4, choice=CheckInChoice.NOT_MET))
        await until_prompted(program, 5)
        late = CheckInAnswer(answer_id="answer-5", role=mentor, session=5, choice=CheckInChoice.MET)
        assert program.handle is not None
        await program.handle.signal(PairProgramWorkflow.record_answer_later, AnswerRequest(answer=late))
        state = await program.state()
        assert state.midpoint_at is not None and state.closing_at is not None
        await program.advance(state.midpoint_at + timedelta(minutes=5) - await program.now())
        await answer(
            program, ReviewAnswer(answer_id="answer-6", role=mentor, stage=ReviewStage.MIDPOINT, focus_progress=3)
        )
        await program.advance(state.closing_at + timedelta(minutes=5) - await program.now())
        closing = ReviewAnswer(
            answer_id="answer-7",
            role=mentee,
            stage=ReviewStage.CLOSING,
            ratings=Ratings(career=5, psychosocial=4, emotional=2),
            recommend=9,
            keep_meeting=KeepMeeting.YES,
            comment_to_office="Thanks",
        )
        await answer(program, closing)
        await record(env, "answers", program.handle)


async def calendar_reply(program: ProgramHarness, n: int, session: int, attendee: str, **answer) -> None:
    assert program.handle is not None
    start = answer.pop("proposed_start", None)
    reply = CalendarReply(
        message_id=f"<reply-{n}@calendar.example>",
        method=ReplyMethod.COUNTER if start else ReplyMethod.REPLY,
        workflow_id=program.handle.id,
        session=session,
        attendee=attendee,
        proposed_start=start,
        proposed_end=start + timedelta(hours=1) if start else None,
        **answer,
    )
    await program.handle.execute_update(PairProgramWorkflow.record_calendar_reply, ReplyRequest(reply=reply))


async def record_replies(env, smtp) -> None:
    """Calendar replies (since v1.2.0): accept, tentative, a decline, a proposed time
    approved and one refused."""
    async with ProgramHarness(env, smtp) as program:
        state = await program.start_tomorrow(Cadence.WEEKLY, months=4)
        assert state.mentor is not None and state.mentee is not None
        mentor, mentee = state.mentor.email, state.mentee.email
        await calendar_reply(program, 1, 1, mentor, partstat=PartStat.ACCEPTED)
        await calendar_reply(program, 2, 1, mentee, partstat=PartStat.TENTATIVE)
        await calendar_reply(program, 3, 2, mentee, partstat=PartStat.DECLINED)
        free = state.sessions[2].starts_at + timedelta(days=1, hours=1)
        await calendar_reply(program, 4, 3, mentor, proposed_start=free)
        await program.update(PairProgramWorkflow.approve_counter, ApproveCounter(request_id="c1", session_number=3))
        await calendar_reply(program, 5, 4, mentee, proposed_start=state.sessions[3].starts_at + timedelta(days=1))
        await program.update(PairProgramWorkflow.refuse_counter, RefuseCounter(request_id="c2", session_number=4))
        await record(env, "replies", program.handle)


async def record_digest(env) -> None:
    """A weekly digest (since v1.2.0) of a running cohort of two pairs, one week in."""
    cohort = factories.cohort(await three_weeks_ahead(env), ["c", "d"], cohort_id="digests")
    running = await env.client.start_workflow(
        CohortWorkflow.run, CohortInput(cohort=cohort), id="cohort:digests", task_queue=TASK_QUEUE
    )
    start = datetime.combine(cohort.program.start_date, time(0), tzinfo=UTC)
    zone = office_zone(cohort)
    monday = digest_times(start + timedelta(days=7), start + timedelta(days=15), zone)[0]
    while (left := monday - await env.get_current_time()) > timedelta(0):
        await env.sleep(min(left, timedelta(days=2)))  # in steps: one long sleep outlasts its RPC deadline
    with env.auto_time_skipping_disabled():  # the digest runs at its Monday, as the schedule starts it
        handle = await env.client.start_workflow(
            WeeklyDigestWorkflow.run,
            DigestInput(program=cohort.program, timezone=zone),
            id=f"{digest_workflow_id('digests')}-{monday:%Y-%m-%dT%H:%M:%SZ}",
            task_queue=TASK_QUEUE,
        )
        await record(env, "weekly", handle)
    await running.result()  # to its end while the workers run: a cohort left open would hold the clock


async def main() -> None:
    HISTORIES.mkdir(parents=True, exist_ok=True)
    with SmtpServer() as smtp:
        # A refused address puts the failure path (and the office notice) into history.
        smtp.handler.refused["mentee-b@example.com"] = "550 5.1.1 No such user"
        # Encrypted with the public test key, which tests/test_replay.py decrypts with.
        env = await start_time_skipping(quiet_runtime(), fixed_key_converter())
        try:
            start = await three_weeks_ahead(env)
            scratch = tempfile.mkdtemp()
            os.environ["DELIVERY_LEDGER_URL"] = f"sqlite:///{scratch}/ledger.sqlite3"
            mail = MailSettings(smtp_host="127.0.0.1", smtp_port=smtp.port)
            async with contextlib.AsyncExitStack() as stack:
                for worker in create_workers(
                    env.client,
                    mail,
                    WorkerSettings(email_rate_per_second=10_000),
                    AnswerLinks(LinkSigner.ephemeral(), ResponseSiteSettings().public_url),
                ):
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
                    await record(env, scenario, env.client.get_workflow_handle(pair_workflow_id("histories", pair_id)))
                await record_digest(env)
            await record_operations(env, smtp)
            await record_answers(env, smtp)
            await record_replies(env, smtp)
        finally:
            await env.shutdown()


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(prog="scripts/record_histories.py", description=__doc__.splitlines()[0])
    parser.add_argument(
        "tag", metavar="TAG", help="the release in the file names, e.g. v1.1.0; files are added, never replaced"
    )
    TAG = parser.parse_args().tag
    asyncio.run(main())
