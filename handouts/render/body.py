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
    from reportlab.lib.styles import ParagraphStyle

    from .callouts import Callout
    from .figures import caption_style, figure_for
    from .keeping import SHORT_LIST_ITEMS, KeepRoom, link_headings
    from .tables import make_table

    from .typography import font_has_curly

    curly = font_has_curly(styles.body.fontName)
    env: dict = {}
    tokens = body_tokens(text, env)
    inlines = BlockInlines(env, styles, curly)
    flowables: list[Flowable] = []
    outer: list[list[Flowable]] = []  # what encloses the open callout
    lists: list[dict] = []  # stack of {"ordered": bool, "number": int, "key": L's, "item": LI's}
    pending_bullet: str | None = None
    quote_depth = 0
    nested = styles.nested
    table_rows: list[list[tuple[str, str]]] = []
    table_texts: list[list[str]] = []
    by_src = {picture.src: picture for picture in pictures}
    short_list: tuple[int, int] | None = None  # (index after the list's KeepRoom, items so far)
    kept_list: tuple | None = None  # (the keeper of the list just closed, kept whole; where it ended)
    introduction: int | None = None  # index of a one-piece paragraph ending in ':', while it is the last

    def caption(text: str) -> Flowable:
        return tag(copy.copy(shared_paragraph(plain_markup(text), caption_style(style_for(styles.body)), None)),
                   "Caption")

    def style_for(base) -> object:
        # The outermost quote is a box, which has its own padding.
        depth = min(len(lists) + max(quote_depth - 1, 0), MAX_INDENT_DEPTH)
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

    def parents() -> tuple:
        # Where the next paragraph sits in the structure tree: each open
        # list's L, and the LI/LBody of the item a nested list is in.
        path: list = []
        for level in lists:
            path.append(("L", level["key"]))
            if level["item"] is not None:
                path += [("LI", level["item"]), ("LBody", (level["item"], "LBody"))]
        return tuple(path)

    def item(paragraph: CachedParagraph) -> CachedParagraph:
        # A list item's first paragraph: it draws the marker (Lbl), then the text (LBody).
        level = lists[-1]
        level["item"] = None
        key = object()
        tagged = tag(copy.copy(paragraph), "LI", parents=parents(), key=key, text_roles=("Lbl", "LBody"))
        level["item"] = key
        return tagged

    for index, token in enumerate(tokens):
        kind = token.type
        if kind == "heading_open":
            inline = tokens[index + 1]
            heading = shared_paragraph(inlines.markup(inline), styles.subheading, None)
            heading = tag(copy.copy(heading), "H3", parents=parents())
            if not quote_depth:
                flowables.append(KeepRoom(heads=(heading,)))
            flowables.append(heading)
        elif kind == "table_open":
            table_rows, table_texts = [], []
        elif kind == "tr_open":
            table_rows.append([])
            table_texts.append([])
        elif kind in ("th_open", "td_open"):
            inline = tokens[index + 1]
            align = str(token.attrGet("style") or "").removeprefix("text-align:") or "left"
            table_rows[-1].append((inlines.markup(inline), align))
            table_texts[-1].append(inline.content)
        elif kind == "table_close":
            made = make_table(table_rows, table_texts, styles.column, styles.table,
                              lambda markup, style: shared_paragraph(markup, style, None), styles.table_column)
            if isinstance(made, list):
                flowables += made
            else:
                # A table of a short list's length stays on one page when a page
                # holds it, as a short list does (its header and one row alone
                # at a page's foot say little).
                if len(table_rows) - 1 <= SHORT_LIST_ITEMS and not quote_depth and not lists:
                    # A paragraph between a heading and the table (how to read it) comes along.
                    lead = int(len(flowables) >= 2 and getattr(flowables[-1], "pdf_role", None) == "P"
                               and getattr(flowables[-2], "pdf_role", None) == "H3")
                    flowables.insert(len(flowables) - lead,
                                     KeepRoom(whole=(*flowables[len(flowables) - lead:], made), lead=lead))
                flowables.append(made)
        elif kind == "paragraph_open" and (figure := figure_for(inlines.tokens(tokens[index + 1]), by_src, caption, styles.press,
                                                                 styles.body.spaceAfter, styles.picture_shrink)) is not None:
            flowables.append(tag(figure, figure.pdf_role, parents=parents()))
        elif kind == "paragraph_open":
            inline = tokens[index + 1]
            markup = inlines.markup(inline)
            base = style_for(styles.bullet if pending_bullet is not None else styles.body)
            pieces = split_markup(markup)
            key = object()  # the pieces of one cut paragraph are one P element
            for number, piece in enumerate(pieces):
                paragraph = shared_paragraph(piece, _piece_style(base, number == 0, number == len(pieces) - 1),
                                             pending_bullet if number == 0 else None)
                if number == 0 and pending_bullet is not None:
                    flowables.append(item(paragraph))
                else:
                    extra = {"key": key} if len(pieces) > 1 else {}
                    flowables.append(tag(copy.copy(paragraph), "P", parents=parents(), **extra))
            if len(pieces) == 1 and not lists and not quote_depth and pending_bullet is None \
                    and inline.content.rstrip().endswith(":"):
                introduction = len(flowables) - 1
            pending_bullet = None
        elif kind in ("bullet_list_open", "ordered_list_open"):
            if not lists and not quote_depth:
                # A short list stays on one page (render.keeping), and so
                # does its start with the line that introduces it ("...
                # these steps:"), which alone at a page's foot says nothing.
                lead = int(introduction == len(flowables) - 1)
                flowables.insert(len(flowables) - lead, KeepRoom(share=styles.tall_list_share, lead=lead))
                short_list = (len(flowables) - lead, 0)
            start = int(token.attrGet("start") or 1) if kind == "ordered_list_open" else 1
            lists.append({"ordered": kind == "ordered_list_open", "number": start, "key": object(), "item": None})
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
            if not lists:
                flowables.append(Spacer(0, styles.body.spaceAfter * 0.5))
                if short_list is not None:
                    keeper = flowables[short_list[0] - 1]
                    if short_list[1] <= SHORT_LIST_ITEMS or keeper.lead:
                        keeper.whole = tuple(flowables[short_list[0]:])
                        kept_list = (keeper, len(flowables))
                    if short_list[1] > SHORT_LIST_ITEMS:
                        keeper.share = 0.0  # a long list keeps only its start together
                short_list = None
        elif kind == "list_item_open":
            if len(lists) == 1 and short_list is not None:
                short_list = (short_list[0], short_list[1] + 1)
            current = lists[-1]
            if current["ordered"]:
                pending_bullet = f"{current['number']}."
                current["number"] += 1
            else:
                pending_bullet = "\u2022" if len(lists) % 2 else "\u2013"
        elif kind == "list_item_close":
            if pending_bullet is not None:  # an empty item still shows its marker
                flowables.append(item(shared_paragraph("", style_for(styles.bullet), pending_bullet)))
                pending_bullet = None
            lists[-1]["item"] = None
        elif kind == "blockquote_open":
            quote_depth += 1
            if quote_depth == 1 and not lists:
                outer.append(flowables)
                flowables = []
        elif kind == "blockquote_close":
            quote_depth -= 1
            if not quote_depth and outer:
                content, flowables = flowables, outer.pop()
                while content and isinstance(content[-1], Spacer):
                    content.pop()  # the box's padding is the space below
                if content:
                    box = Callout(content, fill=styles.callout_fill, edge=styles.callout_edge,
                                  pad=styles.indent * 0.5, bar=styles.indent * 0.25)
                    # A box that fits a page is not cut in two (render.keeping).
                    flowables += [KeepRoom(whole=(box,)), box]
        elif kind in ("code_block", "fence"):
            lines = [escape(line) for line in token.content.rstrip("\n").split("\n")]
            # A space before each break: read aloud, lines are words apart (render.textmarks).
            code = shared_paragraph(" <br/>".join(lines), style_for(styles.code), None)
            flowables.append(tag(copy.copy(code), "P", parents=parents()))
        elif kind == "hr" and token.markup.startswith("_"):
            # A line of underscores is a line to write on (a question list's answers).
            if flowables and isinstance(flowables[-1], WriteLines):
                flowables[-1].count += 1
            else:
                lines = WriteLines(styles.body.fontSize)
                if kept_list is not None and kept_list[1] == len(flowables):
                    # Right after a list kept whole: the lines stay on its page too.
                    kept_list[0].whole = (*kept_list[0].whole, lines)
                flowables.append(lines)
        elif kind == "hr":
            flowables.append(ArtifactRule(width="100%", thickness=0.5, color=styles.link_color,
                                        spaceBefore=4, spaceAfter=8))
    return link_headings(flowables)
