"""Run one ``ops.py`` command against Temporal."""

from __future__ import annotations

import argparse

from mentoring.operations import FindParticipant, LookupOperation, ReplaceParticipant
from mentoring_service.cli.connect import connect_or_explain
from mentoring_service.cli.console import CommandError
from mentoring_service.cli.ops_cohort_report import report
from mentoring_service.cli.ops_live import live_pairs, with_live
from mentoring_service.cli.ops_report import print_result
from mentoring_service.cli.ops_request_id import derived_request_id
from mentoring_service.cli.ops_requests import build_change
from mentoring_service.cli.ops_target import UPDATE_TIMEOUT_SECONDS, Remote, Target
from mentoring_service.cli.ops_views import print_pair, print_status
from workflows.cohort import CohortWorkflow
from workflows.pair import PairProgramWorkflow


async def run(args: argparse.Namespace) -> None:
    if args.command in ("status", "show"):
        await _look(args)
        return
    if args.command == "report":
        await report(args)
        return
    # Everything about the request is checked (and files read) before connecting.
    change = build_change(args)
    request_id = args.request_id or derived_request_id(args.command, change.target.workflow_id, change.request)
    request = change.request.model_copy(update={"request_id": request_id})
    remote = Remote(await connect_or_explain(), change.target)
    workflow = PairProgramWorkflow if change.target.pair_id else CohortWorkflow
    # As patient as the change itself: right after a worker crash the first answer takes a while.
    past = await remote.query(
        workflow.applied_operation, LookupOperation(request_id=request_id), timeout=UPDATE_TIMEOUT_SECONDS
    )
    if past.result is not None:
        print_result(past.result, repeat=True)
        return
    if isinstance(request, ReplaceParticipant):
        await _check_one_pair_each(remote, request)
    result = await remote.update(change.update, request, request_id)
    print_result(result)


async def _check_one_pair_each(remote: Remote, request: ReplaceParticipant) -> None:
    """A person can be in only one pair of a cohort; the cohort knows who is where."""
    target = remote.target
    cohort = Remote(remote.client, Target(target.cohort_id))
    place = await cohort.query(
        CohortWorkflow.find_participant, FindParticipant(email=request.person.email, except_pair_id=target.pair_id)
    )
    if place.pair_id is not None:
        raise CommandError(
            f"{request.person.email} is already in pair '{place.pair_id}' as {place.role.value}; "
            "a person can be in only one pair of a cohort. Nothing was changed."
        )


async def _look(args: argparse.Namespace) -> None:
    client = await connect_or_explain()
    if args.command == "status":
        progress = await Remote(client, Target(args.cohort)).query(CohortWorkflow.progress)
        print_status(with_live(progress, await live_pairs(client, args.cohort)))
    else:
        state = await Remote(client, Target(args.cohort, args.pair)).query(PairProgramWorkflow.state)
        print_pair(args.cohort, args.pair, state)
