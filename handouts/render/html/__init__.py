"""The accessible HTML edition: one self-contained file from the filled handout.

Written through Jinja2 templates with autoescape (`templates/handout.html`
here); a clinic overrides any of them by putting a file of the same name in
an `html/` folder beside its handout.yaml. Section bodies are Markdown
rendered by markdown-it without raw HTML, so content can add no tags of its
own. Styles are inline, and the logo and the pictures a body shows are data
URIs: the file stands alone, as an email body or an attachment. A picture
is a `figure` (its caption, the Markdown title, a `figcaption`), its `img`
carrying the alt text and the pixel size, shrunk to the column by CSS.

WCAG 2.1 AA by construction: `lang` on the document, one `h1`, sections as
`h2` in order (subheadings in a body become `h3`), lists as lists, the logo
with alt text, colours that keep 4.5:1 (a brand colour that does not is
printed in a shade of it that does, as in the PDF), links underlined, and a single column that
reflows to 320 px.

Phone numbers and e-mail addresses, in the clinic's details and in the
text, are `tel:` and `mailto:` links (a tap calls or writes), made only
from what the phone and address patterns matched and checked like every
other link (`load.outbound.safe_link`). Printed, the page is set like the PDF (base.html's
print styles): a 12 pt body on a 5.3 in measure, and the risk disclosure
on a page of its own with its write-in and signature lines.
"""

from __future__ import annotations

import base64
import re
from functools import lru_cache
from pathlib import Path

from ...errors import BrandError, ContentError, Problem, display_path
from ...fill.catalog import logo_alt
from ...fill.filled import FilledHandout, FilledSection
from ...load.brand import Brand
from ...load.contrast import text_colours
from ...load.outbound import LINK_SCHEMES, safe_link
from ...load.reading import IMAGE_LIMIT, ReadError, read_bytes
from ..typography import PHONE

TEMPLATE = "handout.html"
EMAIL_TEMPLATE = "email.html"
# A relative address: no scheme, no leading slash; only a checked picture uses one.
_SCHEME = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.\-]*:|/|\\)")
# A phone number (as the PDF keeps whole) or an e-mail address in running text.
_CONTACT = re.compile(f"(?P<phone>{PHONE.pattern})|(?P<email>(?<![\\w.+-])[\\w.+-]+@[\\w-]+(?:\\.[\\w-]+)+)")


def contact_href(match: re.Match) -> str | None:
    """The tel: or mailto: address for a _CONTACT match, if it passes the one link check (load.outbound)."""
    if match.group("phone"):
        href = "tel:" + re.sub(r"[^\d+]", "", match.group("phone"))
    else:
        href = "mailto:" + match.group("email")
    return safe_link(href)


def contact_html(text: str | None):
    """`text` escaped, with its phone numbers and e-mail addresses as links (Markup)."""
    from html import escape

    out, last = [], 0
    for match in _CONTACT.finditer(text or ""):
        href = contact_href(match)
        if href is None:
            continue
        out += [escape(text[last:match.start()]), f'<a href="{escape(href)}">{escape(match.group(0))}</a>']
        last = match.end()
    out.append(escape((text or "")[last:]))
    return _markup("".join(out))


def css_string(text: str):
    """`text` as a quoted CSS string (Markup): every character but ASCII letters, digits and spaces hex-escaped."""
    escaped = "".join(c if (c.isascii() and c.isalnum()) or c == " " else f"\\{ord(c):x} " for c in text)
    return _markup(f'"{escaped}"')


def _link_contacts(children: list) -> list:
    """Inline tokens with the phone numbers and e-mail addresses in their text made links (not inside a link)."""
    from markdown_it.token import Token

    out, depth = [], 0
    for child in children:
        depth += {"link_open": 1, "link_close": -1}.get(child.type, 0)
        if child.type != "text" or depth or not _CONTACT.search(child.content):
            out.append(child)
            continue
        last = 0
        for match in _CONTACT.finditer(child.content):
            href = contact_href(match)
            if href is None:
                continue
            out.append(Token("text", "", 0, content=child.content[last:match.start()]))
            out += [Token("link_open", "a", 1, attrs={"href": href}),
                    Token("text", "", 0, content=match.group(0)), Token("link_close", "a", -1)]
            last = match.end()
        out.append(Token("text", "", 0, content=child.content[last:]))
    return out


@lru_cache(maxsize=1)
def _markdown():
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")
    # Links of the four allowed schemes and relative addresses (for pictures)
    # parse as links; markdown_html then prints as text every link the one
    # rule refuses (mailto:...?bcc=, relative) and every unchecked picture as
    # its alt text, as the PDF does.
    md.validateLink = lambda url: url.partition(":")[0].lower() in LINK_SCHEMES or not _SCHEME.match(url)

    def table_open(renderer, tokens, index, options, env):
        from html import escape

        meta = tokens[index].meta
        # Named by its title (the heading just before it), else by its columns.
        named = (f'aria-labelledby="{meta["title_id"]}"' if meta.get("title_id")
                 else f'aria-label="{escape(meta.get("label") or "table", quote=True)}"')
        # Explicit roles: at 320 px the rows are blocks (CSS), which would
        # otherwise lose the table's semantics in some browsers.
        return f'<div class="table-scroll" role="region" tabindex="0" {named}>\n<table role="table" {named}>\n'

    def cell_open(renderer, tokens, index, options, env):
        from html import escape

        label = tokens[index].meta.get("label")
        # The column's name before the cell, shown only where rows are blocks;
        # screen readers have the header itself.
        shown = f'<span class="cell-label" aria-hidden="true">{escape(label)}: </span>' if label else ""
        return renderer.renderToken(tokens, index, options, env) + shown

    def table_close(renderer, tokens, index, options, env):
        return "</table>\n</div>\n"

    def image(renderer, tokens, index, options, env):
        from html import escape

        token = tokens[index]
        caption = token.meta.get("caption")
        html = (f'<img class="picture" src="{token.attrGet("src")}" alt="{escape(token.content, quote=True)}" '
                f'width="{token.meta["width"]}" height="{token.meta["height"]}">')
        # At 320 px a wide picture is shown larger than the column, so its
        # labels can be read, and scrolls inside its own region (a diagram
        # is exempt from reflow); wider, it fits the column.
        label = escape(caption or token.content, quote=True)
        html = f'<div class="picture-scroll" role="region" tabindex="0" aria-label="{label}">{html}</div>'
        return html + (f"\n<figcaption>{escape(caption)}</figcaption>" if caption else "")

    def hr(renderer, tokens, index, options, env):
        # A line of underscores is a line to write on, as in the PDF: a printable rule, nothing to read.
        if tokens[index].markup.startswith("_"):
            return '<div class="write-line" aria-hidden="true"></div>\n'
        return "<hr>\n"

    md.add_render_rule("table_open", table_open)
    md.add_render_rule("hr", hr)
    md.add_render_rule("image", image)
    md.add_render_rule("table_close", table_close)
    md.add_render_rule("td_open", cell_open)
    md.add_render_rule("th_open", cell_open)
    return md


def _data_uri(data: bytes) -> str:
    kind = "png" if data[:8] == b"\x89PNG\r\n\x1a\n" else "jpeg"
    return f"data:image/{kind};base64," + base64.b64encode(data).decode("ascii")


def _unlink(children) -> None:
    """Links the rules refuse (load.outbound: web, one e-mail address, a phone) print as their text."""
    opened: list[bool] = []  # for each open link: whether it is dropped
    for child in children:
        if child.type == "link_open":
            opened.append(safe_link(str(child.attrGet("href") or "")) is None)
            drop = opened[-1]
        elif child.type == "link_close":
            drop = opened.pop() if opened else False
        else:
            continue
        if drop:
            child.type, child.tag, child.content = "text", "", ""


def _figure(tokens, index: int, pictures: dict) -> None:
    """A paragraph that is one checked picture becomes a figure with an img (see the image rule)."""
    inline = tokens[index + 1]
    shown = [c for c in inline.children or () if c.type not in ("softbreak", "hardbreak")
             and not (c.type == "text" and not c.content.strip())]
    if len(shown) != 1 or shown[0].type != "image":
        return
    image = shown[0]
    picture = pictures.get(str(image.attrGet("src") or ""))
    image.content = " ".join(image.content.split())
    if picture is None or not image.content:
        return
    image.attrSet("src", _data_uri(picture.data))
    image.meta.update(width=picture.width_px, height=picture.height_px,
                      caption=" ".join(str(image.attrGet("title") or "").split()) or None)
    tokens[index].tag = tokens[index + 2].tag = "figure"


def markdown_html(text: str, pictures=()) -> str:
    """A section body as HTML: headings become h3 (the section is the h2).

    A paragraph that is one of `pictures` (the checked files the body
    shows) becomes a figure; any other image prints as its alt text.
    """
    md = _markdown()
    tokens = md.parse(text)
    by_src = {picture.src: picture for picture in pictures}
    heads: list[str] = []
    column = 0
    for index, token in enumerate(tokens):
        if token.type == "paragraph_open" and by_src:
            _figure(tokens, index, by_src)
        if token.type == "table_open":
            heads = _table(tokens, index, text)
        if token.type in ("heading_open", "heading_close"):
            token.tag = "h3"
        if token.type in ("blockquote_open", "blockquote_close"):
            # A box: a point the handout makes, not a quotation (as in the PDF, a Div).
            token.tag = "div"
            if token.type == "blockquote_open":
                token.attrSet("class", "callout")
        if token.type in ("thead_open", "tbody_open"):
            token.attrSet("role", "rowgroup")
        if token.type == "tr_open":
            token.attrSet("role", "row")
            column = 0
        if token.type == "th_open":
            token.attrSet("scope", "col")  # the PDF's pipe tables have one header row
            token.attrSet("role", "columnheader")
        if token.type == "td_open":
            if column == 0 and len(heads) > 1:
                # The first column names each row, as in the PDF (row headers).
                token.tag = tokens[index + 2].tag = "th"
                token.attrSet("scope", "row")
                token.attrSet("role", "rowheader")
            else:
                token.attrSet("role", "cell")
                if column < len(heads) and heads[column]:
                    token.meta["label"] = heads[column]
            column += 1
        if token.children:
            token.children = _link_contacts(token.children)
        _unlink(token.children or ())
        for child in token.children or ():
            if child.type == "image" and "width" not in child.meta:
                child.type, child.content, child.children = "text", child.content or "", None
    return md.renderer.render(tokens, md.options, {})


def _table(tokens, index: int, text: str) -> list[str]:
    """Name the table opening at `index` and return its column headers' texts.

    A wide table scrolls inside its own focusable region (data tables are
    exempt from reflow) and at 320 px prints its rows as blocks; both the
    region and the table are named by the table's title, the heading just
    before it or before its one introductory paragraph (its id made from the
    body, unique on the page), else by the column names.
    """
    import hashlib

    heads = []
    for later in tokens[index:]:
        if later.type == "thead_close":
            break
        if later.type == "inline":
            heads.append("".join(c.content for c in later.children or () if c.type in ("text", "code_inline")))
    token = tokens[index]
    token.meta["label"] = ", ".join(h for h in heads if h)
    before = index
    if before >= 6 and tokens[before - 1].type == "paragraph_close" and tokens[before - 4].type == "heading_close":
        before -= 3  # a paragraph between the heading and the table says how to read it
    if before >= 3 and tokens[before - 1].type == "heading_close":
        title = f"table-{hashlib.sha1(text.encode('utf-8')).hexdigest()[:8]}-{index}"
        tokens[before - 3].attrSet("id", title)
        token.meta["title_id"] = title
    return heads


@lru_cache(maxsize=8)
def _environment(override: Path | None):
    """The pages' environment: fill.bounded's PAGE profile, a clinic's html/ folder before the bundled templates.

    One per folder for the process (a batch renders hundreds of pages);
    Jinja2 still reloads a template whose file changed.
    """
    from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader

    from ...fill import bounded

    loaders = [FileSystemLoader(str(override))] if override is not None and override.is_dir() else []
    loaders.append(PackageLoader("handouts.render.html", "templates"))
    return bounded.environment(bounded.PAGE, loader=ChoiceLoader(loaders), autoescape=True,
                               trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                               extra_filters={"markdown": _markdown_filter})


def _markdown_filter(text, pictures=()):
    """A section body as HTML (see markdown_html): the one filter that writes markup."""
    return _body_html(text or "", tuple(pictures))


# A batch or an e-mail run renders the same bodies for every reader: only the
# ones that name the provider or patient differ. Kept for the process, so
# each shared body is parsed and its pictures base64-encoded once; small, so
# the per-reader bodies fall out as soon as they stop being used.
@lru_cache(maxsize=64)
def _body_html(text: str, pictures: tuple) -> str:
    return _markup(markdown_html(text, pictures))


def _markup(html: str):
    from markupsafe import Markup

    return Markup(html)  # noqa: S704 - markdown-it escapes content and adds no raw HTML


def _logo_uri(brand: Brand) -> str | None:
    """The logo as a data URI: its variant for the page's background (light or dark), as brand.yml means them.

    The page is the clinic's own background colour, which its light variant
    is drawn for (the PDF's cover band is measured instead: it is the
    primary colour, which no variant may have been drawn for).
    """
    if brand.logo is None:
        return None
    from ...load.contrast import luminance

    file = brand.logo.dark if brand.logo.dark is not None and luminance(brand.background) < 0.18 else brand.logo.light
    path = Path(file.path)
    try:
        stamp = path.stat()
    except OSError:
        stamp = None  # read_bytes says why
    return _file_uri(path, file.svg, stamp and (stamp.st_size, stamp.st_mtime_ns))


@lru_cache(maxsize=4)
def _file_uri(path: Path, svg: bool, _stamp: tuple | None) -> str:
    """A logo file as a data URI, read, checked and encoded once per process while the file stays as it is
    (every page of a run shows it)."""
    from ...load.svg import SVG_LIMIT

    try:
        data = read_bytes(path, max_bytes=SVG_LIMIT if svg else IMAGE_LIMIT, what="logo")
    except ReadError as exc:  # changed since the brand was checked
        raise BrandError([exc.problem]) from None
    if svg:
        # Checked again as it is now: a drawing that reaches nothing outside itself. As an
        # <img>, a browser runs no script and loads nothing an SVG names anyway.
        from ...load.svg import SvgError, check_svg

        try:
            check_svg(data)
        except SvgError as exc:
            raise BrandError([Problem(display_path(path), None, f"logo {exc}")]) from None
        return "data:image/svg+xml;base64," + base64.b64encode(data).decode("ascii")
    return _data_uri(data)


def _render(override: Path | None, name: str, context: dict) -> str:
    """Render a template; a clinic's broken template is an input error naming its file and line."""
    from jinja2 import TemplateError, TemplateSyntaxError

    try:
        return _environment(override).get_template(name).render(**context)
    except TemplateSyntaxError as exc:
        problem = Problem(display_path(exc.filename or name), exc.lineno, f"HTML template error: {exc.message}")
    except TemplateError as exc:
        from ...fill.bounded import template_frame

        where, line = template_frame(exc)
        problem = Problem(display_path(where or name), line, f"HTML template error: {exc.message or type(exc).__name__}")
    raise ContentError([problem])


def _page_context(filled: FilledHandout, brand: Brand) -> dict:
    """What base.html and content.html need: the handout, brand, checked colours and fixed text."""
    text_colors = text_colours(brand.primary, brand.foreground, brand.background)
    colors = {
        "background": brand.background,
        "ink": text_colors.body,
        "accent": text_colors.accent,  # headings and links: the primary colour, or a shade of it that reads
        "rule": brand.secondary,
    }
    provider = None
    if filled.provider_name:
        provider = filled.provider_name + (f", {filled.provider_credentials}" if filled.provider_credentials else "")
    sections: list[FilledSection] = list(filled.sections)
    m = filled.messages
    # meta is optional in brand.yml: without a name the header shows the
    # logo (or nothing) and the sentences that name the clinic say "the clinic".
    clinic = brand.name or m["the_clinic"]
    text = {key: m[key] for key in ("prepared_for", "your_provider", "sources", "how_to_sign", "signing_asks",
                                    "patient_signature", "provider_signature", "date", "printed_name",
                                    "write_in", "decision_heading", "change_mind")}
    # The printed consent's heading line, as the PDF's running header.
    text["consent_header"] = m.format("consent_header", title=filled.title, version=filled.version)
    if filled.patient_name:
        text["consent_header"] += " \u00b7 " + m.format("consent_patient", name=filled.patient_name)
    text["how_to_sign_text"] = m.format("how_to_sign_text", clinic=clinic)
    text["footer_version"] = m.format("footer_version", id=filled.id, version=filled.version)
    text["footer_reviewed"] = m.format("footer_reviewed", reviewed=m.date(filled.reviewed))
    # Made here, not by template filters: markdown is the pages' one filter
    # that writes markup (fill.bounded).
    text["consent_header_css"] = css_string(text["consent_header"])
    return dict(
        text=text,
        handout=filled, brand=brand, colors=colors, logo_uri=_logo_uri(brand),
        # Beside the clinic's name the logo is decoration (alt=""), as in the PDF.
        logo_alt="" if brand.name else (logo_alt(brand, m) or m["the_clinic"]),
        provider=provider, sections=sections, disclosure=filled.disclosure, decision=filled.choice(),
        # The clinic's address, phone and e-mail, and the provider's phone, with their tel: and mailto: links.
        contact_lines=[contact_html(line) for line in (brand.address, brand.phone, brand.email) if line],
        provider_phone=contact_html(filled.provider_phone) if filled.provider_phone else None,
        # Each section's lines to write on, printed only (see base.html).
        write_in_lines=[_markup('<div class="line"></div>\n' * section.write_in) for section in sections],
    )


def render_html(filled: FilledHandout, *, brand: Brand, override: Path | None = None) -> bytes:
    """The handout as one self-contained, accessible HTML document (UTF-8 bytes).

    `override` is a folder whose templates replace the bundled ones by name.
    """
    return _render(override, TEMPLATE, _page_context(filled, brand)).encode("utf-8")


def render_email_html(filled: FilledHandout, *, brand: Brand, letter: dict, clinic: dict, encrypted: bool,
                      override: Path | None = None) -> str:
    """An e-mail's HTML body: the letter, then the handout as in the HTML edition.

    The same page, colours and checks as `render_html`, so the body is as
    accessible as the edition. With `encrypted`, the body holds the letter
    only (a message body is not encrypted; the handout stays in the
    protected attachment). `letter` holds the message's fixed lines and
    `clinic` the clinic's contact values.
    """
    context = _page_context(filled, brand)
    context.update(letter=letter, clinic=clinic, encrypted=encrypted)
    return _render(override, EMAIL_TEMPLATE, context)
