"""Right-to-left scripts, which handouts refuses rather than prints wrongly.

Arabic and Hebrew need two things a PDF line does not do by itself: the
Unicode bidirectional algorithm, to put words in visual order line by line,
and shaping (Arabic letters join and change form). ReportLab 4.x and later
can do both, but only with its `rlbidi` package, which is not published on
PyPI; python-bidi reorders whole paragraphs before line breaking, which puts
the lines of a wrapped paragraph in the wrong order unless ReportLab's line
breaking is patched. Until that can be done without patching ReportLab, text
in these scripts is refused with a message naming the script, instead of
printing reversed, unjoined letters a patient cannot read.
"""

from __future__ import annotations

import unicodedata

# Bidi classes of strong right-to-left characters, and the embedding
# controls that would turn left-to-right text around.
_RTL_CLASSES = {"R", "AL", "RLE", "RLO", "RLI"}


def _script(char: str) -> str:
    name = unicodedata.name(char, "")
    if not name or unicodedata.bidirectional(char) in ("RLE", "RLO", "RLI"):
        return "right-to-left control"
    return name.split()[0].split("-")[0].title()


def right_to_left(text: str) -> str | None:
    """None, or a description of the right-to-left script(s) in `text` without quoting it.

    E.g. 'Arabic (U+0645 ARABIC LETTER MEEM)': the script and the first such
    character's code point, never the text, which may be a patient's name.
    """
    scripts: dict[str, str] = {}
    for char in dict.fromkeys(text):  # each distinct character once, in order
        if ord(char) < 0x0590 and char not in "\u202b\u202e\u2067":
            continue
        if unicodedata.bidirectional(char) in _RTL_CLASSES:
            script = _script(char)
            scripts.setdefault(script, f"U+{ord(char):04X} {unicodedata.name(char, 'unnamed')}")
    if not scripts:
        return None
    return ", ".join(f"{script} ({first})" for script, first in sorted(scripts.items()))
