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
from functools import lru_cache
from pathlib import Path

from ...errors import BrandError, ContentError, Problem, display_path
from ...fill.catalog import logo_alt
from ...fill.filled import FilledHandout, FilledSection
from ...load.brand import Brand
from ...load.contrast import text_colours
from ...load.reading import IMAGE_LIMIT, ReadError, read_bytes
from ..sharing import shared_cache
from .markdown import _data_uri, _markup, contact_html, markdown_html

TEMPLATE = "handout.html"
EMAIL_TEMPLATE = "email.html"


def css_string(text: str):
    """`text` as a quoted CSS string (Markup): every character but ASCII letters, digits and spaces hex-escaped."""
    escaped = "".join(c if (c.isascii() and c.isalnum()) or c == " " else f"\\{ord(c):x} " for c in text)
    return _markup(f'"{escaped}"')


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
# ones that name the provider or patient differ (and of those, only their own
# pieces are parsed again: markdown_html). Kept for the process once a second
# document asks for them (render.sharing), so each shared body is parsed and
# its pictures base64-encoded once, and a reader's own bodies pass through.
@shared_cache(maxsize=64)
def _body_html(text: str, pictures: tuple) -> str:
    return _markup(markdown_html(text, pictures))


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
