"""The CommonMark parser section bodies are printed with, and how deep they may nest.

Apart from `markup` (which needs ReportLab's Platypus) so that `lint` and
the checks before a build parse bodies without importing ReportLab: a
cold `handouts lint` loads no PDF machinery for it.
"""

from __future__ import annotations

from functools import lru_cache

# markdown-it silently drops whatever is nested deeper than maxNesting;
# `nesting_problem` turns that into an error instead of lost text.
MAX_NESTING = 200


@lru_cache(maxsize=1)
def parser():
    """The one CommonMark parser of section bodies (tables on, raw HTML off)."""
    from markdown_it import MarkdownIt

    # CommonMark without raw HTML: a `<b>` in content is text, not a tag.
    # GitHub-style pipe tables on top; nothing else beyond CommonMark.
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False,
                                     "maxNesting": MAX_NESTING}).enable("table")


@lru_cache(maxsize=1)
def block_parser():
    """`parser` without its inline pass: the blocks, each inline token's `children` left empty.

    The renderer parses bodies with it in pieces (render.blocks) and each
    block's text with `parser().parseInline`, once per process for text that
    every document of a batch prints (render.markup): the same tokens, since
    the inline pass parses each inline token's content alone, with the
    document's link references.
    """
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False,
                                     "maxNesting": MAX_NESTING}).enable("table").disable("inline")


@lru_cache(maxsize=1)
def _checking_parser():
    from markdown_it import MarkdownIt

    checking = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False,
                                         "maxNesting": MAX_NESTING}).enable("table")
    # markdown-it drops javascript:, file: and data: links to plain text; to
    # report them they must be parsed as links here (the renderer keeps the
    # safe default, so such a link prints as text and never becomes a link).
    checking.validateLink = lambda url: True
    return checking


@lru_cache(maxsize=256)
def checked_tokens(text: str) -> tuple:
    """A body's tokens for the checks (nesting, links, reading level), parsed once for all of them.

    Links of any scheme are kept as links, so that lint can report the ones
    the renderer would print as text. The tokens are shared: read them, never
    change them.
    """
    return tuple(_checking_parser().parse(text))


def nesting_problem(text: str) -> str | None:
    """Why a Markdown body cannot print whole (lists or quotes nested too deep), or None."""
    tokens = checked_tokens(text)
    if tokens and max(t.level for t in tokens) >= MAX_NESTING - 2:
        return (f"lists or quotes are nested more than {MAX_NESTING // 2} levels deep; "
                "text that deep would not print")
    return None
