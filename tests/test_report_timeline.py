"""The timeline picture alone: a row per pair with every kind of mark, month names in
the report's language, and a cohort with nothing to draw yet."""

from __future__ import annotations

import re
import warnings
from datetime import timedelta

from mentoring.cohort import Language
from mentoring.reporting.facts import from_state
from mentoring_service.reporting.timeline import timeline_svg
from tests.unit.states import START
from tests.unit.test_report_facts import NOW, lived_state


def test_each_pair_is_a_row_with_its_marks():
    pairs = [from_state(pair_id, lived_state()) for pair_id in ("p1", "p2")]
    svg = timeline_svg(pairs, NOW, Language.DE, running=True)
    ids = re.findall(r'<g id="([^"]+)"', svg)
    for pair_id in ("p1", "p2"):
        assert {i for i in ids if i.startswith(f"pair-{pair_id}-")} == {
            f"pair-{pair_id}-{what}"
            for what in ("held", "missed", "awaiting", "declined", "upcoming", "cancelled", "pause-1", "midpoint",
                         "replacement")
        }  # fmt: skip
    assert "now" in ids
    assert ">Mär 2027<" in svg and ">Mar 2027<" not in svg
    assert ">Mar 2027<" in timeline_svg(pairs, NOW, Language.EN, running=False)


def test_a_cohort_with_nothing_to_draw_yet():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        svg = timeline_svg([], START + timedelta(days=3), Language.EN, running=True)
    assert svg.startswith("<svg") and ">Mar 2027<" in svg and "pair-" not in svg
