"""Markdown pipe tables printed as real tables.

Every cell is a paragraph, and rows may split inside themselves
(`splitInRow`): a long text in one cell must never make a row taller than
the page, which ReportLab refuses with LayoutError. The header row repeats
on every page the table runs onto.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

from reportlab.lib.colors import toColor
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Table, TableStyle

from .tagging import TaggedFlowable

# Cells up to this many characters are kept on one line when the page allows.
SHORT_CELL = 16
_ALIGN = {"left": TA_LEFT, "center": TA_CENTER, "right": TA_RIGHT}


@dataclass(frozen=True)
class TableStyles:
    """What a table is set in: cell text styles and the brand's colours."""

    cell: ParagraphStyle
    head: ParagraphStyle
    rule: str
    head_fill: str
    stripe: str
    pad: float


class TableTagger:
    """A ReportLab Table `renderCB` that tags rows and cells (TR, TH/TD); grid and fills are artifacts.

    Use it on a TaggedFlowable table (`pdf_role = "Table"`, `pdf_group =
    True`) as `renderCB=TableTagger()`; the parts of a split table share it,
    and header rows repeated on later pages are artifacts. The first
    `header_rows` hold column headers (TH, /Scope /Column); with
    `row_headers`, each later row's first cell is its row's header (TH,
    /Scope /Row), as the stacked form of a table reads it. The cells'
    flowables tag themselves.
    """

    def __init__(self, header_rows: int = 1, row_headers: bool = False):
        self.key = object()
        self.header_rows = header_rows
        self.row_headers = row_headers

    def __call__(self, table, event: str, *args) -> None:
        canvas = table.canv
        structure = getattr(canvas, "structure", None)
        if structure is None:
            return
        if event == "startTable":
            self._repeat = self.key in structure.started
            structure.started.add(self.key)
        elif event in ("startBG", "startLines"):
            canvas._code.append("/Artifact <</Type /Layout>> BDC")
        elif event in ("endBG", "endLines"):
            canvas._code.append("EMC")
        elif event == "startRow":
            self._row_artifact = self._repeat and args[0] < self.header_rows
            self._header = args[0] < self.header_rows
            if self._row_artifact:
                canvas._code.append("/Artifact <</Type /Pagination>> BDC")
                structure.artifacts += 1
            else:
                structure.begin("TR", group=True)
        elif event == "endRow":
            if self._row_artifact:
                structure.artifacts -= 1
                canvas._code.append("EMC")
            else:
                structure.end()
        elif event == "startCell":
            if self._header:
                structure.begin("TH", group=True, attributes="<< /O /Table /Scope /Column >>")
            elif self.row_headers and args[1] == 0:
                structure.begin("TH", group=True, attributes="<< /O /Table /Scope /Row >>")
            else:
                structure.begin("TD", group=True)
        elif event == "endCell":
            structure.end()



class _WholeRows(Table):
    """A Table that moves a row to the next page whole unless no page could hold it."""

    def split(self, availWidth, availHeight):  # noqa: N803 - ReportLab's signature
        # ReportLab splits inside the first row that does not fit here;
        # a reader follows a row better when it is whole on the next page.
        self._calc(availWidth, availHeight)
        parts = self._splitRows(availHeight, doInRowSplit=False)
        if parts:
            return parts
        frame = self._doctemplateAttr("frame")
        full = getattr(frame, "_aH", None) if frame else None
        first = sum(self._rowHeights[: (self.repeatRows or 0) + 1])
        if full is not None and first <= full and availHeight < full:
            return []
        return self._splitRows(availHeight, doInRowSplit=True)


class GridTable(TaggedFlowable, _WholeRows):
    """A Table whose paragraphs the font planner can find; a Table element (TableTagger tags its rows)."""

    pdf_role = "Table"
    pdf_group = True

    def nested_flowables(self) -> list[Flowable]:
        """Every cell's paragraph."""
        return [cell for row in self._cellvalues for cell in row if isinstance(cell, Flowable)]


def _words_width(text: str, style: ParagraphStyle) -> tuple[float, float]:
    """(widest single word, whole text on one line) in points."""
    words = text.split() or [""]
    widest = max(stringWidth(w, style.fontName, style.fontSize) for w in words)
    return widest, stringWidth(text, style.fontName, style.fontSize)


def column_widths(rows: list[list[str]], width: float, styles: TableStyles) -> list[float]:
    """Share `width` among the columns: each gets its longest word, the rest goes by how much text it holds."""
    count = max(len(r) for r in rows)
    floor = [0.0] * count
    want = [0.0] * count
    for index, row in enumerate(rows):
        style = styles.head if index == 0 else styles.cell
        for col, text in enumerate(row):
            widest, whole = _words_width(text, style)
            # A short label ("Option 20") stays on one line; 1 pt of slack
            # keeps a word that fits exactly from breaking on rounding.
            keep = whole if len(text) <= SHORT_CELL else widest
            floor[col] = max(floor[col], keep + 2 * styles.pad + 1)
            want[col] = max(want[col], whole + 2 * styles.pad + 1)
    if sum(floor) >= width:
        # Too many columns for the page: shrink evenly; long words then split.
        return [width * f / sum(floor) for f in floor]
    spare = width - sum(floor)
    extra = [max(w - f, 0.0) for w, f in zip(want, floor)]
    if sum(extra) <= spare:
        # Everything fits on one line per cell: share what is left evenly.
        return [f + e + (spare - sum(extra)) / count for f, e in zip(floor, extra)]
    return [f + spare * e / sum(extra) for f, e in zip(floor, extra)]


def make_table(rows: list[list[tuple[str, str]]], texts: list[list[str]], width: float,
               styles: TableStyles, paragraph, wide: float = 0.0) -> Table | list[Flowable]:
    """A table from rows of (markup, alignment) cells; the first row is the header.

    Where a column would be too narrow for its text, the table may take
    `wide` points, centred on the column (letter and A4: the width between
    0.75 in margins, past the text's measure, which is for running text);
    where that is too narrow too (large print), or there are more columns
    than the page has room for, the rows print stacked instead (see
    stacked_table).

    `texts` are the cells' plain texts, for sharing out the widths;
    `paragraph(markup, style)` makes each cell's paragraph.
    """
    count = max(len(r) for r in rows)
    data = []
    for index, row in enumerate(rows):
        base = styles.head if index == 0 else styles.cell
        cells = []
        for markup, align in list(row) + [("", "left")] * (count - len(row)):
            style = base if align == "left" else _aligned(base, align)
            cells.append(paragraph(markup, style))
        data.append(cells)
    padded = [list(t) + [""] * (count - len(t)) for t in texts]
    widths = column_widths(padded, width, styles)
    align = "LEFT"
    if (too_narrow(texts, widths, styles) or too_many(widths, styles)) and wide > width:
        widths, align = column_widths(padded, wide, styles), "CENTER"
    if too_narrow(texts, widths, styles) or too_many(widths, styles):
        return stacked_table(rows, styles, paragraph)
    commands = [
        # The cells are paragraphs, but ReportLab sets the cell font anyway:
        # the body font keeps an unembedded Helvetica out of the page.
        ("FONTNAME", (0, 0), (-1, -1), styles.cell.fontName),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), styles.pad),
        ("RIGHTPADDING", (0, 0), (-1, -1), styles.pad),
        ("TOPPADDING", (0, 0), (-1, -1), styles.pad * 0.6),
        ("BOTTOMPADDING", (0, 0), (-1, -1), styles.pad * 0.6),
        ("BACKGROUND", (0, 0), (-1, 0), toColor(styles.head_fill)),
        ("LINEBELOW", (0, 0), (-1, -1), 0.5, toColor(styles.rule)),
        ("BOX", (0, 0), (-1, -1), 0.75, toColor(styles.rule)),
        ("LINEAFTER", (0, 0), (-2, -1), 0.5, toColor(styles.rule)),
    ]
    for index in range(2, len(data), 2):
        commands.append(("BACKGROUND", (0, index), (-1, index), toColor(styles.stripe)))
    table = GridTable(data, colWidths=widths, repeatRows=1, splitByRow=1, splitInRow=1, hAlign=align,
                      spaceBefore=styles.pad, spaceAfter=styles.pad * 2, renderCB=TableTagger(header_rows=1, row_headers=count > 1))
    table.setStyle(TableStyle(commands))
    return table


_ALIGNED: dict[tuple[int, str], ParagraphStyle] = {}


def _aligned(base: ParagraphStyle, align: str) -> ParagraphStyle:
    # One style object per variant, so cached paragraphs key on the same style.
    key = (id(base), align)
    if key not in _ALIGNED or _ALIGNED[key].parent is not base:
        _ALIGNED[key] = ParagraphStyle(f"{base.name}-{align}", parent=base, alignment=_ALIGN[align])
    return _ALIGNED[key]


# A column narrower than this many characters of body text, holding a cell
# longer than LONG_CELL characters, makes the table print stacked.
NARROW_COLUMN = 14
LONG_CELL = 40


def too_narrow(texts: list[list[str]], widths: list[float], styles: TableStyles) -> bool:
    """Whether a column is too narrow for its text: a cell would run to many short lines."""
    per_char = stringWidth("n", styles.cell.fontName, styles.cell.fontSize)
    for col in range(1, len(widths)):
        longest = max((len(row[col]) for row in texts[1:] if len(row) > col), default=0)
        if widths[col] - 2 * styles.pad < NARROW_COLUMN * per_char and longest > LONG_CELL:
            return True
    return False


# A column with room for fewer characters of body text than this (after
# its padding) cannot print a word: 45 short columns left each less room
# than its padding, and ReportLab failed on the negative width.
MIN_COLUMN = 4


def too_many(widths: list[float], styles: TableStyles) -> bool:
    """Whether the columns are too many for the page: one would have room for under MIN_COLUMN characters."""
    per_char = stringWidth("n", styles.cell.fontName, styles.cell.fontSize)
    return min(widths) - 2 * styles.pad < MIN_COLUMN * per_char


def stacked_table(rows: list[list[tuple[str, str]]], styles: TableStyles, paragraph) -> list[Flowable]:
    """The table as one block per row: its first cell as a label, then each other cell after its column's header.

    For a page too narrow for the columns (large print): four columns of
    18 pt text leave a dozen characters a line, and a row runs to eight
    short lines. Still one Table in the structure tree, each row a TR whose
    label is its TH.
    """
    from .keeping import KeepRoom
    from .tagging import tag

    label_style, value_style = _stack_styles(styles)
    header = [markup for markup, _ in rows[0]]
    table_key = object()
    flowables: list[Flowable] = []
    for row in rows[1:]:
        row_key = object()
        parents = (("Table", table_key), ("TR", row_key))
        block = [tag(copy.copy(paragraph(f"<b>{row[0][0]}</b>", label_style)), "TH", parents=parents,
                     attributes="<< /O /Table /Scope /Row >>")]
        for col, (markup, _align) in enumerate(row[1:], start=1):
            if not markup.strip():
                continue
            name = header[col] if col < len(header) else ""
            text = f"<b>{name}:</b> {markup}" if name.strip() else markup
            block.append(tag(copy.copy(paragraph(text, value_style)), "TD", parents=parents))
        flowables += [KeepRoom(whole=tuple(block)), *block]
    return flowables


_STACK_STYLES: dict[int, tuple[ParagraphStyle, ParagraphStyle]] = {}


def _stack_styles(styles: TableStyles) -> tuple[ParagraphStyle, ParagraphStyle]:
    # One pair of style objects per look, so cached paragraphs key on the same styles.
    key = id(styles.cell)
    if key not in _STACK_STYLES or _STACK_STYLES[key][0].parent is not styles.cell:
        cell = styles.cell
        label = ParagraphStyle("stack-label", parent=cell, textColor=toColor(styles.head_fill),
                               spaceBefore=styles.pad * 1.5, spaceAfter=styles.pad * 0.3)
        value = ParagraphStyle("stack-value", parent=cell, leftIndent=styles.pad * 2,
                               spaceAfter=styles.pad * 0.3)
        _STACK_STYLES[key] = (label, value)
    return _STACK_STYLES[key]
