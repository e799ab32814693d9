"""Page furniture: the sheet's geometry, the top band, the footer and crop marks."""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib.colors import Color
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from ..layouts import Layout
from .inks import Palette

BLEED = 3 * mm
# Crop marks sit outside the bleed, so the sheet needs a slug around it.
SLUG = 12 * mm
TOTAL_FORM = "handouts-page-total"
STATIC_FORM = "handouts-page-static"
BAND_HEIGHT = 0.18 * 72
# Office printers cannot print the outer 0.17-0.25 in of the sheet.
OFFICE_INSET = 0.25 * 72



@dataclass(frozen=True)
class Geometry:
    """Where the trimmed page sits on the sheet; bleed and slug for print-ready."""

    width: float
    height: float
    offset: float
    bleed: float

    @property
    def sheet(self) -> tuple[float, float]:
        return (self.width + 2 * self.offset, self.height + 2 * self.offset)

    @property
    def trim_box(self) -> tuple[float, float, float, float]:
        return (self.offset, self.offset, self.offset + self.width, self.offset + self.height)

    @property
    def bleed_box(self) -> tuple[float, float, float, float]:
        o, b = self.offset, self.bleed
        return (o - b, o - b, o + self.width + b, o + self.height + b)


@dataclass(frozen=True)
class Footer:
    """What the footer of every page says, already broken into lines.

    `lines` are the clinic details, top line first; when `shared` the page
    number shares the last of them (right-aligned details), otherwise it
    has a line of its own below them.
    """

    lines: tuple[str, ...]
    shared: bool
    size: float
    font: str
    color: Color
    # 'Page X of Y' from the message catalogue, split around the total,
    # which is drawn once at the end as a form: ("Page {page} of ", "").
    page_before: str = "Page {page} of "
    page_after: str = ""
    # How far below its usual place (just above the bottom margin) the
    # footer is drawn: into the margin, for a layout with footer_in_margin.
    drop: float = 0.0

    @property
    def leading(self) -> float:
        return self.size * 1.35

    @property
    def height(self) -> float:
        """Room the footer takes above the bottom margin, rule included."""
        count = len(self.lines) + (0 if self.shared else 1)
        return (count - 1) * self.leading + self.size * 2.6


def split_page_label(text: str) -> tuple[str, str]:
    """A catalogue's 'Page {page} of {pages}' as the text before and after the total."""
    before, _, after = text.partition("{pages}")
    return before, after


def layout_footer(parts: list[str], width: float, size: float, font: str, color: Color,
                  page_label: str = "Page {page} of {pages}", shorter: tuple[tuple[str, ...], ...] = (),
                  lines_for_all: int = 1) -> Footer:
    """Pack the footer's parts into as few lines as fit `width`.

    Every part is kept on up to `lines_for_all` lines, the page number
    sharing the last (letter and A4's 5.3 in measure: two). Large print
    cannot fit clinic, version and page number on one line; a footer of
    three lines took room from every page. So the `shorter` lists of parts
    are tried in turn for one line, before the parts are wrapped.
    """
    from reportlab.pdfbase.pdfmetrics import stringWidth

    def fits(text: str, extra: float = 0) -> bool:
        return stringWidth(text, font, size) + extra <= width

    before, after = split_page_label(page_label)
    joined = " \u00b7 ".join(parts)
    label_room = stringWidth(before.format(page=999) + "999" + after.format(page=""), font, size) + size * 2
    if fits(joined, label_room):
        return Footer((joined,), True, size, font, color, before, after)
    packed = _pack(parts, fits)
    if not fits(packed[-1], label_room):
        # The page number shares the last line: its last part moves down to it.
        head, _, tail = packed[-1].rpartition(" \u00b7 ")
        packed[-1:] = [head, tail] if head else packed[-1:]
    if len(packed) <= lines_for_all and fits(packed[-1], label_room):
        return Footer(tuple(packed), True, size, font, color, before, after)
    for fewer in shorter:
        line = " \u00b7 ".join(fewer)
        if fits(line, label_room):
            return Footer((line,), True, size, font, color, before, after)
    return Footer(tuple(_pack(parts, fits)), False, size, font, color, before, after)


def _pack(parts: list[str], fits) -> list[str]:
    """`parts` joined by middle dots into as few lines as `fits`."""
    lines: list[str] = []
    for part in parts:
        if lines and fits(lines[-1] + " \u00b7 " + part):
            lines[-1] += " \u00b7 " + part
        else:
            lines.append(part)
    return lines


def draw_static(canvas: Canvas, g: Geometry, layout: Layout, colors: Palette, footer: Footer) -> None:
    """What every page repeats: the top band, the footer rule and text."""
    top_band(canvas, g, colors.primary)
    left = g.offset + layout.margin_left
    right = g.offset + g.width - layout.margin_right
    y = g.offset + layout.margin_bottom - footer.drop + (0 if footer.shared else footer.leading)
    top = y + (len(footer.lines) - 1) * footer.leading
    canvas.setStrokeColor(colors.secondary)
    canvas.setLineWidth(0.5)
    canvas.line(left, top + footer.size * 1.6, right, top + footer.size * 1.6)
    canvas.setFont(footer.font, footer.size)
    canvas.setFillColor(footer.color)
    for index, line in enumerate(footer.lines):
        line_y = top - index * footer.leading
        if footer.shared:
            canvas.drawRightString(right, line_y, line)
        else:
            canvas.drawString(left, line_y, line)


def top_band(canvas: Canvas, g: Geometry, color: Color) -> None:
    """A band of the brand colour along the top of the page.

    Print-ready, it runs past the trim into the bleed, so a guillotine
    never leaves a white sliver. For office printers it stays inside the
    part they can print (OFFICE_INSET from every edge), rather than being
    cut off unevenly by each printer's own unprintable border.
    """
    height = BAND_HEIGHT
    canvas.setFillColor(color)
    if g.bleed:
        canvas.rect(g.offset - g.bleed, g.offset + g.height - height, g.width + 2 * g.bleed, height + g.bleed,
                    stroke=0, fill=1)
    else:
        canvas.rect(g.offset + OFFICE_INSET, g.offset + g.height - OFFICE_INSET - height,
                    g.width - 2 * OFFICE_INSET, height, stroke=0, fill=1)


def draw_page(canvas: Canvas, g: Geometry, layout: Layout, footer: Footer, marks: Color | None = None) -> None:
    """Per page: the shared static form, 'Page X of ' and the total form, and crop marks in `marks`.

    Crop marks are drawn on the page itself, not in the shared form:
    ReportLab gives a form no colour-space resources, and registration
    colour is a Separation colour space.
    """
    canvas.saveState()
    canvas.doForm(STATIC_FORM)
    if marks is not None:
        crop_marks(canvas, g, marks)
    y = g.offset + layout.margin_bottom - footer.drop
    left = g.offset + layout.margin_left
    label = footer.page_before.format(page=canvas.getPageNumber())
    canvas.setFont(footer.font, footer.size)
    canvas.setFillColor(footer.color)
    canvas.drawString(left, y, label)
    canvas.translate(left + canvas.stringWidth(label, footer.font, footer.size), y)
    canvas.doForm(TOTAL_FORM)
    canvas.restoreState()


def crop_marks(canvas: Canvas, g: Geometry, color: Color) -> None:
    """Two marks at each corner of the trim, outside the bleed, in `color`
    (registration colour, so they print on every plate)."""
    canvas.saveState()
    canvas.setStrokeColor(color)
    canvas.setLineWidth(0.25)
    x0, y0, x1, y1 = g.trim_box
    gap, length = g.bleed, g.offset - g.bleed - 1 * mm
    for x, y, dx, dy in ((x0, y0, -1, -1), (x1, y0, 1, -1), (x0, y1, -1, 1), (x1, y1, 1, 1)):
        canvas.line(x + dx * gap, y, x + dx * (gap + length), y)
        canvas.line(x, y + dy * gap, x, y + dy * (gap + length))
    canvas.restoreState()




@dataclass(frozen=True)
class RunningHeader:
    """What heads every page of the consent: the handout's title, version and patient."""

    lines: tuple[str, ...]
    size: float
    font: str
    color: Color
    rule: Color

    @property
    def leading(self) -> float:
        return self.size * 1.3

    @property
    def height(self) -> float:
        """Room the header takes below the top margin, rule and gap included."""
        return len(self.lines) * self.leading + self.size * 0.9


def layout_header(parts: list[str], width: float, size: float, font: str, color: Color,
                  rule: Color) -> RunningHeader:
    """The consent's running header: its parts on one line when they fit, else wrapped.

    Wrapped at plain spaces only, so a phone number in a title or a name
    (its spaces made no-break, render.typography) stays on one line.
    """
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from .typography import keep_phones_whole

    parts = [keep_phones_whole(part) for part in parts]
    joined = " \u00b7 ".join(parts)
    if stringWidth(joined, font, size) <= width:
        return RunningHeader((joined,), size, font, color, rule)
    # Pack the pieces greedily, so "Version 1.0" can share the patient's
    # line when the title takes a line of its own.
    pieces = [piece for part in parts for piece in part.split(" \u00b7 ")]
    lines: list[str] = []
    for piece in pieces:
        if lines and stringWidth(lines[-1] + " \u00b7 " + piece, font, size) <= width:
            lines[-1] += " \u00b7 " + piece
        else:
            lines += _wrap(piece, font, size, width)
    return RunningHeader(tuple(lines), size, font, color, rule)


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Greedy lines of `text` at most `width` wide, broken at plain spaces (a longer word has its own line)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines: list[str] = []
    for word in text.split(" "):
        if lines and stringWidth(lines[-1] + " " + word, font, size) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def draw_header(canvas: Canvas, g: Geometry, layout: Layout, header: RunningHeader) -> None:
    """The running header at the top of a consent page, with a rule under it."""
    left = g.offset + layout.margin_left
    right = g.offset + g.width - layout.margin_right
    top = g.offset + g.height - layout.margin_top
    canvas.saveState()
    canvas.setFont(header.font, header.size)
    canvas.setFillColor(header.color)
    y = top - header.size
    for line in header.lines:
        canvas.drawString(left, y, line)
        y -= header.leading
    rule_y = top - len(header.lines) * header.leading - header.size * 0.2
    canvas.setStrokeColor(header.rule)
    canvas.setLineWidth(0.5)
    canvas.line(left, rule_y, right, rule_y)
    canvas.restoreState()
