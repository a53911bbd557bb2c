"""A pair's calendar arithmetic, asked of activities: zoneinfo never runs in
workflow code, and each answer is recorded in history, so a tzdata update cannot
make a replay diverge."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from mentoring.cohort import Program
    from mentoring.plan import (
        Instant,
        Instants,
        LocalSpan,
        LocalSpans,
        LocalTimes,
        PlanRequest,
        SessionPlan,
        SpanOnClocks,
        WallClock,
    )
    from mentoring.state import PairState
    from workflows import pausing
    from workflows import validation as check

PLANNING_RETRY = RetryPolicy(maximum_interval=timedelta(minutes=1), non_retryable_error_types=["ZoneInfoNotFoundError"])


class Planner:
    def __init__(self, state: PairState, program: Program) -> None:
        self._state = state
        self._program = program

    async def first_plan(self) -> SessionPlan:
        program, pattern = self._program, self._state.pattern
        assert pattern is not None
        return await self._plan(
            PlanRequest(
                start_date=program.start_date,
                duration_months=program.duration_months,
                pattern=pattern,
                not_before=workflow.now(),
            )
        )

    async def replan(self, start: date, end: date, not_before: datetime, restart: bool = False) -> SessionPlan:
        assert self._state.pattern is not None
        return await self._plan(
            PlanRequest(
                start_date=start,
                duration_months=self._program.duration_months,
                end_date=end,
                pattern=self._state.pattern,
                not_before=not_before,
                restart=restart,
            )
        )

    async def after_pause(self) -> SessionPlan:
        """The rest of the program from today, lengthened by the pause."""
        start, end = pausing.resume_window(self._state, workflow.now())
        return await self.replan(start, end, workflow.now(), restart=True)

    async def instant(self, local: datetime, field: str | None = None) -> datetime:
        """The instant of a wall-clock time in the pair's zone; with ``field``, it must
        lie ahead (a validator can only check the date)."""
        assert self._state.pattern is not None
        result = await workflow.execute_activity(
            "localize_times",
            LocalTimes(timezone=self._state.pattern.timezone, local=[local]),
            result_type=Instants,
            start_to_close_timeout=timedelta(seconds=30),
            retry_policy=PLANNING_RETRY,
            summary="convert local times in the pair's time zone",
        )
        instant: datetime = result.instants[0]
        if field and instant <= workflow.now():
            raise check.reject(f"{field} {local:%Y-%m-%d %H:%M} is in the past")
        return instant

    async def wall_clock(self, at: datetime) -> datetime:
        """The wall-clock time in the pair's zone of an instant."""
        assert self._state.pattern is not None
        result: WallClock = await workflow.execute_activity(
            "wall_clock_of",
            Instant(timezone=self._state.pattern.timezone, at=at),
            result_type=WallClock,
            start_to_close_timeout=timedelta(seconds=30),
            retry_policy=PLANNING_RETRY,
            summary="show a proposed time on the pair's clock",
        )
        return result.local

    async def on_clocks(self, starts_at: datetime, ends_at: datetime, zones: list[str]) -> list[LocalSpan]:
        """A meeting on the clocks of ``zones``, in that order."""
        whose = "the pair's clock" if len(zones) == 1 else "the pair's and each participant's clock"
        result: LocalSpans = await workflow.execute_activity(
            "span_on_clocks",
            SpanOnClocks(starts_at=starts_at, ends_at=ends_at, timezones=zones),
            result_type=LocalSpans,
            start_to_close_timeout=timedelta(seconds=30),
            retry_policy=PLANNING_RETRY,
            summary=f"show a proposed time on {whose}",
        )
        return result.spans

    async def _plan(self, request: PlanRequest) -> SessionPlan:
        plan: SessionPlan = await workflow.execute_activity(
            "plan_sessions",
            request,
            result_type=SessionPlan,
            start_to_close_timeout=timedelta(seconds=30),
            retry_policy=PLANNING_RETRY,
            summary="plan sessions in the pair's time zone",
        )
        return plan
