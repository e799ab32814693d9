"""Embedded TrueType fonts: the bundled family and a clinic's own.

Atkinson Hyperlegible (Braille Institute, SIL OFL) ships inside the package:
it was drawn for low-vision readers, tells I, l and 1 apart as the APH
large-print guidance asks, and covers Latin-1 and Latin Extended-A for
Spanish, French, German and Nordic names. Nothing falls back to the
base-14 fonts, which PDF viewers substitute rather than embed.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from ..load.brand import FontFamily

BUNDLED_FAMILY = "Atkinson Hyperlegible"
_BUNDLED_FILES = {
    "regular": "AtkinsonHyperlegible-Regular.ttf",
    "bold": "AtkinsonHyperlegible-Bold.ttf",
    "italic": "AtkinsonHyperlegible-Italic.ttf",
    "bold_italic": "AtkinsonHyperlegible-BoldItalic.ttf",
}


@dataclass(frozen=True)
class Fonts:
    """ReportLab font names for one family's four styles, and its coverage."""

    family: str
    regular: str
    bold: str
    italic: str
    bold_italic: str
    coverage: frozenset[int]
    files: tuple[Path, ...]


def bundled_family() -> FontFamily:
    """The bundled Atkinson Hyperlegible family as files on disk."""
    folder = resources.files("handouts") / "fonts"
    paths = {style: Path(str(folder / name)) for style, name in _BUNDLED_FILES.items()}
    return FontFamily(name=BUNDLED_FAMILY, **paths)


@lru_cache(maxsize=64)
def _register(path: Path, digest: str) -> tuple[str, frozenset[int]]:
    """Register one TTF under a name derived from its bytes; cached per process.

    ReportLab's font registry is process-wide, so the name is a content hash:
    two brands with different files called Sans.ttf never collide.
    """
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    name = f"H{digest[:12]}"
    font = TTFont(name, str(path))
    pdfmetrics.registerFont(font)
    return name, frozenset(font.face.charToGlyph)


def register_family(family: FontFamily | None) -> Fonts:
    """Register a family's files (or the bundled one) and return their names."""
    from reportlab.lib.fonts import addMapping

    family = family or bundled_family()
    names: dict[str, str] = {}
    coverage: frozenset[int] | None = None
    files = []
    for style in ("regular", "bold", "italic", "bold_italic"):
        path = getattr(family, style) or family.regular
        files.append(path)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        names[style], chars = _register(path, digest)
        coverage = chars if coverage is None else coverage & chars
    # Let <b> and <i> inside paragraphs pick the right file of this family.
    addMapping(names["regular"], 0, 0, names["regular"])
    addMapping(names["regular"], 1, 0, names["bold"])
    addMapping(names["regular"], 0, 1, names["italic"])
    addMapping(names["regular"], 1, 1, names["bold_italic"])
    return Fonts(family=family.name, coverage=coverage or frozenset(), files=tuple(files), **names)


def missing_characters(text: str, coverage: frozenset[int]) -> list[str]:
    """Characters of `text` the font cannot draw (spaces and line breaks aside)."""
    missing = []
    for char in dict.fromkeys(text):
        if char in "\n\r\t" or ord(char) in coverage:
            continue
        missing.append(char)
    return missing


def describe_characters(chars: list[str], limit: int = 6) -> str:
    """'"漢" (U+6F22 CJK UNIFIED IDEOGRAPH-6F22), ...' for error messages."""
    shown = []
    for char in chars[:limit]:
        name = unicodedata.name(char, "unnamed character")
        printable = char if char.isprintable() and not char.isspace() else ""
        shown.append(f'"{printable}" (U+{ord(char):04X} {name})' if printable else f"U+{ord(char):04X} {name}")
    more = f" and {len(chars) - limit} more" if len(chars) > limit else ""
    return ", ".join(shown) + more
