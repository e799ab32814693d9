"""Section text as ReportLab Paragraph markup: escaping, inline Markdown, and the shared paragraphs.

ReportLab reads Paragraph text as markup: an unescaped `<img src=...>` reads
a local file and `<font color=...>` once ran code (CVE-2023-33733). So input
text reaches ReportLab only through `escape()` in this module, and the only
tags in a Paragraph are the few this module writes itself.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from reportlab.platypus import Flowable, Paragraph

from ..load.outbound import safe_link
from ..load.commonmark import parser
from .sharing import shared_cache
from .tagging import TaggedFlowable

# The only tags a Paragraph ever receives, besides <link> and <u> below. A
# hard break keeps a space before it: the line ends between words, and the
# tag text reads them apart (render.textmarks), while an address broken with
# a bare <br/> (render.addresses) reads as one.
_FIXED_MARKUP = {"softbreak": " ", "hardbreak": " <br/>", "strong_open": "<b>", "strong_close": "</b>",
                 "em_open": "<i>", "em_close": "</i>"}


_UNSET = object()


class TaggedParagraph(TaggedFlowable, Paragraph):
    """A Paragraph tagged as `pdf_role` (P unless set; see render.tagging), whose text reads
    as printed: a space at each soft line end, its links' words their Link's (render.textmarks)."""

    pdf_marks_text = True
    # Another part of the same text follows on the next page (or in the
    # next piece of a cut paragraph): its last line ends softly too.
    _continues = False

    def beginText(self, x, y):  # noqa: N802 - ReportLab's name
        from .textmarks import MarkedTextObject, line_ends

        canvas = self.canv
        link = None
        if self.blPara.kind == 0 and getattr(self.frags[0], "link", None):
            link = self.frags[0].link[0]
        return MarkedTextObject(canvas, x, y, ends=line_ends(self, self._continues),
                                marks=getattr(canvas, "resolves_text_marks", False), whole_link=link)

    def drawPara(self, debug=0):  # noqa: N802 - ReportLab's name
        paragraph = getattr(self.canv, "paragraph", None)
        if paragraph is None:
            return super().drawPara(debug)
        with paragraph():  # its underlines are decoration (render.textmarks)
            return super().drawPara(debug)

    def split(self, availWidth, availHeight):  # noqa: N803 - ReportLab's signature
        parts = super().split(availWidth, availHeight)
        for part in parts[:-1]:
            part._continues = True
        if len(parts) > 1:
            parts[-1]._continues = self._continues
        return parts


class _Placed(Flowable):
    """Flowable.drawOn, placing a paragraph's recording directly when the canvas has one (render.reuse)."""

    def drawOn(self, canvas, x, y, _sW=0):  # noqa: N802 - ReportLab's name
        recorded = getattr(canvas, "recorded", None)
        if recorded is not None and self._replayable and self._wrapped_for is not None \
                and not getattr(self, "_showBoundary", None):
            recording = recorded(self._drawings, self._wrapped_for)
            if recording is not None and not recording.annotations:  # links: placed relative to the page
                recording.place(canvas, self._hAlignAdjust(x, _sW), y)
                return
        super().drawOn(canvas, x, y, _sW)


class CachedParagraph(TaggedParagraph, _Placed):
    """A Paragraph that remembers its line breaks and its drawing, tagged as TaggedParagraph.

    Platypus wraps a paragraph several times (keep-with-next groups, tables,
    the frame itself), and a batch prints the same paragraphs for every
    provider; breaking lines is a large cost of a build, and its result
    depends only on the text, the style and the width. Drawing is the other
    large cost; on a canvas that can replay drawings (render.pdf's), each
    set of lines is drawn once per process and replayed after (see
    render.reuse for why that is byte-for-byte the same).
    """

    def __init__(self, text, *args, **kwargs):
        from .addresses import has_markers, strip_markers

        # Markup with marked addresses is set again for each width it is
        # wrapped at (render.addresses); until then it reads as plain text.
        self._addresses = text if isinstance(text, str) and has_markers(text) else None
        super().__init__(strip_markers(text) if self._addresses else text, *args, **kwargs)
        # Both shared by the shallow copies each document lays out (see render.pdf).
        self._line_cache: dict[float, tuple] = {}
        self._drawings: dict[tuple, object] = {}
        self._wrapped_for: float | None = None
        self._replayable = True

    def __copy__(self) -> CachedParagraph:
        # copy.copy's generic path costs more than the layout of a copy.
        twin = object.__new__(type(self))
        twin.__dict__.update(self.__dict__)
        return twin

    def wrap(self, availWidth, availHeight):  # noqa: N803 - ReportLab's signature
        hit = self._line_cache.get(availWidth)
        if hit is None:
            before = dict(vars(self))
            if self._addresses is not None:
                self._set_addresses(availWidth)
            size = super().wrap(availWidth, availHeight)
            # Everything wrapping set, not just the lines: it also rewrites
            # `frags` and counters that splitting and drawing read later.
            # Restoring only the lines once made a paragraph split across
            # pages print differently after the first document.
            changed = {k: v for k, v in vars(self).items() if before.get(k, _UNSET) is not v}
            hit = self._line_cache[availWidth] = (changed, size)
        else:
            vars(self).update(hit[0])
        self._wrapped_for = availWidth
        return hit[1]

    def _set_addresses(self, width: float) -> None:
        """Parse the markup again with its addresses set for lines of `width` (render.addresses)."""
        from reportlab.lib.fonts import tt2ps
        from reportlab.platypus.paragraph import cleanBlockQuotedText

        from .addresses import lay_out_addresses

        style = self.style
        try:  # an address in bold prints wider: measure with the wider face
            fonts = (style.fontName, tt2ps(style.fontName, 1, 0))
        except ValueError:
            fonts = (style.fontName,)
        rest = width - style.leftIndent - style.rightIndent
        markup = lay_out_addresses(self._addresses, rest - style.firstLineIndent, rest, fonts, style.fontSize)
        self._setup(markup, style, self.bulletText, None, cleanBlockQuotedText)

    def split(self, availWidth, availHeight):  # noqa: N803 - ReportLab's signature
        from .keeping import SHORT_PARAGRAPH_LINES

        # A short paragraph moves to the next page whole (render.keeping);
        # in a table cell it may split, or a tall row could not.
        lines = getattr(getattr(self, "blPara", None), "lines", None)
        if lines and len(lines) <= SHORT_PARAGRAPH_LINES and not self.style.name.startswith("table-"):
            return []
        # The parts hold other lines than the width says: they draw themselves.
        parts = super().split(availWidth, availHeight)
        for part in parts:
            if part is not self and isinstance(part, CachedParagraph):
                part._replayable = False
        return parts

    def draw(self) -> None:
        replay = getattr(self.canv, "replay_drawing", None)
        if replay is None or not self._replayable or self._wrapped_for is None:
            super().draw()
        else:
            replay(self._drawings, self._wrapped_for, self._draw_on)

    def _draw_on(self, canvas) -> None:
        """Draw on `canvas` (the recorder's scratch canvas) as on the page."""
        page_canvas = self.canv
        self.canv = canvas
        try:
            super().draw()
        finally:
            self.canv = page_canvas


def escape(text: str) -> str:
    """Escape text for a ReportLab Paragraph: the one path input takes in."""
    # html.escape, not xml.sax.saxutils.escape: the same five characters, and
    # saxutils drags urllib and ssl into every start-up (15 ms).
    return html.escape(text, quote=True)


def plain_markup(text: str) -> str:
    """A plain-text value (a title, a contact line, a reference) as Paragraph markup.

    Escaped, with its web and e-mail addresses marked where they may break
    (render.addresses; set in a CachedParagraph) and its phone numbers
    unbreakable (render.typography), as in body text; otherwise as written.
    """
    from .addresses import mark_addresses
    from .typography import keep_phones_whole

    return escape(mark_addresses(text, lambda part, _before: keep_phones_whole(part)))


# Deeper lists and quotes than this print at this indent: the page is narrow.
MAX_INDENT_DEPTH = 8


@dataclass(frozen=True)
class BodyStyles:
    """The paragraph styles a Markdown body is set in."""

    body: object
    subheading: object
    bullet: object
    code: object
    link_color: str
    indent: float
    # The column's width, for tables and images.
    column: float = 0.0
    # The widest a table too narrow for the column may be, centred on it (0: the column).
    table_column: float = 0.0
    # Table cells and the callout box (see render.tables, render.callouts).
    table: object = None
    callout_fill: str = "#ffffff"
    callout_edge: str = "#000000"
    # A print-ready build: pictures print in CMYK (see render.figures).
    press: bool = False
    # What *emphasis* prints as: "i", or "b" in large print.
    emphasis: str = "i"
    # A list of up to five items taller than this share of a page may break
    # between items (render.keeping): 1 keeps every such list whole.
    tall_list_share: float = 1.0
    # A picture that does not fit below the text before it may print this
    # much smaller to stay on the page (render.figures): 1 never shrinks one.
    picture_shrink: float = 1.0
    # Indented variants for nested lists and quotes, made once per look so
    # the paragraph cache below sees the same style object every time.
    nested: dict = field(default_factory=dict, compare=False, hash=False, repr=False)


# About 250 paragraphs are shared by every document; the rest name a
# provider and are used by one document, so they are not kept (render.sharing).
@shared_cache(maxsize=1024)
def shared_paragraph(markup: str, style, bullet: str | None = None) -> CachedParagraph:
    """One parsed paragraph, shared by every document that prints it.

    Callers lay out copies (see render.pdf._copies), never this object.
    """
    return CachedParagraph(markup, style, bulletText=bullet)


def inline_markup(children, link_color: str, *, curly: bool = True, emphasis: str = "i") -> str:
    """ReportLab markup for one inline token list, every text escaped.

    Text is typeset (curly quotes and dashes when `curly`, phone numbers
    unbreakable; see render.typography); code keeps its characters.
    `emphasis` is the tag *emphasis* prints with: large print uses bold,
    since italics are harder to read for low vision.
    """
    from .addresses import START, mark_address, mark_addresses, strip_markers
    from .typography import keep_phones_whole, typeset

    def typeset_text(part: str, before: str) -> str:
        return typeset(part, before=before, curly=curly)

    def typeset_code(part: str, _before: str) -> str:
        return keep_phones_whole(part)

    out: list[str] = []
    links: list[str | None] = []
    link_text: list[list[str]] = []
    last = ""  # the last character printed, for opening or closing quotes
    for token in children or ():
        kind = token.type
        if kind == "text" or kind == "code_inline":
            # Addresses are marked where they may break (render.addresses)
            # and keep their characters; the text around them is typeset.
            shown = mark_addresses(token.content, typeset_text if kind == "text" else typeset_code, last)
            out.append(escape(shown))
            last = strip_markers(shown)[-1:] or last
            for collected in link_text:
                collected.append(token.content)
        elif kind in ("em_open", "em_close"):
            out.append(f"<{emphasis}>" if kind == "em_open" else f"</{emphasis}>")
        elif kind in _FIXED_MARKUP:
            out.append(_FIXED_MARKUP[kind])
            if kind == "softbreak":
                last = " "
        elif kind == "link_open":
            # A link the rules refuse (load.outbound) prints as its text.
            safe = safe_link(str(token.attrGet("href") or ""))
            links.append(safe)
            link_text.append([])
            if safe:
                out.append(f'<link href="{escape(safe)}" color="{link_color}"><u>')
        elif kind == "link_close":
            href = links.pop() if links else None
            shown = "".join(link_text.pop()) if link_text else ""
            if href:
                out.append("</u></link>")
                # Paper has no links: print the address unless the text is it.
                target = href.split(":", 1)[1] if href.lower().startswith(("mailto:", "tel:")) else href
                # "fda.gov/medwatch" is the address https://www.fda.gov/medwatch.
                bare = re.sub(r"^https?://(www\.)?", "", target).rstrip("/")
                if target.rstrip("/") not in shown and bare != shown.strip().rstrip("/"):
                    printed = keep_phones_whole(target) if href.lower().startswith("tel:") \
                        else mark_address(target, "(", ")")
                    out.append(" " + escape(printed if printed.startswith(START) else f"({printed})"))
        elif kind == "image":
            # Images in content are not fetched or embedded; their alt text prints.
            out.append(escape(token.content or ""))
    return "".join(out)


# A batch re-reads the sections that name the provider for every document,
# and most of their paragraphs are the same each time: their inline tokens
# and markup are made once per process. A provider's own paragraphs pass
# through and fall out (render.sharing); the size bounds the rest.
@shared_cache(maxsize=2048)
def _inline_tokens(content: str) -> tuple:
    return tuple(parser().parseInline(content, {})[0].children or ())


@shared_cache(maxsize=2048)
def _inline_markup_of(content: str, link_color: str, curly: bool, emphasis: str) -> str:
    return inline_markup(_inline_tokens(content), link_color, curly=curly, emphasis=emphasis)


class BlockInlines:
    """The inline tokens and markup of a body's blocks, from the per-process caches when the body
    defines no link references (which the same text could then read differently)."""

    def __init__(self, env: dict, styles: BodyStyles, curly: bool):
        self._own = bool(env.get("references"))
        self._env, self._styles, self._curly = env, styles, curly

    def tokens(self, inline) -> tuple:
        """`inline`'s tokens, as the full parser would have given them."""
        if self._own:
            return tuple(parser().parseInline(inline.content, self._env)[0].children or ())
        return _inline_tokens(inline.content)

    def markup(self, inline) -> str:
        """`inline`'s text as Paragraph markup (see inline_markup)."""
        styles = self._styles
        if self._own:
            return inline_markup(self.tokens(inline), styles.link_color, curly=self._curly,
                                 emphasis=styles.emphasis)
        return _inline_markup_of(inline.content, styles.link_color, self._curly, styles.emphasis)
