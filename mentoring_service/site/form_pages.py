"""The three form pages (check-in, reflection, review) and the words around them:
the participant's first name, the session on their own clock, the questions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from aiohttp import web

from activities.reflection_questions import questions_for
from mentoring.answers import AnswerView, ReviewStage
from mentoring.cohort import Language
from mentoring.messages import MentoringFunction
from mentoring_service.links import Link
from mentoring_service.site.forms import Form
from mentoring_service.site.pages import render, when_text
from mentoring_service.site.slots import Slot
from mentoring_service.site.texts import Texts

_FUNCTIONS = list(MentoringFunction)


@dataclass
class Screen:
    """One form page as it is about to be shown."""

    link: Link
    csrf: str
    view: AnswerView | None
    now: datetime
    slots: list[Slot] | None = None  # check-in: None when they cannot be known
    form: Form = field(default_factory=Form)
    message: str | None = None  # said above the form (why it is shown again)

    @property
    def language(self) -> Language:
        return self.link.language


def question_set(view: AnswerView | None) -> str | None:
    """Which of the bank's sets the reflection email asked, as ``function-round``:
    the email rotates the function with the session's place in the plan."""
    if view is None or view.session is None:
        return None
    place = view.session.number
    return f"{_FUNCTIONS[(place - 1) % len(_FUNCTIONS)].value}-{(place - 1) // len(_FUNCTIONS)}"


def questions(link: Link, chosen: str | None) -> tuple[str, ...]:
    """The questions of set ``chosen`` (from ``question_set``, or the form when the pair
    cannot be asked); none when it is unknown or not a set."""
    function, _, round_text = (chosen or "").partition("-")
    if function not in {f.value for f in _FUNCTIONS} or not round_text.isdigit() or len(round_text) > 3:
        return ()
    return questions_for(link.role, MentoringFunction(function), int(round_text), link.language)


def _session_line(screen: Screen, t: Texts) -> str | None:
    view = screen.view
    if view is None or view.session is None:
        return None
    session = view.session
    when = when_text(session.starts_at, session.ends_at, view.own_timezone, screen.language)
    return t("session_with", number=session.number, total=session.total, partner=view.partner_first_name, when=when)


def _common(screen: Screen, title: str, degraded: str) -> dict[str, object]:
    t = Texts(screen.language)
    view = screen.view
    return {
        "title": title,
        "name": view.first_name if view else None,
        "partner": view.partner_first_name if view else None,
        "session_line": _session_line(screen, t),
        "message": screen.message or (None if view else t(degraded)),
        "csrf": screen.csrf,
        "values": screen.form.values,
        "errors": screen.form.errors,
    }


def check_in_page(screen: Screen, status: int = 200) -> web.Response:
    t = Texts(screen.language)
    context = _common(screen, t("check_in_title"), "degraded")
    zone = screen.view.own_timezone if screen.view else "UTC"
    # On the participant's own clock, like every time the site shows.
    slots = [(slot.value, when_text(slot.starts, slot.ends, zone, screen.language)) for slot in screen.slots or []]
    return render(
        "check_in.html.j2",
        screen.language,
        status,
        **context,
        slots=slots,
        slots_known=screen.slots is not None,
        zone=zone,
    )


def reflection_page(screen: Screen, status: int = 200) -> web.Response:
    t = Texts(screen.language)
    context = _common(screen, t("reflection_title"), "degraded_reflection")
    chosen = question_set(screen.view) or screen.form.values.get("set")
    return render(
        "reflection.html.j2",
        screen.language,
        status,
        **context,
        questions=questions(screen.link, chosen) or (t("reflection_free"),),
        free=not questions(screen.link, chosen),
        question_set=chosen if questions(screen.link, chosen) else "",
    )


def review_page(screen: Screen, status: int = 200) -> web.Response:
    t = Texts(screen.language)
    closing = screen.link.stage == ReviewStage.CLOSING
    context = _common(screen, t("closing_title" if closing else "midpoint_title"), "degraded")
    return render(
        "review.html.j2",
        screen.language,
        status,
        **context,
        closing=closing,
        focus=screen.view.focus if screen.view else None,
    )


def form_page(screen: Screen, status: int = 200) -> web.Response:
    page = {"check_in": check_in_page, "reflection": reflection_page, "review": review_page}[screen.link.item]
    return page(screen, status)
