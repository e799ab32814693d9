"""The CommonMark parser section bodies are printed with, and the limits a body must keep to.

Apart from `markup` (which needs ReportLab's Platypus) so that `lint` and
the checks before a build parse bodies without importing ReportLab: a
cold `handouts lint` loads no PDF machinery for it.

Parsing and laying out a body take time in proportion to its size, but at
very different rates: plain words cost little, while each mark Markdown
reads (`*`, `[`, `<`...) costs markdown-it's inline rules and often a
ReportLab fragment of its own, a list item or a table cell a paragraph of
its own. `body_problem` bounds those (lines, marks, nesting) before a body
is parsed, so that lint and build refuse what would take minutes, at the
body's line, with the same message.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Lists and quotes nested deeper than this would print at the same indent
# as the level above (render.markup.MAX_INDENT_DEPTH): the structure would
# not show, so it is refused, as markdown-it would otherwise drop the text
# nested past its maxNesting without a word.
MAX_DEPTH = 8
# markdown-it's own nesting limit, for blocks and inline marks alike: room
# for a table (4 levels) and its text inside a list at MAX_DEPTH, so that
# depth MAX_DEPTH + 1 is seen (and refused) before anything is dropped.
# It also bounds the work behind each `[` (markdown-it looks for the link's
# end through that many levels): at 200 a body of `[` took 116 us a bracket.
MAX_NESTING = 2 * MAX_DEPTH + 8
# A body's lines (list items, table rows and paragraphs each take one or
# more), and the characters Markdown reads as marks: each is a token, most
# a ReportLab fragment of their own, `[` a search for the link's end. A
# handout's longest bodies hold a few hundred of either.
MAX_LINES = 5_000
MAX_MARKS = 10_000
MARKS = "*_[]!<&\\`|"
# Of those, the ones that may open a link (`[`, and `<` for <https://...>):
# each link is a tagged annotation with its address printed after it, a
# millisecond or more of layout apiece.
MAX_OPENINGS = 1_000
OPENINGS = "[<"
_ESCAPE = re.compile(r"\\.", re.S)
# List items and table cells are a paragraph each, laid out, tagged and
# drawn on their own: about half a millisecond apiece (a 20 x 468 table
# took 5.7 s of CPU). Counted from the blocks once they are parsed.
MAX_ITEMS = 2_000
MAX_CELLS = 2_000
# A title, subtitle or reference text, and in a body a heading, a table
# cell or a code block, prints as one paragraph (a body's paragraphs are
# cut into pieces: render.longtext), which ReportLab breaks into lines again
# at every page it runs onto: a 99,000-character title took 1.5 s of CPU,
# 198,000 characters 6.4 s, a table cell of 390,000 characters 28 s.
# 5,000 characters fill a page in large print: a title or heading stops
# there. A table cell or code block may run over pages (rows split, and the
# long-consent sheet has a 5,279-character cell): up to 20,000 characters,
# 1.2 s of CPU for a code block in large print, 0.3 s for a cell.
MAX_ONE_PARAGRAPH = 5_000
MAX_ONE_BLOCK = 20_000
_ONE_PARAGRAPH = {"heading_open": ("a heading", MAX_ONE_PARAGRAPH),
                  "th_open": ("a table cell", MAX_ONE_BLOCK), "td_open": ("a table cell", MAX_ONE_BLOCK),
                  "code_block": ("a code block", MAX_ONE_BLOCK), "fence": ("a code block", MAX_ONE_BLOCK)}

# Characters no enabled inline rule starts at, though markdown-it stops its
# plain-text run at them (they are kept for rules we do not use: linkify,
# strikethrough, extensions). Only these are passed over by `_plain_text`;
# `]` and `[` stay single steps, since the link rule counts them one by one.
_RULE_STARTS = re.compile(r"[\n\\`*_\[\]!<&]")


def _plain_text(state, silent: bool) -> bool:
    """markdown-it's `text` rule, passing over characters that start no enabled rule as well.

    The stock rule stops at every `:`, `-`, `%`, `#`..., where every other
    rule is then tried and fails: 900 KB of `:` took seconds. The text and
    tokens are the same (tests/test_commonmark_fast.py compares them).
    """
    start = state.pos
    found = _RULE_STARTS.search(state.src, start, state.posMax)
    end = found.start() if found else state.posMax
    if end == start:
        return False
    if not silent:
        state.append_pending(state.src[start:end])
    state.pos = end
    return True


def _commonmark():
    """CommonMark without raw HTML (a `<b>` in content is text, not a tag), with pipe tables."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False,
                                   "maxNesting": MAX_NESTING}).enable("table")
    md.inline.ruler.at("text", _plain_text)
    return md


@lru_cache(maxsize=1)
def parser():
    """The one CommonMark parser of section bodies (tables on, raw HTML off)."""
    # GitHub-style pipe tables on top of CommonMark; nothing else beyond it.
    return _commonmark()


@lru_cache(maxsize=1)
def block_parser():
    """`parser` without its inline pass: the blocks, each inline token's `children` left empty.

    The renderer parses bodies with it in pieces (render.blocks) and each
    block's text with `parser().parseInline`, once per process for text that
    every document of a batch prints (render.markup): the same tokens, since
    the inline pass parses each inline token's content alone, with the
    document's link references.
    """
    return _commonmark().disable("inline")


@lru_cache(maxsize=1)
def _checking_parser():
    checking = _commonmark()
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
    body it has parsed before, without importing markdown-it. A body over
    the limits (`size_problem`) has none: it is refused, and parsing it is
    the work the limits are there to spare.
    """
    from .cache import remember

    if size_problem(text):
        return ()
    return remember("tokens", text, lambda: _parsed(text),
                    dump=lambda tokens: [token.dump() for token in tokens],
                    load=lambda data: tuple(BodyToken.load(item) for item in data))


@lru_cache(maxsize=256)
def _parsed(text: str) -> tuple[BodyToken, ...]:
    return tuple(BodyToken.of(token) for token in _checking_parser().parse(text))


def size_problem(text: str) -> str | None:
    """Why a Markdown body is too big to print in reasonable time (lines, marks), or None; nothing is parsed."""
    lines = text.count("\n") + 1
    if lines > MAX_LINES:
        return (f"has {lines:,} lines; a section's text may have at most {MAX_LINES:,} "
                "(split it into more sections)")
    unescaped = _ESCAPE.sub("", text) if "\\" in text else text  # `\[` opens nothing
    openings = sum(unescaped.count(mark) for mark in OPENINGS)
    if openings > MAX_OPENINGS:
        return (f"holds {openings:,} '[' and '<', each of which may open a link; a section's text may hold "
                f"at most {MAX_OPENINGS:,} (split it into more sections)")
    marks = sum(text.count(mark) for mark in MARKS)
    if marks > MAX_MARKS:
        return (f"holds {marks:,} of the characters Markdown reads as marks ({' '.join(MARKS)}); a section's "
                f"text may hold at most {MAX_MARKS:,} (split it into more sections)")
    return None


def body_problem(text: str, blocks=None) -> tuple[str, int] | None:
    """Why a Markdown body cannot print whole, or in reasonable time, and at which of its lines; or None.

    Too many lines or marks (`size_problem`, at line 1), a heading, table
    cell or code block longer than one paragraph may be (at its line), too
    many list items or table cells (at line 1), or lists and quotes nested
    deeper than MAX_DEPTH (at the line that goes too deep).
    `blocks(text)` gives the body's tokens (only its blocks are read): the
    checks' parse (`checked_tokens`) unless given, and the renderer's pieces
    (render.blocks) when a build checks a body filled in for one reader,
    which it then prints from the same pieces.
    """
    reason = size_problem(text)
    if reason:
        return reason, 1
    depth = deepest = items = cells = 0
    line = 1
    tokens = (blocks or checked_tokens)(text)
    at = 1  # the line of the last block that says where it starts (a cell's row does)
    for index, token in enumerate(tokens):
        kind = token.type
        if token.map:
            at = token.map[0] + 1
        if kind in _ONE_PARAGRAPH:
            content = token.content.rstrip("\n") if kind in ("code_block", "fence") else tokens[index + 1].content
            what, limit = _ONE_PARAGRAPH[kind]
            if len(content) > limit:
                if blocks is not None:
                    return body_problem(text)  # the pieces' lines count from each piece's start
                return (f"{what} holds {len(content):,} characters; it prints as one paragraph, "
                        f"of at most {limit:,} characters"), at
        if kind in _CONTAINERS:
            depth += token.nesting
            if depth > deepest:
                deepest = depth
                if depth == MAX_DEPTH + 1 and token.map:
                    line = token.map[0] + 1
        elif kind == "list_item_open":
            items += 1
        elif kind == "td_open" or kind == "th_open":
            cells += 1
    if items > MAX_ITEMS:
        return (f"has {items:,} list items; a section's text may have at most {MAX_ITEMS:,} "
                "(split it into more sections)"), 1
    if cells > MAX_CELLS:
        return (f"has {cells:,} table cells; a section's text may have at most {MAX_CELLS:,} "
                "(split it into more sections)"), 1
    if deepest > MAX_DEPTH:
        if blocks is not None:
            return body_problem(text)  # the pieces' lines count from each piece's start: find the line whole
        return (f"lists or quotes are nested {deepest}{'' if deepest < MAX_NESTING // 2 else ' or more'} "
                f"levels deep; at most {MAX_DEPTH} print, each indented under the one above"), line
    return None


_CONTAINERS = frozenset({"bullet_list_open", "bullet_list_close", "ordered_list_open", "ordered_list_close",
                         "blockquote_open", "blockquote_close"})
