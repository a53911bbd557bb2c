"""The headline in words, German or English: what the report shows first and the weekly
digest repeats. Pure; numbers only from ``Headline``, so it keeps the small-group rule."""

from __future__ import annotations

from mentoring.cohort import Language, Role
from mentoring.reporting.figures import BENCHMARK, Headline

FEWER_THAN_3 = {Language.EN: "fewer than 3 answers", Language.DE: "weniger als 3 Antworten"}

_WORDS = {
    Language.EN: {
        "pairs": "pairs started: {started}, running: {running}, completed: {completed}",
        "sessions": "sessions held: {held} of {planned} planned",
        "rate": "held rate {rate} (benchmark {benchmark}: {verdict})",
        "no_rate": "no held rate yet (no session's check-in has settled)",
        "met": "met",
        "not_met": "not met",
        "health": "pairs at risk: {at_risk}, quiet: {quiet}",
        "nps": "recommendation score (NPS): mentors {mentor}, mentees {mentee}",
    },
    Language.DE: {
        "pairs": "Tandems gestartet: {started}, laufend: {running}, abgeschlossen: {completed}",
        "sessions": "Termine, die stattfanden: {held} von {planned} geplanten",
        "rate": "Quote {rate} (Richtwert {benchmark}: {verdict})",
        "no_rate": "noch keine Quote (bei keinem Termin ist die Rückmeldung abgeschlossen)",
        "met": "erreicht",
        "not_met": "nicht erreicht",
        "health": "Tandems gefährdet: {at_risk}, still: {quiet}",
        "nps": "Weiterempfehlung (NPS): Mentor/innen {mentor}, Mentees {mentee}",
    },
}


def percent(share: float, language: Language) -> str:
    """0.8 -> '80%' (en) or '80 %' (de)."""
    return f"{round(100 * share)}{' %' if language == Language.DE else '%'}"


def headline_lines(headline: Headline, language: Language) -> list[str]:
    words = _WORDS[language]
    lines = [
        words["pairs"].format(started=headline.pairs_started, running=headline.pairs_running,
                              completed=headline.pairs_completed),
        words["sessions"].format(held=headline.sessions_held, planned=headline.sessions_planned),
    ]  # fmt: skip
    if headline.held_rate is None:
        lines.append(words["no_rate"])
    else:
        verdict = words["met"] if headline.meets_benchmark else words["not_met"]
        rate, benchmark = percent(headline.held_rate, language), percent(BENCHMARK, language)
        lines.append(words["rate"].format(rate=rate, benchmark=benchmark, verdict=verdict))
    lines.append(words["health"].format(at_risk=headline.pairs_at_risk, quiet=headline.pairs_quiet))
    scores = {
        role: str(score.score) if score.score is not None else FEWER_THAN_3[language]
        for role, score in headline.nps.items()
    }
    lines.append(words["nps"].format(mentor=scores[Role.MENTOR], mentee=scores[Role.MENTEE]))
    return lines
