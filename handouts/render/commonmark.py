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


class BodyToken:
    """What the checks read of one markdown-it token; the same whether parsed now or read from lint's cache."""

    __slots__ = ("type", "nesting", "level", "map", "content", "attrs", "children")

    def __init__(self, type: str, nesting: int, level: int, map: list[int] | None, content: str,  # noqa: A002
                 attrs: dict | None, children: tuple[BodyToken, ...] | None):
        self.type, self.nesting, self.level, self.map = type, nesting, level, map
        self.content, self.attrs, self.children = content, attrs, children

    def attrGet(self, name: str):  # noqa: N802 - markdown-it's name, which the checks call
        """An attribute (href, src, title) or None."""
        return self.attrs.get(name) if self.attrs else None

    @classmethod
    def of(cls, token) -> BodyToken:
        """The parts of a markdown-it Token the checks read."""
        children = tuple(cls.of(child) for child in token.children) if token.children is not None else None
        return cls(token.type, token.nesting, token.level, list(token.map) if token.map else None,
                   token.content, dict(token.attrs) or None, children)

    def dump(self) -> list:
        """As JSON data, for lint's cache."""
        children = [child.dump() for child in self.children] if self.children is not None else None
        return [self.type, self.nesting, self.level, self.map, self.content, self.attrs, children]

    @classmethod
    def load(cls, data: list) -> BodyToken:
        """Back from `dump`'s data."""
        type_, nesting, level, map_, content, attrs, children = data
        # Read back as data, so checked as data: a cache of another shape is
        # worked out again (ValueError), never half-read.
        if not (type(type_) is str and type(content) is str and type(nesting) is int and type(level) is int
                and (map_ is None or (type(map_) is list and len(map_) == 2 and all(type(n) is int for n in map_)))
                and (attrs is None or (type(attrs) is dict and all(type(v) in (str, int, float) for v in attrs.values())))
                and (children is None or type(children) is list)):
            raise ValueError("not a cached token")
        return cls(type_, nesting, level, map_, content, attrs,
                   tuple(cls.load(child) for child in children) if children is not None else None)


def checked_tokens(text: str) -> tuple[BodyToken, ...]:
    """A body's tokens for the checks (nesting, links, pictures, reading level), parsed once for all of them.

    Links of any scheme are kept as links, so that lint can report the ones
    the renderer would print as text. The tokens are shared: read them, never
    change them. A lint that keeps a cache reads them back from it for a
    body it has parsed before, without importing markdown-it.
    """
    from ..lint.cache import remember

    return remember("tokens", text, lambda: _parsed(text),
                    dump=lambda tokens: [token.dump() for token in tokens],
                    load=lambda data: tuple(BodyToken.load(item) for item in data))


@lru_cache(maxsize=256)
def _parsed(text: str) -> tuple[BodyToken, ...]:
    return tuple(BodyToken.of(token) for token in _checking_parser().parse(text))


def nesting_problem(text: str) -> str | None:
    """Why a Markdown body cannot print whole (lists or quotes nested too deep), or None."""
    tokens = checked_tokens(text)
    if tokens and max(t.level for t in tokens) >= MAX_NESTING - 2:
        return (f"lists or quotes are nested more than {MAX_NESTING // 2} levels deep; "
                "text that deep would not print")
    return None
