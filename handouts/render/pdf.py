"""Laying out a filled handout as a PDF with ReportLab's Platypus."""

from __future__ import annotations

import copy
import io
from dataclasses import dataclass, replace
from functools import lru_cache

from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    PageTemplate,
)
from reportlab.platypus.doctemplate import LayoutError as ReportLabLayoutError

from ..errors import Problem, RenderError, display_path
from ..fill.filled import FilledHandout
from ..layouts import Layout
from ..load.brand import Brand
from ..load.outbound import link_problem
from .figures import FloatingPictures
from .fonts import Fonts, register_family
from .images import SharedImage
from .inks import Palette, palette, press_only
from .page import (
    BLEED,
    SLUG,
    STATIC_FORM,
    TOTAL_FORM,
    Footer,
    Geometry,
    draw_header,
    draw_page,
    draw_static,
    layout_footer,
    RunningHeader,
    layout_header,
)
from .reuse import FontPlan, Recorder, paragraph_texts, recorder, text_state
from .rlprivate import remake_document
from .sharing import document_number
from .story import build_story, signed_page
from .styles import Styles, make_styles
from .tagging import Structure, artifact
from .textmarks import Decorations
from .writer import TaggedDocument


def harden_reportlab() -> None:
    """Pin the ReportLab settings that safety and the output's bytes rely on.

    They can be overridden from the environment (RL_toColorCanUse), a
    reportlab_settings.py on the path or ~/.reportlab_settings; set them here,
    before every render, rather than trusting whatever was loaded.
    """
    from reportlab import rl_config

    rl_config.toColorCanUse = None  # no eval of colour text at all
    rl_config.trustedHosts = []
    rl_config.trustedSchemes = []
    rl_config.allowShortPatterns = 0
    # Binary streams, not ASCII85 text: ReportLab's default wraps every
    # compressed stream in ASCII85, a quarter larger (the bundled handout:
    # 765 KB against 639 KB, the knee picture most of it) and encoded again
    # for every document, for 7-bit channels no PDF travels over today (an
    # e-mail attachment is base64 anyway). Pinned, so RL_useA85 in someone's
    # environment cannot change the bytes.
    rl_config.useA85 = 0


class _HandoutCanvas(Decorations, Canvas):
    """Canvas that writes the page total once, as a form every footer uses,
    replays paragraph drawings recorded for its font plan, and tags what
    it draws (render.tagging).

    'Page X of Y' needs Y before the last page exists. Drawing Y as a form
    XObject defined at save time keeps the build single-pass; a canvas that
    replays pages would break bookmark targets.
    """

    def __init__(self, *args, footer: Footer, static=None, recorder: Recorder | None = None,
                 metadata: dict | None = None, **kwargs):
        # PDF/UA-1 is built on PDF 1.7 (ISO 32000-1); ReportLab writes 1.4 unless told.
        kwargs.setdefault("pdfVersion", (1, 7))
        super().__init__(*args, **kwargs)
        # The same document, made by a subclass that writes the structure
        # elements without ReportLab's per-object cost.
        remake_document(self, TaggedDocument, args, kwargs)
        self._footer = footer
        self._static = static
        self._recorder = recorder
        self._metadata = metadata or {}
        self.structure = Structure(self)
        if recorder is not None:
            recorder.plan.apply(self._doc)

    # A paragraph's text objects hold marks around its links' words (render.textmarks).
    resolves_text_marks = True

    def drawText(self, aTextObject) -> None:  # noqa: N802, N803 - ReportLab's names
        self._code.append(self.structure.mark_text(str(aTextObject.getCode())))

    def draw_parts(self, parts) -> None:
        """Put a recording's parts on the page: (is a text object, operators), each text object
        marked as drawText marks one."""
        code, mark_text = self._code, self.structure.mark_text
        for is_text, operators in parts:
            code.append(mark_text(operators) if is_text else operators)

    def linkURL(self, url, rect, relative=0, thickness=0, color=None, dashArray=None, kind="URI", **kw):  # noqa: N802, N803
        """A link annotation that a Link structure element owns, described by its address.

        Every link is checked where its markup is made; this is the last
        place before the annotation, so a link the rule refuses is a bug.
        """
        from reportlab.pdfbase.pdfdoc import PDFString

        problem = link_problem(url)
        if problem:
            raise ValueError(f"a link that {problem} reached the PDF")

        kw.setdefault("Contents", PDFString(url))
        count = len(self._annotationrefs)
        kw["StructParent"] = self.structure.reserve_key()
        super().linkURL(url, rect, relative, thickness, color, dashArray, kind, **kw)
        assert len(self._annotationrefs) == count + 1
        self.structure.link(self._annotationrefs[-1], kw["StructParent"], url)

    def showPage(self) -> None:  # noqa: N802 - ReportLab's name
        annotated = bool(self._annotationrefs)
        super().showPage()
        self.structure.end_page(self._doc.Pages.pages[-1], annotated)

    def replay_drawing(self, drawings: dict, width: float, draw) -> None:
        """Draw a paragraph laid out at `width` from its recording, or record it first.

        `drawings` is the paragraph's own cache; `draw(canvas)` draws it.
        """
        recorder = self._recorder
        if recorder is None:
            draw(self)
            return
        state = text_state(self)
        key = (recorder, width, state)
        if key in drawings:
            recording = drawings[key]
        elif drawings.setdefault("first document", document_number()) == document_number():
            # Recorded when a second document draws it: a reader's own paragraphs never are.
            draw(self)
            return
        else:
            recording = drawings[key] = recorder.record(draw, state)
        if recording is None:
            draw(self)
        else:
            recording.replay(self)

    def recorded(self, drawings: dict, width: float):
        """A paragraph's recording for `width` and this page's text state, if made (see replay_drawing)."""
        recorder = self._recorder
        return None if recorder is None else drawings.get((recorder, width, text_state(self)))

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
        self.beginForm(STATIC_FORM)
        self._static(self)
        self.endForm()
        total = self.getPageNumber() - 1
        self.beginForm(TOTAL_FORM)
        self.setFont(self._footer.font, self._footer.size)
        self.setFillColor(self._footer.color)
        self.drawString(0, 0, str(total) + self._footer.page_after.format(page=""))
        self.endForm()
        self.structure.finish(self._doc.Catalog, **self._metadata)
        self.showOutline()  # bookmarks open: the outline is the handout's table of contents
        self.setViewerPreference("DisplayDocTitle", "true")
        super().save()


class _HandoutDoc(FloatingPictures, BaseDocTemplate):
    """Adds an outline entry for every flowable marked with one; floats pictures (render.figures)."""

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
    sheet = _sheet(filled, brand, layout, print_ready)
    body_fonts, styles, geometry, text = sheet.body_fonts, sheet.styles, sheet.geometry, filled.messages
    colors = sheet.colors
    footer, frame, header, consent_frame = sheet.footer, sheet.frame, sheet.header, sheet.consent_frame
    buffer = io.BytesIO()
    doc = _HandoutDoc(
        buffer,
        pagesize=geometry.sheet,
        title=filled.title,
        author=brand.name,
        subject=filled.subtitle or text.format("subject", id=filled.id, title=filled.title),
        keywords=f"{filled.id}; version {filled.version}; reviewed {filled.reviewed.isoformat()}",
        creator=creator,
        lang=filled.language,
        invariant=1,
        pageCompression=1,
        initialFontName=body_fonts.regular,
        initialFontSize=styles.body_size,
        trimBox=geometry.trim_box if print_ready else None,
        bleedBox=geometry.bleed_box if print_ready else None,
        # Print-ready: a colour that is not CMYK, grey or a separation is a
        # bug, and ReportLab raises rather than let it reach the press.
        enforceColorSpace=press_only if print_ready else None,
    )
    doc._outline_keys = []
    def decorate(canvas: Canvas, _doc) -> None:
        with artifact(canvas, "Pagination"):
            draw_page(canvas, geometry, layout, footer, colors.registration if print_ready else None)

    def decorate_consent(canvas: Canvas, _doc) -> None:
        # The header first: in content order all page furniture comes before
        # the page's own text, as extractors (and the tagging tests) expect.
        with artifact(canvas, "Pagination"):
            draw_header(canvas, geometry, layout, header)
        decorate(canvas, _doc)

    def static(canvas: Canvas) -> None:
        draw_static(canvas, geometry, layout, colors, footer)

    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=decorate),
                          PageTemplate(id="consent", frames=[consent_frame], onPage=decorate_consent)])
    story = build_story(filled, brand, styles, frame.width, frame.height)
    shared = None
    if common is not None:
        # Not the handout's own text instead: a plan per document would
        # leave every shared paragraph holding a recording per document.
        plan = _font_plan(common, brand, styles, frame.width, footer)
        canvas_options = (("pagesize", geometry.sheet), ("invariant", 1), ("initialFontName", body_fonts.regular),
                          ("initialFontSize", styles.body_size), ("initialLeading", None),
                          ("enforceColorSpace", press_only if print_ready else None))
        shared = recorder(plan, canvas_options)
    metadata = dict(title=filled.title, lang=filled.language,
                    info=dict(author=brand.name, subject=doc.subject, keywords=doc.keywords, creator=creator,
                              producer="ReportLab PDF Library - www.reportlab.com"))
    try:
        doc.build(story, canvasmaker=lambda *a, **k: _HandoutCanvas(*a, footer=footer, static=static,
                                                                   recorder=shared, metadata=metadata, **k))
    except ReportLabLayoutError:
        # One block (a heading with its first lines, the signature box) is
        # taller than the page's text area: the layout is too small for it.
        raise _too_small(layout, frame) from None
    data = buffer.getvalue()
    if print_ready:
        from .press import finish_for_press

        data = finish_for_press(data)
    return data, doc.page



@dataclass(frozen=True)
class _Sheet:
    """A handout's page furniture in one layout: fonts, styles, footer, header and frames."""

    body_fonts: Fonts
    colors: Palette
    styles: Styles
    geometry: Geometry
    footer: Footer
    frame: Frame
    header: RunningHeader
    consent_frame: Frame


def _sheet(filled: FilledHandout, brand: Brand, layout: Layout, print_ready: bool) -> _Sheet:
    body_fonts = register_family(brand.body_font)
    heading_fonts = register_family(brand.heading_font) if brand.heading_font else body_fonts
    colors = palette(brand, print_ready)
    styles = styles_for(layout, brand, body_fonts, heading_fonts, colors)
    geometry = Geometry(layout.width, layout.height, SLUG if print_ready else 0.0, BLEED if print_ready else 0.0)
    text = filled.messages
    version = text.format("footer_version", id=filled.id, version=filled.version)
    reviewed = text.format("footer_reviewed", reviewed=text.date(filled.reviewed))
    footer = layout_footer(
        [*([brand.name] if brand.name else []), version, reviewed],
        layout.width - layout.margin_left - layout.margin_right,
        styles.footer_size, body_fonts.regular, colors.ink, text["page"],
        # The clinic's name is on the cover; the version identifies a page.
        shorter=((version, reviewed), (version,)),
        # On the narrow measure of letter and A4, two lines keep every part;
        # large print keeps its text's room.
        lines_for_all=1 if layout.min_body_size >= 14 else 2,
    )
    footer_height = footer.height + styles.footer_size
    if layout.footer_in_margin:
        # Into the bottom margin, its rule just below the text, when it stays
        # a quarter inch (what office printers cannot print) off the edge.
        drop = footer.height - 0.7 * footer.size
        if layout.margin_bottom - drop >= 18 + 0.3 * footer.size:
            footer, footer_height = replace(footer, drop=drop), 0.0
    frame = Frame(
        geometry.offset + layout.margin_left,
        geometry.offset + layout.margin_bottom + footer_height,
        layout.width - layout.margin_left - layout.margin_right,
        layout.height - layout.margin_top - layout.margin_bottom - footer_height,
        leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id="body",
    )

    # From the risk disclosure on, every page says whose consent it is and
    # for which handout: a signed sheet separated from the rest still does.
    header_parts = [text.format("consent_header", title=filled.title, version=filled.version)]
    if filled.patient_name:
        header_parts.append(text.format("consent_patient", name=filled.patient_name))
    header = layout_header(header_parts, frame.width, styles.footer_size, body_fonts.regular,
                           colors.ink, colors.secondary)
    consent_frame = Frame(
        frame.x1, frame.y1, frame.width, frame.height - header.height,
        leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id="consent",
    )

    return _Sheet(body_fonts, colors, styles, geometry, footer, frame, header, consent_frame)


def consent_overflow(filled: FilledHandout, *, brand: Brand, layout: Layout) -> float:
    """How many points the signed page's content runs over one consent page (0 when it fits).

    They are kept together on the page the patient signs; a group taller
    than a page cannot be, which lint reports as an error.
    """
    from .rlprivate import list_wrap_on

    harden_reportlab()
    sheet = _sheet(filled, brand, layout, False)
    closing = signed_page(filled, sheet.styles, sheet.frame.width)
    # Where the signature lines alone do not fit, no wording can: the layout
    # is too small, as rendering would find (not the acknowledgment too long).
    _, signatures = closing[-1].wrap(sheet.frame.width, sheet.frame.height)
    if signatures > sheet.consent_frame.height:
        raise _too_small(layout, sheet.frame)
    _, height = list_wrap_on(closing, sheet.frame.width, None)
    return max(0.0, height - sheet.consent_frame.height)


def _too_small(layout: Layout, frame: Frame) -> RenderError:
    """The layout's text area cannot hold one block of the handout (a heading's start, the signature lines)."""
    return RenderError([Problem(display_path(layout.path), None,
                                f"the content does not fit in this layout's text area ({frame.width:.0f} x "
                                f"{frame.height:.0f} pt); use a larger page, smaller margins or a smaller body_size")])

@lru_cache(maxsize=8)
def _font_plan(common: FilledHandout, brand: Brand, styles: Styles, width: float, footer: Footer) -> FontPlan:
    texts = paragraph_texts(build_story(common, brand, styles, width))
    texts += [(footer.font, line) for line in footer.lines]
    texts.append((footer.font, footer.page_before.format(page="0123456789") + footer.page_after.format(page="")))
    return FontPlan.of(texts)


@lru_cache(maxsize=16)
def styles_for(layout: Layout, brand: Brand, body: Fonts, headings: Fonts, colors: Palette) -> Styles:
    # One Styles per look, so cached flowables below can key on it.
    return make_styles(layout, brand, body, headings, colors)


