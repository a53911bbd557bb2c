"""The pair workflow's schedule on the time-skipping server. Delivery is faked here
because these tests are about the workflow's logic; tests/test_program_end_to_end.py
runs the same program through the real activities and SMTP."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from temporalio import activity
from temporalio.exceptions import ApplicationError
from temporalio.worker import Worker

from activities.planning import plan_sessions
from mentoring.answers import AnswerRequest, CheckInAnswer, CheckInChoice
from mentoring.cohort import Cadence, Role
from mentoring.ids import EMAIL_TASK_QUEUE, TASK_QUEUE
from mentoring.messages import INVALID_MESSAGE, DeliveryReceipt, DeliveryRequest, MentoringFunction, MessageKind
from mentoring.state import DeliveryStatus, PairProgramInput, ProgramPhase
from tests import factories
from workflows.pair import PairProgramWorkflow

K = MessageKind


class FakeOutbox:
    """Records every request. ``answering``: the mentee checks in ("we met") as their
    reflection prompt arrives, through the signal the response site sends when no
    worker takes its update in time, so the schedule holds no check-in reminders."""

    def __init__(self, answering: bool = True) -> None:
        self.requests: list[DeliveryRequest] = []
        self.answering = answering

    @activity.defn(name="deliver_message")
    async def deliver_message(self, request: DeliveryRequest) -> DeliveryReceipt:
        self.requests.append(request)
        if self.answering and request.kind == K.REFLECTION and request.recipient.role == Role.MENTEE:
            assert request.session is not None and request.links_expire is not None
            met = CheckInAnswer(
                answer_id=f"we-met-{request.session.session_id}-{request.session.sequence}",
                role=Role.MENTEE,
                session=request.session.session_id,
                choice=CheckInChoice.MET,
            )
            pair = activity.client().get_workflow_handle(activity.info().workflow_id or "")
            await pair.signal(PairProgramWorkflow.record_answer_later, AnswerRequest(answer=met))
        return DeliveryReceipt(
            key=request.key, message_id=f"<{len(self.requests)}@test>", smtp_code=250, smtp_reply="OK"
        )


def next_february_tuesday(after: datetime) -> date:
    """A start date whose program crosses the spring DST change in both the US and the EU."""
    year = after.year + 1
    day = date(year, 2, 1)
    return day + timedelta(days=(1 - day.weekday()) % 7)


async def run_pair(env, input: PairProgramInput, outbox: FakeOutbox):
    async with (
        Worker(env.client, task_queue=TASK_QUEUE, workflows=[PairProgramWorkflow], activities=[plan_sessions]),
        Worker(env.client, task_queue=EMAIL_TASK_QUEUE, activities=[outbox.deliver_message]),
    ):
        return await env.client.execute_workflow(
            PairProgramWorkflow.run, input, id=f"pair-test-{uuid.uuid4()}", task_queue=TASK_QUEUE
        )


def expected_schedule(start: date, zone_name: str, weeks: int, started_at: datetime) -> list[tuple]:
    """(kind, role, session, due_at) for every message of a 6-month program, computed
    independently of the workflow from the program rules."""
    zone = ZoneInfo(zone_name)
    end = date(start.year, start.month + 6, start.day)
    days = [start + timedelta(weeks=weeks * i) for i in range(60) if start + timedelta(weeks=weeks * i) < end]
    starts = [datetime.combine(d, time(16), zone).astimezone(UTC) for d in days]
    # The welcome comes with the first invite.
    items: list[tuple[datetime, int, int, MessageKind]] = [
        (max(starts[0] - timedelta(days=14), started_at), 0, 0, K.WELCOME)
    ]
    for n, s in enumerate(starts, 1):
        items.append((max(s - timedelta(days=14), started_at), 1, n, K.INVITE))
        items.append((s - timedelta(hours=24), 2, n, K.REMINDER))
        items.append((s + timedelta(hours=1, minutes=0) + timedelta(hours=2), 3, n, K.REFLECTION))
    midpoint = datetime.combine(start + timedelta(days=(end - start).days // 2), time(9), zone)
    items.append((midpoint.astimezone(UTC), 4, 0, K.MIDPOINT_REVIEW))
    closing = datetime.combine(days[-1] + timedelta(days=1), time(9), zone)
    items.append((closing.astimezone(UTC), 5, 0, K.CLOSING_REVIEW))
    schedule = []
    for due, _, n, kind in sorted(items):
        for role in (Role.MENTOR, Role.MENTEE):
            schedule.append((kind, role, n or None, due))
        if kind == K.CLOSING_REVIEW:
            schedule.append((K.COMPLETION_NOTICE, Role.PROGRAM_OFFICE, None, due))
    return schedule


@pytest.mark.parametrize(
    ("zone", "winter_utc", "summer_utc"),
    [("Europe/Berlin", time(15), time(14)), ("America/New_York", time(21), time(20))],
)
async def test_six_month_program_sends_every_message_at_its_time(skipping_env, zone, winter_utc, summer_utc):
    now = await skipping_env.get_current_time()
    start = next_february_tuesday(now)
    outbox = FakeOutbox()
    pair = factories.pair(cadence=Cadence.BIWEEKLY, timezone=zone, mentee_tz=zone)
    result = await run_pair(skipping_env, PairProgramInput(program=factories.program(start), pair=pair), outbox)

    assert result.phase == ProgramPhase.COMPLETED
    actual = [(m.kind, m.role, m.session_number, m.due_at) for m in result.messages]
    # Months ahead of the program: nothing goes out until the first invite, 14 days
    # before the first session, which the welcome comes with.
    assert actual[:4] == [
        (K.WELCOME, Role.MENTOR, None, actual[2][3]),
        (K.WELCOME, Role.MENTEE, None, actual[2][3]),
        (K.INVITE, Role.MENTOR, 1, actual[2][3]),
        (K.INVITE, Role.MENTEE, 1, actual[2][3]),
    ]
    assert actual[0][3] - now > timedelta(days=30)
    assert actual == expected_schedule(start, zone, 2, now)
    assert all(m.status == DeliveryStatus.SENT for m in result.messages)
    assert result.sessions_planned == result.sessions_held == 13

    # Each message left the workflow at its due time (the server's clock jitters by milliseconds).
    due_by_key = {m.key: m.due_at for m in result.messages}
    assert len(outbox.requests) == len(due_by_key) == len(result.messages)
    for request in outbox.requests:
        assert timedelta(0) <= request.composed_at - due_by_key[request.key] < timedelta(seconds=1)

    # The wall-clock time never moves with DST; the UTC instant does.
    invites = [r for r in outbox.requests if r.kind == K.INVITE]
    assert {r.session.local_start.time() for r in invites} == {time(16)}
    assert {r.session.starts_at.time() for r in invites} == {winter_utc, summer_utc}


async def test_reflections_rotate_through_the_three_functions(skipping_env):
    now = await skipping_env.get_current_time()
    outbox = FakeOutbox()
    await run_pair(
        skipping_env,
        PairProgramInput(program=factories.program(next_february_tuesday(now)), pair=factories.pair()),
        outbox,
    )
    reflections = [r for r in outbox.requests if r.kind == K.REFLECTION and r.recipient.role == Role.MENTEE]
    functions = [r.mentoring_function for r in reflections]
    assert functions[:4] == [
        MentoringFunction.CAREER,
        MentoringFunction.PSYCHOSOCIAL,
        MentoringFunction.EMOTIONAL,
        MentoringFunction.CAREER,
    ]
    assert [r.reflection_round for r in reflections[:7]] == [0, 0, 0, 1, 1, 1, 2]


async def test_late_start_skips_past_sessions_and_invites_at_once(skipping_env):
    now = await skipping_env.get_current_time()
    outbox = FakeOutbox()
    # The program began 10 days ago: earlier sessions are not planned at all.
    start = (now - timedelta(days=10)).date()
    result = await run_pair(
        skipping_env,
        PairProgramInput(program=factories.program(start, months=4), pair=factories.pair(cadence=Cadence.WEEKLY)),
        outbox,
    )
    first_invite = next(r for r in outbox.requests if r.kind == K.INVITE)
    assert first_invite.session.number == 1
    assert first_invite.session.starts_at > now
    assert first_invite.composed_at - now < timedelta(minutes=1)
    assert result.phase == ProgramPhase.COMPLETED


class UnwritableWelcome(FakeOutbox):
    """The mentee's welcome cannot be composed: a fault in the content, not the address."""

    @activity.defn(name="deliver_message")
    async def deliver_message(self, request: DeliveryRequest) -> DeliveryReceipt:
        if request.kind == K.WELCOME and request.recipient.role == Role.MENTEE:
            raise ApplicationError(
                "subject contains the control character U+000A", type=INVALID_MESSAGE, non_retryable=True
            )
        return await super().deliver_message(request)


async def test_a_message_that_cannot_be_written_is_recorded_without_blaming_the_address(skipping_env):
    now = await skipping_env.get_current_time()
    outbox = UnwritableWelcome()
    result = await run_pair(
        skipping_env,
        PairProgramInput(program=factories.program(next_february_tuesday(now), months=4), pair=factories.pair()),
        outbox,
    )
    welcome = next(m for m in result.messages if m.kind == K.WELCOME and m.role == Role.MENTEE)
    assert (welcome.status, welcome.smtp_code) == (DeliveryStatus.FAILED, None)
    assert "U+000A" in welcome.detail
    assert K.DELIVERY_FAILURE_NOTICE not in {r.kind for r in outbox.requests}
    assert result.messages_failed == 1 and result.phase == ProgramPhase.COMPLETED
