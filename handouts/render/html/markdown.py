"""A section body's Markdown as HTML for the HTML edition (render.html), and the text's tel:/mailto: links.

markdown-it without raw HTML, so content adds no tags of its own: headings
become h3 (the section is the h2), boxes divs, tables named regions, a
paragraph that is one checked picture a figure whose img is a data URI.
Every link is checked by the one rule (load.outbound.safe_link); one it
refuses, and any unchecked picture, prints as its text.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from ...load.outbound import LINK_SCHEMES, safe_link
from ..blocks import split_pieces
from ..sharing import shared_cache
from ..typography import PHONE

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

    A batch or an e-mail run renders the same bodies for every reader; a
    body that names the provider or patient differs in a paragraph or two.
    So a body is rendered in the pieces render.blocks cuts it into (each
    reads alone as within the whole), each piece's HTML kept for the
    process once a second document asks for it (render.sharing), and a
    reader's document parses only its own pieces. Two things reach across
    pieces: a table is named by the heading (and paragraph) just before it,
    so a piece that opens with a table is rendered with the ones before it;
    and a table's id hashes the whole body and counts its tokens, so a
    piece holds a mark there that each body fills in. A body with link
    references, or one the pieces cannot read, is rendered whole.
    """
    pieces = split_pieces(text)
    units = _units(pieces, tuple(pictures)) if pieces is not None else None
    if units is None:
        return _rendered(text, pictures, lambda index: _table_id(text, index)).html
    out, at = [], 0
    for done in units:
        html = done.html
        if done.first_table is not None:
            html = _MARKED.sub(lambda m: _table_id(text, at + int(m[1])), html)
        out.append(html)
        at += done.tokens
    return "".join(out)


@dataclass(frozen=True)
class _Html:
    """A piece of a body as HTML, and what joining it to the others needs."""

    html: str
    tokens: int  # its block tokens: where the next piece's tokens start
    first_table: int | None  # its first table's opening token
    references: bool  # it defines link references, which any piece may use


# How far back a table looks for its title (`_table`): the heading, then one paragraph.
_LOOKBACK = 6
# Where a piece's table ids go: NUL never reaches a piece (render.blocks reads such a body whole).
_MARK = "\0table-"
_MARKED = re.compile("\0table-(\\d+)\0")


def _units(pieces: list[str], pictures: tuple) -> list[_Html] | None:
    """Each piece's HTML (a table's joined to the pieces its title may be in), or None to render whole."""
    texts: list[str] = []
    units: list[_Html] = []
    for piece in pieces:
        done = _piece_html(piece, pictures)
        while done.first_table is not None and done.first_table < _LOOKBACK and units:
            units.pop()
            piece = texts.pop() + piece
            done = _piece_html(piece, pictures)
        if done.references:
            return None
        texts.append(piece)
        units.append(done)
    return units


# A run's bodies have a few hundred pieces; a reader's own pass through once (render.sharing).
@shared_cache(maxsize=1024)
def _piece_html(text: str, pictures: tuple) -> _Html:
    return _rendered(text, pictures, lambda index: f"{_MARK}{index}\0")


def _table_id(text: str, index: int) -> str:
    """The id of the table opening at token `index` of body `text`: unique on the page."""
    import hashlib

    return f"table-{hashlib.sha1(text.encode('utf-8')).hexdigest()[:8]}-{index}"


def _rendered(text: str, pictures, table_id: Callable[[int], str]) -> _Html:
    """`text` parsed, made accessible (see markdown_html) and rendered."""
    md = _markdown()
    env: dict = {}
    tokens = md.parse(text, env)
    by_src = {picture.src: picture for picture in pictures}
    heads: list[str] = []
    column = 0
    first_table = None
    for index, token in enumerate(tokens):
        if token.type == "paragraph_open" and by_src:
            _figure(tokens, index, by_src)
        if token.type == "table_open":
            heads = _table(tokens, index, table_id(index))
            first_table = index if first_table is None else first_table
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
    return _Html(md.renderer.render(tokens, md.options, {}), len(tokens), first_table, bool(env.get("references")))


def _table(tokens, index: int, title: str) -> list[str]:
    """Name the table opening at `index` and return its column headers' texts.

    A wide table scrolls inside its own focusable region (data tables are
    exempt from reflow) and at 320 px prints its rows as blocks; both the
    region and the table are named by the table's title, the heading just
    before it or before its one introductory paragraph (its id `title`),
    else by the column names.
    """
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
        tokens[before - 3].attrSet("id", title)
        token.meta["title_id"] = title
    return heads


def _markup(html: str):
    from markupsafe import Markup

    return Markup(html)  # noqa: S704 - markdown-it escapes content and adds no raw HTML
