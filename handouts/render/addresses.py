"""Where web and e-mail addresses may break across lines, decided by us rather than ReportLab.

A patient types an address from paper, so a break must not look like part
of it: no hyphen is ever added, and a long web address breaks only after a
`/` or before a `.` or `?`. ReportLab's own address splitting (its
`uriWasteReduce`) splits once and then lets the rest run off the page, so
it is off (see render.styles) and this module does the work in two steps:

- `mark_addresses` (when markup is made) wraps each address in START/END
  and marks its allowed breaks with private-use characters that never print;
- `lay_out_addresses` (when a paragraph is wrapped, so the width is known)
  leaves an address that fits a line as one unbreakable word, and sets a
  longer one on lines of its own, joined by `<br/>` at the allowed breaks.

Only where one part between those breaks is wider than a whole line does
an address break after one of its own hyphens (there is nowhere else).
E-mail addresses break, before a `.` or the `@`, only when wider than a line.
"""

from __future__ import annotations

import html
import re

BREAK = "\ue000"  # a break allowed here, nothing added
HYPHEN_BREAK = "\ue003"  # after one of the address's own hyphens: only inside a part wider than a line
START, END = "\ue001", "\ue002"
_MARKERS = re.compile("[\ue000-\ue003]")
_REGION = re.compile(f"{START}(.*?){END}", re.S)
_TAG = re.compile(r"<[^>]*>")
_OPENING = re.compile(r"(?:<(?!/)[^>]*>)+$")
# What prints right after an address, up to a space: read through tags
# from the address on, never the rest of the paragraph (a paragraph of
# 20,000 links would read 20,000 rests).
_FOLLOWING = re.compile(r"(?:<[^>]*>|[^\s\ue001])*")

# A web address from its scheme (or "www.") to the first space; trailing
# sentence punctuation is not part of it. An e-mail address is tried only
# where a run of its characters starts (the lookbehind): tried inside the
# run as well, a word of n letters with no `@` took n^2 / 2 steps (a
# 40,000-letter word 6 s, 160,000 letters 90 s), and no match can start
# inside a run that failed from its start.
_FIND = re.compile(r"(?:https?://|www\.)[^\s<>\"]+|(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_TRAILING = ".,;:!?\u2019\u201d'\""


def has_markers(text: str) -> bool:
    """Whether `text` holds address marks (see mark_addresses)."""
    return START in text


def strip_markers(text: str) -> str:
    """`text` without the address marks: the address as one unbreakable word."""
    return _MARKERS.sub("", text)


def _breaks(address: str) -> str:
    """`address` with its allowed breaks marked (not yet escaped)."""
    if "@" in address and "/" not in address:
        # An e-mail address: before a dot or the @, wider than a line only.
        return re.sub(r"(?<=.)(?=[.@])", HYPHEN_BREAK, address)
    scheme = address.find("://")
    head = address[: scheme + 3] if scheme >= 0 else ""
    out = [head]
    for index, char in enumerate(address[len(head):]):
        if char in ".?" and index:
            out.append(BREAK)
        out.append(char)
        if char == "/":
            out.append(BREAK)
        elif char == "-":
            out.append(HYPHEN_BREAK)
    return "".join(out).rstrip(BREAK + HYPHEN_BREAK)


def mark_address(address: str, before: str = "", after: str = "") -> str:
    """One known address (with what prints around it, such as brackets) marked; not escaped."""
    return f"{START}{before}{_breaks(address)}{after}{END}"


def mark_addresses(text: str, typeset=lambda part, before: part, before: str = "") -> str:
    """`text` with every web and e-mail address in it marked; the rest passed through `typeset`.

    Addresses keep their characters exactly (no curly quotes or dashes).
    `typeset(part, before)` gets each stretch between addresses and the
    character printed just before it (`before` for the first).
    """
    out: list[str] = []
    position = 0
    prior = before  # the last character printed so far

    def typeset_from(part: str) -> str:
        nonlocal prior
        shown = typeset(part, prior)
        prior = strip_markers(shown)[-1:] or prior
        return shown

    for match in _FIND.finditer(text):
        address = match.group(0)
        stripped = address.rstrip(_TRAILING)
        # A closing bracket belongs to the address only if it opens one.
        while stripped.endswith(")") and stripped.count("(") < stripped.count(")"):
            stripped = stripped[:-1].rstrip(_TRAILING)
        if not stripped:
            continue
        out.append(typeset_from(text[position:match.start()]))
        out.append(mark_address(stripped))
        prior = stripped[-1]
        position = match.start() + len(stripped)
    out.append(typeset_from(text[position:]))
    return "".join(out)


def _visible(markup: str) -> bool:
    """Whether `markup` prints anything but spaces."""
    return bool(html.unescape(_TAG.sub("", strip_markers(markup))).strip())


def _width(markup: str, fonts: tuple[str, ...], size: float) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    text = html.unescape(_TAG.sub("", strip_markers(markup)))
    return max(stringWidth(text, font, size) for font in fonts)


def _lines(body: str, width: float, reserve: float, fonts: tuple[str, ...], size: float) -> list[str]:
    """Greedy lines of the address `body`, each at most `width` wide where the breaks allow.

    The last line keeps `reserve` free for what follows the address.
    """
    parts: list[str] = []
    for part in body.split(BREAK):
        if _width(part, fonts, size) > width and HYPHEN_BREAK in part:
            pieces = part.split(HYPHEN_BREAK)
            parts += [piece + HYPHEN_BREAK for piece in pieces[:-1]] + [pieces[-1]]
        else:
            parts.append(part)
    lines: list[str] = []
    current = ""
    for index, part in enumerate(parts):
        room = width - (reserve if index == len(parts) - 1 else 0)
        if current and _width(current + part, fonts, size) > room:
            lines.append(current)
            current = part
        else:
            current += part
    lines.append(current)
    return [strip_markers(line) for line in lines]


def lay_out_addresses(markup: str, first_width: float, width: float, fonts: tuple[str, ...],
                      size: float) -> str:
    """`markup` with each marked address set for lines `width` wide (the first line `first_width`).

    An address that fits a line stays one word, which ReportLab moves to
    the next line whole when it does not fit the rest of this one. A longer
    one starts a line of its own and breaks at its marks. Room is kept for
    the punctuation that follows it with no space ("...).").
    """
    out: list[str] = []
    position = 0
    printed = False  # whether any text prints before this point
    for match in _REGION.finditer(markup):
        before = markup[position:match.start()]
        out.append(before)
        body = match.group(1)
        at_start = not (printed or _visible(before))
        printed = printed or _visible(before) or _visible(body)
        following = _TAG.sub("", _FOLLOWING.match(markup, match.end()).group(0))
        reserve = _width(following, fonts, size) + size * 0.1
        room = first_width if at_start else width
        if _width(body, fonts, size) + reserve <= room:
            out.append(strip_markers(body))
        else:
            lines = _lines(body, min(room, width), reserve, fonts, size)
            if not at_start:
                # The break goes before any tag that opens around the address
                # (a reference's <link>): an empty link on the line above
                # would make an annotation with no width.
                opening = _OPENING.search(before)
                cut = opening.start() if opening else len(before)
                out[-1] = before[:cut] + "<br/>" + before[cut:]
            out.append("<br/>".join(lines))
        position = match.end()
    out.append(markup[position:])
    return strip_markers("".join(out))
