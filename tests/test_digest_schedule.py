"""The weekly digest's schedule on the real dev server: created by ``starter.py start``
once per cohort, paused and resumed with ``ops.py``, Monday 08:00 on the office's clock
across clock changes. (The time-skipping server has no schedules.)"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from temporalio.client import Client, Schedule, ScheduleActionStartWorkflow, ScheduleOverlapPolicy, ScheduleRange
from temporalio.testing import ActivityEnvironment

from activities.digest_week import digest_times
from devstack.temporal_servers import fixed_key_converter, start_dev_server
from mentoring.cohort_file import load_cohort
from mentoring.digest import DigestInput, RetireRequest
from mentoring.ids import TASK_QUEUE, digest_schedule_id
from mentoring_service.cli.start import start_cohort
from mentoring_service.digest_activities import DigestActivities
from mentoring_service.digest_schedule import CREATED_NOTE, digest_spec, ensure_digest_schedule
from tests.smtp_server import SmtpServer
from tests.test_cohort_devserver import run_starter
from tests.test_ops_cli import lines, ops_sync
from tests.waiting import eventually
from tests.workers import running_workers

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "digital-workplace-2027.yaml"
# With DST in either hemisphere, by 30 minutes (Lord Howe), at odd offsets, and without.
ZONES = [
    *["Europe/Berlin", "Europe/London", "America/New_York", "America/St_Johns", "America/Santiago"],
    *["Australia/Sydney", "Australia/Lord_Howe", "Pacific/Auckland", "Pacific/Chatham"],
    *["Asia/Tokyo", "Asia/Kolkata", "Asia/Kathmandu", "America/Sao_Paulo", "UTC", "Etc/GMT+5"],
]


@pytest.fixture(scope="module")
async def stack(tmp_path_factory):
    """A dev server with the workers, and the example cohort started by ``starter.py start``."""
    env = await start_dev_server()
    client = env.client
    address = client.service_client.config.target_host
    with SmtpServer() as smtp, pytest.MonkeyPatch.context() as patch:
        ledger = tmp_path_factory.mktemp("digest-ledger") / "delivery-ledger.sqlite3"
        patch.setenv("DELIVERY_LEDGER_URL", f"sqlite:///{ledger}")
        async with running_workers(client, smtp.port, rate=100):
            started = await asyncio.to_thread(
                run_starter, "start", str(EXAMPLE), "--start-date", "today", address=address
            )
            yield client, address, started
    await env.shutdown()


async def ops(address: str, *args: str):
    return await asyncio.to_thread(ops_sync, address, *args)


def a_cohort_file(tmp_path: Path, cohort_id: str) -> Path:
    path = tmp_path / f"{cohort_id}.yaml"
    path.write_text(EXAMPLE.read_text(encoding="utf-8").replace("id: dw-2027", f"id: {cohort_id}"), encoding="utf-8")
    return path


async def schedule_ids(client: Client) -> list[str]:
    return sorted([s.id async for s in await client.list_schedules()])


async def gone(client: Client, schedule_id: str) -> bool:
    return schedule_id not in await schedule_ids(client)


async def test_start_creates_one_schedule_monday_0800_in_the_offices_zone(stack):
    client, address, started = stack
    assert started.returncode == 0, started.stderr
    # Before the progress bar and the last line, which `make run` shows.
    assert started.stdout.splitlines()[0] == (
        "weekly digest: Mondays 08:00 Europe/Berlin, to the program office (schedule digest:dw-2027)"
    )
    description = await client.get_schedule_handle("digest:dw-2027").describe()
    schedule = description.schedule
    (calendar,) = schedule.spec.calendars
    # Temporal counts weekdays from Sunday (0): Monday is 1.
    assert (calendar.day_of_week, calendar.hour, calendar.minute, calendar.second) == (
        (ScheduleRange(1),), (ScheduleRange(8),), (ScheduleRange(0),), (ScheduleRange(0),)
    )  # fmt: skip
    assert (calendar.day_of_month, calendar.month) == ((ScheduleRange(1, 31),), (ScheduleRange(1, 12),))
    assert schedule.spec.time_zone_name == "Europe/Berlin"
    assert (schedule.spec.start_at, schedule.spec.end_at, schedule.spec.jitter) == (None, None, None)
    assert schedule.policy.overlap == ScheduleOverlapPolicy.SKIP
    assert schedule.policy.catchup_window == timedelta(days=1)
    assert (schedule.state.paused, schedule.state.note) == (False, CREATED_NOTE)
    action = schedule.action
    assert (action.workflow, action.id, action.task_queue) == ("WeeklyDigestWorkflow", "digest:dw-2027", TASK_QUEUE)
    assert [(p.key.name, p.value) for p in action.typed_search_attributes] == [("CohortId", "dw-2027")]
    (given,) = await client.data_converter.decode(action.args, [DigestInput])
    assert (given.program.cohort_id, given.timezone) == ("dw-2027", "Europe/Berlin")
    berlin = ZoneInfo("Europe/Berlin")
    upcoming = description.info.next_action_times
    assert len(upcoming) >= 5
    assert {(t.astimezone(berlin).weekday(), t.astimezone(berlin).time()) for t in upcoming} == {(0, time(8))}

    again = await asyncio.to_thread(run_starter, "start", str(EXAMPLE), "--start-date", "today", address=address)
    assert again.returncode == 0, again.stderr
    assert again.stdout.splitlines()[-2] == "weekly digest: schedule digest:dw-2027 exists already, left as it is"
    assert "digest:dw-2027" in await schedule_ids(client)
    assert len([s for s in await schedule_ids(client) if s == "digest:dw-2027"]) == 1


async def test_a_start_that_stopped_before_the_schedule_and_a_future_cohort_both_get_one(stack, tmp_path):
    client, address, _ = stack
    # An earlier start got as far as the cohort workflow, then stopped.
    partial = a_cohort_file(tmp_path, "partial")
    _, started = await start_cohort(client, load_cohort(partial, start_date=date.today()))
    assert started and digest_schedule_id("partial") not in await schedule_ids(client)
    rerun = await asyncio.to_thread(run_starter, "start", str(partial), "--start-date", "today", address=address)
    assert rerun.returncode == 0, rerun.stderr
    assert rerun.stdout.splitlines()[-2:] == [
        "weekly digest: Mondays 08:00 Europe/Berlin, to the program office (schedule digest:partial)",
        "cohort 'partial' is already running (workflow cohort:partial): nothing started, nobody gets a second email",
    ]
    # A cohort that starts in two months has its digest from now on: the weeks before
    # anything happens are skipped by the digest itself.
    later = a_cohort_file(tmp_path, "later")
    start = (date.today() + timedelta(days=60)).isoformat()
    first = await asyncio.to_thread(run_starter, "start", str(later), "--start-date", start, address=address)
    assert first.returncode == 0, first.stderr
    description = await client.get_schedule_handle("digest:later").describe()
    assert description.info.next_action_times[0] - datetime.now(UTC) <= timedelta(days=7)


async def test_ops_pauses_and_resumes_the_digest_with_a_note_and_says_when_nothing_changes(stack):
    client, address, _ = stack
    handle = client.get_schedule_handle("digest:dw-2027")

    paused = await ops(address, "pause-digest", "dw-2027", "--note", "Sommerpause bis August")
    assert paused.returncode == 0, paused.stderr
    assert lines(paused.stdout) == [
        "weekly digest of cohort dw-2027 paused; no digest goes out until `ops.py resume-digest dw-2027`"
    ]
    state = (await handle.describe()).schedule.state
    assert (state.paused, state.note) == (True, "Sommerpause bis August")
    status = await ops(address, "status", "dw-2027")
    assert status.returncode == 0, status.stderr
    assert lines(status.stdout)[-1] == (
        "weekly digest: paused (Sommerpause bis August); resume with: ops.py resume-digest dw-2027"
    )
    twice = await ops(address, "pause-digest", "dw-2027", "--note", "noch einmal")
    assert lines(twice.stdout) == [
        "weekly digest of cohort dw-2027 is already paused (Sommerpause bis August); nothing was changed"
    ]
    assert (await handle.describe()).schedule.state.note == "Sommerpause bis August"

    resumed = await ops(address, "resume-digest", "dw-2027", "--note", "zurück aus der Pause")
    assert resumed.returncode == 0, resumed.stderr
    description = await handle.describe()
    assert (description.schedule.state.paused, description.schedule.state.note) == (False, "zurück aus der Pause")
    following = description.info.next_action_times[0]
    assert lines(resumed.stdout) == [
        f"weekly digest: Mondays 08:00 Europe/Berlin, next {following.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
    ]
    again = await ops(address, "resume-digest", "dw-2027")
    assert lines(again.stdout) == ["weekly digest of cohort dw-2027 is not paused; nothing was changed"]
    status = await ops(address, "status", "dw-2027")
    assert lines(status.stdout)[-1] == lines(resumed.stdout)[0]


async def test_ops_refuses_a_cohort_without_a_digest_and_a_pause_without_a_note(stack):
    _, address, _ = stack
    missing = await ops(address, "pause-digest", "nope", "--note", "x")
    assert missing.returncode == 1
    assert missing.stderr.strip() == (
        "error: cohort 'nope' has no weekly digest: `starter.py start` creates it with the cohort, "
        "and it ends once every pair has finished"
    )
    bare = await ops(address, "pause-digest", "dw-2027")
    assert bare.returncode == 2
    assert "the following arguments are required: --note" in bare.stderr
    newline = await ops(address, "pause-digest", "dw-2027", "--note", "a\nb")
    assert newline.returncode == 2
    assert "argument --note: contains a line break; it must be a single line" in newline.stderr


async def test_the_last_digest_deletes_the_schedule_and_ops_says_there_is_none(stack, tmp_path):
    client, address, _ = stack
    cohort = load_cohort(a_cohort_file(tmp_path, "over"), start_date=date.today())
    assert await ensure_digest_schedule(client, cohort)
    retire = ActivityEnvironment().run
    activities = DigestActivities(client)
    assert (await retire(activities.retire_digest, RetireRequest(cohort_id="over"))).deleted
    # The list comes from the server's visibility store, which learns of the deletion a
    # moment later (longer on a busy machine).
    assert await eventually(lambda: gone(client, digest_schedule_id("over")), timeout=10, every=0.1)
    # Retried, or run again by hand: nothing left to delete, and no error.
    assert not (await retire(activities.retire_digest, RetireRequest(cohort_id="over"))).deleted
    resumed = await ops(address, "resume-digest", "over")
    assert resumed.returncode == 1
    assert "cohort 'over' has no weekly digest" in resumed.stderr


# Days a few weeks before a clock change, in either hemisphere: ten Mondays ahead cross it.
BEFORE_A_CLOCK_CHANGE = st.builds(date, st.integers(2027, 2032), st.sampled_from([2, 3, 9, 10]), st.integers(1, 28))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(zone=st.sampled_from(ZONES), day=BEFORE_A_CLOCK_CHANGE)
@example(zone="Europe/Berlin", day=date(2027, 3, 1))  # CET to CEST on 28 March
@example(zone="Australia/Lord_Howe", day=date(2030, 3, 1))  # half an hour back on 7 April
@example(zone="America/New_York", day=date(2027, 10, 4))  # noon UTC is that Monday's 08:00 there
def test_the_server_starts_digests_at_monday_0800_local_across_clock_changes(stack, zone, day):
    _, address, _ = stack
    asyncio.run(_next_times_match(address, zone, day))


async def _next_times_match(address: str, zone: str, day: date) -> None:
    client = await Client.connect(address, data_converter=fixed_key_converter())
    spec = digest_spec(zone)
    spec.start_at = datetime.combine(day, time(12), tzinfo=UTC)
    schedule_id = f"dst-{zone.replace('/', '-')}-{day}"
    # Nothing starts: the first Monday is years away. Only the server's calendar is asked.
    handle = await client.create_schedule(
        schedule_id,
        Schedule(action=ScheduleActionStartWorkflow("Nothing", id=schedule_id, task_queue="none"), spec=spec),
    )
    try:
        upcoming = list((await handle.describe()).info.next_action_times)
    finally:
        await handle.delete()
    # The server counts a Monday at start_at itself; digest_times counts those after its start.
    assert upcoming == digest_times(spec.start_at - timedelta(microseconds=1), upcoming[-1], zone)
    local = [t.astimezone(ZoneInfo(zone)) for t in upcoming]
    assert {(t.weekday(), t.time()) for t in local} == {(0, time(8))}
    offsets = {t.utcoffset() for t in local}
    event(f"clock change within the next {len(upcoming)} Mondays: {len(offsets) > 1}")
