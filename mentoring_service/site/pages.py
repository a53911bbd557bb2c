"""Rendering the site's pages: one Jinja environment (autoescape always on), the
language of a page, and times on the participant's own clock."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from activities.wall_clock import shows_twice
from mentoring.cohort import Language
from mentoring_service.site.texts import Texts

_templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    undefined=StrictUndefined,
    # Pages and the journal's HTML are escaped; the journal's plain text is not HTML.
    autoescape=select_autoescape(enabled_extensions=("html.j2",), disabled_extensions=("txt.j2",), default=True),
    trim_blocks=True,
    lstrip_blocks=True,
    auto_reload=False,
)

_WEEKDAYS = {
    Language.EN: ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    Language.DE: ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"),
}
_MONTHS = {
    Language.EN: "January February March April May June July August September October November December".split(),
    Language.DE: "Januar Februar März April Mai Juni Juli August September Oktober November Dezember".split(),
}


def day_text(moment: datetime, language: Language) -> str:
    weekday, month = _WEEKDAYS[language][moment.weekday()], _MONTHS[language][moment.month - 1]
    if language == Language.DE:
        return f"{weekday}, {moment.day}. {month} {moment.year}"
    return f"{weekday}, {moment.day} {month} {moment.year}"


def _clock(moment: datetime) -> str:
    # A time the clock shows twice that night carries its abbreviation, as in the emails.
    return f"{moment:%H:%M} {moment.tzname()}" if shows_twice(moment) else f"{moment:%H:%M}"


def when_text(starts: datetime, ends: datetime, zone: str, language: Language) -> str:
    """``Tuesday, 9 March 2027, 16:00–17:00 (Europe/Berlin)``, on the clock of ``zone``."""
    own = ZoneInfo(zone)
    start, end = starts.astimezone(own), ends.astimezone(own)
    hours = f"{_clock(start)}–{_clock(end)}"
    if language == Language.DE:
        hours += " Uhr"
    return f"{day_text(start, language)}, {hours} ({zone})"


def accepted_language(header: str | None) -> Language:
    """German when the browser prefers it over English; English otherwise."""
    best, best_q = Language.EN, -1.0
    for part in (header or "").split(","):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        primary = tag.strip().lower().split("-")[0]
        # q=0 means "not this one".
        if primary in ("de", "en") and 0 < q and q > best_q:
            best, best_q = Language(primary), q
    return best


def render(template: str, language: Language, status: int = 200, **context: Any) -> web.Response:
    t = Texts(language)
    body = _templates.get_template(template).render(lang=language.value, t=t, **context)
    return web.Response(text=body, status=status, content_type="text/html", charset="utf-8")


def notice(language: Language, title: str, *lines: str, status: int = 200, again: str | None = None) -> web.Response:
    """A page that only says something: ``title`` and ``lines`` are text keys already
    formatted by the caller (``Texts``); ``again`` links back to the form."""
    return render("notice.html.j2", language, status, title=title, lines=lines, again=again)


def render_text(template: str, language: Language, **context: Any) -> str:
    return _templates.get_template(template).render(lang=language.value, t=Texts(language), **context)
