"""The handout as a Platypus story: cover band, sections, risk disclosure and signatures."""

from __future__ import annotations

import copy
from functools import lru_cache

from reportlab.lib.colors import Color
from reportlab.platypus import (
    Flowable,
    NextPageTemplate,
    PageBreak,
    Paragraph,
    Spacer,
)

from ..fill.catalog import logo_alt
from ..fill.filled import FilledHandout, FilledSection
from ..load.brand import Brand
from ..load.logo import place_logo
from ..load.outbound import safe_link
from .addresses import mark_address
from .body import markdown_flowables
from .consent import DecisionBoxes, WriteInLines
from .copies import twin
from .figures import FlushPictures
from .images import LogoFlowable, shared_logo
from .keeping import KeepRoom, SignedPage, keep_tail, link_headings
from ..layouts.logosize import logo_box
from .markup import (
    CachedParagraph,
    TaggedParagraph,
    escape,
    plain_markup,
    shared_paragraph,
)
from .notes import write_in_lines
from .styles import Styles
from .tagging import ArtifactRule, TaggedFlowable, artifact, tag


def _heading(text: str, style, role: str, outline: bool = True) -> Paragraph:
    paragraph = tag(copy.copy(shared_paragraph(plain_markup(text), style)), role)
    if outline:
        paragraph.outline_title = text
    return paragraph


class _Band(Flowable):
    """The cover's brand block: logo beside the clinic's name and contacts, on the primary colour.

    The same for every document of a brand, so it is built once and copied;
    drawn directly rather than as a Table, which costs more to lay out.
    """

    def __init__(self, logo: Flowable | None, lines: list[Paragraph], color: Color, pad: float,
                 panel: Color | None = None, decorative_logo: bool = False):
        super().__init__()
        self.logo, self.lines, self.color, self.pad, self.panel = logo, lines, color, pad, panel
        # A logo that shows on neither variant against the band sits on a
        # panel (white) with a margin of its own around it.
        self.panel_pad = pad * 0.5 if panel is not None and logo is not None else 0.0
        # The clinic's name printed beside the logo says what it would: the
        # logo is then decoration, which a screen reader skips.
        self.decorative_logo = decorative_logo

    def nested_flowables(self) -> list[Flowable]:
        """The paragraphs drawn inside the band."""
        return list(self.lines)

    def _text_x(self) -> float:
        return self.pad + (self.logo.width + 2 * self.panel_pad + 2 * self.pad if self.logo else 0)

    def wrap(self, availWidth, availHeight):  # noqa: N803 - ReportLab's signature
        text_width = availWidth - self._text_x() - self.pad
        self._text_height = 0.0
        for index, line in enumerate(self.lines):
            self._text_height += line.wrap(text_width, availHeight)[1]
            if index < len(self.lines) - 1:
                self._text_height += line.getSpaceAfter()
        inner = max(self._text_height, self.logo.height + 2 * self.panel_pad if self.logo else 0)
        self.width, self.height = availWidth, inner + 2 * self.pad
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        with artifact(canvas):
            canvas.setFillColor(self.color)
            canvas.rect(0, 0, self.width, self.height, stroke=0, fill=1)
        if self.logo:
            bottom = (self.height - self.logo.height) / 2
            if self.panel is not None:
                with artifact(canvas):
                    canvas.setFillColor(self.panel)
                    canvas.roundRect(self.pad, bottom - self.panel_pad, self.logo.width + 2 * self.panel_pad,
                                     self.logo.height + 2 * self.panel_pad, self.panel_pad, stroke=0, fill=1)
            if self.decorative_logo:
                with artifact(canvas):
                    self.logo.drawOn(canvas, self.pad + self.panel_pad, bottom)
            else:
                self.logo.drawOn(canvas, self.pad + self.panel_pad, bottom)
        y = (self.height + self._text_height) / 2
        for line in self.lines:
            y -= line.height
            line.drawOn(canvas, self._text_x(), y)
            y -= line.getSpaceAfter()


@lru_cache(maxsize=8)
def _band(brand: Brand, styles: Styles, width: float, alt: str) -> _Band:
    contact = [c for c in (brand.address, brand.phone, brand.email, brand.link) if c]
    # brand.yml's meta is optional: without a name the band shows the logo and contacts.
    lines = [CachedParagraph(plain_markup(brand.name), styles.cover_name)] if brand.name else []
    lines += [CachedParagraph(plain_markup(line), styles.cover_contact) for line in contact]
    logo = panel = None
    if brand.logo is not None:
        # The variant that shows on the band (light or dark), on a panel when neither does.
        placed = place_logo(brand.logo, brand.primary, brand.background, brand.foreground)
        logo_width, logo_height = logo_box(placed.file, styles.body_size, width)
        image = shared_logo(placed.file, round(logo_width, 2), round(logo_height, 2), styles.colors.press)
        logo = LogoFlowable(image, logo_width, logo_height)
        # Without the name beside it, a screen reader says what the logo
        # shows; lint asks for the text.
        tag(logo, "Figure", alt=alt)
        panel = styles.colors.convert(placed.panel) if placed.panel else None
    return _Band(logo, lines, styles.colors.primary, styles.body_size * 0.8, panel, decorative_logo=bool(brand.name))


def _cover(filled: FilledHandout, brand: Brand, styles: Styles, width: float) -> list[Flowable]:
    story: list[Flowable] = [copy.copy(_band(brand, styles, width, logo_alt(brand, filled.messages))),
                             _heading(filled.title, styles.title, "H1", outline=False)]
    if filled.subtitle:
        story.append(tag(copy.copy(shared_paragraph(plain_markup(filled.subtitle), styles.subtitle)), "P"))
    readers = []
    if filled.patient_name:
        readers.append(f"<b>{escape(filled.messages['prepared_for'])}</b> {escape(filled.patient_name)}")
    if filled.provider_name:
        who = filled.provider_name + (f", {filled.provider_credentials}" if filled.provider_credentials else "")
        phone = f" \u00b7 {filled.provider_phone}" if filled.provider_phone else ""
        readers.append(f"<b>{escape(filled.messages['your_provider'])}</b> {plain_markup(who + phone)}")
    # Cached paragraphs, which set the marked addresses; the phone number is one word.
    story += [CachedParagraph(line, styles.reader) for line in readers]
    story.append(ArtifactRule(width="100%", thickness=1, color=styles.colors.secondary,
                            spaceBefore=styles.body_size * 0.4, spaceAfter=styles.body_size * 0.2))
    return story


def _copies(prototypes: tuple[Flowable, ...]) -> list[Flowable]:
    """Fresh shallow copies: layout marks flowables (split state, canvas),
    so a cached prototype is never laid out itself; the copies share its
    parsed text and remembered line breaks."""
    return [twin(f) for f in prototypes]


# Small on purpose: sections that name the provider differ per document and
# fall out quickly, while the shared ones are used by every document and stay.
@lru_cache(maxsize=32)
def _section_prototypes(section: FilledSection, styles: Styles, sources: str,
                        write_in: str = "") -> tuple[Flowable, ...]:
    return tuple(_section(section, styles, sources, write_in))


@lru_cache(maxsize=8)
def _markdown_prototypes(text: str, styles: Styles) -> tuple[Flowable, ...]:
    return tuple(markdown_flowables(text, styles.markdown))


def _section(section: FilledSection, styles: Styles, sources: str, write_in: str = "") -> list[Flowable]:
    heading = _heading(section.title, styles.heading, "H2")
    story: list[Flowable] = [KeepRoom(heads=(heading,)), heading]
    story += markdown_flowables(section.body, styles.markdown, section.pictures)
    if section.write_in:
        story += write_in_lines(write_in, section.write_in, styles.body, styles.body_size)
    if section.references:
        # The label keeps its first references with it (render.keeping). It
        # heads the list, so it is a heading (H3, under the section's H2).
        label = tag(TaggedParagraph(f"<b>{escape(sources)}</b>", styles.small), "H3")
        story += [KeepRoom(heads=(label,)), label]
        source_list = ("L", object())
        for number, ref in enumerate(section.references, start=1):
            parts = []
            if ref.text:
                parts.append(plain_markup(ref.text))
            if safe_link(ref.url):  # checked when the section was loaded, and by the one rule here
                parts.append(f'<link href="{escape(ref.url)}">{escape(mark_address(ref.url))}</link>')
            elif ref.url:
                parts.append(escape(mark_address(ref.url)))
            story.append(tag(CachedParagraph(" ".join(parts), styles.reference, bulletText=f"{number}."), "LI",
                             parents=(source_list,), text_roles=("Lbl", "LBody"), lang=ref.language))
    link_headings(story)
    # Everything the section prints is one Sect, headed by its H2.
    _within(story, ("Sect", object()))
    return story


def disclosure_section(flowables: list[Flowable]) -> tuple[str, object]:
    """The structure group (Sect) a section's flowables sit in."""
    return next(f.pdf_parents[0] for f in flowables if isinstance(f, TaggedFlowable))


def _within(flowables: list[Flowable], group: tuple[str, object]) -> None:
    """Put tagged flowables (copies the caller owns) inside the structure group `group`."""
    for flowable in flowables:
        if isinstance(flowable, TaggedFlowable):
            flowable.pdf_parents = (group, *flowable.pdf_parents)


class _Signatures(TaggedFlowable, Flowable):
    """Signature and date lines for the patient and the provider, with printed names.

    One Div in the structure tree: its labels ("Patient signature",
    "Date", "Printed name") say what each line is for; the lines themselves
    are artifacts. A name not printed gets a line to print it on by hand,
    beside its label.
    """

    pdf_role = "Div"
    pdf_group = True

    def __init__(self, rows: list[tuple[Paragraph, Paragraph, Paragraph, bool]], size: float):
        super().__init__()
        self.rows, self.size = rows, size
        # Room above a signature line to sign (at least 0.4 in), and above a
        # printed-name line to print a name by hand.
        self._sign = max(size * 1.6, 29.0)
        self._by_hand = size * 0.8

    def wrap(self, availWidth, availHeight):  # noqa: N803 - ReportLab's signature
        self.width = availWidth
        self._date_x = availWidth * 0.68
        self.height = 0.0
        for index, (label, date, printed, _) in enumerate(self.rows):
            label.wrap(self._date_x - self.size, availHeight)
            date.wrap(availWidth - self._date_x, availHeight)
            printed.wrap(availWidth, availHeight)
            self.height += self._row_height(self.rows[index]) + (self.size * 0.9 if index else 0)
        return self.width, self.height

    def nested_flowables(self) -> list[Flowable]:
        """The paragraphs drawn inside the block."""
        return [paragraph for row in self.rows for paragraph in row[:3]]

    def _row_height(self, row) -> float:
        label, _, printed, by_hand = row
        # label, room to sign, the rule, a little air, the printed name
        # (with room above it to print the name by hand when it is not printed)
        return label.height + self._sign + self.size * 0.3 + printed.height + (self._by_hand if by_hand else 0)

    def draw(self) -> None:
        canvas = self.canv
        y = self.height
        canvas.setStrokeColorRGB(0, 0, 0)
        canvas.setLineWidth(0.8)
        for index, (label, date, printed, by_hand) in enumerate(self.rows):
            if index:
                y -= self.size * 0.9
            y -= label.height
            label.drawOn(canvas, 0, y)
            date.drawOn(canvas, self._date_x, y)
            y -= self._sign
            with artifact(canvas):
                canvas.line(0, y, self.width * 0.62, y)
                canvas.line(self._date_x, y, self.width, y)
            y -= self.size * 0.3 + printed.height + (self._by_hand if by_hand else 0)
            printed.drawOn(canvas, 0, y)
            if by_hand:
                # The rule runs from the label's end to the signature line's end
                # (or 3 inches on, in large print), level with the label's baseline.
                start = printed.getActualLineWidths0()[0] + self.size * 0.4
                baseline = y + printed.height - printed.style.leading + printed.style.fontSize * 0.2
                with artifact(canvas):
                    # At least 3 inches to print a name, within the frame.
                    canvas.line(start, baseline, max(self.width * 0.62, min(start + 216, self.width)), baseline)


def _signature_block(filled: FilledHandout, styles: Styles, width: float) -> Flowable:
    provider = filled.provider_name and (
        filled.provider_name + (f", {filled.provider_credentials}" if filled.provider_credentials else ""))
    rows = []
    text = filled.messages
    for label, printed in ((text["patient_signature"], filled.patient_name),
                           (text["provider_signature"], provider)):
        rows.append((
            copy.copy(shared_paragraph(f"<b>{escape(label)}</b>", styles.small)),
            copy.copy(shared_paragraph(f"<b>{escape(text['date'])}</b>", styles.small)),
            TaggedParagraph(f"{escape(text['printed_name'])} {escape(printed) if printed else ''}", styles.small),
            not printed,
        ))
    return _Signatures(rows, styles.body_size)


def _decision(filled: FilledHandout, styles: Styles) -> list[Flowable]:
    """What is being done (lines to write in), the two boxes, and the right to change one's mind."""
    text, decision = filled.messages, filled.choice()
    story: list[Flowable] = []
    if decision.fill_in:
        story.append(WriteInLines(list(decision.fill_in), styles.small, styles.body_size))
    story += _copies(_markdown_prototypes(filled.acknowledgment, styles)) if filled.acknowledgment else []
    # Told before marking a box: the choice can be changed until the treatment.
    story.append(TaggedParagraph(f"<b>{escape(text['decision_heading'])}</b> {escape(text['change_mind'])}",
                                 styles.body))
    story.append(DecisionBoxes([decision.yes, decision.no], styles.body, styles.body_size, text["check_box"]))
    return story


def signed_page(filled: FilledHandout, styles: Styles, width: float) -> list[Flowable]:
    """What is kept together on the page the patient signs: what is done, the
    acknowledgment, the decision and the signatures."""
    # Air between the boxes and the signatures: not under 9 pt, or the second
    # box crowds the signature's label in letter and A4.
    return [Spacer(0, styles.body_size * 0.3), *_decision(filled, styles),
            Spacer(0, max(styles.body_size * 0.4, 9.0)), _signature_block(filled, styles, width)]


def build_story(filled: FilledHandout, brand: Brand, styles: Styles, width: float,
                height: float | None = None) -> list[Flowable]:
    """The whole handout as flowables for a frame `width` wide (and, when given, `height` tall)."""
    story = _cover(filled, brand, styles, width)
    sources = filled.messages["sources"]
    for section in filled.sections:
        story += _copies(_section_prototypes(section, styles, sources, filled.messages["write_in"]))
    if height is not None:
        keep_tail(story, width, height)
    # A picture floated to the next page stays before the disclosure.
    story.append(FlushPictures())
    # The disclosure always starts a page of its own, whatever came before,
    # and its pages carry the running header (see render.pdf).
    story.append(NextPageTemplate("consent"))
    story.append(PageBreak())
    disclosure = _copies(_section_prototypes(filled.disclosure, styles, sources))
    story += disclosure
    write_in = None
    if filled.fill_in:
        write_in = WriteInLines(list(filled.fill_in), styles.small, styles.body_size)
        _within([write_in], disclosure_section(disclosure))
    closing = signed_page(filled, styles, width)
    # What is done, the acknowledgment, the decision and the signatures
    # belong to the disclosure's section, on one page.
    _within(closing, disclosure_section(disclosure))
    signing = SignedPage(closing)
    if write_in is not None:
        # What the clinic writes in goes on the signed page too when the
        # page holds it (render.keeping); the signatures always do. When it
        # does not, the lines never start a page alone: the disclosure's
        # last part (from its last subheading) comes with them.
        last = max((i for i, f in enumerate(story) if isinstance(f, KeepRoom) and f.heads), default=None)
        if last is not None and last >= len(story) - len(disclosure):
            story.insert(last, KeepRoom(whole=(*story[last + 1:], write_in)))
        story += [KeepRoom(whole=(write_in, signing)), Spacer(0, styles.body_size * 0.5), write_in]
    story.append(signing)
    return story

