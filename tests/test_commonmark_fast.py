"""The body parser's faster plain-text rule gives markdown-it's own tokens.

load.commonmark replaces markdown-it's `text` rule with one that also
passes over the characters no enabled inline rule starts at (`:`, `-`,
`%`...), which the stock rule stops at one by one (900 KB of `:` took
seconds). These tests parse the same texts with both and compare every
token: the bundled handout's bodies, bodies of every hostile and lint case
folder, and text Hypothesis makes from Markdown's own punctuation.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from handouts.load.commonmark import MAX_NESTING, _commonmark

TESTS = Path(__file__).resolve().parent
PACKAGE = Path(str(resources.files("handouts")))


def _stock() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False,
                                     "maxNesting": MAX_NESTING}).enable("table")


STOCK, FAST = _stock(), _commonmark()


def _tokens(md: MarkdownIt, text: str) -> list:
    def flat(token) -> tuple:
        children = tuple(flat(c) for c in token.children) if token.children is not None else None
        return (token.type, token.tag, token.nesting, token.level, token.content, token.markup, token.info,
                tuple(sorted(token.attrs.items())), tuple(token.map) if token.map else None, children)

    env: dict = {}
    return [flat(t) for t in md.parse(text, env)] + [sorted(env.get("references", {}).items())]


def _bodies() -> list[str]:
    found = []
    for path in [*PACKAGE.glob("data/handouts/*/sections/*.yaml"), *TESTS.glob("hostile/cases/*/sections/*.yaml"),
                 *TESTS.glob("lint_cases/**/*.yaml"), *TESTS.glob("cases/**/*.yaml")]:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError, ValueError, IndexError, RecursionError):  # hostile files
            continue
        if isinstance(data, dict):
            found += [v for k, v in data.items() if k in ("body", "acknowledgment") and isinstance(v, str)]
    return found


def test_the_rule_is_in_place():
    """Not comparing a parser with itself: the fast parser has its own text rule."""
    assert FAST.inline.ruler.getRules("")[0] is not STOCK.inline.ruler.getRules("")[0]


def test_bodies_of_the_bundled_handout_and_the_cases_parse_the_same():
    bodies = _bodies()
    assert len(bodies) > 50
    for body in bodies:
        assert _tokens(FAST, body) == _tokens(STOCK, body), body[:200]


# Markdown's marks, the characters the fast rule passes over, and letters.
ALPHABET = list("*_[]()!<>&#\\`|:-%=+@^{}~$. \n\t\"'/aAz0") + ["https://", "mailto:", "&amp;", "&#35;", "\n\n",
                                                                  "    ", "> ", "- ", "1. ", "| --- |"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(ALPHABET), max_size=80).map("".join))
def test_any_text_of_marks_parses_the_same(text):
    assert _tokens(FAST, text) == _tokens(STOCK, text)


@pytest.mark.parametrize("unit", [":", "a-b ", "%#", "]:", "[a]:", "x~~y~~", "a@b.c", "<a:b>", "\\:", "*:*"])
def test_runs_of_the_passed_over_characters_parse_the_same(unit):
    text = "Start " + unit * 300 + " end"
    assert _tokens(FAST, text) == _tokens(STOCK, text)
