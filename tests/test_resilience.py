"""What breaks around the program: the SMTP server for hours, the Temporal server
itself, and a history long enough to continue as new."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

from temporalio.client import WorkflowUpdateFailedError

from devstack.temporal_servers import start_dev_server, start_time_skipping
from mentoring.cohort import Cadence
from mentoring.ids import TASK_QUEUE
from mentoring.operations import ExtendProgram, PausePair, RescheduleSession, ResumePair
from mentoring.state import DeliveryStatus, PairProgramInput, PairState
from tests import factories
from tests.calendars import live_sessions
from tests.program_harness import ProgramHarness
from tests.smtp_server import SmtpServer
from tests.workers import running_workers
from workflows.agenda import active_sessions, next_due
from workflows.pair import PairProgramWorkflow

MENTOR, MENTEE = "mentor-p1@example.com", "mentee-p1@example.com"


async def test_an_smtp_outage_delays_mail_and_expires_what_became_pointless():
    env = await start_time_skipping()
    smtp = SmtpServer()
    smtp.__enter__()
    try:
        async with ProgramHarness(env, smtp) as program:
            now = await program.now()
            await program.start(
                PairProgramInput(
                    program=factories.program((now + timedelta(days=1)).date(), months=4),
                    # Session 1 three days ahead: the outage below begins 36 hours before it.
                    pair=factories.pair(cadence=Cadence.WEEKLY, weekday=factories.weekday_ahead(now)),
                )
            )
            first = (await program.state()).sessions[0]
            # The mail server goes down a day and a half before session 1 ...
            await program.advance(first.starts_at - timedelta(hours=36) - await program.now())
            smtp.__exit__(None, None, None)
            # ... and comes back 30 minutes after it started.
            await env.sleep(first.starts_at + timedelta(minutes=30) - await program.now())
            smtp = SmtpServer.on_port(smtp.port, smtp.handler)
            smtp.__enter__()
            await program.advance(timedelta(hours=4))

            log = (await program.state()).messages
            reminders = [m for m in log if m.kind == "reminder" and m.session_number == 1]
            assert [m.status for m in reminders] == [DeliveryStatus.EXPIRED] * 2
            assert reminders[0].detail == "not delivered before its moment passed (SMTP unavailable)"
            reflections = [m for m in log if m.kind == "reflection" and m.session_number == 1]
            assert [m.status for m in reflections] == [DeliveryStatus.SENT] * 2
            # Whatever was due during the outage and still worth sending arrived once it was back.
            invite_3 = [m for m in log if m.kind == "invite" and m.session_number == 3]
            assert [m.status for m in invite_3] == [DeliveryStatus.SENT] * 2
            assert invite_3[0].recorded_at > first.starts_at
            assert [r.kind for r in smtp.handler.for_recipient(MENTEE)].count("reminder") == 0
    finally:
        smtp.__exit__(None, None, None)
        await env.shutdown()


async def wait_for(check, timeout: float = 30.0):
    for _ in range(int(timeout * 4)):
        if result := await check():
            return result
        await asyncio.sleep(0.25)
    raise AssertionError("condition not reached")


async def test_the_program_survives_a_restart_of_the_temporal_server(tmp_path):
    database = tmp_path / "temporal.db"
    today = datetime.now(UTC).date()
    pair = factories.pair(cadence=Cadence.WEEKLY, weekday=factories.weekday_ahead(datetime.now(UTC)))
    input = PairProgramInput(program=factories.program(today), pair=pair)
    workflow_id = f"pair:restart:{uuid.uuid4().hex[:6]}"
    with SmtpServer() as smtp:
        env = await start_dev_server("--db-filename", str(database))
        async with running_workers(env.client, smtp.port):
            handle = await env.client.start_workflow(
                PairProgramWorkflow.run, input, id=workflow_id, task_queue=TASK_QUEUE
            )

            async def kickoff_sent():
                return len(smtp.handler.received) >= 6  # welcome and the first two invites, to each

            await wait_for(kickoff_sent)
        await env.shutdown()

        env = await start_dev_server("--db-filename", str(database))
        async with running_workers(env.client, smtp.port):
            handle = env.client.get_workflow_handle_for(PairProgramWorkflow.run, workflow_id)
            state = await handle.query(PairProgramWorkflow.state)
            assert [m.kind for m in state.messages].count("welcome") == 2
            second = state.sessions[1]
            moved = second.local_start + timedelta(hours=1)
            await handle.execute_update(
                PairProgramWorkflow.reschedule_session,
                RescheduleSession(request_id="after-restart", session_number=2, new_local_start=moved),
                id="after-restart",
            )

            async def update_sent():
                return len(smtp.handler.received) >= 8

            await wait_for(update_sent)
            state = await handle.query(PairProgramWorkflow.state)
            expected = {
                s.uid: (s.starts_at, s.sequence) for s in active_sessions(state) if s.invited_sequence is not None
            }
            for email in (MENTOR, MENTEE):
                assert live_sessions(smtp.handler.for_recipient(email)) == expected
            assert len(smtp.handler.received) == 8
        await env.shutdown()


async def test_continue_as_new_carries_the_whole_state_and_loses_no_update():
    env = await start_dev_server("--dynamic-config-value", "limit.historyCount.suggestContinueAsNew=40")
    today = datetime.now(UTC).date()
    pair = factories.pair(cadence=Cadence.WEEKLY, weekday=factories.weekday_ahead(datetime.now(UTC)))
    input = PairProgramInput(program=factories.program(today), pair=pair)
    workflow_id = f"pair:can:{uuid.uuid4().hex[:6]}"
    with SmtpServer() as smtp:
        async with running_workers(env.client, smtp.port):
            handle = await env.client.start_workflow(
                PairProgramWorkflow.run, input, id=workflow_id, task_queue=TASK_QUEUE
            )
            first_run = handle.result_run_id
            requests = []
            for n in range(6):
                requests.append((PairProgramWorkflow.extend, ExtendProgram(request_id=f"extend-{n}", weeks=1)))
                requests.append((PairProgramWorkflow.pause, PausePair(request_id=f"pause-{n}", reason="Reise")))
                requests.append((PairProgramWorkflow.resume, ResumePair(request_id=f"resume-{n}")))
            current = env.client.get_workflow_handle_for(PairProgramWorkflow.run, workflow_id)

            async def planned():
                return (await current.query(PairProgramWorkflow.state)).program_end is not None

            await wait_for(planned)
            for update, request in requests:
                try:
                    result = await current.execute_update(update, request, id=request.request_id)
                except WorkflowUpdateFailedError as failure:
                    raise AssertionError(f"{request.request_id}: {failure.cause}") from None
                assert result.request_id == request.request_id

            def calendar_of(state: PairState) -> dict:
                return {
                    s.uid: (s.starts_at, s.sequence) for s in active_sessions(state) if s.invited_sequence is not None
                }

            async def settled():
                # The notices are out, and the last resume's invites and cancellations too:
                # nothing is due now (an invite the pair has yet to send is not in the plan's
                # calendar until it is sent).
                state = await current.query(PairProgramWorkflow.state)
                item = next_due(state, input.program)
                if state.outbox or (item is not None and item.at <= datetime.now(UTC)):
                    return None
                calendars = [live_sessions(smtp.handler.for_recipient(email)) for email in (MENTOR, MENTEE)]
                return state if all(c == calendar_of(state) for c in calendars) else None

            state = await wait_for(settled)
            assert state is not None, "the calendars never matched the plan"
            description = await current.describe()
            assert description.run_id != first_run, "the history should have continued as new"
            assert set(state.operations) == {r.request_id for _, r in requests}
            assert len(state.pauses) == 6 and all(p.resumed_at for p in state.pauses)
            assert [m.kind for m in state.messages].count("welcome") == 2
            assert [m.kind for m in state.messages].count("program_paused") == 12
            for email in (MENTOR, MENTEE):
                assert live_sessions(smtp.handler.for_recipient(email)) == calendar_of(state)
            history = await current.fetch_history()
            assert len(history.events) < 200
    await env.shutdown()
