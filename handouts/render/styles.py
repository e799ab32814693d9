"""Paragraph styles derived from a layout, a brand and its fonts."""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib.colors import HexColor
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.styles import ParagraphStyle

from ..layouts import Layout
from ..load.brand import Brand
from .fonts import Fonts
from .inks import Palette, palette
from .keeping import TALL_LIST_SHARE

# A picture may print down to this share of its size to stay on a page:
# the bundled picture's labels (15 pt in letter) stay over 10 pt.
PICTURE_SHRINK = 0.7
# A table too narrow for the text's measure may widen to these margins.
TABLE_MARGIN = 0.75 * 72
from .markup import BodyStyles
from .tables import TableStyles


def tint(color: str, paper: str, amount: float) -> str:
    """`color` mixed into `paper` at `amount` (0..1), as a hex colour: a light wash for boxes."""
    ink, base = HexColor(color), HexColor(paper)
    mix = [b + (c - b) * amount for c, b in zip(ink.rgb(), base.rgb())]
    return "#" + "".join(f"{round(v * 255):02x}" for v in mix)


@dataclass(frozen=True)
class Styles:
    """Every style one handout is set in."""

    body_size: float
    body: ParagraphStyle
    bullet: ParagraphStyle
    code: ParagraphStyle
    title: ParagraphStyle
    subtitle: ParagraphStyle
    heading: ParagraphStyle
    subheading: ParagraphStyle
    cover_name: ParagraphStyle
    cover_contact: ParagraphStyle
    reader: ParagraphStyle
    reference: ParagraphStyle
    small: ParagraphStyle
    footer_size: float
    markdown: BodyStyles
    colors: Palette


def make_styles(layout: Layout, brand: Brand, body: Fonts, headings: Fonts, colors: Palette | None = None) -> Styles:
    """Build the styles; every size scales from the layout's body size.

    `colors` are the brand's colours as printed (office RGB by default).
    """
    colors = colors or palette(brand, False)
    size = layout.body_size_for(brand.base_size)
    # Secondary text (references, signature labels, the footer) may be a
    # little smaller than the body, but never below the layout's smallest
    # size: 10 pt in letter and A4; in large print, where nothing a patient
    # reads is under 18 pt, the body's.
    floor = layout.min_size
    small_size = max(size * 0.85, floor)
    leading = size * layout.line_spacing
    # Text takes the colours that keep 4.5:1 (the brand's own, or shades of
    # them); bands, rules and fills keep the brand's colours.
    ink = colors.ink
    accent = colors.accent
    on_band = colors.on_band
    # Large print (APH: 14 pt and up is enlarged): tighter paragraph gaps, as
    # the 1.5 line spacing already airs the text; no italics for emphasis.
    large = layout.min_body_size >= 14
    gap = 0.4 if large else 0.6

    def spell(hex_color: str) -> str:
        # Colours the tables, callouts and links take as text: as printed.
        return Palette.markup(colors.convert(hex_color))

    def style(name: str, **kw) -> ParagraphStyle:
        base = dict(fontName=body.regular, fontSize=size, leading=leading, textColor=ink,
                    alignment=TA_LEFT, spaceAfter=size * gap, splitLongWords=1, allowWidows=0,
                    allowOrphans=0, bulletFontName=body.regular,
                    # ReportLab splits nothing but over-long words: where an
                    # address may break is render.addresses' decision.
                    uriWasteReduce=0, embeddedHyphenation=0)
        base.update(kw)
        return ParagraphStyle(name, **base)

    body_style = style("body")
    bullet = style("bullet", leftIndent=size * 1.6, bulletIndent=size * 0.3, spaceAfter=size * gap / 2,
                   bulletFontSize=size)
    code = style("code", leftIndent=size * 1.2, textColor=ink)
    h2 = 1.3 if large else 1.45
    heading = style("heading", fontName=headings.bold, fontSize=size * h2, leading=size * h2 * 1.2,
                    textColor=accent, spaceBefore=size * (0.6 if large else 1.1), spaceAfter=size * (0.3 if large else 0.5))
    h3 = 1.1 if large else 1.15
    subheading = style("subheading", fontName=headings.bold, fontSize=size * h3, leading=size * h3 * (1.2 if large else 1.25),
                       textColor=ink, spaceBefore=size * (0.4 if large else 0.6), spaceAfter=size * (0.15 if large else 0.3))
    title = style("title", fontName=headings.bold, fontSize=size * 2.0, leading=size * 2.0 * 1.15,
                  textColor=accent, spaceBefore=size * 0.8, spaceAfter=size * 0.4)
    subtitle = style("subtitle", fontSize=size * 1.2, leading=size * 1.2 * 1.3, spaceAfter=size * 0.6)
    cover_name = style("cover-name", fontName=headings.bold, fontSize=size * 1.3, leading=size * 1.3 * 1.2,
                       textColor=on_band, spaceAfter=size * 0.2)
    contact_size = max(size * 0.9, floor)
    cover_contact = style("cover-contact", fontSize=contact_size, leading=contact_size * 1.3, textColor=on_band,
                          spaceAfter=0)
    reader = style("reader", spaceAfter=size * 0.2)
    # References too are read: 1.5 spacing in large print (RNIB).
    reference = style("reference", fontSize=small_size,
                      leading=small_size * (layout.line_spacing if large else 1.3),
                      leftIndent=size * 1.6, bulletIndent=0, spaceAfter=size * 0.25,
                      bulletFontSize=small_size)
    small = style("small", fontSize=small_size, leading=small_size * 1.3)
    cell_leading = size * (layout.line_spacing if large else min(layout.line_spacing, 1.3))
    cell = style("table-cell", spaceAfter=0, leading=cell_leading)
    head = style("table-head", fontName=headings.bold, textColor=on_band, spaceAfter=0, leading=cell_leading)
    table = TableStyles(cell=cell, head=head, rule=spell(brand.secondary), head_fill=spell(brand.primary),
                        stripe=spell(tint(brand.primary, brand.background, 0.07)), pad=size * 0.45)
    markdown = BodyStyles(body=body_style, subheading=subheading, bullet=bullet, code=code,
                          link_color=Palette.markup(accent), indent=size * 1.6,
                          column=layout.width - layout.margin_left - layout.margin_right, table=table,
                          # Past the measure, not past what office printers print well.
                          table_column=0.0 if large else layout.width - 2 * TABLE_MARGIN,
                          callout_fill=spell(tint(brand.primary, brand.background, 0.09)),
                          callout_edge=spell(brand.primary), press=colors.press,
                          emphasis="b" if large else "i",
                          tall_list_share=TALL_LIST_SHARE if large else 1.0,
                          picture_shrink=1.0 if large else PICTURE_SHRINK)
    return Styles(
        body_size=size, body=body_style, bullet=bullet, code=code, title=title, subtitle=subtitle,
        heading=heading, subheading=subheading, cover_name=cover_name, cover_contact=cover_contact,
        reader=reader, reference=reference, small=small, footer_size=max(size * 0.8, floor),
        markdown=markdown, colors=colors,
    )
