"""Markdown bodies and handouts' paragraph markup as Typst markup, for benchmarks/typst_markup.py.

Each paragraph's words are the ReportLab markup handouts writes for them
(render.markup), read back into Typst, so both engines set the same text;
sizes and spacing are handouts' own styles (render.styles).
"""

from __future__ import annotations

import html
import re
import string

from handouts.layouts.figuresize import printed_size
from handouts.render.addresses import BREAK, END, START
from handouts.render.keeping import SHORT_LIST_ITEMS
from handouts.render.markup import escape as rl_escape
from handouts.render.markup import inline_markup, plain_markup
from handouts.render.tables import make_table

# Every ASCII punctuation mark is escaped with a backslash: Typst reads a
# backslash before any character as that character itself, and several of
# these start markup (* _ ` $ # @ < > [ ] = - + / ~ ' ").
_SPECIAL = {ord(c): "\\" + c for c in string.punctuation}
_ADDRESS = re.compile(f"{START}(.*?){END}", re.S)
_TAG = re.compile(r"<(/?)(\w+)([^>]*)>")
_MARKS = re.compile("[\ue000-\ue003]")


def escape(text: str) -> str:
    """Text that Typst prints as written, runs of white space as one space (a no-break space stays)."""
    return re.sub(r"[ \t\r\n]+", " ", text).translate(_SPECIAL)


def literal(text: str) -> str:
    """A Typst string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _text(text: str) -> str:
    """Plain text from handouts' markup, escaped; a marked address (render.addresses) breaks only at its
    marks: each part between them unbreakable, a zero-width space between parts."""
    out = []
    # With a group, split() gives the text around addresses at even places, their insides at odd ones.
    for index, piece in enumerate(_ADDRESS.split(text)):
        if index % 2:
            parts = _MARKS.sub("", piece.replace(BREAK, "\n")).split("\n")
            out.append("\u200b".join(f"#box[{escape(part)}]" for part in parts if part))
        else:
            out.append(escape(_MARKS.sub("", piece)))
    return "".join(out)


def from_markup(markup: str) -> str:
    """ReportLab Paragraph markup as handouts writes it (render.markup's few tags) as Typst markup."""
    out = []
    for piece in re.split(r"(<[^>]*>)", markup):
        match = _TAG.fullmatch(piece)
        if not match:
            out.append(_text(html.unescape(piece)))
            continue
        closing, name, attributes = match.groups()
        if name == "br":
            out.append("#linebreak()")
        elif closing:
            out.append("]")
        elif name in ("b", "i", "u"):
            out.append({"b": "#strong[", "i": "#emph[", "u": "#underline["}[name])
        elif name == "link":
            href = html.unescape(re.search(r'href="([^"]*)"', attributes).group(1))
            out.append(f"#link({literal(href)})[")
        else:
            raise ValueError(f"a tag handouts does not write: {piece}")
    return "".join(out)


def rgb(color) -> str:
    """A ReportLab colour (or a '#rrggbb' string) as a Typst colour."""
    spelled = color if isinstance(color, str) else color.hexval().replace("0x", "#")
    return f'rgb("{spelled}")'


def pt(value: float) -> str:
    return f"{value:.2f}pt"


def face(style) -> tuple[str, str]:
    """The family name and weight of the TrueType face a ReportLab style sets in."""
    from reportlab.pdfbase.pdfmetrics import getFont

    font = getFont(style.fontName).face
    weight = "bold" if b"bold" in font.name.lower() else "regular"
    return font.familyName.decode("latin-1"), weight


def text_style(style, weight: str | None = None, fill=None) -> str:
    """`#set text(...)` for a ReportLab style: its face, size and colour, and line boxes one `leading` tall."""
    size = style.fontSize
    family, own_weight = face(style)
    fill = fill if fill is not None else style.textColor
    return (f"#set text(font: {literal(family)}, size: {pt(size)}, weight: \"{weight or own_weight}\", "
            f"fill: {rgb(fill)}, bottom-edge: {-(style.leading - size) / size:.3f}em)")


def para(style, content: str, *, weight: str | None = None, fill=None, align: str | None = None,
         sticky: bool = False) -> str:
    """One paragraph in `style`: its space before and after as the block's (adjacent ones collapse to the
    larger, as in a ReportLab frame); a `sticky` one (a heading) stays on the page of what follows it."""
    aligned = f"#set align({align})\n" if align else ""
    return (f"#block(above: {pt(style.spaceBefore)}, below: {pt(style.spaceAfter)}, width: 100%, "
            f"sticky: {str(sticky).lower()})[{text_style(style, weight, fill)}\n{aligned}{content}]\n\n")


def kept(room: float, height: float) -> str:
    """A block kept on one page when it fits a page of `room` points (`height`: as ReportLab lays it out)."""
    return f"block(width: 100%, breakable: {str(height > room).lower()}, "


class Body:
    """One Markdown body's tokens as Typst markup, as render.body lays them out.

    What handouts keeps on one page when a page holds it (render.keeping: a
    call-out box, a list or table of up to five items) is an unbreakable
    block when its paragraphs, laid out by ReportLab as handouts lays them
    out, fit a page of `room` points. Measured here, not with Typst's
    `measure`, whose extra layout doubled Typst's compile time.
    """

    def __init__(self, styles, parse, pictures, curly: bool, room: float):
        self.styles, self.parse, self.curly, self.room = styles, parse, curly, room
        self.markdown = styles.markdown
        self.pictures = {p.src: p for p in pictures}
        self.buffers: list[list[str]] = [[]]
        self.heights: list[float] = [0.0]  # what each open buffer takes on the page, as ReportLab sets it
        self.lists: list[dict] = []
        self.quotes = 0

    def markup(self, token) -> str:
        md = self.markdown
        return inline_markup(token.children or (), md.link_color, curly=self.curly, emphasis=md.emphasis)

    def inline(self, token) -> str:
        return from_markup(self.markup(token))

    def emit(self, text: str, markup: str | None = None, style=None) -> None:
        """Add Typst markup; with `markup` and `style`, count the paragraph's height as ReportLab sets it."""
        self.buffers[-1].append(text)
        if markup is not None:
            from reportlab.platypus import Paragraph

            md = self.markdown
            width = md.column - md.indent * (len(self.lists) + min(self.quotes, 1))
            self.heights[-1] += Paragraph(markup, style).wrap(width, 1e6)[1] + style.spaceAfter

    def push(self) -> None:
        self.buffers.append([])
        self.heights.append(0.0)

    def pop(self) -> tuple[str, float]:
        """The innermost buffer's markup and height, the height counted in the enclosing buffer too."""
        height = self.heights.pop()
        self.heights[-1] += height
        return "".join(self.buffers.pop()), height

    def walk(self, text: str) -> str:
        tokens = self.parse(text)
        index = 0
        while index < len(tokens):
            index = self.token(tokens, index)
        return "".join(self.buffers[0])

    def token(self, tokens, index: int) -> int:
        token, md = tokens[index], self.markdown
        kind = token.type
        if kind == "heading_open":
            markup = self.markup(tokens[index + 1])
            self.emit(para(md.subheading, from_markup(markup), sticky=True), markup, md.subheading)
            return index + 3
        if kind == "paragraph_open":
            self.paragraph(tokens[index + 1])
            return index + 3
        if kind == "table_open":
            return self.table(tokens, index)
        if kind in ("bullet_list_open", "ordered_list_open"):
            start = int(token.attrGet("start") or 1) if kind == "ordered_list_open" else None
            self.lists.append({"start": start, "items": [], "height": 0.0})
        elif kind == "list_item_open":
            self.push()
        elif kind == "blockquote_open":
            self.quotes += 1
            self.push()
        elif kind == "list_item_close":
            item, height = self.pop()
            self.lists[-1]["items"].append(item)
            self.lists[-1]["height"] += height
        elif kind in ("bullet_list_close", "ordered_list_close"):
            self.close_list()
        elif kind == "blockquote_close":
            self.quotes -= 1
            inner, height = self.pop()
            pad, bar = md.indent * 0.5, md.indent * 0.25
            # The box (render.callouts): a tint, a thin frame and a bar down the left, in the brand's colours.
            edge = rgb(md.callout_edge)
            box = (f"block(fill: {rgb(md.callout_fill)}, stroke: (left: {pt(bar)} + {edge}, rest: 0.75pt + {edge}), "
                   f"inset: (left: {pt(pad + bar / 2)}, rest: {pt(pad)}), width: 100%)[{inner}]")
            self.emit(f"#{kept(self.room, height + 2 * pad)}below: {pt(md.body.spaceAfter)})[#{box}]\n\n")
        elif kind in ("fence", "code_block"):
            lines = [rl_escape(line) for line in token.content.rstrip("\n").split("\n")]
            self.emit(para(md.code, from_markup(" <br/>".join(lines))))
        elif kind == "hr":
            self.rule(token)
        return index + 1

    def paragraph(self, inline) -> None:
        md = self.markdown
        shown = [c for c in inline.children or () if c.type not in ("softbreak", "hardbreak")
                 and not (c.type == "text" and not c.content.strip())]
        if len(shown) == 1 and shown[0].type == "image" and shown[0].attrGet("src") in self.pictures:
            image = shown[0]
            picture = self.pictures[image.attrGet("src")]
            width, _ = printed_size(picture, md.column)
            self.emit(f"#align(center)[#image({literal(str(picture.path))}, width: {pt(width)}, "
                      f"alt: {literal(' '.join(image.content.split()))})]\n\n")
            title = " ".join(str(image.attrGet("title") or "").split())
            if title:
                self.emit(para(md.body, from_markup(plain_markup(title)), align="center"))
            return
        # Typst collapses the spaces between blocks to the larger, as a ReportLab frame does, but between a
        # paragraph and a block it keeps only the block's: outside lists, a paragraph is a block too.
        markup = self.markup(inline)
        text = from_markup(markup)
        style = md.bullet if self.lists else md.body
        self.emit(text + "\n\n" if self.lists else para(md.body, text), markup, style)

    def close_list(self) -> None:
        md = self.markdown
        level = self.lists.pop()
        bullet = md.bullet
        items = ", ".join(f"[{item.strip()}]" for item in level["items"])
        common = (f"indent: {pt(bullet.bulletIndent)}, body-indent: {pt(bullet.leftIndent - bullet.bulletIndent)}, "
                  f"spacing: {pt(bullet.spaceAfter)}, tight: true")
        if level["start"] is None:
            marker = "\u2022" if (len(self.lists) + 1) % 2 else "\u2013"  # by depth, as render.body marks them
            call = f"#list(marker: [{marker}], {common}, {items})"
        else:
            call = f"#enum(start: {level['start']}, numbering: \"1.\", {common}, {items})"
        if self.lists:
            self.emit(f"#block(above: 0pt, below: {pt(bullet.spaceAfter)})[{call}]\n\n")
            return
        # Below a top-level list: the last item's space and render.body's Spacer (half a paragraph's), which
        # no space after it collapses with: padding inside the list's block, not its space below.
        call = f"#pad(bottom: {pt(bullet.spaceAfter + md.body.spaceAfter * 0.5)}, {call[1:]})"
        # A short list stays on one page when a page holds it, as render.keeping keeps it.
        short = len(level["items"]) <= SHORT_LIST_ITEMS
        block = kept(self.room, level["height"]) if short else "block(width: 100%, "
        self.emit(f"#{block}above: 0pt, below: 0pt)[#{call[1:]}]\n\n")

    def rule(self, token) -> None:
        md = self.markdown
        if not token.markup.startswith("_"):
            self.emit(f"#block(above: 4pt, below: 8pt, line(length: 100%, stroke: 0.5pt + {rgb(md.link_color)}))\n\n")
            return
        # A line of underscores is a line to write on (render.consent.WriteLines): consecutive ones are one
        # block, a line's room each and half a line below the last.
        size, buffer = md.body.fontSize, self.buffers[-1]
        count = 1
        if buffer and buffer[-1].startswith("#block(width: 100%, height: ") and "// lines " in buffer[-1]:
            count = int(buffer.pop().rsplit("// lines ", 1)[1]) + 1
        rules = "".join(f"#place(top + left, dy: {pt((n + 1) * (size + 14))}, line(length: 100%, stroke: 0.8pt))"
                        for n in range(count))
        self.emit(f"#block(width: 100%, height: {pt(count * (size + 14) + size * 0.5)})[{rules}] // lines {count}\n\n")

    def table(self, tokens, index: int) -> int:
        md = self.markdown
        rows, texts, row = [], [], None
        index += 1
        while tokens[index].type != "table_close":
            token = tokens[index]
            if token.type == "tr_open":
                row = []
                rows.append(row)
                texts.append([])
            elif token.type in ("th_open", "td_open"):
                inline = tokens[index + 1]
                align = str(token.attrGet("style") or "").removeprefix("text-align:") or "left"
                row.append((self.markup(inline), align))
                texts[-1].append(inline.content)
            index += 1
        markup, height = _typst_table(rows, texts, md, self.room)
        self.emit(markup)
        self.heights[-1] += height
        return index + 1


def _typst_table(rows, texts, md, room: float) -> tuple[str, float]:
    """A table at the column widths handouts gives it (render.tables), or stacked as handouts stacks it."""
    from reportlab.platypus import Paragraph

    made = make_table(rows, texts, md.column, md.table, lambda markup, style: Paragraph(markup, style),
                      md.table_column)
    ts = md.table
    if isinstance(made, list):  # stacked (large print): one paragraph per cell, as handouts prints them
        return "".join(para(f.style, from_markup(f.text)) for f in made if hasattr(f, "text")), 0.0
    count = len(made._argW)
    cells = []
    for number, row in enumerate(rows):
        for markup, align in list(row) + [("", "left")] * (count - len(row)):
            body = from_markup(markup)
            if number == 0:
                body = f"#text(fill: {rgb(ts.head.textColor)}, weight: \"bold\")[{body}]"
            cells.append(f"table.cell(align: {align})[{body}]")
    stripe = f"(x, y) => if y == 0 {{ {rgb(ts.head_fill)} }} else if calc.even(y) {{ {rgb(ts.stripe)} }}"
    table = (f"#table(columns: ({', '.join(pt(w) for w in made._argW)}), "
             f"inset: (x: {pt(ts.pad)}, y: {pt(ts.pad * 0.6)}), fill: {stripe}, "
             f"stroke: 0.5pt + {rgb(ts.rule)}, table.header({', '.join(cells[:count])}), {', '.join(cells[count:])})")
    # A table wider than the text's measure is centred on it (render.tables), into the margins.
    spill = max(sum(made._argW) - md.column, 0) / 2
    # A table of a short list's length stays on one page when a page holds it, as render.body keeps it.
    height = made.wrap(md.column, 1e6)[1]
    block = kept(room, height) if len(rows) - 1 <= SHORT_LIST_ITEMS else "block(width: 100%, "
    return (f"#{block}above: {pt(ts.pad)}, below: {pt(ts.pad * 2)})"
            f"[{text_style(ts.cell)}\n"
            f"#pad(x: {pt(-spill)}, {table[1:]})]\n\n", height)
