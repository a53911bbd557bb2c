"""The weekly digest's Temporal Schedule: one per cohort, Monday 08:00 on the office's clock.

``starter.py start`` creates it (``ensure_digest_schedule``), ``ops.py digest pause`` and
``resume`` pause it and let it run again, ``ops.py status`` shows it. It ends by itself:
the first digest that finds every pair of the cohort finished is the last, and deletes
the schedule (``activities/digest.py``), so an extended or paused pair keeps the digest
going for as long as it runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleCalendarSpec,
    ScheduleDescription,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleRange,
    ScheduleSpec,
    ScheduleState,
)
from temporalio.common import SearchAttributePair, TypedSearchAttributes
from temporalio.service import RPCError, RPCStatusCode

from mentoring import search_attributes as sa
from mentoring.cohort import Cohort, office_zone
from mentoring.digest import DIGEST_CATCHUP, DIGEST_TIME, DIGEST_WEEKDAY, DigestInput
from mentoring.ids import DIGEST_WORKFLOW_TYPE, TASK_QUEUE, digest_schedule_id, digest_workflow_id

CREATED_NOTE = "created by starter.py start"


def digest_spec(zone: str) -> ScheduleSpec:
    """Monday 08:00 in ``zone``: the server keeps the wall-clock time across clock changes."""
    # Temporal counts days of the week from Sunday (0); ``Weekday.day_number`` from Monday.
    day_of_week = (DIGEST_WEEKDAY.day_number + 1) % 7
    return ScheduleSpec(
        calendars=[
            ScheduleCalendarSpec(
                second=[ScheduleRange(0)],
                minute=[ScheduleRange(DIGEST_TIME.minute)],
                hour=[ScheduleRange(DIGEST_TIME.hour)],
                day_of_week=[ScheduleRange(day_of_week)],
                comment=f"{DIGEST_WEEKDAY.value} {DIGEST_TIME:%H:%M}",
            )
        ],
        time_zone_name=zone,
    )


def digest_search_attributes(cohort_id: str) -> TypedSearchAttributes:
    return TypedSearchAttributes([SearchAttributePair(sa.COHORT_ID, cohort_id)])


def digest_schedule(cohort: Cohort) -> Schedule:
    program = cohort.program
    zone = office_zone(cohort)
    action = ScheduleActionStartWorkflow(
        DIGEST_WORKFLOW_TYPE,
        # Encrypted like every payload: the office's address travels in it.
        DigestInput(program=program, timezone=zone),
        id=digest_workflow_id(program.cohort_id),
        task_queue=TASK_QUEUE,
        static_summary=f"Weekly digest · cohort {program.cohort_id}",
        # So admins find a cohort's digests beside its pairs: CohortId='dw-2027'.
        typed_search_attributes=digest_search_attributes(program.cohort_id),
    )
    return Schedule(
        action=action,
        spec=digest_spec(zone),
        # One digest at a time; a week the server missed by more than a day is left to the next one.
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP, catchup_window=DIGEST_CATCHUP),
        state=ScheduleState(note=CREATED_NOTE),
    )


async def ensure_digest_schedule(client: Client, cohort: Cohort) -> bool:
    """Create the cohort's digest schedule unless it exists; True when this call created it.
    An existing one is left as it is: a paused digest stays paused."""
    try:
        await client.create_schedule(digest_schedule_id(cohort.program.cohort_id), digest_schedule(cohort))
    except ScheduleAlreadyRunningError:
        return False
    return True


@dataclass(frozen=True)
class DigestStatus:
    """How a cohort's digest stands, as ``ops.py`` shows it."""

    zone: str
    paused: bool
    note: str
    next_at: datetime | None


async def digest_status(client: Client, cohort_id: str) -> DigestStatus | None:
    """None when the cohort has no digest schedule (never created, or ended)."""
    try:
        description = await client.get_schedule_handle(digest_schedule_id(cohort_id)).describe()
    except RPCError as error:
        if error.status == RPCStatusCode.NOT_FOUND:
            return None
        raise
    return status_of(description)


def status_of(description: ScheduleDescription) -> DigestStatus:
    schedule = description.schedule
    times = description.info.next_action_times
    return DigestStatus(
        zone=schedule.spec.time_zone_name or "UTC",
        paused=schedule.state.paused,
        note=schedule.state.note or "",
        next_at=times[0] if times else None,
    )
