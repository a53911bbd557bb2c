"""The timeline picture: one row per pair, labelled by its id only, across the program.

matplotlib draws it to SVG with text kept as text and no date in the metadata; with a
fixed hash salt the same facts give the same bytes. Each pair's marks sit in a group
``pair-<id>-<what>`` so a browser (and the browser test) can find its row.
"""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

from matplotlib import rc_context
from matplotlib.axes import Axes
from matplotlib.dates import MonthLocator, WeekdayLocator, date2num, num2date
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter

from mentoring.cohort import Language
from mentoring.reporting.facts import PairFacts, SessionKind
from mentoring_service.reporting.words import MONTHS, WORDS

# marker, face colour, edge colour, size: filled for what happened, hollow for what is open.
SESSION_STYLE = {
    SessionKind.HELD: ("o", "#2e7d32", "#2e7d32", 7),
    SessionKind.MISSED: ("X", "#c62828", "#c62828", 7),
    SessionKind.DECLINED: ("v", "#ef6c00", "#ef6c00", 7),
    SessionKind.AWAITING: ("o", "white", "#757575", 7),
    SessionKind.UPCOMING: ("o", "white", "#1565c0", 7),
    SessionKind.CANCELLED: ("x", "#9e9e9e", "#9e9e9e", 5),
}
EVENT_STYLE = {
    "midpoint": ("D", "#6a1b9a", 7),
    "closing": ("s", "#37474f", 7),
    "replacement": ("*", "#f9a825", 11),
    "ended": ("|", "#b71c1c", 14),
}
RC: dict[str, Any] = {
    "svg.hashsalt": "reverse-mentoring-report",
    "svg.fonttype": "none",
    "font.family": "DejaVu Sans",
    "font.size": 9,
}


def _num(moment: datetime) -> float:
    return float(date2num(moment))


def _row(ax: Axes, y: int, facts: PairFacts, as_of: datetime) -> None:
    # Ids unique in the page: "pair-p1-held", "pair-p1-pause-1", "pair-p1-midpoint".
    gid = f"pair-{facts.pair_id}"
    for i, pause in enumerate(facts.pauses, 1):
        start, end = _num(pause.started_at), _num(pause.ended_at or as_of)
        ax.broken_barh([(start, end - start)], (y - 0.3, 0.6), facecolors="#ffe082", gid=f"{gid}-pause-{i}")
    for kind, (marker, face, edge, size) in SESSION_STYLE.items():
        xs = [_num(s.starts_at) for s in facts.sessions if s.kind == kind]
        if xs:
            ax.plot(xs, [y] * len(xs), linestyle="none", marker=marker, markersize=size, markerfacecolor=face,
                    markeredgecolor=edge, gid=f"{gid}-{kind.value}")  # fmt: skip
    events = {
        "midpoint": [facts.midpoint_at] if facts.midpoint_at and facts.midpoint_done else [],
        "closing": [facts.closing_at] if facts.closing_at and facts.closing_done else [],
        "replacement": facts.replaced_at,
        "ended": [facts.ended_at] if facts.ended_at else [],
    }
    for event, moments in events.items():
        marker, colour, size = EVENT_STYLE[event]
        if moments:
            ax.plot([_num(m) for m in moments], [y] * len(moments), linestyle="none", marker=marker,
                    markersize=size, color=colour, gid=f"{gid}-{event}")  # fmt: skip


def _legend(language: Language) -> list[Line2D]:
    words = WORDS[language]
    handles = [
        Line2D([], [], linestyle="none", marker=m, markersize=s, markerfacecolor=f, markeredgecolor=e, label=words[k])
        for k, (m, f, e, s) in SESSION_STYLE.items()
    ]
    handles += [
        Line2D([], [], linestyle="none", marker=m, markersize=s, color=c, label=words[k])
        for k, (m, c, s) in EVENT_STYLE.items()
    ]
    handles.append(Line2D([], [], color="#ffe082", linewidth=8, label=words["pause"]))
    return handles


def timeline_svg(pairs: list[PairFacts], as_of: datetime, language: Language, running: bool) -> str:
    """The picture as an SVG element (no XML prologue), ready to inline in HTML.
    A ``Figure`` of its own, never pyplot: no display and no global state are touched."""
    shown = [p for p in pairs if p.complete]
    with rc_context(RC):  # type: ignore[arg-type]  # its stubs list every key as a literal
        figure = Figure(figsize=(10, 1.6 + 0.32 * max(len(shown), 1)), layout="constrained")
        ax = figure.add_subplot()
        for y, facts in enumerate(shown):
            _row(ax, y, facts, as_of)
        if running:
            ax.axvline(_num(as_of), color="#1565c0", linestyle="--", linewidth=1, gid="now")
        if not shown:
            # Nothing to draw: an empty month around the report's time, not 1970.
            ax.set_xlim(_num(as_of) - 15, _num(as_of) + 15)
        ax.set_yticks(range(len(shown)), [p.pair_id for p in shown])
        ax.set_ylim(max(len(shown), 1) - 0.5, -0.5)
        months = MONTHS[language]
        ax.xaxis.set_major_locator(MonthLocator())
        ax.xaxis.set_minor_locator(WeekdayLocator(byweekday=0))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{months[num2date(x).month - 1]} {num2date(x):%Y}"))
        ax.grid(axis="x", color="#e0e0e0")
        ax.set_axisbelow(True)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        figure.legend(handles=_legend(language), loc="outside lower center", ncols=6, frameon=False)
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    svg = buffer.getvalue()
    return svg[svg.index("<svg") :]
