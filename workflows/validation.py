"""Checks for operations, run in update validators: a rejected request never
enters history. Messages are written for the program office."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime, timedelta

from temporalio.exceptions import ApplicationError

from mentoring.cohort import Person, Role
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


def check_text(field: str, value: str | None, *, required: bool = True, max_length: int = 2000) -> None:
    if value is None or not value.strip():
        if required:
            raise reject(f"{field} must not be empty")
        return
    if len(value) > max_length:
        raise reject(f"{field} is longer than {max_length} characters")
    for char in value:
        if unicodedata.category(char) == "Cc" and char not in ("\n", "\t") or char in "\u2028\u2029":
            raise reject(f"{field} contains a line break or control character (U+{ord(char):04X})")


def check_one_line(field: str, value: str | None, *, required: bool = True) -> None:
    check_text(field, value, required=required, max_length=300)
    if value and ("\n" in value or "\t" in value):
        raise reject(f"{field} must be a single line")


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
    end = state.program_end
    if local.date() < program_start or (end is not None and local.date() >= end):
        raise reject(
            f"{field} {local:%Y-%m-%d} is outside the program ({program_start} to {end}); "
            "extend the program first"
        )


def check_person(role: Role, person: Person, partner: Person) -> None:
    check_one_line(f"{role.value} name", person.name)
    check_one_line(f"{role.value} email", person.email)
    check_one_line(f"{role.value} timezone", person.timezone)
    local, _, domain = person.email.partition("@")
    if not local or "." not in domain:
        raise reject(f"{person.email!r} is not an email address")
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
    check_text("reason", request.reason)
    if request.replacement_local_start is not None:
        check_local_time("replacement", request.replacement_local_start, state, program_start, now)


def check_change_rhythm(state: PairState, request: ChangeRhythm) -> None:
    changeable(state, "change the rhythm")
    if not request.model_dump(exclude={"request_id"}, exclude_none=True):
        raise reject("say what to change: weekday, time, length, location or cadence")
    if request.length_minutes is not None and not 15 <= request.length_minutes <= 240:
        raise reject(f"length {request.length_minutes} minutes is outside 15..240")
    check_one_line("location", request.location, required=False)


def check_pause(state: PairState, request: PausePair, now: datetime) -> None:
    changeable(state, "pause again")
    check_text("reason", request.reason)
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
    if not 1 <= request.weeks <= 26:
        raise reject(f"extend by 1 to 26 weeks, not {request.weeks}")


def check_end(state: PairState, request: EndProgram) -> None:
    check_running(planned(state))
    check_text("reason", request.reason)


def check_withdraw(state: PairState, request: WithdrawParticipant) -> None:
    changeable(state, "withdraw a participant")
    if request.role == Role.PROGRAM_OFFICE:
        raise reject("only the mentor or the mentee can be withdrawn")
    check_text("reason", request.reason)


def check_replace(state: PairState, request: ReplaceParticipant) -> None:
    check_running(planned(state))
    if request.role == Role.PROGRAM_OFFICE:
        raise reject("only the mentor or the mentee can be replaced")
    current = state.mentor if request.role == Role.MENTOR else state.mentee
    partner = state.mentee if request.role == Role.MENTOR else state.mentor
    assert current is not None and partner is not None
    check_person(request.role, request.person, partner)
    if state.vacant_role != request.role and current.email.casefold() == request.person.email.casefold():
        raise reject(f"{request.person.email} is already the {request.role.value}")
    if state.vacant_role not in (None, request.role):
        raise reject(f"the {state.vacant_role.value} has withdrawn; replace them first")
    check_text("reason", request.reason)
