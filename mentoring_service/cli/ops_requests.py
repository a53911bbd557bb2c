"""From checked arguments to the request model of each change (mentoring/operations.py)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from mentoring.cohort import Person, Role
from mentoring.operations import (
    AddPair,
    Announcement,
    ApproveCounter,
    Audience,
    CancelSession,
    ChangeRhythm,
    EndCohort,
    EndProgram,
    ExtendProgram,
    Operation,
    PausePair,
    RefuseCounter,
    ReplaceParticipant,
    RescheduleSession,
    ResumePair,
    WithdrawPair,
    WithdrawParticipant,
)
from mentoring_service.cli import ops_arguments as a
from mentoring_service.cli.console import CommandError
from mentoring_service.cli.ops_add_pair import resolve_pair
from mentoring_service.cli.ops_target import Target
from workflows.cohort import CohortWorkflow
from workflows.pair import PairProgramWorkflow

# Replaced by the caller's --request-id, or by the id derived from the request.
PENDING = "pending"


@dataclass(frozen=True)
class Change:
    target: Target
    # The update handler itself (PairProgramWorkflow.pause, ...), so the SDK knows its result type.
    update: Callable
    request: Operation


def bad_argument(name: str, message: str) -> CommandError:
    return CommandError(f"argument {name}: {message}", exit_code=2)


def _pair(args: argparse.Namespace) -> Target:
    return Target(args.cohort, args.pair)


def _reschedule(args):
    return PairProgramWorkflow.reschedule_session, RescheduleSession(
        request_id=PENDING, session_number=args.session, new_local_start=args.to
    )


def _cancel_session(args):
    return PairProgramWorkflow.cancel_session, CancelSession(
        request_id=PENDING,
        session_number=args.session,
        reason=args.reason,
        replacement_local_start=args.replacement,
    )


def _change_rhythm(args):
    fields = {
        "weekday": args.weekday,
        "local_time": args.time,
        "length_minutes": args.length,
        "location": args.location,
        "cadence": args.cadence,
    }
    if all(v is None for v in fields.values()):
        raise bad_argument(
            "--weekday/--time/--length/--location/--cadence", "give at least one of them; nothing would change"
        )
    return PairProgramWorkflow.change_rhythm, ChangeRhythm(request_id=PENDING, **fields)


def _body(args) -> str:
    if args.body is not None:
        return args.body
    path: Path = args.body_file
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise bad_argument("--body-file", f"{path}: file not found") from None
    except UnicodeDecodeError:
        raise bad_argument("--body-file", f"{path}: not UTF-8 text; save it with UTF-8 encoding") from None
    except OSError as error:
        raise bad_argument("--body-file", f"{path}: cannot be read ({error.strerror or error})") from None
    try:
        return a.body_text(text)
    except a.Bad as error:
        raise bad_argument("--body-file", f"{path}: {error}") from None


PAIR_CHANGES: dict[str, Callable[[argparse.Namespace], tuple[Callable, Operation]]] = {
    "reschedule": _reschedule,
    "cancel-session": _cancel_session,
    "approve-counter": lambda args: (
        PairProgramWorkflow.approve_counter,
        ApproveCounter(request_id=PENDING, session_number=args.session),
    ),
    "refuse-counter": lambda args: (
        PairProgramWorkflow.refuse_counter,
        RefuseCounter(request_id=PENDING, session_number=args.session),
    ),
    "change-rhythm": _change_rhythm,
    "pause": lambda args: (
        PairProgramWorkflow.pause,
        PausePair(request_id=PENDING, reason=args.reason, until=args.until),
    ),
    "resume": lambda args: (PairProgramWorkflow.resume, ResumePair(request_id=PENDING)),
    "extend": lambda args: (PairProgramWorkflow.extend, ExtendProgram(request_id=PENDING, weeks=args.weeks)),
    "end": lambda args: (PairProgramWorkflow.end_program, EndProgram(request_id=PENDING, reason=args.reason)),
    "withdraw": lambda args: (
        PairProgramWorkflow.withdraw_participant,
        WithdrawParticipant(request_id=PENDING, role=Role(args.role), reason=args.reason),
    ),
    "replace": lambda args: (
        PairProgramWorkflow.replace_participant,
        ReplaceParticipant(
            request_id=PENDING,
            role=Role(args.role),
            person=Person(name=args.name, email=args.email, timezone=args.timezone),
            reason=args.reason,
        ),
    ),
}


def _add_pair(args) -> Change:
    cohort_id, pair = resolve_pair(args)
    return Change(Target(cohort_id), CohortWorkflow.add_pair, AddPair(request_id=PENDING, pair=pair))


COHORT_CHANGES: dict[str, Callable[[argparse.Namespace], Change]] = {
    "add-pair": _add_pair,
    "withdraw-pair": lambda args: Change(
        Target(args.cohort),
        CohortWorkflow.withdraw_pair,
        WithdrawPair(request_id=PENDING, pair_id=args.pair, reason=args.reason),
    ),
    "end-cohort": lambda args: Change(
        Target(args.cohort), CohortWorkflow.end_cohort, EndCohort(request_id=PENDING, reason=args.reason)
    ),
    "announce": lambda args: Change(
        Target(args.cohort),
        CohortWorkflow.announce,
        Announcement(request_id=PENDING, audience=Audience(args.audience), subject=args.subject, body=_body(args)),
    ),
}


def build_change(args: argparse.Namespace) -> Change:
    """The change a mutating command asks for; its request id is still PENDING."""
    if args.command in PAIR_CHANGES:
        update, request = PAIR_CHANGES[args.command](args)
        return Change(_pair(args), update, request)
    return COHORT_CHANGES[args.command](args)
