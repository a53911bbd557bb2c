"""Operations that arrive while a session's invites are still being sent (issue 9,
item 8: every change to an event gets its own SEQUENCE, whoever receives it).

The run loop sends without the pair's lock, so a cancellation, a hand-over or a pause
can meet an invite on its way. Delivery is faked here, because the test is about the
workflow's logic: the first invites wait until the test lets them go, while the
operation is applied."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from temporalio import activity
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Replayer, Worker

from devstack.temporal_servers import fixed_key_converter
from mentoring.cohort import Person, Program, Role
from mentoring.ids import EMAIL_TASK_QUEUE, TASK_QUEUE
from mentoring.messages import DeliveryReceipt, DeliveryRequest, MessageKind
from mentoring.operations import CancelSession, PausePair, ReplaceParticipant
from mentoring.state import PairProgramInput
from mentoring_service.settings import WorkerSettings
from mentoring_service.workers import create_workers
from tests import factories
from tests.patches import patches
from tests.waiting import eventually
from workflows.agenda import next_due
from workflows.pair import PairProgramWorkflow
from workflows.steps import INVITE_CLAIMS_ITS_SEQUENCE

K = MessageKind
MENTOR, MENTEE = "mentor-p1@example.com", "mentee-p1@example.com"
NEWCOMER = "ines.brandt@example.com"


class HeldInvites:
    """Delivers every message at once, except invites, which wait for ``release``."""

    def __init__(self) -> None:
        self.delivered: list[DeliveryRequest] = []
        self.waiting = asyncio.Event()
        self.release = asyncio.Event()

    @activity.defn(name="deliver_message")
    async def deliver_message(self, request: DeliveryRequest) -> DeliveryReceipt:
        if request.kind == K.INVITE and not self.release.is_set():
            self.waiting.set()
            await self.release.wait()
        self.delivered.append(request)
        return DeliveryReceipt(
            key=request.key, message_id=f"<{len(self.delivered)}@test>", smtp_code=250, smtp_reply="OK"
        )

    def to(self, email: str) -> list[tuple[MessageKind, str, int]]:
        """What one address received: kind, the session's UID (or "") and its SEQUENCE."""
        return [
            (r.kind, r.session.uid if r.session else "", r.session.sequence if r.session else 0)
            for r in self.delivered
            if r.recipient.email == email
        ]


@dataclass
class HeldPair:
    env: WorkflowEnvironment
    program: Program
    handle: WorkflowHandle
    outbox: HeldInvites

    async def update(self, update, request):
        return await self.handle.execute_update(update, request, id=request.request_id)

    async def released(self) -> str:
        """Lets the invites go and waits until everything due has been delivered; the session's UID."""
        self.outbox.release.set()

        async def quiet() -> bool:
            state = await self.handle.query(PairProgramWorkflow.state)
            item = next_due(state, self.program)
            due = item is not None and item.at <= await self.env.get_current_time()
            return not state.outbox and not due and len(state.messages) == len(self.outbox.delivered)

        assert await eventually(quiet)
        state = await self.handle.query(PairProgramWorkflow.state)
        return state.sessions[0].uid

    async def replays_with_the_patch(self) -> None:
        """The operation recorded the patch, and the run replays as it ran."""
        history = await self.handle.fetch_history()
        claims = [p for p in patches(history) if INVITE_CLAIMS_ITS_SEQUENCE.encode() in p]
        assert len(claims) == 1, patches(history)
        await Replayer(workflows=[PairProgramWorkflow], data_converter=fixed_key_converter()).replay_workflow(history)


@contextlib.asynccontextmanager
async def invites_on_their_way(env: WorkflowEnvironment) -> AsyncIterator[HeldPair]:
    """A pair whose program starts tomorrow, held while its first session's invites are sent."""
    outbox = HeldInvites()
    async with contextlib.AsyncExitStack() as stack:
        for worker in create_workers(env.client, settings=WorkerSettings(worker_queues="workflows")):
            await stack.enter_async_context(worker)
        email = Worker(env.client, task_queue=EMAIL_TASK_QUEUE, activities=[outbox.deliver_message])
        await stack.enter_async_context(email)
        program = factories.program((await env.get_current_time() + timedelta(days=1)).date())
        handle = await env.client.start_workflow(
            PairProgramWorkflow.run,
            PairProgramInput(program=program, pair=factories.pair()),
            id=f"pair:race:{uuid.uuid4().hex[:8]}",
            task_queue=TASK_QUEUE,
        )
        await asyncio.wait_for(outbox.waiting.wait(), timeout=30)
        yield HeldPair(env, program, handle, outbox)


async def test_a_cancellation_during_the_invites_gets_a_sequence_of_its_own(skipping_env):
    async with invites_on_their_way(skipping_env) as pair:
        request = CancelSession(request_id="c1", session_number=1, reason="Dienstreise")
        result = await pair.update(PairProgramWorkflow.cancel_session, request)
        assert result.summary == "session 1 cancelled"
        uid = await pair.released()
        await pair.replays_with_the_patch()
    outbox = pair.outbox

    for email in (MENTOR, MENTEE):
        assert outbox.to(email) == [(K.WELCOME, "", 0), (K.INVITE, uid, 0), (K.INVITE_CANCEL, uid, 1)], email


@pytest.mark.parametrize(("role", "leaver", "partner"), [(Role.MENTEE, MENTEE, MENTOR), (Role.MENTOR, MENTOR, MENTEE)])
async def test_a_hand_over_during_the_invites_cancels_the_leavers_and_invites_the_newcomer(
    skipping_env, role, leaver, partner
):
    newcomer = Person(name="Ines Brandt", email=NEWCOMER, timezone="Europe/Berlin")
    async with invites_on_their_way(skipping_env) as pair:
        request = ReplaceParticipant(request_id="r1", role=role, person=newcomer, reason="Neue Aufgabe")
        result = await pair.update(PairProgramWorkflow.replace_participant, request)
        assert result.summary == f"{role.value} is now Ines Brandt"
        uid = await pair.released()
        await pair.replays_with_the_patch()
    outbox = pair.outbox

    assert outbox.to(leaver) == [(K.WELCOME, "", 0), (K.INVITE, uid, 0), (K.INVITE_CANCEL, uid, 1)]
    assert outbox.to(partner) == [
        (K.WELCOME, "", 0),
        (K.INVITE, uid, 0),
        (K.PARTNER_CHANGED, "", 0),
        (K.INVITE, uid, 2),
    ]
    assert outbox.to(NEWCOMER) == [(K.WELCOME, "", 0), (K.INVITE, uid, 2)]
    # The new REQUEST names the newcomer, to both of them; the leaver's CANCEL names the leaver.
    for request in outbox.delivered:
        if request.kind == K.INVITE and request.session and request.session.sequence == 2:
            held = request.mentee if role == Role.MENTEE else request.mentor
            assert held.email == NEWCOMER
            assert request.is_update == (request.recipient.email == partner)
        if request.kind == K.INVITE_CANCEL:
            held = request.mentee if role == Role.MENTEE else request.mentor
            assert held.email == leaver


async def test_a_pause_during_the_invites_cancels_with_a_sequence_of_its_own(skipping_env):
    async with invites_on_their_way(skipping_env) as pair:
        result = await pair.update(PairProgramWorkflow.pause, PausePair(request_id="p1", reason="Umzug"))
        assert result.summary == "paused until resumed; 13 session(s) cancelled"
        uid = await pair.released()
        await pair.replays_with_the_patch()
    outbox = pair.outbox

    for email in (MENTOR, MENTEE):
        assert outbox.to(email) == [
            (K.WELCOME, "", 0),
            (K.INVITE, uid, 0),
            (K.PROGRAM_PAUSED, "", 0),
            (K.INVITE_CANCEL, uid, 1),
        ], email
