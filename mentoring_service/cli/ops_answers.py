"""What ``ops.py show`` says about a pair's answers: its health, each session's
check-in and reflections, and the reviews. Only what participants chose is here:
the text of a reflection never reaches us. A review's comment is the one text, and
it is written to the program office."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.text import Text

from mentoring.answers import (
    AnswerRecord,
    CheckInAnswer,
    CheckInChoice,
    Ratings,
    ReflectionAnswer,
    ReviewAnswer,
    ReviewStage,
)
from mentoring.cohort import Role
from mentoring.state import PairState, SessionState, SessionStatus
from mentoring_service.cli.console import table
from workflows.agenda import position
from workflows.progress import health_words

MET, NOT_MET = '"we met"', '"we didn\'t meet"'
ROLES = (Role.MENTOR, Role.MENTEE)


def health_line(state: PairState) -> str:
    """'health: quiet — session 4 was not held', as the UI's details line says it."""
    return f"health: {health_words(state, ' — ')}"


def _by(roles: list[Role]) -> str:
    return " and ".join(role.value for role in roles)


def _check_ins(state: PairState, session: SessionState) -> list[tuple[AnswerRecord, CheckInAnswer]]:
    return [
        (r, r.answer)
        for r in state.answers
        if isinstance(r.answer, CheckInAnswer) and r.answer.session == session.number
    ]


def check_in(state: PairState, session: SessionState) -> str:
    """One session's check-in in a few words: who said what, and what it made of the session."""
    said: dict[CheckInChoice, list[Role]] = {}
    for record, answer in _check_ins(state, session):
        # A new date is checked in anew: what counts now is what was said about this time.
        if record.sequence == session.sequence or answer.choice == CheckInChoice.NEW_DATE:
            said.setdefault(answer.choice, []).append(answer.role)
    moved = said.pop(CheckInChoice.NEW_DATE, [])
    now = _outcome(session, said.get(CheckInChoice.MET, []), said.get(CheckInChoice.NOT_MET, []))
    return f'moved by "we need a new date" ({_by(moved)}); {now}' if moved else now


def _outcome(session: SessionState, met: list[Role], not_met: list[Role]) -> str:
    if session.status == SessionStatus.CANCELLED:
        return "cancelled"
    if session.status == SessionStatus.HELD and session.check_ins_disagree:
        return f"held; they disagree: {MET} ({_by(met)}), {NOT_MET} ({_by(not_met)})"
    if session.status == SessionStatus.HELD:
        # Without a "we met": held before the pair took answers.
        return f"held: {MET} ({_by(met)})" if met else "held"
    if session.status == SessionStatus.MISSED:
        return f"missed: {NOT_MET} ({_by(not_met)})"
    if session.check_in_closed:
        return "check-in closed, not held"
    if session.reflection_done:
        return "no answer yet" + (", reminder sent" if session.check_in_reminder_done else "")
    return "its new date is still to come"


def ratings(values: Ratings) -> str:
    """career/psychosocial/emotional, 1 to 5; '–' where none was given."""
    return "/".join("–" if v is None else str(v) for v in (values.career, values.psychosocial, values.emotional))


def reflections(state: PairState, session: SessionState) -> str:
    done: dict[Role, ReflectionAnswer] = {
        r.answer.role: r.answer
        for r in state.answers
        if isinstance(r.answer, ReflectionAnswer) and r.answer.session == session.number
    }
    shown = [
        f"{role.value} {ratings(answer.ratings) if answer.ratings.values() else 'done'}"
        for role in ROLES
        if (answer := done.get(role)) is not None
    ]
    return ", ".join(shown) or "–"


def _asked(state: PairState, session: SessionState) -> bool:
    """Its check-in was asked for (the reflection prompt is out), or someone answered."""
    return session.reflection_done or any(
        not isinstance(r.answer, ReviewAnswer) and r.answer.session == session.number for r in state.answers
    )


def check_ins(state: PairState) -> RenderableType:
    rows = table("no.", "check-in", "reflections", wrap=("check-in", "reflections"))
    asked = sorted((s for s in state.sessions if _asked(state, s)), key=lambda s: (s.starts_at, s.number))
    for session in asked:
        place = position(state, session)
        number = f"({place})" if session.status == SessionStatus.CANCELLED else str(place)
        rows.add_row(number, Text(check_in(state, session)), reflections(state, session))
    return rows if asked else Text("none yet")


def _score(value: object) -> str:
    return "–" if value is None else str(getattr(value, "value", value))


def reviews(state: PairState) -> RenderableType:
    """One row per review; the comments to the program office below, as written."""
    answers = [r.answer for r in state.answers if isinstance(r.answer, ReviewAnswer)]
    answers.sort(key=lambda a: (list(ReviewStage).index(a.stage), ROLES.index(a.role)))
    if not answers:
        return Text("none yet")
    rows = table(
        "review", "by", "career", "psycho-\nsocial", "emotional", "focus", "recommend\n(0–10)", "keep\nmeeting"
    )
    for a in answers:
        r = a.ratings
        rows.add_row(
            a.stage.value, a.role.value, _score(r.career), _score(r.psychosocial), _score(r.emotional),
            _score(a.focus_progress), _score(a.recommend), _score(a.keep_meeting),
        )  # fmt: skip
    comments: list[RenderableType] = []
    for a in answers:
        if a.comment_to_office:
            comments.append(Text(f"\n{a.stage.value} review, {a.role.value}, to the program office:"))
            comments.append(Padding(Text(a.comment_to_office), (0, 0, 0, 2)))
    return Group(rows, *comments)
