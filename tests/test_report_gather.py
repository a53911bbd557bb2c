"""The report's figures from a simulated cohort, running and finished, against the
pairs' states as their queries give them. The expected numbers are computed here from
the states, apart from the report's own code."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from mentoring.cohort import Role
from mentoring.reporting.figures import figures
from mentoring.state import PairState
from mentoring_service.cli.console import CommandError
from mentoring_service.reporting.gather import Clock, Source, gather
from tests.report_expectations import expected
from tests.report_program import COHORT_ID, COMMENTS, PAIRS, SimulatedCohort, simulated_cohort


def reported(facts) -> dict:
    f = figures(facts)
    return {
        "pairs": f.pairs.model_dump(),
        "sessions": {k: getattr(f.sessions, k) for k in ("planned", "held", "cancelled", "declined")},
        "health": {k: v for k, v in f.health.model_dump().items() if v and k != "unknown"},
        "nps": {role.value: score.score for role, score in f.nps.items()},
        "keep_meeting": {k.value: v for k, v in f.keep_meeting.counts.items() if v} if f.keep_meeting.shown else None,
        "comments": sorted(c.text for c in f.comments),
    }


async def quiet_states(sim: SimulatedCohort) -> dict[str, PairState]:
    """The states once answers in flight have landed (the clock stands still meanwhile)."""
    states = await sim.states()
    for _ in range(20):
        await asyncio.sleep(0.5)
        again = await sim.states()
        if again == states:
            return states
        states = again
    raise AssertionError("the pairs kept changing")


async def test_a_running_and_then_finished_cohort_reports_what_its_pairs_hold(tmp_path):
    async with simulated_cohort(tmp_path) as sim:
        await sim.advance(timedelta(weeks=5))
        await sim.operate()
        # p5 takes its closing review for three weeks after its end: still running then.
        await sim.advance(timedelta(weeks=2))
        states = await quiet_states(sim)
        now = await sim.now()
        running = await gather(sim.client, COHORT_ID)

        assert (running.cohort_running, running.cohort_name, running.language) == (
            True,
            "Digitale Arbeitswelt 2030",
            "de",
        )
        # The server's clock: program time, months ahead of this machine's.
        assert running.clock == Clock.SERVER and now <= running.as_of < now + timedelta(seconds=30)
        assert [f.pair_id for f in running.pairs] == list(PAIRS)
        # p6 left the cohort and has finished; the others run and answer their query.
        assert running.sources == {**{p: Source.QUERY for p in PAIRS[:5]}, "p6": Source.RESULT}
        assert reported(running.pairs) == expected(states)
        figures_now = figures(running.pairs)
        assert figures_now.pairs.model_dump() == {
            "started": 6, "running": 4, "completed": 0, "ended_early": 1, "withdrawn": 1,
        }  # fmt: skip
        assert figures_now.sessions.declined == 1 and figures_now.sessions.cancelled_by["pause"] >= 1
        assert [len(f.replaced_at) for f in running.pairs] == [1, 0, 0, 0, 0, 0]
        assert [len(f.pauses) for f in running.pairs] == [0, 0, 0, 1, 0, 0]

        await sim.finish()
        states = await sim.states()
        finished = await gather(sim.client, COHORT_ID)
        assert finished.cohort_running is False and finished.clock == Clock.SERVER
        assert finished.sources == {p: Source.RESULT for p in PAIRS}
        assert all(f.complete for f in finished.pairs)
        assert reported(finished.pairs) == expected(states)
        final = figures(finished.pairs)
        assert final.pairs.model_dump() == {
            "started": 6,
            "running": 0,
            "completed": 4,
            "ended_early": 1,
            "withdrawn": 1,
        }
        # Mentors: 10, 6, 9 and 8 (p5 answered after its early end); two mentees: withheld.
        assert (final.nps[Role.MENTOR].score, final.nps[Role.MENTEE].score) == (25, None)
        assert sorted(c.text for c in final.comments) == sorted(COMMENTS)
        assert final.sessions.awaiting == 0


async def test_an_unknown_cohort_is_one_line(skipping_env):
    with pytest.raises(CommandError, match="^no cohort 'nope' in namespace 'default'$"):
        await gather(skipping_env.client, "nope")


async def test_a_terminated_cohort_is_one_line_and_its_running_pairs_are_not_waited_on(tmp_path):
    async with simulated_cohort(tmp_path) as sim:
        await sim.advance(timedelta(weeks=1))
        cohort = sim.client.get_workflow_handle(f"cohort:{COHORT_ID}")
        await cohort.terminate(reason="test")
        message = (
            f"cohort '{COHORT_ID}' has no report: its workflow is terminated, so it holds no list of its pairs; "
            "`starter.py start` with the cohort file starts it again and adopts the pairs still running"
        )
        with pytest.raises(CommandError) as raised:
            await asyncio.wait_for(gather(sim.client, COHORT_ID), timeout=30)
        assert str(raised.value) == message
