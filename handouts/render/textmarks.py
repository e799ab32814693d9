"""A paragraph's text object as a screen reader should read it: words apart, links marked.

ReportLab draws a paragraph's lines without the space that ends each one,
so a tool that reads the structure tree's text without positions (poppler's
`pdfinfo -struct-text`, assistive technology reading the tags) joins the
last word of a line to the first of the next ("coveredby"). And it draws a
link's words in the same text object as the rest of the paragraph, so they
cannot be a Link element's own content.

`MarkedTextObject` is the text object our paragraphs draw with (their
`beginText`, see render.markup). It draws exactly what ReportLab's does,
and also:

- at the end of each line where the paragraph's text has a space, a space
  (invisible: it is after the line's last glyph, and nothing is measured
  from it); nothing where a word or an address goes on (a long word or an
  address broken by render.addresses); where a line ends at a soft hyphen,
  the hyphen ReportLab prints is between marks that make it an artifact, so
  the word reads whole (poppler loses the rest of a marked sequence after
  a nested /ActualText span, so not that);
- around each link's words on a line, marks (never otherwise in a content
  stream) that the page canvas turns into the link's marked content
  (render.tagging's `Structure.mark_text`), with marked-content ids of the
  page the text lands on: a batch records a drawing once and replays it on
  many pages (render.reuse).

`Decorations` is for the canvases a paragraph is drawn on (the page and the
recorder's scratch canvas): the strokes a paragraph draws itself (its link
underlines) are decoration, marked as an artifact.
"""

from __future__ import annotations

from contextlib import contextmanager

from reportlab.pdfgen.textobject import PDFTextObject

SEP = "\x00"  # escaped to \000 inside PDF strings: never in operators otherwise
_HREF_SEP = "\x01"
LINK_END = SEP + SEP
HYPHEN = SEP + "-" + SEP  # a soft hyphen's printed hyphen follows: an artifact
RESUME = SEP + "+" + SEP  # after it: what was marked before it goes on
_SPACES = " \t\n\r\f\v\u2028\u2029"
_SOFT_HYPHEN = "\xad"


def link_start(number: int, href: str) -> str:
    """The mark before link `number`'s words on a line (`href` its address)."""
    clean = href.replace(SEP, "").replace(_HREF_SEP, "")
    return f"{SEP}{number}{_HREF_SEP}{clean}{SEP}"


def split_marks(code: str) -> list:
    """`code` as [operators, mark, operators, mark, ...]: a mark is (number, href) (a link's
    words start), None (they end), "-" (a hyphen to skip) or "+" (what went before resumes)."""
    pieces = code.split(SEP)
    for index in range(1, len(pieces), 2):
        mark = pieces[index]
        if mark not in ("-", "+"):
            number, _, href = mark.partition(_HREF_SEP)
            pieces[index] = (int(number), href) if number else None
    return pieces


def strip_marks(code: str) -> str:
    """`code` without link marks: for drawing that is not tagged (an artifact)."""
    if SEP not in code:
        return code
    return "".join(code.split(SEP)[::2])


def paints(operators: str) -> bool:
    """Whether PDF operators of a text object show any text."""
    return ") Tj" in operators or "] TJ" in operators or ") '" in operators or ') "' in operators


def line_ends(paragraph, continues: bool) -> list[tuple[int | None, str]]:
    """For each line of a wrapped paragraph: (the text-out call of that line whose
    last character is a soft hyphen's printed "-", or None; what to add after the line).

    The paragraph's own text decides: a space where it has a space (or a
    line break), nothing where a word goes on. The last line gets a space
    only when the paragraph `continues` in another part (a page break).
    """
    para = paragraph.blPara
    lines = para.lines
    if not lines:
        return []
    if para.kind == 0:
        texts = [" ".join(line[1]) for line in lines]
        last_calls = [0 if text else None for text in texts]
    else:
        texts, last_calls = [], []
        for line in lines:
            frags = [f for f in line.words if not hasattr(f, "cbDefn")]
            texts.append("".join(f.text for f in frags))
            with_text = [i for i, f in enumerate(frags) if f.text]
            last_calls.append(with_text[-1] if with_text else None)
    source = _source(paragraph)
    kinds = _break_kinds(source, texts) or ["space"] * len(texts)
    out: list[tuple[int | None, str]] = []
    for index, (text, kind) in enumerate(zip(texts, kinds)):
        last = index == len(texts) - 1
        if last and not continues:
            out.append((None, ""))
        elif kind == "shy" and last_calls[index] is not None:
            out.append((last_calls[index], ""))
        elif last:  # the part's own text ends here: a space, unless it ends with a hyphen
            out.append((None, "" if text.endswith("-") else " "))
        elif kind == "join" or (text and text[-1] in _SPACES):
            out.append((None, ""))
        else:
            out.append((None, " "))
    return out


def _source(paragraph) -> str:
    """The paragraph's text as ReportLab read it, a space wherever it had one, and a
    soft hyphen where it breaks a word at one (or adds a hyphen of its own)."""
    from .rlprivate import hyphenation_word_types

    _HSFrag, _SplitFragHY = hyphenation_word_types()

    frags = paragraph.frags
    if not frags or not isinstance(frags[0], list) or not isinstance(frags[0][0], (int, float)):
        return paragraph.getPlainText()
    # Wrapping has turned the text into words: [width, (style, text), ...],
    # each marked when a space followed it or when ReportLab hyphenated it.
    out = []
    for word in frags:
        text = "".join(piece[1] for piece in word[1:])
        if isinstance(word, _SplitFragHY) and text.endswith("-"):
            text = text[:-1] + _SOFT_HYPHEN
        out.append(text)
        if isinstance(word, _HSFrag):
            out.append(" ")
    return "".join(out)


def _break_kinds(source: str, texts: list[str]) -> list[str] | None:
    """How each line ends in `source`: "space", "join" (a word goes on) or "shy"
    (at a soft hyphen, printed as "-"); None when the lines do not follow the source."""
    position, size = 0, len(source)
    kinds = []
    for text in texts:
        chars = [c for c in text if c not in _SPACES]
        shy = False
        for index, char in enumerate(chars):
            if char == "-" and index == len(chars) - 1 and position < size and source[position] == _SOFT_HYPHEN:
                shy = True
                break
            while position < size and (source[position] in _SPACES or source[position] == _SOFT_HYPHEN):
                position += 1
            if position >= size or source[position] != char:
                return None
            position += 1
        if shy:
            kinds.append("shy")
        elif position < size and source[position] in _SPACES:
            kinds.append("space")
        else:
            kinds.append("join")
    return kinds


class MarkedTextObject(PDFTextObject):
    """A paragraph's text object: a space at each soft line end and, with `marks` (a
    canvas that resolves them), soft hyphens as artifacts and each link's words on a
    line between marks."""

    def __init__(self, canvas, x, y, *, ends, marks: bool, whole_link=None):
        super().__init__(canvas, x, y)
        self._ends = ends
        self._line = 0
        self._call = 0
        self._link_marks = marks
        # A paragraph of one style that is all one link (ReportLab's "kind 0"):
        # its lines are drawn one call each, and each is a run of the link.
        self._whole_link = whole_link if marks else None

    def _textOut(self, text, TStar=0):  # noqa: N802, N803 - ReportLab's names
        end = self._ends[self._line] if self._line < len(self._ends) else (None, "")
        hyphen_call, after = end
        if hyphen_call == self._call and text.endswith("-") and self._link_marks:
            code = (self._formatText(text[:-1]) + " " if text[:-1] else "") + HYPHEN + self._formatText("-") + RESUME
        elif TStar and after and (not text or text[-1] not in _SPACES):
            code = self._formatText(text + after)
        else:
            code = self._formatText(text)
        if TStar:
            code += " T*"
            self._line += 1
            self._call = 0
        else:
            self._call += 1
        if self._whole_link is not None and text:
            code = link_start(*self._whole_link) + code + LINK_END
        self._code.append(code)

    def _linkRecord(self, link, what):  # noqa: N802 - ReportLab's hook
        # ReportLab calls it right after drawing a link's first words on a
        # line ("start") and before what follows its last ("end").
        if not self._link_marks:
            return
        if what == "start":
            self._code.insert(len(self._code) - 1, link_start(*link))
        else:
            self._code.append(LINK_END)


class Decorations:
    """Canvas mixin: lines drawn while a paragraph draws (its underlines) are artifacts."""

    _paragraph_depth = 0

    @contextmanager
    def paragraph(self):
        """While a paragraph is drawn."""
        self._paragraph_depth += 1
        try:
            yield
        finally:
            self._paragraph_depth -= 1

    def line(self, x1, y1, x2, y2):
        if not self._paragraph_depth:
            return super().line(x1, y1, x2, y2)
        self._code.append("/Artifact <</Type /Layout>> BDC")
        super().line(x1, y1, x2, y2)
        self._code.append("EMC")
