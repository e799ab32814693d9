"""The same text as a handouts PDF, as Typst markup: what benchmarks/typst_compare.py compiles.

Made from the handout filled for one reader (`handouts.pipeline.reader.fill`)
and from what handouts itself makes of it, so that Typst sets the words a
handouts PDF prints, in the same sizes, on the same page:

- the words: every paragraph's text is the ReportLab markup handouts writes
  (`render.markup.inline_markup`, `plain_markup`), read back into Typst:
  curly quotes and dashes, phone numbers kept whole, a link's address printed
  after its words, web addresses breaking only where handouts lets them.
  The cover's band and reader lines, every section's heading, body (headings,
  paragraphs, bullet and numbered lists with their own start numbers, call-out
  boxes, tables, pictures and captions, code, rules and lines to write on),
  its "Answers and notes" lines and references; then, from a new page with the
  consent's running header, the risk disclosure, the lines the clinic fills
  in, and the signed page: what is done (write-in lines such as which knee),
  the acknowledgment, the decision ("My decision", the right to change one's
  mind, the two boxes, in the handout's words or the catalogue's) and the
  signature, date and printed-name lines; the footer's lines as handouts packs
  them (`render.pdf`'s page furniture), with "Page N of M".
- the look: page size, the text frame's margins (footer and running header
  included), the top band, and every style's size, leading, spacing and
  colour from handouts' own `Styles` for the brand and layout; table column
  widths from handouts' `make_table`; pictures at `printed_size`.

Kept on one page as handouts keeps them (render.keeping), when a page holds
them (measured with ReportLab, as handouts measures): the signed page, call-out
boxes, lists and tables of up to five items; a heading stays with what
follows it. What stays Typst's own, so the documents are alike, not the
same: line breaking (Knuth-Plass against ReportLab's first fit), so lines and
pages break elsewhere (about one page fewer: 18 against 19 for the bundled
handout in letter); handouts' other keeping rules (a paragraph of up to four
lines moved whole, a list kept with the line that introduces it, a table with
its heading's lead-in, pictures floated past text); an address that fits a
line may still break at its marks; PDF/UA structure beyond Typst 0.15's
default tags, crop marks and print-ready colour. Each style's family is its
font's own (typst_compare.py gives Typst the bundled fonts' folder only).
typst_compare.py checks the words.
"""

from __future__ import annotations

from typst_body import Body, escape, face, from_markup, kept, literal, para, pt, rgb, text_style

from handouts.layouts.logosize import logo_box
from handouts.render import page as furniture
from handouts.render.addresses import mark_address
from handouts.render.markup import escape as rl_escape
from handouts.render.markup import plain_markup
from handouts.render.pdf import _sheet
from handouts.render.typography import font_has_curly, keep_phones_whole


def _background(sheet, layout, header=None) -> str:
    """The top band, the footer (its rule, its lines as handouts packs them, the page label) and, on
    consent pages, the running header, each where render.page draws it (the page's top is Typst's 0)."""
    footer, frame, colors, height = sheet.footer, sheet.frame, sheet.colors, layout.height
    left, right, size = frame.x1, layout.width - frame.x1 - frame.width, footer.size
    inset, band = furniture.OFFICE_INSET, furniture.BAND_HEIGHT
    # A placed line of text is one em tall down to its baseline (top-edge 1em, bottom-edge 0).
    placed = [f"place(top + left, dx: {pt(inset)}, dy: {pt(inset)}, rect(width: {pt(layout.width - 2 * inset)}, "
              f"height: {pt(band)}, fill: {rgb(colors.primary)}))"]
    y = layout.margin_bottom - footer.drop + (0 if footer.shared else footer.leading)
    top = y + (len(footer.lines) - 1) * footer.leading
    placed.append(f"place(top + left, dx: {pt(left)}, dy: {pt(height - top - size * 1.6)}, "
                  f"line(length: {pt(frame.width)}, stroke: 0.5pt + {rgb(colors.secondary)}))")
    for index, line in enumerate(footer.lines):
        where, dx = ("top + right", -right) if footer.shared else ("top + left", left)
        placed.append(f"place({where}, dx: {pt(dx)}, dy: {pt(height - (top - index * footer.leading) - size)}, "
                      f"[{escape(line)}])")
    before, _, after = footer.page_before.partition("{page}")
    placed.append(f"place(top + left, dx: {pt(left)}, dy: {pt(height - layout.margin_bottom + footer.drop - size)}, "
                  f"[{escape(before)}#counter(page).display(){escape(after)}#counter(page).final().first()"
                  f"{escape(footer.page_after)}])")
    if header is not None:
        for index, line in enumerate(header.lines):
            placed.append(f"place(top + left, dx: {pt(left)}, dy: {pt(layout.margin_top + index * header.leading)}, "
                          f"text(size: {pt(header.size)}, fill: {rgb(header.color)})[{escape(line)}])")
        rule = layout.margin_top + len(header.lines) * header.leading + header.size * 0.2
        placed.append(f"place(top + left, dx: {pt(left)}, dy: {pt(rule)}, "
                      f"line(length: {pt(frame.width)}, stroke: 0.5pt + {rgb(header.rule)}))")
    return (f"context {{ set text(size: {pt(size)}, fill: {rgb(footer.color)}, top-edge: 1em, bottom-edge: 0pt)\n"
            + "\n".join(placed) + " }")


def _page_setup(sheet, layout) -> list[str]:
    """Page size, margins that leave handouts' text frame, and every page's furniture."""
    styles, frame, body, height = sheet.styles, sheet.frame, sheet.styles.body, layout.height
    return [
        f"#set page(width: {pt(layout.width)}, height: {pt(height)}, margin: (left: {pt(frame.x1)}, "
        f"right: {pt(layout.width - frame.x1 - frame.width)}, top: {pt(height - frame.y1 - frame.height)}, "
        f"bottom: {pt(frame.y1)}), background: {_background(sheet, layout)})\n",
        f"#set text(size: {pt(body.fontSize)}, top-edge: 1em, bottom-edge: {-(body.leading / body.fontSize - 1):.3f}em, "
        f"fill: {rgb(sheet.colors.ink)}, hyphenate: false)\n",
        f"#set par(leading: 0pt, spacing: {pt(body.spaceAfter)}, justify: false)\n",
        f"#show link: set text(fill: {rgb(styles.markdown.link_color)})\n",
    ]


def _cover(filled, brand, styles, width: float) -> list[str]:
    """The band (logo beside the clinic's name and contacts), title, subtitle, readers and rule (render.story)."""
    text, colors, size = filled.messages, styles.colors, styles.body_size
    lines = [para(styles.cover_name, from_markup(plain_markup(brand.name)), fill=colors.on_band)] if brand.name else []
    lines += [para(styles.cover_contact, from_markup(plain_markup(c)), fill=colors.on_band)
              for c in (brand.address, brand.phone, brand.email, brand.link) if c]
    pad = size * 0.8
    logo = "[]"
    if brand.logo is not None:
        logo_width, logo_height = logo_box(brand.logo, size, width)
        logo = f"image({literal(str(brand.logo.path))}, width: {pt(logo_width)}, height: {pt(logo_height)})"
    out = [f"#block(fill: {rgb(colors.primary)}, inset: {pt(pad)}, width: 100%, below: {pt(styles.title.spaceBefore)})"
           f"[#grid(columns: (auto, 1fr), column-gutter: {pt(2 * pad)}, align: horizon, {logo}, [{''.join(lines)}])]\n\n",
           para(styles.title, from_markup(plain_markup(filled.title)))]
    if filled.subtitle:
        out.append(para(styles.subtitle, from_markup(plain_markup(filled.subtitle))))
    if filled.patient_name:
        out.append(para(styles.reader, from_markup(
            f"<b>{rl_escape(text['prepared_for'])}</b> {rl_escape(filled.patient_name)}")))
    if filled.provider_name:
        who = filled.provider_name + (f", {filled.provider_credentials}" if filled.provider_credentials else "")
        phone = f" \u00b7 {filled.provider_phone}" if filled.provider_phone else ""
        out.append(para(styles.reader, from_markup(
            f"<b>{rl_escape(text['your_provider'])}</b> {plain_markup(who + phone)}")))
    out.append(f"#block(above: {pt(size * 0.4)}, below: {pt(size * 0.2)}, "
               f"line(length: 100%, stroke: 1pt + {rgb(colors.secondary)}))\n\n")
    return out


def _section(section, styles, sources: str, write_in: str, walk) -> str:
    """A section's heading, body, lines to write on and references (render.story._section)."""
    size = styles.body_size
    out = [para(styles.heading, from_markup(plain_markup(section.title)), sticky=True),
           walk(section.body, section.pictures)]
    if section.write_in:
        out.append(para(styles.body, f"#strong[{escape(write_in)}]"))
        out += [f"#block(width: 100%, height: {pt(size * 2.2)}, above: 0pt, below: 0pt, place(top + left, "
                f"dy: {pt(size * 1.9)}, line(length: 100%, stroke: 0.6pt)))\n"] * section.write_in
    if section.references:
        out.append(para(styles.small, f"#strong[{escape(sources)}]", sticky=True))
        ref = styles.reference
        for number, reference in enumerate(section.references, start=1):
            parts = [plain_markup(reference.text)] if reference.text else []
            if reference.url:
                parts.append(rl_escape(mark_address(reference.url)))
            out.append(para(ref, f"#grid(columns: ({pt(ref.leftIndent)}, 1fr), [{number}.], "
                                  f"[{from_markup(' '.join(parts))}])"))
    return "".join(out)


def _write_in(labels, styles, width: float) -> str:
    """Labelled lines the clinic writes on (render.consent.WriteInLines): a short label with its rule to the
    margin, a label wider than 60% of the line on a line of its own with the rule under it."""
    from reportlab.lib.fonts import tt2ps
    from reportlab.pdfbase.pdfmetrics import stringWidth

    size, small = styles.body_size, styles.small
    room = size + 14
    rows = []
    for label in labels:
        shown = keep_phones_whole(label) + ":"
        rule = f"#box(width: 1fr, stroke: (bottom: 0.8pt))"
        if stringWidth(shown, tt2ps(small.fontName, 1, 0), small.fontSize) <= width * 0.6:
            height, content = max(room, small.leading + size * 0.6), f"#strong[{escape(shown)}] {rule}"
        else:
            height, content = small.leading + room, f"#strong[{escape(shown)}]#v(1fr)#line(length: 100%, stroke: 0.8pt)"
        rows.append(f"#block(width: 100%, height: {pt(height)}, above: 0pt, below: 0pt, inset: (bottom: {pt(size * 0.3)}))"
                    f"[{text_style(small)}\n#align(bottom)[{content}]]\n")
    return "".join(rows)


def _signed_page(filled, styles, parse_walk, width: float, room: float) -> str:
    """What the clinic fills in, what is done, the acknowledgment, the decision and the signatures, kept on
    one page when a page of `room` points holds them (render.story, render.keeping)."""
    text, decision, size = filled.messages, filled.choice(), styles.body_size
    small, body = styles.small, styles.body
    out = [f"#v({pt(size * 0.5)})\n" + _write_in(filled.fill_in, styles, width)] if filled.fill_in else []
    out.append(f"#v({pt(size * 0.3)})\n")
    if decision.fill_in:
        out.append(_write_in(decision.fill_in, styles, width))
    if filled.acknowledgment:
        out.append(parse_walk(filled.acknowledgment, ()))
    out.append(para(body, f"#strong[{escape(text['decision_heading'])}] {escape(text['change_mind'])}"))
    side = size * 1.25
    boxes = ", ".join(f"box(width: {pt(side)}, height: {pt(side)}, stroke: 1.2pt), [{escape(choice)}]"
                      for choice in (decision.yes, decision.no))
    out.append(f"#grid(columns: ({pt(side + size * 0.6)}, 1fr), row-gutter: {pt(size * 0.6)}, {boxes})\n\n")
    out.append(f"#v({pt(max(size * 0.4, 9.0))})\n")
    provider = filled.provider_name and (
        filled.provider_name + (f", {filled.provider_credentials}" if filled.provider_credentials else ""))
    rows = []
    for label, printed in ((text["patient_signature"], filled.patient_name), (text["provider_signature"], provider)):
        by_hand = "" if printed else f" #box(width: 1fr, stroke: (bottom: 0.8pt))"
        rows.append(f"[#strong[{escape(label)}]], [], [#strong[{escape(text['date'])}]], "
                    f"[#v({pt(max(size * 1.6, 29.0))})#line(length: 100%, stroke: 0.8pt)], [], "
                    f"[#v({pt(max(size * 1.6, 29.0))})#line(length: 100%, stroke: 0.8pt)], "
                    f"grid.cell(colspan: 3)[#v({pt(size * 0.3 + (0 if printed else size * 0.8))})"
                    f"{escape(text['printed_name'])} {escape(printed or '')}{by_hand}]")
    out.append(f"#block(width: 100%)[{text_style(small)}\n#grid(columns: (62%, 6%, 32%), row-gutter: (0pt, 0pt, "
               f"{pt(size * 0.9)}), {', '.join(rows)})]\n")
    return f"#{kept(room, _signed_height(filled, styles, width))}above: 0pt)[{''.join(out)}]\n"


def _signed_height(filled, styles, width: float) -> float:
    """How tall handouts lays out the signed page, with the clinic's lines (render.story.signed_page)."""
    from handouts.render.consent import WriteInLines
    from handouts.render.story import signed_page

    flowables = signed_page(filled, styles, width)
    if filled.fill_in:
        flowables.append(WriteInLines(list(filled.fill_in), styles.small, styles.body_size))
    return sum(f.wrap(width, 1e6)[1] + f.getSpaceBefore() + f.getSpaceAfter() for f in flowables)


def handout_markup(filled, brand, layout, parse) -> str:
    """The whole handout filled for one reader as one Typst document (see the module's docstring)."""
    sheet = _sheet(filled, brand, layout, False)
    styles, text = sheet.styles, filled.messages
    curly = font_has_curly(styles.body.fontName)

    def walk(body: str, pictures) -> str:
        return Body(styles, parse, pictures, curly, sheet.frame.height).walk(body)

    out = [f"#set document(title: {literal(filled.title)})\n",
           f'#set text(font: {literal(face(styles.body)[0])}, lang: "{filled.language[:2]}")\n',
           *_page_setup(sheet, layout), *_cover(filled, brand, styles, sheet.frame.width)]
    for section in filled.sections:
        out.append(_section(section, styles, text["sources"], text["write_in"], walk))
    # The disclosure starts a page (a new page setup does); its pages carry the running header above a shorter frame.
    top = layout.height - sheet.frame.y1 - sheet.frame.height
    out.append(f"#set page(margin: (top: {pt(top + sheet.header.height)}), "
               f"background: {_background(sheet, layout, sheet.header)})\n")
    out.append(_section(filled.disclosure, styles, text["sources"], text["write_in"], walk))
    out.append(_signed_page(filled, styles, walk, sheet.frame.width, sheet.consent_frame.height))
    return "".join(out)
