"""report.html: one self-contained page (CSS and the timeline's SVG inline, no script,
nothing fetched when it is opened), in German or English, from Jinja2."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from mentoring.answers import ReviewStage
from mentoring.cohort import Language
from mentoring.reporting.facts import PARTICIPANTS
from mentoring.reporting.figures import BENCHMARK, RATED, RATING_VALUES, CohortFigures, Distribution, Nps, Rate
from mentoring.reporting.headline import FEWER_THAN_3, percent
from mentoring_service.reporting.gather import Gathered, Source
from mentoring_service.reporting.tables import pair_rows
from mentoring_service.reporting.words import WORDS

_ENV = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html", "j2"], default=True),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
)


class Shown:
    """How the page writes each kind of figure, in one language."""

    def __init__(self, language: Language) -> None:
        self.language = language
        self.words = WORDS[language]
        self.fewer = FEWER_THAN_3[language]

    def percent(self, share: float | None) -> str:
        return percent(share, self.language) if share is not None else "–"

    def rate(self, rate: Rate) -> str:
        if rate.answered is None:
            return self.fewer
        return self.words["answered_of"].format(
            answered=rate.answered, asked=rate.answers, share=self.percent(rate.share)
        )

    def nps(self, nps: Nps) -> str:
        if nps.score is None:
            return self.fewer
        return self.words["nps_text"].format(score=nps.score, promoters=nps.promoters, passives=nps.passives,
                                             detractors=nps.detractors)  # fmt: skip

    def mean(self, distribution: Distribution) -> str:
        if distribution.mean is None:
            return ""
        return f"{distribution.mean:.1f}".replace(".", "," if self.language == Language.DE else ".")


def _context(
    gathered: Gathered, figures: CohortFigures, headline: list[str], svg: str, language: Language
) -> dict[str, Any]:
    words = WORDS[language]
    queried = sum(1 for s in gathered.sources.values() if s == Source.QUERY)
    results = len(gathered.sources) - queried
    source = words["source_running" if gathered.cohort_running else "source_finished"]
    return {
        "lang": language.value,
        "w": words,
        "show": Shown(language),
        "title": words["title"].format(name=gathered.cohort_name),
        "subtitle": words["subtitle"].format(cohort_id=gathered.cohort_id, as_of=f"{gathered.as_of:%Y-%m-%d %H:%M}"),
        "clock": words[f"clock_{gathered.clock.value}"],
        "source": source.format(queried=queried, results=results),
        "missing": [words["missing"].format(pair_id=m.pair_id, why=m.why) for m in gathered.missing],
        "headline": headline,
        "f": figures,
        "benchmark": BENCHMARK,
        "stages": list(ReviewStage),
        "roles": list(PARTICIPANTS),
        "rated": RATED,
        "values": list(RATING_VALUES),
        "timeline": Markup(svg),  # noqa: S704 - our own SVG from matplotlib, whose text is pair ids and dates
        "rows": pair_rows(gathered),
    }


def report_html(gathered: Gathered, figures: CohortFigures, headline: list[str], svg: str, language: Language) -> str:
    return _ENV.get_template("report.html.j2").render(_context(gathered, figures, headline, svg, language))
