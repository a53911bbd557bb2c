"""An operation that arrives while a pair tells its cohort its progress is acted on at once.

The pair chooses what is due next, reports to its cohort, then waits for that item. A
calendar reply taken during the report used to be lost to the wait: the pair slept until
the item it had chosen before (a reminder, hours or weeks away), and the partner and the
office heard of the decline only then (found by a `make run` test on a busy machine).

The report is held here until the decline is recorded, so the reply always lands in the
middle of it. This is about the workflow's logic, so it is the only thing faked: an
interceptor delays the pair's signal to its cohort. Delivery is real (SMTP)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from temporalio import client as temporal_client
from temporalio import workflow
from temporalio.client import Client, WorkflowHistory
from temporalio.worker import (
    Interceptor,
    Replayer,
    SignalExternalWorkflowInput,
    WorkflowInboundInterceptor,
    WorkflowInterceptorClassInput,
    WorkflowOutboundInterceptor,
)

from devstack.temporal_servers import fixed_key_converter
from mentoring.cohort import Cadence, Program, Role
from mentoring.replies import CalendarReply, PartStat, ReplyMethod, ReplyRequest
from mentoring.state import PairProgramInput, current_partstat
from tests import factories
from tests.patches import patches
from tests.program_harness import ProgramHarness
from tests.smtp_server import SmtpServer
from tests.waiting import eventually
from workflows.agenda import next_due
from workflows.pair import WAKE_AFTER_REPORT, PairProgramWorkflow

MENTOR, MENTEE, OFFICE = "mentor-p1@example.com", "mentee-p1@example.com", "office@example.com"
# Recorded by this scenario on the code before the patch: the pair slept on its old item.
BEFORE_THE_PATCH = Path(__file__).parent / "races" / "pair--decline-during-report--before-patch.json"


def mentor_declined_session_1() -> bool:
    state = workflow.instance().state()
    return current_partstat(state.sessions[0], Role.MENTOR) == PartStat.DECLINED


class _HeldReports(WorkflowOutboundInterceptor):
    held = False

    async def signal_external_workflow(self, input: SignalExternalWorkflowInput) -> None:
        if not self.held:
            self.held = True
            await workflow.wait_condition(mentor_declined_session_1)
        await super().signal_external_workflow(input)


class _Inbound(WorkflowInboundInterceptor):
    def init(self, outbound: WorkflowOutboundInterceptor) -> None:
        super().init(_HeldReports(outbound))


class HoldTheFirstReport(temporal_client.Interceptor, Interceptor):
    """The pair's first signal to its cohort waits until the mentor's decline is recorded.
    A client interceptor too, so the workers made from the client take it."""

    def workflow_interceptor_class(self, input: WorkflowInterceptorClassInput) -> type[WorkflowInboundInterceptor]:
        return _Inbound


def replayer() -> Replayer:
    # The hold moves the signal's command, so a replay holds it too.
    return Replayer(
        workflows=[PairProgramWorkflow], data_converter=fixed_key_converter(), interceptors=[HoldTheFirstReport()]
    )


async def test_a_decline_during_the_report_is_told_at_once_and_replays(skipping_env):
    config: Any = skipping_env.client.config()
    client = Client(**{**config, "interceptors": [*config["interceptors"], HoldTheFirstReport()]})
    with SmtpServer() as smtp:
        async with ProgramHarness(skipping_env, smtp, client=client) as program:
            start = (await program.now() + timedelta(days=1)).date()
            input = PairProgramInput(
                program=factories.program(start, months=4),
                pair=factories.pair(cadence=Cadence.WEEKLY),
                cohort_workflow_id="cohort:dw",  # not running: the pair reports all the same
            )
            handle = await program.start(input)
            assert await eventually(lambda: reporting(program, input.program))
            state = await program.state()
            reply = CalendarReply(
                message_id="<decline-1@calendar.example>",
                method=ReplyMethod.REPLY,
                workflow_id=handle.id,
                session=1,
                sequence=state.sessions[0].sequence,
                attendee=MENTOR,
                partstat=PartStat.DECLINED,
            )
            receipt = await handle.execute_update(PairProgramWorkflow.record_calendar_reply, ReplyRequest(reply=reply))
            assert receipt.summary == "session 1: the mentor declined; the partner and the program office were told"
            # Real time, not program time: the next item the pair had chosen is hours away.
            assert await eventually(lambda: told(program), timeout=30), program.kinds(OFFICE)
            assert program.kinds(OFFICE) == ["session_declined"]
            assert program.kinds(MENTEE)[-1] == "session_declined"
            assert program.kinds(MENTOR)[-1] == "declined_new_date"
            history = await handle.fetch_history()
    assert [p for p in patches(history) if WAKE_AFTER_REPORT.encode() in p], patches(history)
    await replayer().replay_workflow(history)


async def test_a_history_from_before_the_patch_replays_as_it_ran():
    """Its pair waited on the item it had chosen; a replay must choose the same."""
    history = WorkflowHistory.from_json("before-patch", BEFORE_THE_PATCH.read_text())
    assert not [p for p in patches(history) if WAKE_AFTER_REPORT.encode() in p]
    await replayer().replay_workflow(history)


async def reporting(program: ProgramHarness, plan: Program) -> bool:
    """Everything due is done, so the pair is in its (held) report: a query answers only
    between activations, and the loop goes from the last delivery to the report in one."""
    state = await program.state()
    item = next_due(state, plan)
    return not state.outbox and item is not None and item.at > await program.now()


async def told(program: ProgramHarness) -> bool:
    return "session_declined" in program.kinds(OFFICE) and program.kinds(MENTOR)[-1] == "declined_new_date"
