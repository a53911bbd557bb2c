"""Checks for operations, run in update validators: a rejected request never
enters history. Messages are written for the program office."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from temporalio import workflow
from temporalio.exceptions import ApplicationError

from mentoring import inputs
from mentoring.cohort import Pair, Person, Role
from mentoring.inputs import EXTEND_WEEKS, SESSION_LENGTH, InputError, Range
from mentoring.operations import (
    CancelSession,
    ChangeRhythm,
    EndProgram,
    ExtendProgram,
    PausePair,
    ReplaceParticipant,
    RescheduleSession,
    WithdrawParticipant,
)
from mentoring.state import PairState, SessionState
from workflows.agenda import active_sessions, session_at

INVALID_OPERATION = "InvalidOperation"
# Refused only because the pair is seconds old; the same request succeeds a moment later.
PLAN_NOT_READY = "PlanNotReady"
# No zone is further than 14 hours from UTC: a local time that is earlier than
# now minus 14 hours is in the past wherever the pair meets.
_MAX_UTC_OFFSET = timedelta(hours=14)


def reject(message: str, type: str = INVALID_OPERATION) -> ApplicationError:
    return ApplicationError(message, type=type, non_retryable=True)


def check_input(field: str, rule: Callable[[str], object], value: str | None, *, required: bool = True) -> None:
    """Refuse a value that breaks an input rule, in the words the cohort file and ops.py use."""
    if value is None:
        if required:
            raise reject(f"{field}: is empty")
        return
    try:
        # email-validator and idna import parts of themselves on first use; let them through.
        with workflow.unsafe.imports_passed_through():
            rule(value)
    except InputError as error:
        raise reject(f"{field}: {error}") from None


def check_number(field: str, bounds: Range, value: int) -> None:
    try:
        bounds.check(value)
    except InputError as error:
        raise reject(f"{field}: {error}") from None


def check_running(state: PairState) -> None:
    if state.ended is not None:
        raise reject(f"the program was ended early ({state.ended.reason}); nothing to change")
    if state.closing_done:
        raise reject("the program has completed; nothing to change")


def check_not_paused(state: PairState, what: str) -> None:
    if state.paused is not None:
        raise reject(f"the pair is paused; resume it before you {what}")


def session_to_change(state: PairState, place: int, now: datetime) -> SessionState:
    """The session numbered ``place`` as ``ops.py show`` and the emails number it."""
    session = session_at(state, place)
    if session is None:
        count = len(active_sessions(state))
        raise reject(f"there is no session {place} (the sessions are numbered 1 to {count}; see ops.py show)")
    if session.starts_at <= now:
        raise reject(f"session {place} ({session.local_start:%Y-%m-%d %H:%M}) is in the past")
    return session


def check_local_time(field: str, local: datetime, state: PairState, program_start: date, now: datetime) -> None:
    if local.tzinfo is not None:
        raise reject(f"{field} must be a local time in the pair's time zone, without an offset")
    if local < now.replace(tzinfo=None) - _MAX_UTC_OFFSET:
        raise reject(f"{field} {local:%Y-%m-%d %H:%M} is in the past")
    if not in_program(state, program_start, local.date()):
        raise reject(
            f"{field} {local:%Y-%m-%d} is outside the program ({program_start} to {state.program_end}); "
            "extend the program first"
        )


def in_program(state: PairState, program_start: date, day: date) -> bool:
    """The days a session may fall on, on the pair's clock: from the program's first day
    to the day before it ends."""
    end = state.program_end
    return program_start <= day and (end is None or day < end)


def check_person(role: str, person: Person) -> None:
    check_input(f"{role} name", inputs.name, person.name)
    check_input(f"{role} email", inputs.email, person.email)
    check_input(f"{role} time zone", inputs.time_zone, person.timezone)


def check_pair(pair: Pair) -> None:
    """A pair that add-pair sends: the rules a pair of the cohort file follows."""
    check_input("pair id", inputs.identifier, pair.id)
    check_person("mentor", pair.mentor)
    check_person("mentee", pair.mentee)
    check_input("meeting time zone", inputs.time_zone, pair.pattern.timezone)
    check_input("location", inputs.location, pair.pattern.location)


def check_newcomer(role: Role, person: Person, partner: Person) -> None:
    check_person(role.value, person)
    if person.email.casefold() == partner.email.casefold():
        raise reject(f"{person.email} is already the other participant of this pair; choose someone else")


# ------------------------------------------------------------------ one check per operation


def planned(state: PairState) -> PairState:
    if state.program_end is None:
        raise reject("the pair's plan is still being made; try again in a moment", PLAN_NOT_READY)
    return state


def changeable(state: PairState, what: str) -> PairState:
    """A pair with a plan, still running and not paused."""
    planned(state)
    check_running(state)
    check_not_paused(state, what)
    return state


def check_reschedule(state: PairState, request: RescheduleSession, program_start: date, now: datetime) -> None:
    changeable(state, "reschedule a session")
    session_to_change(state, request.session_number, now)
    check_local_time("new time", request.new_local_start, state, program_start, now)


def check_cancel(state: PairState, request: CancelSession, program_start: date, now: datetime) -> None:
    changeable(state, "cancel a session")
    session_to_change(state, request.session_number, now)
    check_input("reason", inputs.reason, request.reason)
    if request.replacement_local_start is not None:
        check_local_time("replacement", request.replacement_local_start, state, program_start, now)


def check_change_rhythm(state: PairState, request: ChangeRhythm) -> None:
    changeable(state, "change the rhythm")
    if not request.model_dump(exclude={"request_id"}, exclude_none=True):
        raise reject("say what to change: weekday, time, length, location or cadence")
    if request.length_minutes is not None:
        check_number("length", SESSION_LENGTH, request.length_minutes)
    check_input("location", inputs.location, request.location, required=False)


def check_pause(state: PairState, request: PausePair, now: datetime) -> None:
    changeable(state, "pause again")
    check_input("reason", inputs.reason, request.reason)
    if request.until is not None and request.until < now.date() - timedelta(days=1):
        raise reject(f"pause end {request.until} is in the past")


def check_resume(state: PairState) -> None:
    check_running(planned(state))
    if state.paused is None:
        raise reject("the pair is not paused")
    if state.vacant_role is not None:
        raise reject(f"the {state.vacant_role.value} has withdrawn; replace them to resume")


def check_extend(state: PairState, request: ExtendProgram) -> None:
    changeable(state, "extend the program")
    check_number("weeks", EXTEND_WEEKS, request.weeks)


def check_end(state: PairState, request: EndProgram) -> None:
    check_running(planned(state))
    check_input("reason", inputs.reason, request.reason)


def check_withdraw(state: PairState, request: WithdrawParticipant) -> None:
    changeable(state, "withdraw a participant")
    if request.role == Role.PROGRAM_OFFICE:
        raise reject("only the mentor or the mentee can be withdrawn")
    check_input("reason", inputs.reason, request.reason)


def check_replace(state: PairState, request: ReplaceParticipant) -> None:
    check_running(planned(state))
    if request.role == Role.PROGRAM_OFFICE:
        raise reject("only the mentor or the mentee can be replaced")
    current = state.mentor if request.role == Role.MENTOR else state.mentee
    partner = state.mentee if request.role == Role.MENTOR else state.mentor
    assert current is not None and partner is not None
    check_newcomer(request.role, request.person, partner)
    if state.vacant_role != request.role and current.email.casefold() == request.person.email.casefold():
        raise reject(f"{request.person.email} is already the {request.role.value}")
    if state.vacant_role not in (None, request.role):
        raise reject(f"the {state.vacant_role.value} has withdrawn; replace them first")
    check_input("reason", inputs.reason, request.reason)
