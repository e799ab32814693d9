"""Printed text's typography: curly quotes, real dashes, and no line breaks inside phone numbers.

Content files keep plain ASCII quotes and hyphens, which are easy to type
and to diff; the printed sheet gets the typographer's forms. Done on text
before it is escaped (see render.markup.escape), never by patching ReportLab.
"""

from __future__ import annotations

import re
from functools import lru_cache

NBSP = "\u00a0"
# (555) 010-1007, 555-010-1007, 1-800-332-1088, +1 555 010 1007; in other
# countries' forms, +34 912 345 678, +52 (55) 1234 5678, 912 345 678 and
# 91 123 45 67: the spaces inside become no-break spaces; ReportLab breaks
# lines only at spaces.
_PHONE = re.compile(r"(?<![\w/+])(?:"
                    r"(?:\+?\d{1,3}[ .-])?(?:\(\d{3}\) ?|\d{3}[ .-])\d{3}[ .-]\d{4}"
                    r"|\+\d{1,3}(?:[ .-]?\(\d{1,4}\)|[ .-]\d{1,4}){2,5}"
                    r"|\d{3} \d{3} \d{3}|\d{2,3} \d{2,3} \d{2} \d{2}"
                    r")(?![\w/])")
# What a phone number looks like, also for the HTML edition's tel: links.
PHONE = _PHONE
_OPEN_BEFORE = " \t\n([{\u2014\u2013/" + NBSP
_DASHES = ((re.compile(r"(?<=\S)---(?=\S)"), "\u2014"), (re.compile(r" -{2,3} | - "), " \u2013 "),
           (re.compile(r"(?<=\S)--(?=\S)"), "\u2013"))
CURLY = "\u2018\u2019\u201c\u201d\u2013\u2014"


def keep_phones_whole(text: str) -> str:
    """Phone numbers with their spaces made unbreakable."""
    return _PHONE.sub(lambda m: m.group(0).replace(" ", NBSP), text)


def _quotes(text: str, before: str) -> str:
    out = []
    previous = before
    for char in text:
        if char == '"':
            char = "\u201c" if (not previous or previous in _OPEN_BEFORE) else "\u201d"
        elif char == "'":
            char = "\u2018" if (not previous or previous in _OPEN_BEFORE) else "\u2019"
        out.append(char)
        previous = char
    return "".join(out)


def typeset(text: str, *, before: str = "", curly: bool = True) -> str:
    """`text` as printed: curly quotes and dashes (when `curly`), phone numbers kept whole.

    `before` is the character printed just before `text` (text split by
    bold or a link still opens and closes its quotes right).
    """
    text = keep_phones_whole(text)
    if not curly:
        return text
    for pattern, dash in _DASHES:
        text = pattern.sub(dash, text)
    return _quotes(text, before)


@lru_cache(maxsize=32)
def font_has_curly(font_name: str) -> bool:
    """Whether a registered font has the curly quotes and dashes (else straight ones print)."""
    from reportlab.pdfbase.pdfmetrics import getFont

    face = getattr(getFont(font_name), "face", None)
    glyphs = getattr(face, "charToGlyph", None)
    return glyphs is None or all(ord(c) in glyphs for c in CURLY)
