"""Laying out a filled handout as a PDF with ReportLab's Platypus."""

from __future__ import annotations

import copy
import io
from dataclasses import dataclass
from functools import lru_cache

from reportlab.lib.colors import HexColor
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
)
from reportlab.platypus.flowables import HRFlowable

from ..fill.filled import FilledHandout, FilledSection
from ..layouts import Layout
from ..load.brand import Brand, Logo
from .fonts import Fonts, register_family
from .markup import (
    CachedParagraph,
    escape,
    keep_room_for,
    markdown_flowables,
    shared_paragraph,
)
from .reuse import FontPlan, Recorder, paragraph_texts, recorder, text_state
from .styles import Styles, make_styles

BLEED = 3 * mm
# Crop marks sit outside the bleed, so the sheet needs a slug around it.
SLUG = 12 * mm
_TOTAL_FORM = "handouts-page-total"
_STATIC_FORM = "handouts-page-static"


def harden_reportlab() -> None:
    """Pin the ReportLab settings that safety relies on.

    They can be overridden from the environment (RL_toColorCanUse), a
    reportlab_settings.py on the path or ~/.reportlab_settings; set them here,
    before every render, rather than trusting whatever was loaded.
    """
    from reportlab import rl_config

    rl_config.toColorCanUse = None  # no eval of colour text at all
    rl_config.trustedHosts = []
    rl_config.trustedSchemes = []
    rl_config.allowShortPatterns = 0


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
    color: str

    @property
    def leading(self) -> float:
        return self.size * 1.35

    @property
    def height(self) -> float:
        """Room the footer takes above the bottom margin, rule included."""
        count = len(self.lines) + (0 if self.shared else 1)
        return (count - 1) * self.leading + self.size * 2.6


def layout_footer(parts: list[str], width: float, size: float, font: str, color: str) -> Footer:
    """Pack the footer's parts into as few lines as fit `width`.

    Large print cannot fit clinic, version and page number on one line.
    """
    from reportlab.pdfbase.pdfmetrics import stringWidth

    def fits(text: str, extra: float = 0) -> bool:
        return stringWidth(text, font, size) + extra <= width

    joined = " \u00b7 ".join(parts)
    label_room = stringWidth("Page 999 of 999", font, size) + size * 2
    if fits(joined, label_room):
        return Footer((joined,), True, size, font, color)
    lines: list[str] = []
    for part in parts:
        if lines and fits(lines[-1] + " \u00b7 " + part):
            lines[-1] += " \u00b7 " + part
        else:
            lines.append(part)
    return Footer(tuple(lines), False, size, font, color)


class _HandoutCanvas(Canvas):
    """Canvas that writes the page total once, as a form every footer uses,
    and replays paragraph drawings recorded for its font plan.

    'Page X of Y' needs Y before the last page exists. Drawing Y as a form
    XObject defined at save time keeps the build single-pass; a canvas that
    replays pages would break bookmark targets.
    """

    def __init__(self, *args, footer: Footer, static=None, recorder: Recorder | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self._footer = footer
        self._static = static
        self._recorder = recorder
        if recorder is not None:
            recorder.plan.apply(self._doc)

    def replay_drawing(self, drawings: dict, width: float, draw) -> None:
        """Draw a paragraph laid out at `width` from its recording, or record it first.

        `drawings` is the paragraph's own cache; `draw(canvas)` draws it.
        """
        recorder = self._recorder
        if recorder is None or text_state(self) != recorder.text_state():
            draw(self)
            return
        key = (recorder, width)
        if key in drawings:
            recording = drawings[key]
        else:
            recording = drawings[key] = recorder.record(draw)
        if recording is None:
            draw(self)
        else:
            recording.replay(self)

    def draw_shared_image(self, shared: SharedImage, x: float, y: float, width: float, height: float) -> None:
        """Draw an image whose PDF objects were made once per process.

        Does what drawImage does for an ImageReader, with fresh copies of
        the shared objects (a document marks the objects it registers).
        """
        doc = self._doc
        if not doc.hasForm(shared.name):
            image = copy.copy(shared.image)
            doc.Reference(image, doc.getXObjectName(shared.name))
            doc.addForm(shared.name, image)
            if shared.mask is not None:
                image.smask = doc.Reference(copy.copy(shared.mask), doc.getXObjectName(shared.mask.name))
        self._currentPageHasImages = 1  # as drawImage: the page lists the image procsets
        self.saveState()
        self.translate(x, y)
        self.scale(width, height)
        self.doForm(shared.name)
        self.restoreState()

    def save(self) -> None:
        if len(self._code):
            self.showPage()
        # What every page repeats is drawn once, as a form each page shows.
        self.beginForm(_STATIC_FORM)
        self._static(self)
        self.endForm()
        total = self.getPageNumber() - 1
        self.beginForm(_TOTAL_FORM)
        self.setFont(self._footer.font, self._footer.size)
        self.setFillColor(HexColor(self._footer.color))
        self.drawString(0, 0, str(total))
        self.endForm()
        super().save()


class _HandoutDoc(BaseDocTemplate):
    """Adds an outline entry for every flowable marked with one."""

    def afterFlowable(self, flowable: Flowable) -> None:
        title = getattr(flowable, "outline_title", None)
        if title:
            key = f"section-{self.page}-{len(self._outline_keys)}"
            self._outline_keys.append(key)
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(title, key, level=0, closed=False)


def render_pdf(filled: FilledHandout, *, brand: Brand, layout: Layout, creator: str,
               print_ready: bool = False, common: FilledHandout | None = None) -> tuple[bytes, int]:
    """Render one filled handout; returns the PDF bytes and its page count.

    `common` is the same handout filled for no reader in particular. Its
    text fixes the fonts' encoding (see render.reuse), so every document of
    a batch encodes the shared text alike and its drawings can be reused.
    Without it nothing is reused: every paragraph is drawn.
    """
    harden_reportlab()
    body_fonts = register_family(brand.body_font)
    heading_fonts = register_family(brand.heading_font) if brand.heading_font else body_fonts
    styles = _styles(layout, brand, body_fonts, heading_fonts)
    geometry = Geometry(layout.width, layout.height, SLUG if print_ready else 0.0, BLEED if print_ready else 0.0)
    footer = layout_footer(
        [brand.name, f"{filled.id} version {filled.version}", f"reviewed {filled.reviewed.isoformat()}"],
        layout.width - layout.margin_left - layout.margin_right,
        styles.footer_size, body_fonts.regular, brand.foreground,
    )
    buffer = io.BytesIO()
    doc = _HandoutDoc(
        buffer,
        pagesize=geometry.sheet,
        title=filled.title,
        author=brand.name,
        subject=filled.subtitle or f"Patient handout {filled.id}",
        keywords=f"{filled.id}; version {filled.version}; reviewed {filled.reviewed.isoformat()}",
        creator=creator,
        lang=filled.language,
        invariant=1,
        pageCompression=1,
        initialFontName=body_fonts.regular,
        initialFontSize=styles.body_size,
        trimBox=geometry.trim_box if print_ready else None,
        bleedBox=geometry.bleed_box if print_ready else None,
    )
    doc._outline_keys = []
    footer_height = footer.height + styles.footer_size
    frame = Frame(
        geometry.offset + layout.margin_left,
        geometry.offset + layout.margin_bottom + footer_height,
        layout.width - layout.margin_left - layout.margin_right,
        layout.height - layout.margin_top - layout.margin_bottom - footer_height,
        leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id="body",
    )

    def decorate(canvas: Canvas, _doc) -> None:
        _draw_page(canvas, geometry, layout, footer)

    def static(canvas: Canvas) -> None:
        _draw_static(canvas, geometry, layout, brand, footer, print_ready)

    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=decorate)])
    story = _story(filled, brand, styles, frame.width)
    shared = None
    if common is not None:
        # Not the handout's own text instead: a plan per document would
        # leave every shared paragraph holding a recording per document.
        plan = _font_plan(common, brand, styles, frame.width, footer)
        canvas_options = (("pagesize", geometry.sheet), ("invariant", 1), ("initialFontName", body_fonts.regular),
                          ("initialFontSize", styles.body_size), ("initialLeading", None))
        shared = recorder(plan, canvas_options)
    doc.build(story, canvasmaker=lambda *a, **k: _HandoutCanvas(*a, footer=footer, static=static,
                                                               recorder=shared, **k))
    return buffer.getvalue(), doc.page


@lru_cache(maxsize=8)
def _font_plan(common: FilledHandout, brand: Brand, styles: Styles, width: float, footer: Footer) -> FontPlan:
    texts = paragraph_texts(_story(common, brand, styles, width))
    texts += [(footer.font, line) for line in footer.lines]
    texts.append((footer.font, "Page 0123456789 of"))
    return FontPlan.of(texts)


def _draw_static(canvas: Canvas, g: Geometry, layout: Layout, brand: Brand, footer: Footer,
                 print_ready: bool) -> None:
    """What every page repeats: the top band, the footer rule and text, crop marks."""
    # A band of the brand colour along the top edge; with bleed it runs
    # past the trim so a guillotine never leaves a white sliver.
    band = 0.18 * 72
    canvas.setFillColor(HexColor(brand.primary))
    canvas.rect(g.offset - g.bleed, g.offset + g.height - band, g.width + 2 * g.bleed, band + g.bleed, stroke=0, fill=1)
    left = g.offset + layout.margin_left
    right = g.offset + g.width - layout.margin_right
    y = g.offset + layout.margin_bottom + (0 if footer.shared else footer.leading)
    top = y + (len(footer.lines) - 1) * footer.leading
    canvas.setStrokeColor(HexColor(brand.secondary))
    canvas.setLineWidth(0.5)
    canvas.line(left, top + footer.size * 1.6, right, top + footer.size * 1.6)
    canvas.setFont(footer.font, footer.size)
    canvas.setFillColor(HexColor(footer.color))
    for index, line in enumerate(footer.lines):
        line_y = top - index * footer.leading
        if footer.shared:
            canvas.drawRightString(right, line_y, line)
        else:
            canvas.drawString(left, line_y, line)
    if print_ready:
        _crop_marks(canvas, g)


def _draw_page(canvas: Canvas, g: Geometry, layout: Layout, footer: Footer) -> None:
    """Per page: the shared static form, then 'Page X of ' and the total form."""
    canvas.saveState()
    canvas.doForm(_STATIC_FORM)
    y = g.offset + layout.margin_bottom
    left = g.offset + layout.margin_left
    label = f"Page {canvas.getPageNumber()} of "
    canvas.setFont(footer.font, footer.size)
    canvas.setFillColor(HexColor(footer.color))
    canvas.drawString(left, y, label)
    canvas.translate(left + canvas.stringWidth(label, footer.font, footer.size), y)
    canvas.doForm(_TOTAL_FORM)
    canvas.restoreState()


def _crop_marks(canvas: Canvas, g: Geometry) -> None:
    canvas.saveState()
    canvas.setStrokeColorRGB(0, 0, 0)
    canvas.setLineWidth(0.25)
    x0, y0, x1, y1 = g.trim_box
    gap, length = g.bleed, g.offset - g.bleed - 1 * mm
    for x, y, dx, dy in ((x0, y0, -1, -1), (x1, y0, 1, -1), (x0, y1, -1, 1), (x1, y1, 1, 1)):
        canvas.line(x + dx * gap, y, x + dx * (gap + length), y)
        canvas.line(x, y + dy * gap, x, y + dy * (gap + length))
    canvas.restoreState()


@lru_cache(maxsize=16)
def _styles(layout: Layout, brand: Brand, body: Fonts, headings: Fonts) -> Styles:
    # One Styles per look, so cached flowables below can key on it.
    return make_styles(layout, brand, body, headings)


class _Logo(Flowable):
    """The logo, its PDF image encoded once per process."""

    def __init__(self, image: SharedImage, width: float, height: float):
        super().__init__()
        self.image, self.width, self.height = image, width, height

    def wrap(self, availWidth, availHeight):  # noqa: N803 - ReportLab's signature
        return self.width, self.height

    def draw(self) -> None:
        draw = getattr(self.canv, "draw_shared_image", None)
        if draw is None:  # some other canvas: let ReportLab encode it
            self.canv.drawImage(self.image.reader, 0, 0, self.width, self.height, mask="auto")
        else:
            draw(self.image, 0, 0, self.width, self.height)


@dataclass(frozen=True)
class SharedImage:
    """An image's PDF objects, compressed once and copied into each document.

    ReportLab's drawImage compresses the pixels again for every document
    (3.4 of 22 ms for the demo logo); these are the objects it would make,
    named as it names them, so the output is the same byte for byte.
    """

    reader: object
    name: str
    image: object  # a PDFImageXObject, never registered with a document itself
    mask: object | None  # its soft mask (alpha), likewise


def _share_image(reader) -> SharedImage:
    from reportlab.lib.utils import _digester
    from reportlab.pdfbase.pdfdoc import PDFImageXObject

    pixels = reader.getRGBData()  # also splits off the alpha channel, as _dataA
    alpha = reader._dataA
    name = _digester(pixels + (alpha.getRGBData() if alpha else b"auto"))
    image = PDFImageXObject(name, reader, mask="auto")
    mask = vars(image).pop("_smask", None)
    return SharedImage(reader, name, image, mask)


# Print resolution: logos are resampled down to this at their printed size.
LOGO_DPI = 300


@lru_cache(maxsize=8)
def _shared_logo(path: str, width: float, height: float) -> SharedImage:
    """The logo decoded once per process and resampled to 300 dpi at its printed size.

    A larger source adds nothing on paper but costs every document its
    decoding and compression (9 of 35 ms for the demo's 600 px logo).
    """
    from PIL import Image as PILImage
    from reportlab.lib.utils import ImageReader

    with PILImage.open(path) as source:
        image = source.convert("RGBA") if source.mode in ("P", "LA", "PA") else source.copy()
    target = (max(1, round(width / 72 * LOGO_DPI)), max(1, round(height / 72 * LOGO_DPI)))
    if image.width > target[0] and image.height > target[1]:
        image = image.resize(target, PILImage.LANCZOS)
    return _share_image(ImageReader(image))


def _heading(text: str, style, outline: bool = True) -> Paragraph:
    paragraph = copy.copy(shared_paragraph(escape(text), style))
    if outline:
        paragraph.outline_title = text
    return paragraph


def logo_box(logo: Logo, body_size: float, width: float) -> tuple[float, float]:
    """Printed width and height of the logo, in points, on a page `width` wide."""
    height = min(body_size * 5.5, 1.1 * 72)
    logo_width = height * logo.width_px / logo.height_px
    if logo_width > width * 0.35:
        logo_width = width * 0.35
        height = logo_width * logo.height_px / logo.width_px
    return logo_width, height


class _Band(Flowable):
    """The cover's brand block: logo beside the clinic's name and contacts, on the primary colour.

    The same for every document of a brand, so it is built once and copied;
    drawn directly rather than as a Table, which costs more to lay out.
    """

    def __init__(self, logo: Flowable | None, lines: list[Paragraph], color: str, pad: float):
        super().__init__()
        self.logo, self.lines, self.color, self.pad = logo, lines, color, pad

    def nested_flowables(self) -> list[Flowable]:
        """The paragraphs drawn inside the band."""
        return list(self.lines)

    def _text_x(self) -> float:
        return self.pad + (self.logo.width + 2 * self.pad if self.logo else 0)

    def wrap(self, availWidth, availHeight):  # noqa: N803 - ReportLab's signature
        text_width = availWidth - self._text_x() - self.pad
        self._text_height = 0.0
        for index, line in enumerate(self.lines):
            self._text_height += line.wrap(text_width, availHeight)[1]
            if index < len(self.lines) - 1:
                self._text_height += line.getSpaceAfter()
        inner = max(self._text_height, self.logo.height if self.logo else 0)
        self.width, self.height = availWidth, inner + 2 * self.pad
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        canvas.setFillColor(HexColor(self.color))
        canvas.rect(0, 0, self.width, self.height, stroke=0, fill=1)
        if self.logo:
            self.logo.drawOn(canvas, self.pad, (self.height - self.logo.height) / 2)
        y = (self.height + self._text_height) / 2
        for line in self.lines:
            y -= line.height
            line.drawOn(canvas, self._text_x(), y)
            y -= line.getSpaceAfter()


@lru_cache(maxsize=8)
def _band(brand: Brand, styles: Styles, width: float) -> _Band:
    contact = [c for c in (brand.address, brand.phone, brand.email, brand.link) if c]
    lines = [CachedParagraph(escape(brand.name), styles.cover_name)]
    lines += [CachedParagraph(escape(line), styles.cover_contact) for line in contact]
    logo = None
    if brand.logo is not None:
        logo_width, logo_height = logo_box(brand.logo, styles.body_size, width)
        image = _shared_logo(str(brand.logo.path), round(logo_width, 2), round(logo_height, 2))
        logo = _Logo(image, logo_width, logo_height)
    return _Band(logo, lines, brand.primary, styles.body_size * 0.8)


def _cover(filled: FilledHandout, brand: Brand, styles: Styles, width: float) -> list[Flowable]:
    story: list[Flowable] = [copy.copy(_band(brand, styles, width)), _heading(filled.title, styles.title, outline=False)]
    if filled.subtitle:
        story.append(copy.copy(shared_paragraph(escape(filled.subtitle), styles.subtitle)))
    readers = []
    if filled.patient_name:
        readers.append(f"<b>Prepared for:</b> {escape(filled.patient_name)}")
    if filled.provider_name:
        who = filled.provider_name + (f", {filled.provider_credentials}" if filled.provider_credentials else "")
        phone = f" \u00b7 {filled.provider_phone}" if filled.provider_phone else ""
        readers.append(f"<b>Your provider:</b> {escape(who + phone)}")
    story += [Paragraph(line, styles.reader) for line in readers]
    story.append(HRFlowable(width="100%", thickness=1, color=HexColor(brand.secondary),
                            spaceBefore=styles.body_size * 0.4, spaceAfter=styles.body_size * 0.2))
    return story


def _copies(prototypes: tuple[Flowable, ...]) -> list[Flowable]:
    """Fresh shallow copies: layout marks flowables (split state, canvas),
    so a cached prototype is never laid out itself; the copies share its
    parsed text and remembered line breaks."""
    return [copy.copy(f) for f in prototypes]


# Small on purpose: sections that name the provider differ per document and
# fall out quickly, while the shared ones are used by every document and stay.
@lru_cache(maxsize=32)
def _section_prototypes(section: FilledSection, styles: Styles) -> tuple[Flowable, ...]:
    return tuple(_section(section, styles))


@lru_cache(maxsize=8)
def _markdown_prototypes(text: str, styles: Styles) -> tuple[Flowable, ...]:
    return tuple(markdown_flowables(text, styles.markdown))


def _section(section: FilledSection, styles: Styles) -> list[Flowable]:
    story: list[Flowable] = [keep_room_for(styles.body, styles.heading, styles.subheading),
                             _heading(section.title, styles.heading)]
    story += markdown_flowables(section.body, styles.markdown)
    if section.references:
        story.append(Paragraph("<b>Sources</b>", styles.small))
        for number, ref in enumerate(section.references, start=1):
            parts = []
            if ref.text:
                parts.append(escape(ref.text))
            if ref.url:
                parts.append(f'<link href="{escape(ref.url)}">{escape(ref.url)}</link>')
            story.append(CachedParagraph(" ".join(parts), styles.reference, bulletText=f"{number}."))
    return story


class _Signatures(Flowable):
    """Signature and date lines for the patient and the provider, with printed names."""

    def __init__(self, rows: list[tuple[Paragraph, Paragraph, Paragraph]], size: float):
        super().__init__()
        self.rows, self.size = rows, size

    def wrap(self, availWidth, availHeight):  # noqa: N803 - ReportLab's signature
        self.width = availWidth
        self._date_x = availWidth * 0.68
        self.height = 0.0
        for index, (label, date, printed) in enumerate(self.rows):
            label.wrap(self._date_x - self.size, availHeight)
            date.wrap(availWidth - self._date_x, availHeight)
            printed.wrap(availWidth, availHeight)
            self.height += self._row_height(label, printed) + (self.size * 1.5 if index else 0)
        return self.width, self.height

    def nested_flowables(self) -> list[Flowable]:
        """The paragraphs drawn inside the block."""
        return [paragraph for row in self.rows for paragraph in row]

    def _row_height(self, label: Paragraph, printed: Paragraph) -> float:
        # label, room to sign, the rule, a little air, the printed name
        return label.height + self.size * 1.8 + self.size * 0.4 + printed.height

    def draw(self) -> None:
        canvas = self.canv
        y = self.height
        canvas.setStrokeColorRGB(0, 0, 0)
        canvas.setLineWidth(0.8)
        for index, (label, date, printed) in enumerate(self.rows):
            if index:
                y -= self.size * 1.5
            y -= label.height
            label.drawOn(canvas, 0, y)
            date.drawOn(canvas, self._date_x, y)
            y -= self.size * 1.8
            canvas.line(0, y, self.width * 0.62, y)
            canvas.line(self._date_x, y, self.width, y)
            y -= self.size * 0.4 + printed.height
            printed.drawOn(canvas, 0, y)


def _signature_block(filled: FilledHandout, styles: Styles, width: float) -> Flowable:
    provider = filled.provider_name and (
        filled.provider_name + (f", {filled.provider_credentials}" if filled.provider_credentials else ""))
    rows = []
    for label, printed in (("Patient", filled.patient_name), ("Provider", provider)):
        rows.append((
            copy.copy(shared_paragraph(f"<b>{label} signature</b>", styles.small)),
            copy.copy(shared_paragraph("<b>Date</b>", styles.small)),
            Paragraph(f"Printed name: {escape(printed) if printed else ''}", styles.small),
        ))
    return _Signatures(rows, styles.body_size)


def _story(filled: FilledHandout, brand: Brand, styles: Styles, width: float) -> list[Flowable]:
    story = _cover(filled, brand, styles, width)
    for section in filled.sections:
        story += _copies(_section_prototypes(section, styles))
    # The disclosure always starts a page of its own, whatever came before.
    story.append(PageBreak())
    story += _copies(_section_prototypes(filled.disclosure, styles))
    closing: list[Flowable] = [Spacer(0, styles.body_size * 0.5)]
    if filled.acknowledgment:
        closing += _copies(_markdown_prototypes(filled.acknowledgment, styles))
    closing.append(Spacer(0, styles.body_size))
    closing.append(_signature_block(filled, styles, width))
    story.append(KeepTogether(closing))
    return story
