"""One Markdown section body as ReportLab flowables: paragraphs, lists, tables, boxes and figures, tagged.

Text reaches ReportLab only as markup that render.markup wrote (escaped,
with its own few tags); this module arranges it: list markers, nesting,
the keeping rules (render.keeping) and the structure tree's parents.
"""

from __future__ import annotations

import copy
from functools import lru_cache

from reportlab.platypus import Flowable, Spacer

from .blocks import body_tokens
from .consent import WriteLines
from .longtext import split_markup
from .markup import (
    MAX_INDENT_DEPTH,
    BlockInlines,
    BodyStyles,
    CachedParagraph,
    escape,
    plain_markup,
    shared_paragraph,
)
from .tagging import ArtifactRule, tag


@lru_cache(maxsize=64)
def _piece_style(base, first: bool, last: bool):
    """The style of one piece of a paragraph cut by split_markup: no gap between pieces."""
    if first and last:
        return base
    from reportlab.lib.styles import ParagraphStyle

    return ParagraphStyle(f"{base.name}-piece-{int(first)}{int(last)}", parent=base,
                          spaceBefore=base.spaceBefore if first else 0,
                          spaceAfter=base.spaceAfter if last else 0)


def markdown_flowables(text: str, styles: BodyStyles, pictures=()) -> list[Flowable]:
    """Flowables for one Markdown body; `pictures` are the checked files it shows (sections.figures).

    Paragraphs come from a cache shared across documents: lay out copies
    of them (render.pdf does), never the returned objects themselves.
    """
    return _Body(text, styles, pictures).walk()


class _Body:
    """One body's walk over its Markdown tokens, one method per kind of token.

    What the walk holds open between tokens (lists, a quote, a table, the
    short list being kept together) is this object's state.
    """

    def __init__(self, text: str, styles: BodyStyles, pictures) -> None:
        from .typography import font_has_curly

        curly = font_has_curly(styles.body.fontName)
        env: dict = {}
        self.styles = styles
        self.tokens = body_tokens(text, env)
        self.inlines = BlockInlines(env, styles, curly)
        self.flowables: list[Flowable] = []
        self.outer: list[list[Flowable]] = []  # what encloses the open callout
        self.lists: list[dict] = []  # stack of {"ordered": bool, "number": int, "key": L's, "item": LI's}
        self.pending_bullet: str | None = None
        self.quote_depth = 0
        self.table_rows: list[list[tuple[str, str]]] = []
        self.table_texts: list[list[str]] = []
        self.by_src = {picture.src: picture for picture in pictures}
        self.short_list: tuple[int, int] | None = None  # (index after the list's KeepRoom, items so far)
        self.kept_list: tuple | None = None  # (the keeper of the list just closed, kept whole; where it ended)
        self.introduction: int | None = None  # index of a one-piece paragraph ending in ':', while it is the last

    def walk(self) -> list[Flowable]:
        from .keeping import link_headings

        for index, token in enumerate(self.tokens):
            handler = _HANDLERS.get(token.type)
            if handler is not None:
                handler(self, token, index)
        return link_headings(self.flowables)

    def caption(self, text: str) -> Flowable:
        from .figures import caption_style

        return tag(copy.copy(shared_paragraph(plain_markup(text), caption_style(self.style_for(self.styles.body)), None)),
                   "Caption")

    def style_for(self, base) -> object:
        from reportlab.lib.styles import ParagraphStyle

        styles, lists, nested = self.styles, self.lists, self.styles.nested
        # The outermost quote is a box, which has its own padding.
        depth = min(len(lists) + max(self.quote_depth - 1, 0), MAX_INDENT_DEPTH)
        if not depth:
            return base
        key = (base.name, depth, bool(lists))
        if key not in nested:
            nested[key] = ParagraphStyle(
                f"{base.name}-{depth}",
                parent=base,
                leftIndent=styles.indent * depth,
                bulletIndent=styles.indent * (depth - 1) + (0 if lists else styles.indent * 0.4),
            )
        return nested[key]

    def parents(self) -> tuple:
        # Where the next paragraph sits in the structure tree: each open
        # list's L, and the LI/LBody of the item a nested list is in.
        path: list = []
        for level in self.lists:
            path.append(("L", level["key"]))
            if level["item"] is not None:
                path += [("LI", level["item"]), ("LBody", (level["item"], "LBody"))]
        return tuple(path)

    def item(self, paragraph: CachedParagraph) -> CachedParagraph:
        # A list item's first paragraph: it draws the marker (Lbl), then the text (LBody).
        level = self.lists[-1]
        level["item"] = None
        key = object()
        tagged = tag(copy.copy(paragraph), "LI", parents=self.parents(), key=key, text_roles=("Lbl", "LBody"))
        level["item"] = key
        return tagged

    def heading_open(self, token, index: int) -> None:
        from .keeping import KeepRoom

        inline = self.tokens[index + 1]
        heading = shared_paragraph(self.inlines.markup(inline), self.styles.subheading, None)
        heading = tag(copy.copy(heading), "H3", parents=self.parents())
        if not self.quote_depth:
            self.flowables.append(KeepRoom(heads=(heading,)))
        self.flowables.append(heading)

    def table_open(self, token, index: int) -> None:
        self.table_rows, self.table_texts = [], []

    def tr_open(self, token, index: int) -> None:
        self.table_rows.append([])
        self.table_texts.append([])

    def cell_open(self, token, index: int) -> None:
        inline = self.tokens[index + 1]
        align = str(token.attrGet("style") or "").removeprefix("text-align:") or "left"
        self.table_rows[-1].append((self.inlines.markup(inline), align))
        self.table_texts[-1].append(inline.content)

    def table_close(self, token, index: int) -> None:
        from .keeping import SHORT_LIST_ITEMS, KeepRoom
        from .tables import make_table

        styles, flowables, table_rows = self.styles, self.flowables, self.table_rows
        made = make_table(table_rows, self.table_texts, styles.column, styles.table,
                          lambda markup, style: shared_paragraph(markup, style, None), styles.table_column)
        if isinstance(made, list):
            flowables += made
        else:
            # A table of a short list's length stays on one page when a page
            # holds it, as a short list does (its header and one row alone
            # at a page's foot say little).
            if len(table_rows) - 1 <= SHORT_LIST_ITEMS and not self.quote_depth and not self.lists:
                # A paragraph between a heading and the table (how to read it) comes along.
                lead = int(len(flowables) >= 2 and getattr(flowables[-1], "pdf_role", None) == "P"
                           and getattr(flowables[-2], "pdf_role", None) == "H3")
                flowables.insert(len(flowables) - lead,
                                 KeepRoom(whole=(*flowables[len(flowables) - lead:], made), lead=lead))
            flowables.append(made)

    def paragraph_open(self, token, index: int) -> None:
        from .figures import figure_for

        styles, flowables = self.styles, self.flowables
        if (figure := figure_for(self.inlines.tokens(self.tokens[index + 1]), self.by_src, self.caption, styles.press,
                                 styles.body.spaceAfter, styles.picture_shrink)) is not None:
            flowables.append(tag(figure, figure.pdf_role, parents=self.parents()))
            return
        inline = self.tokens[index + 1]
        markup = self.inlines.markup(inline)
        pending_bullet = self.pending_bullet
        base = self.style_for(styles.bullet if pending_bullet is not None else styles.body)
        pieces = split_markup(markup)
        key = object()  # the pieces of one cut paragraph are one P element
        for number, piece in enumerate(pieces):
            paragraph = shared_paragraph(piece, _piece_style(base, number == 0, number == len(pieces) - 1),
                                         pending_bullet if number == 0 else None)
            if number == 0 and pending_bullet is not None:
                flowables.append(self.item(paragraph))
            else:
                extra = {"key": key} if len(pieces) > 1 else {}
                flowables.append(tag(copy.copy(paragraph), "P", parents=self.parents(), **extra))
        if len(pieces) == 1 and not self.lists and not self.quote_depth and pending_bullet is None \
                and inline.content.rstrip().endswith(":"):
            self.introduction = len(flowables) - 1
        self.pending_bullet = None

    def list_open(self, token, index: int) -> None:
        from .keeping import KeepRoom

        kind, flowables = token.type, self.flowables
        if not self.lists and not self.quote_depth:
            # A short list stays on one page (render.keeping), and so
            # does its start with the line that introduces it ("...
            # these steps:"), which alone at a page's foot says nothing.
            lead = int(self.introduction == len(flowables) - 1)
            flowables.insert(len(flowables) - lead, KeepRoom(share=self.styles.tall_list_share, lead=lead))
            self.short_list = (len(flowables) - lead, 0)
        start = int(token.attrGet("start") or 1) if kind == "ordered_list_open" else 1
        self.lists.append({"ordered": kind == "ordered_list_open", "number": start, "key": object(), "item": None})

    def list_close(self, token, index: int) -> None:
        from .keeping import SHORT_LIST_ITEMS

        flowables, short_list = self.flowables, self.short_list
        self.lists.pop()
        if not self.lists:
            flowables.append(Spacer(0, self.styles.body.spaceAfter * 0.5))
            if short_list is not None:
                keeper = flowables[short_list[0] - 1]
                if short_list[1] <= SHORT_LIST_ITEMS or keeper.lead:
                    keeper.whole = tuple(flowables[short_list[0]:])
                    self.kept_list = (keeper, len(flowables))
                if short_list[1] > SHORT_LIST_ITEMS:
                    keeper.share = 0.0  # a long list keeps only its start together
            self.short_list = None

    def list_item_open(self, token, index: int) -> None:
        lists = self.lists
        if len(lists) == 1 and self.short_list is not None:
            self.short_list = (self.short_list[0], self.short_list[1] + 1)
        current = lists[-1]
        if current["ordered"]:
            self.pending_bullet = f"{current['number']}."
            current["number"] += 1
        else:
            self.pending_bullet = "\u2022" if len(lists) % 2 else "\u2013"

    def list_item_close(self, token, index: int) -> None:
        if self.pending_bullet is not None:  # an empty item still shows its marker
            self.flowables.append(self.item(shared_paragraph("", self.style_for(self.styles.bullet), self.pending_bullet)))
            self.pending_bullet = None
        self.lists[-1]["item"] = None

    def blockquote_open(self, token, index: int) -> None:
        self.quote_depth += 1
        if self.quote_depth == 1 and not self.lists:
            self.outer.append(self.flowables)
            self.flowables = []

    def blockquote_close(self, token, index: int) -> None:
        from .callouts import Callout
        from .keeping import KeepRoom

        styles = self.styles
        self.quote_depth -= 1
        if not self.quote_depth and self.outer:
            content, self.flowables = self.flowables, self.outer.pop()
            while content and isinstance(content[-1], Spacer):
                content.pop()  # the box's padding is the space below
            if content:
                box = Callout(content, fill=styles.callout_fill, edge=styles.callout_edge,
                              pad=styles.indent * 0.5, bar=styles.indent * 0.25)
                # A box that fits a page is not cut in two (render.keeping).
                self.flowables += [KeepRoom(whole=(box,)), box]

    def code(self, token, index: int) -> None:
        lines = [escape(line) for line in token.content.rstrip("\n").split("\n")]
        # A space before each break: read aloud, lines are words apart (render.textmarks).
        code = shared_paragraph(" <br/>".join(lines), self.style_for(self.styles.code), None)
        self.flowables.append(tag(copy.copy(code), "P", parents=self.parents()))

    def hr(self, token, index: int) -> None:
        flowables = self.flowables
        if token.markup.startswith("_"):
            # A line of underscores is a line to write on (a question list's answers).
            if flowables and isinstance(flowables[-1], WriteLines):
                flowables[-1].count += 1
            else:
                lines = WriteLines(self.styles.body.fontSize)
                if self.kept_list is not None and self.kept_list[1] == len(flowables):
                    # Right after a list kept whole: the lines stay on its page too.
                    self.kept_list[0].whole = (*self.kept_list[0].whole, lines)
                flowables.append(lines)
        else:
            flowables.append(ArtifactRule(width="100%", thickness=0.5, color=self.styles.link_color,
                                          spaceBefore=4, spaceAfter=8))


_HANDLERS = {
    "heading_open": _Body.heading_open,
    "table_open": _Body.table_open,
    "tr_open": _Body.tr_open,
    "th_open": _Body.cell_open,
    "td_open": _Body.cell_open,
    "table_close": _Body.table_close,
    "paragraph_open": _Body.paragraph_open,
    "bullet_list_open": _Body.list_open,
    "ordered_list_open": _Body.list_open,
    "bullet_list_close": _Body.list_close,
    "ordered_list_close": _Body.list_close,
    "list_item_open": _Body.list_item_open,
    "list_item_close": _Body.list_item_close,
    "blockquote_open": _Body.blockquote_open,
    "blockquote_close": _Body.blockquote_close,
    "code_block": _Body.code,
    "fence": _Body.code,
    "hr": _Body.hr,
}
