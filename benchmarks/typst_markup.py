"""The same text as a handouts PDF, as Typst markup: what benchmarks/typst_compare.py compiles.

Made from the handout filled for one reader (`handouts.pipeline.reader.fill`), so
Typst sets exactly the words a handouts PDF prints: the clinic's band with
its logo, title, subtitle and provider line, every section's heading and
Markdown body (headings, paragraphs, bullet and numbered lists, the
call-out box, the comparison table, the picture with its caption, bold,
italics and links), each section's references, then on a page of its own
the risk disclosure, the write-in lines, the acknowledgment and the
signature lines, with a running header on the consent pages and a footer
saying "Page N of M" on every page. Same page size, margins, body size,
line spacing, colours and font (the bundled Atkinson Hyperlegible).

What it leaves out, or does Typst's own way (so the documents are alike,
not the same): no PDF/UA structure beyond what Typst 0.15 tags by default,
no keep-together rules for lists, headings and the signature block beyond
Typst's own, no hyphenation, no crop marks, no print-ready colour, and
Typst's own line breaking (Knuth-Plass) and spacing.
"""

from __future__ import annotations

import re
import string

# Every ASCII punctuation mark is escaped with a backslash: Typst reads a
# backslash before any character as that character itself, and several of
# these start markup (* _ ` $ # @ < > [ ] = - + / ~ ' ").
_SPECIAL = {ord(c): "\\" + c for c in string.punctuation}


def escape(text: str) -> str:
    """Text that Typst prints exactly as written, on one line (runs of white space as one space)."""
    return re.sub(r"\s+", " ", text).translate(_SPECIAL)


def _string(text: str) -> str:
    """A Typst string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _inline(children) -> str:
    """markdown-it inline tokens as Typst markup."""
    out = []
    for token in children:
        kind = token.type
        if kind == "text":
            out.append(escape(token.content))
        elif kind in ("softbreak",):
            out.append(" ")
        elif kind == "hardbreak":
            out.append(" \\\n")
        elif kind == "strong_open":
            out.append("#strong[")
        elif kind == "em_open":
            out.append("#emph[")
        elif kind in ("strong_close", "em_close", "link_close"):
            out.append("]")
        elif kind == "link_open":
            out.append(f"#link({_string(token.attrGet('href'))})[")
        elif kind == "code_inline":
            out.append(f"#raw({_string(token.content)})")
        elif kind == "image":
            pass  # pictures are blocks, handled by `_blocks`
        else:
            out.append(escape(token.content))
    # A leading or trailing space inside [...] is kept by Typst; text starts with none.
    return "".join(out).strip()


def _picture(token, folder_of: dict[str, str]) -> str:
    image = token.children[0]
    src = folder_of.get(image.attrGet("src"), image.attrGet("src"))
    caption = image.attrGet("title")
    alt = "".join(child.content for child in image.children or ())
    body = f"image({_string(src)}, alt: {_string(alt)}, width: 70%)"
    if caption:
        return f"#figure({body}, caption: [{escape(caption)}], supplement: none, numbering: none)\n\n"
    return f"#figure({body})\n\n"


def _table(tokens, start: int) -> tuple[str, int]:
    """A pipe table as #table, its header row bold on the brand's colour; (markup, index after it)."""
    cells, header_cells, columns, index, in_head = [], 0, 0, start + 1, False
    while tokens[index].type != "table_close":
        token = tokens[index]
        if token.type == "thead_open":
            in_head = True
        elif token.type == "thead_close":
            in_head = False
        elif token.type in ("th_open", "td_open"):
            content = _inline(tokens[index + 1].children or ())
            cells.append(f"[{content}]")
            if in_head:
                header_cells += 1
        index += 1
    columns = header_cells or 1
    head = ", ".join(f"table.cell(fill: brand-primary)[#text(fill: white, weight: \"bold\"){c}]"
                     for c in cells[:header_cells])
    body = ", ".join(cells[header_cells:])
    return (f"#table(columns: {columns}, inset: 4pt, stroke: 0.5pt + luma(200),\n"
            f"  table.header({head}),\n  {body})\n\n", index + 1)


def markdown_to_typst(text: str, parse, folder_of: dict[str, str] | None = None) -> str:
    """A Markdown body as Typst markup; `parse` is the CommonMark parser handouts prints with."""
    tokens = parse(text)
    folder_of = folder_of or {}
    out: list[str] = []
    lists: list[str] = []  # "-" or "+" per open list
    index = 0
    while index < len(tokens):
        token = tokens[index]
        kind = token.type
        indent = "  " * max(len(lists) - 1, 0)
        if kind == "heading_open":
            level = min(int(token.tag[1]), 4)
            out.append("=" * max(level, 3) + " " + _inline(tokens[index + 1].children) + "\n\n")
            index += 3
            continue
        if kind == "paragraph_open":
            inline = tokens[index + 1]
            if inline.children and inline.children[0].type == "image" and len(inline.children) == 1:
                out.append(_picture(inline, folder_of))
            elif token.hidden:  # a list item's tight paragraph: its text follows the marker
                out.append(_inline(inline.children) + "\n")
            else:
                out.append(_inline(inline.children) + "\n\n")
            index += 3
            continue
        if kind in ("bullet_list_open", "ordered_list_open"):
            lists.append("-" if kind == "bullet_list_open" else "+")
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
            if not lists:
                out.append("\n")
        elif kind == "list_item_open":
            out.append(f"{indent}{lists[-1]} ")
        elif kind == "blockquote_open":
            out.append("#block(fill: brand-tint, inset: 8pt, radius: 2pt, width: 100%)[\n")
        elif kind == "blockquote_close":
            out.append("]\n\n")
        elif kind == "table_open":
            markup, index = _table(tokens, index)
            out.append(markup)
            continue
        elif kind in ("fence", "code_block"):
            out.append(f"#raw(block: true, {_string(token.content)})\n\n")
        elif kind == "hr":
            out.append("#line(length: 100%)\n\n")
        index += 1
    return "".join(out)


def _hex(color: str) -> str:
    return f'rgb("{color}")'


def handout_markup(filled, brand, layout, parse) -> str:
    """The whole handout filled for one reader as one Typst document (see the module's docstring)."""
    text = filled.messages
    size = layout.body_size_for(brand.base_size)
    leading = size * layout.line_spacing
    small = max(size * 0.85, 9, layout.min_body_size)
    footer_size = max(size * 0.8, 9, layout.min_body_size)
    version = text.format("footer_version", id=filled.id, version=filled.version)
    reviewed = text.format("footer_reviewed", reviewed=text.date(filled.reviewed))
    footer_parts = " · ".join(escape(p) for p in [*([brand.name] if brand.name else []), version, reviewed])
    before, _, after = text["page"].partition("{page}")
    of, _, tail = after.partition("{pages}")
    page_label = (f"{escape(before)}#counter(page).display(){escape(of)}"
                  f"#counter(page).final().first(){escape(tail)}")
    consent_header = escape(text.format("consent_header", title=filled.title, version=filled.version))
    out = [
        f'#set document(title: {_string(filled.title)})\n',
        f'#set text(font: "Atkinson Hyperlegible", size: {size:.2f}pt, lang: "{filled.language[:2]}", '
        f'fill: {_hex(brand.foreground)}, hyphenate: false)\n',
        f"#set par(leading: {leading - size:.2f}pt, spacing: {leading - size + size * 0.5:.2f}pt, justify: false)\n",
        f"#let brand-primary = {_hex(brand.primary)}\n",
        f"#let brand-tint = {_hex(brand.primary)}.lighten(90%)\n",
        f"#set page(width: {layout.width:.2f}pt, height: {layout.height:.2f}pt, "
        f"margin: (top: {layout.margin_top:.2f}pt, bottom: {layout.margin_bottom + footer_size * 3:.2f}pt, "
        f"left: {layout.margin_left:.2f}pt, right: {layout.margin_right:.2f}pt), "
        f"footer: context [#line(length: 100%, stroke: 0.5pt + {_hex(brand.secondary)})"
        f"#text(size: {footer_size:.2f}pt)[{page_label} #h(1fr) {footer_parts}]])\n",
        f"#show heading.where(level: 1): set text(size: {size * 2:.2f}pt, fill: brand-primary)\n",
        f"#show heading.where(level: 2): set text(size: {size * 1.45:.2f}pt, fill: brand-primary)\n",
        f"#show heading.where(level: 3): set text(size: {size * 1.15:.2f}pt)\n",
        f"#show link: set text(fill: brand-primary)\n",
        f"#show link: underline\n",
    ]
    # The clinic's band: logo beside the name and contacts, on the brand's colour.
    contacts = [c for c in (brand.address, brand.phone, brand.email, brand.link) if c]
    lines = [f"#text(size: {size * 1.3:.2f}pt, weight: \"bold\")[{escape(brand.name)}]"] if brand.name else []
    lines += [f"#text(size: {max(size * 0.9, layout.min_body_size):.2f}pt)[{escape(c)}]" for c in contacts]
    logo = (f"image({_string(str(brand.logo.path))}, height: {size * 4:.2f}pt, alt: {_string(brand.logo.alt or brand.name)})"
            if brand.logo else "[]")
    band = " \\ ".join(lines)
    out.append(f"#block(fill: brand-primary, inset: {size * 0.8:.2f}pt, width: 100%)"
               f"[#set text(fill: white)\n#grid(columns: (auto, 1fr), gutter: {size:.2f}pt, {logo}, "
               f"[{band}])]\n\n")
    out.append(f"= {escape(filled.title)}\n\n")
    if filled.subtitle:
        out.append(f"#text(size: {size * 1.2:.2f}pt)[{escape(filled.subtitle)}]\n\n")
    if filled.patient_name:
        out.append(f"#strong[{escape(text['prepared_for'])}] {escape(filled.patient_name)}\n\n")
    if filled.provider_name:
        who = filled.provider_name + (f", {filled.provider_credentials}" if filled.provider_credentials else "")
        phone = f" \u00b7 {filled.provider_phone}" if filled.provider_phone else ""
        out.append(f"#strong[{escape(text['your_provider'])}] {escape(who + phone)}\n\n")
    out.append(f"#line(length: 100%, stroke: 1pt + {_hex(brand.secondary)})\n\n")
    folder_of = {p.src: str(p.path) for s in (*filled.sections, filled.disclosure) for p in s.pictures}
    sources = text["sources"]

    def section(s) -> None:
        out.append(f"== {escape(s.title)}\n\n")
        out.append(markdown_to_typst(s.body, parse, folder_of))
        if s.references:
            out.append(f"#text(size: {small:.2f}pt)[=== {escape(sources)}\n\n")
            for ref in s.references:
                parts = [escape(ref.text)] if ref.text else []
                if ref.url:
                    parts.append(f"#link({_string(ref.url)})[{escape(ref.url)}]")
                out.append("+ " + " ".join(parts) + "\n")
            out.append("]\n\n")

    for s in filled.sections:
        section(s)
    # The disclosure starts a page; its pages carry the running header.
    out.append(f"#set page(header: [#text(size: {footer_size:.2f}pt)[{consent_header}]"
               f"#line(length: 100%, stroke: 0.5pt + {_hex(brand.secondary)})])\n")
    out.append("#pagebreak(weak: true)\n")
    section(filled.disclosure)
    for label in filled.fill_in:
        out.append(f"#text(size: {small:.2f}pt)[#strong[{escape(label)}]] #box(width: 1fr, "
                   f"stroke: (bottom: 0.8pt), height: {size:.2f}pt)\n\n")
    if filled.acknowledgment:
        out.append(markdown_to_typst(filled.acknowledgment, parse))
    provider = filled.provider_name and (
        filled.provider_name + (f", {filled.provider_credentials}" if filled.provider_credentials else ""))
    rows = []
    for label, printed in ((text["patient_signature"], filled.patient_name), (text["provider_signature"], provider)):
        rows.append(f"[#strong[{escape(label)}] #v({size * 1.8:.2f}pt) #line(length: 100%, stroke: 0.8pt) "
                    f"{escape(text['printed_name'])} {escape(printed or '')}], "
                    f"[#strong[{escape(text['date'])}] #v({size * 1.8:.2f}pt) #line(length: 100%, stroke: 0.8pt)]")
    out.append(f"#block(breakable: false)[#set text(size: {small:.2f}pt)\n"
               f"#grid(columns: (62%, 1fr), column-gutter: 6%, row-gutter: {size * 1.1:.2f}pt, {', '.join(rows)})]\n")
    return "".join(out)
