"""Operations on a whole cohort, with the real activities and SMTP on the time-skipping server."""

from __future__ import annotations

from collections import Counter
from datetime import time, timedelta

import pytest
from temporalio.client import WorkflowUpdateFailedError

from devstack.temporal_servers import start_time_skipping
from mentoring.cohort import Cadence, Person, Role
from mentoring.ids import pair_workflow_id
from mentoring.operations import (
    AddPair,
    Announcement,
    Audience,
    EndCohort,
    FindParticipant,
    ReplaceParticipant,
    WithdrawPair,
)
from mentoring.state import ProgramPhase
from mentoring_service.cli.start import start_cohort
from tests import factories
from tests.calendars import live_sessions
from tests.smtp_server import SmtpServer
from tests.workers import running_workers
from workflows.cohort import CohortWorkflow
from workflows.pair import PairProgramWorkflow


@pytest.fixture
async def cohort_env():
    env = await start_time_skipping()
    with SmtpServer() as smtp:
        async with running_workers(env.client, smtp.port):
            yield env, smtp
    await env.shutdown()


async def settle(env, seconds: int = 3) -> None:
    for _ in range(seconds):
        await env.sleep(timedelta(seconds=1))


async def test_add_withdraw_announce_and_end_a_cohort(cohort_env):
    env, smtp = cohort_env
    start = (await env.get_current_time() + timedelta(days=1)).date()
    cohort = factories.cohort(start, ["p1", "p2"], cohort_id="ops")
    handle, _ = await start_cohort(env.client, cohort)
    await settle(env)

    newcomer = factories.pair("p3", cadence=Cadence.WEEKLY, at=time(9, 30))
    added = await handle.execute_update(
        CohortWorkflow.add_pair, AddPair(request_id="add-p3", pair=newcomer), id="add-p3"
    )
    assert (added.summary, added.pairs_affected) == ("pair p3 added and started", ["p3"])
    await settle(env)
    assert Counter(r.kind for r in smtp.handler.for_recipient("mentee-p3@example.com"))["welcome"] == 1

    with pytest.raises(WorkflowUpdateFailedError) as duplicate:
        await handle.execute_update(CohortWorkflow.add_pair, AddPair(request_id="again", pair=newcomer), id="again")
    assert duplicate.value.cause.message == "cohort already has a pair 'p3'"

    withdrawn = await handle.execute_update(
        CohortWorkflow.withdraw_pair, WithdrawPair(request_id="w-p2", pair_id="p2", reason="Umzug"), id="w-p2"
    )
    assert withdrawn.pairs_affected == ["p2"]
    await settle(env)
    p2 = env.client.get_workflow_handle_for(PairProgramWorkflow.run, pair_workflow_id("ops", "p2"))
    p2_result = await p2.result()
    assert p2_result.phase == ProgramPhase.ENDED
    for email in ("mentor-p2@example.com", "mentee-p2@example.com"):
        assert live_sessions(smtp.handler.for_recipient(email)) == {}
        assert "closing_review" not in [r.kind for r in smtp.handler.for_recipient(email)]

    announced = await handle.execute_update(
        CohortWorkflow.announce,
        Announcement(
            request_id="news-1",
            audience=Audience.MENTORS,
            subject="Netzwerktreffen am 12. März",
            body="Alle Mentorinnen und Mentoren\nsind eingeladen.",
        ),
        id="news-1",
    )
    assert sorted(announced.pairs_affected) == ["p1", "p3"]
    await settle(env)
    announcements = [r for r in smtp.handler.received if r.kind == "announcement"]
    assert sorted(r.recipient for r in announcements) == ["mentor-p1@example.com", "mentor-p3@example.com"]
    assert str(announcements[0].message["Subject"]) == "Netzwerktreffen am 12. März"

    ended = await handle.execute_update(
        CohortWorkflow.end_cohort, EndCohort(request_id="end", reason="Budget gestrichen"), id="end"
    )
    assert sorted(ended.pairs_affected) == ["p1", "p3"]
    result = await handle.result()
    assert result.progress.pairs_by_phase == {"ended": 3}
    for pair_id in ("p1", "p3"):
        for role in ("mentor", "mentee"):
            messages = smtp.handler.for_recipient(f"{role}-{pair_id}@example.com")
            assert live_sessions(messages) == {}
            assert messages[-1].kind == "closing_review", [(r.kind, str(r.message["Date"])) for r in messages]
            assert "Budget gestrichen" in messages[-1].message.get_body(("plain",)).get_content()


async def test_the_cohort_hears_of_milestones_not_of_every_message(cohort_env):
    env, smtp = cohort_env
    # Its first session at least two days ahead, whatever hour the test runs: invited
    # before its reminder hours, so it is reminded too (an invite within them is the reminder).
    start = (await env.get_current_time() + timedelta(days=3)).date()
    handle, _ = await start_cohort(env.client, factories.cohort(start, ["p1"], cohort_id="quiet"))
    result = await handle.result()

    # Exact at the end, whenever the last report came.
    [pair] = result.progress.pairs
    assert (pair.phase, pair.sessions_held, pair.messages_sent, pair.finished) == (ProgramPhase.COMPLETED, 0, 114, True)
    reports = [
        event.workflow_execution_signaled_event_attributes
        async for event in handle.fetch_history_events()
        if event.HasField("workflow_execution_signaled_event_attributes")
    ]
    # Nobody checks in here, so no session counts as held: the cohort hears of the kickoff,
    # the changes of phase, the pair turning quiet and then at risk, and the end: 9
    # signals for 114 messages (13 sessions x 4 x 2 participants, welcome, midpoint,
    # closing and one nudge for both, the office's alert and completion notice).
    assert [r.signal_name for r in reports] == ["pair_progress"] * 9

    # The start_pairs activity planned the pair: it began without a planning activity.
    pair_handle = env.client.get_workflow_handle(pair_workflow_id("quiet", "p1"))
    activity_types = {
        event.activity_task_scheduled_event_attributes.activity_type.name
        async for event in pair_handle.fetch_history_events()
        if event.HasField("activity_task_scheduled_event_attributes")
    }
    assert activity_types == {"deliver_message"}


async def test_a_person_is_in_one_pair_of_a_cohort_whoever_replaces_whom(cohort_env):
    env, smtp = cohort_env
    start = (await env.get_current_time() + timedelta(days=1)).date()
    handle, _ = await start_cohort(env.client, factories.cohort(start, ["p1", "p2"], cohort_id="roster"))
    await settle(env)
    p1 = env.client.get_workflow_handle(pair_workflow_id("roster", "p1"))
    newcomer = Person(name="Ines Brandt", email="Ines.Brandt@Example.com", timezone="Europe/Berlin")
    await p1.execute_update(
        PairProgramWorkflow.replace_participant,
        ReplaceParticipant(request_id="r1", role=Role.MENTEE, person=newcomer, reason="Nachfolge"),
        id="r1",
    )
    await settle(env)

    async def place(email: str, except_pair: str | None = None) -> tuple:
        found = await handle.query(
            CohortWorkflow.find_participant, FindParticipant(email=email, except_pair_id=except_pair)
        )
        return found.pair_id, found.role

    # The cohort heard of the replacement: the newcomer is in p1, case aside, and the leaver is free.
    assert await place("ines.brandt@example.com") == ("p1", Role.MENTEE)
    assert await place("ines.brandt@example.com", except_pair="p1") == (None, None)
    assert await place("mentee-p1@example.com") == (None, None)
    assert await place("MENTOR-P2@example.com") == ("p2", Role.MENTOR)

    taken = factories.pair("p3")
    taken.mentee = Person(name="Ines", email="INES.BRANDT@example.com", timezone="Europe/Berlin")
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await handle.execute_update(CohortWorkflow.add_pair, AddPair(request_id="add-p3", pair=taken), id="add-p3")
    assert refused.value.cause.message == "INES.BRANDT@example.com is already in pair 'p1' of this cohort"
    # The one who left p1 may join a pair of their own.
    free = factories.pair("p4")
    free.mentee = Person(name="Klaus Richter", email="mentee-p1@example.com", timezone="Europe/Berlin")
    added = await handle.execute_update(CohortWorkflow.add_pair, AddPair(request_id="add-p4", pair=free), id="add-p4")
    assert added.pairs_affected == ["p4"]
