"""Embedded TrueType fonts: a family's files registered with ReportLab for the documents.

The files are read, parsed and checked by load.fonts; here they are
registered, once per process, under names made from their bytes, and
mapped so that <b> and <i> inside a paragraph pick the family's own files.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..load.brand import FontFamily
from ..load.fonts import bundled_family, family_files

# Names registered so far: ReportLab's font registry is process-wide.
_registered: set[str] = set()


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


def register_family(family: FontFamily | None) -> Fonts:
    """Register a family's files (or the bundled one) and return their names.

    Raises BrandError naming every file that is not a usable TrueType font.
    """
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics

    family = family or bundled_family()
    fonts, coverage, files = family_files(family)
    for font in fonts.values():
        if font.name not in _registered:
            pdfmetrics.registerFont(font.font)
            _registered.add(font.name)
    names = {style: font.name for style, font in fonts.items()}
    # Let <b> and <i> inside paragraphs pick the right file of this family.
    addMapping(names["regular"], 0, 0, names["regular"])
    addMapping(names["regular"], 1, 0, names["bold"])
    addMapping(names["regular"], 0, 1, names["italic"])
    addMapping(names["regular"], 1, 1, names["bold_italic"])
    return Fonts(family=family.name, coverage=coverage, files=files, **names)
