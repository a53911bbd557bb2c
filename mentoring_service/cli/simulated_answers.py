"""``simulate --responses``: participants who answer the emails that ask, as the script says.

They answer as a person would, through the links in the email: the signed link names
the pair, the role and the session, and its token gives the answer id the response
site would give. A check-in is answered when the reflection prompt arrives; a review
when its email arrives. The answer goes to the pair as the ``record_answer`` update.

On the time-skipping server a moment passes only while nothing runs. A check-in is
sent from the inbox before it acknowledges the prompt, while the email activity is
still running, so the answer lands at the prompt's moment. A review can be answered
only once both review emails are out (the pair marks the review as sent then), so
the inbox holds the server's clock, acknowledges, and the review is answered once
the pair takes it; then the clock runs on.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from email.message import EmailMessage

from temporalio.api.testservice.v1 import LockTimeSkippingRequest, UnlockTimeSkippingRequest
from temporalio.client import WorkflowUpdateFailedError
from temporalio.testing import WorkflowEnvironment

from mentoring.answers import (
    AnswerRequest,
    AnswerView,
    AnswerViewRequest,
    CheckInAnswer,
    CheckInChoice,
    ParticipantAnswer,
    ReviewAnswer,
    ReviewStage,
)
from mentoring.cohort import Role
from mentoring.messages import MessageKind
from mentoring_service.cli.response_script import ResponseScript
from mentoring_service.inbox import StoredMessage
from mentoring_service.links import Link, LinkError, LinkSigner
from mentoring_service.site.slots import free_slots
from workflows.pair import PairProgramWorkflow

_TOKEN = re.compile(r"/a/([A-Za-z0-9_.\-]+)")
_REVIEWS = {MessageKind.MIDPOINT_REVIEW.value, MessageKind.CLOSING_REVIEW.value}
# How long a mentee's answer waits for the mentor's (their prompts are sent together).
MENTOR_FIRST_SECONDS = 10.0
# How long a review waits for the pair to take it before the preview says so.
REVIEW_PATIENCE_SECONDS = 60.0


def first_free_date(view: AnswerView, now: datetime) -> datetime | None:
    """For "we need a new date": the first of the dates the check-in page offers (the
    site's ``free_slots``), as the local time in the pair's zone the page sends."""
    offered = free_slots(view, now)
    return offered[0].local if offered else None


@dataclass
class _Links:
    """The response-site links of one email: token and link, by check-in choice or item."""

    pair_id: str
    by_name: dict[str, tuple[str, Link]] = field(default_factory=dict)

    def any(self) -> Link:
        return next(iter(self.by_name.values()))[1]


class SimulatedParticipants:
    def __init__(self, script: ResponseScript, signer: LinkSigner) -> None:
        self._script = script
        self._signer = signer
        self._env: WorkflowEnvironment | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        # How often each participant was asked about each session, and whether the
        # mentor has answered the n-th time.
        self._prompts: Counter[tuple[str, int, Role]] = Counter()
        self._turns: dict[tuple[str, int, int], asyncio.Event] = {}
        self._reviews: list[asyncio.Task[None]] = []
        # What the office should know: answers the program did not take, and why.
        self.notes: list[str] = []

    def attach(self, env: WorkflowEnvironment) -> None:
        """From now on answers reach the pairs on ``env``'s server, from this event loop."""
        self._env = env
        self._loop = asyncio.get_running_loop()

    async def on_message(self, stored: StoredMessage) -> None:
        """The inbox's hook (on the inbox's own thread and loop): answer, then let it acknowledge."""
        if self._loop is None:
            return
        kind = str(stored.headers["X-Mentoring-Kind"] or "")
        if kind != MessageKind.REFLECTION.value and kind not in _REVIEWS:
            return  # nothing to answer: the message is not parsed at all
        await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(self._answer(kind, stored.message), self._loop))

    async def finish(self) -> None:
        await asyncio.gather(*self._reviews)

    async def _answer(self, kind: str, message: EmailMessage) -> None:
        links = self._links(message)
        if not links.by_name:
            return
        try:
            if kind == MessageKind.REFLECTION.value:
                await self._check_in(links)
            else:
                await self._review(links)
        except Exception as error:  # a preview reports what went wrong and goes on
            self.notes.append(f"pair {links.pair_id}: an answer could not be sent ({type(error).__name__}: {error})")

    def _links(self, message: EmailMessage) -> _Links:
        body = message.get_body(("plain",))
        text = body.get_content() if body is not None else ""
        links = _Links(pair_id=str(message["X-Mentoring-Pair"] or ""))
        for token in _TOKEN.findall(text):
            try:
                link = self._signer.read(token, date.min)
            except LinkError:
                continue
            name = link.choice.value if link.choice else link.item
            links.by_name[name] = (token, link)
        return links

    async def _check_in(self, links: _Links) -> None:
        link = links.any()
        asked = (links.pair_id, link.session, link.role)
        # The script's line is for a session's first check-in; after a new date, the default.
        turn = (links.pair_id, link.session, self._prompts[asked])
        self._prompts[asked] += 1
        pair = self._script.pair(links.pair_id)
        choice = pair.check_in(link.session, link.role) if turn[2] == 0 else pair.default
        try:
            if choice is None or choice.value not in links.by_name:
                return
            if link.role == Role.MENTEE:
                # Both prompts arrive at once; the mentor's answer goes first, so a preview
                # comes out the same each time ("we didn't meet" before the partner's "we
                # met" would make the pair quiet for a moment and nudge it).
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._mentor_done(turn).wait(), MENTOR_FIRST_SECONDS)
            await self._send(links.pair_id, *await self._check_in_answer(links, link, choice))
        finally:
            if link.role == Role.MENTOR:
                self._mentor_done(turn).set()

    def _mentor_done(self, turn: tuple[str, int, int]) -> asyncio.Event:
        return self._turns.setdefault(turn, asyncio.Event())

    async def _check_in_answer(self, links: _Links, link: Link, choice: CheckInChoice) -> tuple[Link, CheckInAnswer]:
        new_local_start = None
        if choice == CheckInChoice.NEW_DATE:
            view = await self._view(link, AnswerViewRequest(role=link.role, item="check_in", session=link.session))
            new_local_start = first_free_date(view, await self.env.get_current_time())
            if new_local_start is None:
                self.notes.append(
                    f"pair {links.pair_id}, session {link.session}: no free date was left before the program "
                    f'ends, so the {link.role.value} answered "we didn\'t meet" instead'
                )
                choice = CheckInChoice.NOT_MET
        token, link = links.by_name[choice.value]
        answer = CheckInAnswer(
            answer_id=self._signer.answer_id(token), role=link.role, session=link.session, choice=choice,
            new_local_start=new_local_start,
        )  # fmt: skip
        return link, answer

    async def _review(self, links: _Links) -> None:
        found = links.by_name.get("review")
        stage = found[1].stage if found else None
        if found is None or stage is None:
            return
        token, link = found
        scripted = self._script.pair(links.pair_id).reviews.get((stage, link.role))
        if scripted is None:
            return
        answer = scripted.answer(self._signer.answer_id(token), link.role, stage)
        service = self.env.client.test_service
        # Held until the pair has taken the answer: see the module's docstring.
        await service.lock_time_skipping(LockTimeSkippingRequest())
        self._reviews.append(asyncio.create_task(self._when_open(links.pair_id, link, answer, stage)))

    async def _when_open(self, pair_id: str, link: Link, answer: ParticipantAnswer, stage: ReviewStage) -> None:
        try:
            request = AnswerViewRequest(role=link.role, item="review", stage=stage)
            waited = 0.0
            while (await self._view(link, request)).closed_because == "unknown":
                if waited > REVIEW_PATIENCE_SECONDS:
                    self.notes.append(f"pair {pair_id}: the {link.role.value}'s {stage.value} review was never open")
                    return
                await asyncio.sleep(0.02)
                waited += 0.02
            await self._send(pair_id, link, answer)
        except Exception as error:  # reported like any other answer that was not taken
            self.notes.append(f"pair {pair_id}: an answer could not be sent ({type(error).__name__}: {error})")
        finally:
            await self.env.client.test_service.unlock_time_skipping(UnlockTimeSkippingRequest())

    @property
    def env(self) -> WorkflowEnvironment:
        assert self._env is not None, "attach() first"
        return self._env

    async def _view(self, link: Link, request: AnswerViewRequest) -> AnswerView:
        handle = self.env.client.get_workflow_handle_for(PairProgramWorkflow.run, link.workflow_id)
        return await handle.query(PairProgramWorkflow.answer_view, request)

    async def _send(self, pair_id: str, link: Link, answer: ParticipantAnswer) -> None:
        handle = self.env.client.get_workflow_handle_for(PairProgramWorkflow.run, link.workflow_id)
        try:
            await handle.execute_update(PairProgramWorkflow.record_answer, AnswerRequest(answer=answer))
        except WorkflowUpdateFailedError as error:
            why = getattr(error.cause, "message", None) or str(error.cause)
            self.notes.append(f"pair {pair_id}: {_what(answer)} was not taken: {why}")


def _what(answer: ParticipantAnswer) -> str:
    if isinstance(answer, ReviewAnswer):
        return f"the {answer.role.value}'s {answer.stage.value} review"
    if isinstance(answer, CheckInAnswer):
        return f"the {answer.role.value}'s check-in ({answer.choice.value}) for session {answer.session}"
    return f"the {answer.role.value}'s reflection on session {answer.session}"
