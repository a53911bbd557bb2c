"""Validators for participants' answers: a refused answer never enters history, and
the response site shows the reason (the ApplicationError's type says which page)."""

from __future__ import annotations

from datetime import date, datetime

from temporalio.exceptions import ApplicationError

from mentoring import inputs
from mentoring.answers import CheckInAnswer, CheckInChoice, ReflectionAnswer, ReviewAnswer, ReviewStage
from mentoring.replies import PartStat
from mentoring.state import PairState, SessionState, SessionStatus, current_partstat
from workflows.answers import Answer, earlier_answer, review_open, session_of
from workflows.validation import check_input, check_local_time

# The types the site tells apart.
ANSWER_REFUSED = "AnswerRefused"
ALREADY_ANSWERED = "AlreadyAnswered"


def refuse(message: str, type: str = ANSWER_REFUSED) -> ApplicationError:
    return ApplicationError(message, type=type, non_retryable=True)


def check_answer(state: PairState, answer: Answer, program_start: date, now: datetime) -> None:
    if not state.listening:
        raise refuse("this pair does not take answers")
    if state.vacant_role == answer.role:
        raise refuse(f"the {answer.role.value} has left the pair")
    if isinstance(answer, ReviewAnswer):
        _check_review(state, answer, now)
        return
    session = session_of(state, answer.session)
    if session is None or session.status == SessionStatus.CANCELLED:
        raise refuse("this session was cancelled" if session else "there is no such session")
    if earlier_answer(state, answer.kind, answer.role, answer.session) is not None:
        raise refuse(f"this {answer.kind.replace('_', '-')} was answered already", ALREADY_ANSWERED)
    if isinstance(answer, ReflectionAnswer):
        # Its prompt may still be on its way to the other participant.
        if not session.reflection_done and session.ends_at > now:
            raise refuse("this session has not taken place yet")
        return
    _check_check_in(state, answer, session, program_start, now)


def _check_check_in(
    state: PairState, answer: CheckInAnswer, session: SessionState, program_start: date, now: datetime
) -> None:
    if state.ended is not None or (state.closing_done and state.answers_until is None):
        # After the closing review, check-ins are still taken until its answers are in.
        raise refuse("the program has ended")
    if state.paused is not None:
        raise refuse("the pair is paused")
    declined = current_partstat(session, answer.role) == PartStat.DECLINED
    if session.starts_at > now and not (declined and answer.choice == CheckInChoice.NEW_DATE):
        # Before a session only its decliner may ask for a new date.
        raise refuse(f"this session is on {session.local_start:%Y-%m-%d %H:%M}; check in after it")
    if answer.choice != CheckInChoice.NEW_DATE:
        if answer.new_local_start is not None:
            raise refuse("a new date goes only with 'we need a new date'")
        return
    if answer.new_local_start is None:
        raise refuse("choose the new date")
    try:
        check_local_time("new date", answer.new_local_start, state, program_start, now)
    except ApplicationError as error:
        raise refuse(error.message) from None
    # Whether it lies ahead needs the pair's clock: the handler asks for its instant.
    taken = {s.local_start.date() for s in state.sessions if s.status != SessionStatus.CANCELLED and s is not session}
    if answer.new_local_start.date() in taken:
        raise refuse(f"the pair already meets on {answer.new_local_start:%Y-%m-%d}")


def _check_review(state: PairState, answer: ReviewAnswer, now: datetime) -> None:
    if not review_open(state, answer.stage, now):
        raise refuse(f"the {answer.stage.value} review has not been sent yet")
    closing = answer.stage == ReviewStage.CLOSING
    if earlier_answer(state, "review", answer.role, stage=answer.stage) is not None:
        raise refuse(f"this {answer.stage.value} review was answered already", ALREADY_ANSWERED)
    if not closing and (answer.recommend is not None or answer.keep_meeting is not None):
        raise refuse("the recommendation and keeping on meeting belong to the closing review")
    check_input("comment", inputs.comment, answer.comment_to_office, required=False)


def past_when_read_as_utc(answer: Answer, now: datetime) -> bool:
    """How a pair before the ``new-date-on-the-pairs-clock`` patch refused a new date in
    the signal's check: its wall-clock time read as UTC (wrong for every other zone)."""
    return (
        isinstance(answer, CheckInAnswer)
        and answer.new_local_start is not None
        and answer.new_local_start <= now.replace(tzinfo=None)
    )
