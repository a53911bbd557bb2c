"""A cohort workflow's state, input and progress, and what it hands the activity that
starts its pairs. The pairs' own state is in ``mentoring.state``."""

from __future__ import annotations

from pydantic import AwareDatetime, BaseModel

from mentoring.cohort import Cohort, Pair, Program
from mentoring.operations import CohortOperationResult
from mentoring.state import PairProgress


class CohortState(BaseModel):
    started_pair_ids: list[str] = []
    progress: dict[str, PairProgress] = {}
    # request_id -> result, so a repeated cohort operation changes nothing.
    operations: dict[str, CohortOperationResult] = {}


class CohortInput(BaseModel):
    cohort: Cohort
    state: CohortState | None = None


class CohortProgress(BaseModel):
    cohort_id: str
    pairs: list[PairProgress] = []
    pairs_total: int
    pairs_started: int
    pairs_by_phase: dict[str, int]
    sessions_held: int
    messages_sent: int
    messages_failed: int


class CohortResult(BaseModel):
    cohort_id: str
    progress: CohortProgress


class PairStartRequest(BaseModel):
    """Pairs of one cohort for the ``start_pairs`` activity to start."""

    cohort_workflow_id: str
    task_queue: str
    program: Program
    pairs: list[Pair]
    # The cohort's clock: sessions before it are left out of each pair's plan.
    not_before: AwareDatetime | None = None


class PairStartResult(BaseModel):
    # Started now, or by an earlier attempt or run: either way the pair's workflow exists.
    started_pair_ids: list[str]
