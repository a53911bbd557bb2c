"""What a pair publishes: search attributes and the UI's current-details line for
admins, and milestone reports to its cohort (see ``progress``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from temporalio import workflow
from temporalio.common import SearchAttributeUpdate, TypedSearchAttributes

with workflow.unsafe.imports_passed_through():
    from pydantic import BaseModel

    from mentoring import search_attributes as sa
    from mentoring.answers import PairHealth
    from mentoring.cohort import Program
    from mentoring.state import PairProgress, PairState, ProgramPhase
    from workflows import progress
    from workflows.agenda import Due, due_items


Published = tuple[ProgramPhase, int, datetime | None, PairHealth | None]


class Reporter:
    def __init__(self, state: PairState, program: Program, pair_id: str, cohort_workflow_id: str | None) -> None:
        self._state = state
        self._program = program
        self._pair_id = pair_id
        self._cohort_workflow_id = cohort_workflow_id
        self._last: PairProgress | None = None
        self._published: Published | None = None

    def published_at_start(self) -> None:
        """The pair's starter set the search attributes, if it knew them (``start_pairs``
        does): its first task upserts only what differs. Call on a first run's first task
        only where the history proves it (see ``PairProgramWorkflow._start_listening``)."""
        self._published = started_with(workflow.info().typed_search_attributes)

    def publish(self, next_item: Due | None) -> None:
        state = self._state
        published = progress.published(state, next_item)
        if published != self._published:
            # A visibility write each: only when something an admin filters on changed.
            self._published = published
            updates: list[SearchAttributeUpdate[Any]] = [
                sa.PROGRAM_PHASE.value_set(state.phase.value),
                sa.SESSIONS_HELD.value_set(state.sessions_held),
                sa.NEXT_EVENT_AT.value_set(next_item.at) if next_item else sa.NEXT_EVENT_AT.value_unset(),
            ]
            if state.listening:
                updates.append(sa.PAIR_HEALTH.value_set(state.health.value))
            workflow.upsert_search_attributes(updates)
        workflow.set_current_details(progress.details_line(state, next_item))

    async def report(self, finished: bool = False) -> None:
        cohort_id = self._cohort_workflow_id
        items = [] if finished else due_items(self._state, self._program)
        report = progress.progress(self._state, self._pair_id, items[0] if items else None, finished)
        if cohort_id is None or not progress.worth_reporting(self._last, report):
            return
        self._last = report
        await self.tell_cohort("pair_progress", report)

    async def tell_cohort(self, signal: str, news: BaseModel) -> None:
        cohort_id = self._cohort_workflow_id
        if cohort_id is None:
            return
        try:
            await workflow.get_external_workflow_handle(cohort_id).signal(signal, news)
        except Exception:
            # The pair outlives its cohort workflow; a closed cohort just misses the news.
            workflow.logger.info("cohort %s did not take %s", cohort_id, signal)


def started_with(attributes: TypedSearchAttributes) -> Published | None:
    """What a pair's start published, when its starter set the search attributes its
    first task would upsert (``pair_labels.pair_search_attributes`` with the first
    event). Pairs started otherwise, and every pair started before, have no NextEventAt
    at the start, so their first task upserts as it always did."""
    phase, held = attributes.get(sa.PROGRAM_PHASE), attributes.get(sa.SESSIONS_HELD)
    next_at = attributes.get(sa.NEXT_EVENT_AT)
    if phase is None or held is None or next_at is None:
        return None
    health = attributes.get(sa.PAIR_HEALTH)
    return ProgramPhase(phase), held, next_at, PairHealth(health) if health is not None else None
