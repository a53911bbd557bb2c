"""Every relative link and ``#anchor`` in README.md and docs/*.md leads somewhere.

A link to a file needs the file; a link with an anchor needs a heading whose slug is
that anchor, computed the way GitHub computes it. Links inside code (fenced blocks and
inline spans) are text, not links; links to other sites are not followed.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import pytest

from tests.checkout import ROOT

README = ROOT / "README.md"
DOCS = ROOT / "docs"
PAGES = [README, *sorted(DOCS.glob("*.md"))]

FENCE = re.compile(r"^ *```.*?^ *```", re.MULTILINE | re.DOTALL)
CODE_SPAN = re.compile(r"(`+)(?!`).+?(?<!`)\1(?!`)", re.DOTALL)
LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
HEADING = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$", re.MULTILINE)
EXTERNAL = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)  # http:, https:, mailto:


def prose(text: str) -> str:
    """The text outside code, where a link is a link."""
    return CODE_SPAN.sub("", FENCE.sub("", text))


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: the shown text, lower case, without punctuation,
    spaces as hyphens (github-slugger)."""
    shown = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link shows its text
    shown = re.sub(r"[`*]|(?<!\w)_|_(?!\w)", "", shown)  # code and emphasis marks
    return re.sub(r"[^\w\- ]", "", shown.lower()).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    """The anchors of a page's headings; a repeated heading gets -1, -2, … as on GitHub."""
    seen: dict[str, int] = {}
    found = set()
    for _, heading in HEADING.findall(FENCE.sub("", page.read_text())):
        base = slug(heading)
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def links(page: Path) -> list[str]:
    return [target for target in LINK.findall(prose(page.read_text())) if not EXTERNAL.match(target)]


def where(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def broken_links(page: Path) -> list[str]:
    broken = []
    for target in links(page):
        path, _, anchor = target.partition("#")
        linked = (page.parent / unquote(path)).resolve() if path else page
        if not linked.exists():
            broken.append(f"{target}: no file {where(linked)}")
        elif anchor and linked.suffix == ".md" and unquote(anchor) not in anchors(linked):
            broken.append(f"{target}: no heading with anchor #{anchor} in {where(linked)}")
    return broken


def test_slugs_are_githubs():
    assert slug("What admins see in the Temporal UI") == "what-admins-see-in-the-temporal-ui"
    assert slug("The program's dates") == "the-programs-dates"
    assert slug("On one machine: `make run`") == "on-one-machine-make-run"
    assert slug("From `make run` to a pair's decoded view") == "from-make-run-to-a-pairs-decoded-view"
    assert slug("Checking, previewing and starting a cohort") == "checking-previewing-and-starting-a-cohort"
    assert slug("A 5-minute tour") == "a-5-minute-tour"


def test_links_in_code_are_not_links_and_other_sites_are_not_followed(tmp_path):
    page = tmp_path / "page.md"
    page.write_text(
        "# Page\n\nSee [here](#page), [there](https://example.com/#x) and `[no](nowhere.md)`.\n\n"
        "```sh\necho [no](nowhere.md)\n```\n\n[gone](missing.md) and [lost](#lost)\n"
    )
    assert links(page) == ["#page", "missing.md", "#lost"]
    assert [problem.split(":")[0] for problem in broken_links(page)] == ["missing.md", "#lost"]


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(ROOT)))
def test_every_relative_link_and_anchor_resolves(page):
    assert not broken_links(page), f"{page.relative_to(ROOT)}:\n" + "\n".join(broken_links(page))


def test_the_front_page_links_every_docs_page():
    linked = {(README.parent / target.partition("#")[0]).resolve() for target in links(README)}
    assert not [page.name for page in DOCS.glob("*.md") if page.resolve() not in linked]
