"""Reading the PDFs handouts writes: text, fonts, outline, layout facts.

Shared by the test files. Everything here only reads PDFs (with pypdf and
pdfplumber); nothing imports handouts.
"""

from __future__ import annotations

import collections
from dataclasses import dataclass
from pathlib import Path

import pdfplumber
import pypdf
from pypdf.generic import IndirectObject

# The standard 14 fonts a viewer substitutes instead of reading them from
# the file: a handout must never rely on one.
BASE14 = frozenset({
    "Courier", "Courier-Bold", "Courier-Oblique", "Courier-BoldOblique",
    "Helvetica", "Helvetica-Bold", "Helvetica-Oblique", "Helvetica-BoldOblique",
    "Times-Roman", "Times-Bold", "Times-Italic", "Times-BoldItalic",
    "Symbol", "ZapfDingbats",
})


def normalise(text: str) -> str:
    """Collapse every run of whitespace (line breaks included) to one space."""
    return " ".join(text.split())


def page_texts(path: str | Path) -> list[str]:
    """pypdf's text of each page, whitespace normalised."""
    reader = pypdf.PdfReader(str(path))
    return [normalise(page.extract_text() or "") for page in reader.pages]


def full_text(path: str | Path) -> str:
    """The text of the whole document, whitespace normalised."""
    return " ".join(page_texts(path))


def _resolve(obj):
    return obj.get_object() if isinstance(obj, IndirectObject) else obj


@dataclass(frozen=True)
class FontUse:
    """One font dictionary found in the document, and where."""

    where: str
    name: str
    font: dict


def all_fonts(reader: pypdf.PdfReader) -> list[FontUse]:
    """Every font dictionary used by every page, walking form XObjects recursively.

    Form XObjects (the page total in the footer is one) have resources of
    their own, and a font hidden there would escape a page-level check.
    """
    found: list[FontUse] = []
    seen_forms: set[int] = set()

    def walk(resources, where: str) -> None:
        resources = _resolve(resources)
        if not resources:
            return
        for name, font in (_resolve(resources.get("/Font")) or {}).items():
            found.append(FontUse(where, str(name), _resolve(font)))
        for name, ref in (_resolve(resources.get("/XObject")) or {}).items():
            xobject = _resolve(ref)
            if xobject.get("/Subtype") != "/Form":
                continue
            key = ref.idnum if isinstance(ref, IndirectObject) else id(xobject)
            if key in seen_forms:
                continue
            seen_forms.add(key)
            walk(xobject.get("/Resources"), f"{where} > form {name}")

    for index, page in enumerate(reader.pages):
        walk(page.get("/Resources"), f"page {index + 1}")
    return found


def base_font_name(font: dict) -> str:
    """/BaseFont without a subset prefix (ABCDEF+Name -> Name)."""
    name = str(font.get("/BaseFont", "")).lstrip("/")
    prefix, plus, rest = name.partition("+")
    return rest if plus and len(prefix) == 6 and prefix.isupper() else name


def font_problems(reader: pypdf.PdfReader) -> list[str]:
    """Fonts that are not embedded TrueType, or are base-14; empty when all is well."""
    problems = []
    for use in all_fonts(reader):
        font = use.font
        label = f"{use.where}: font {use.name} ({base_font_name(font) or 'no /BaseFont'})"
        if base_font_name(font) in BASE14:
            problems.append(f"{label} is a base-14 font")
        if font.get("/Subtype") == "/Type0":
            font = _resolve(font["/DescendantFonts"][0])
        descriptor = _resolve(font.get("/FontDescriptor"))
        if descriptor is None:
            problems.append(f"{label} has no /FontDescriptor (not embedded)")
        elif "/FontFile2" not in descriptor:
            problems.append(f"{label} is not embedded TrueType (no /FontFile2)")
    return problems


def _flatten(outline) -> list:
    items = []
    for item in outline:
        if isinstance(item, list):
            items.extend(_flatten(item))
        else:
            items.append(item)
    return items


def outline_titles(reader: pypdf.PdfReader) -> list[str]:
    """The titles of every bookmark, in document order."""
    return [item.title for item in _flatten(reader.outline)]


def outline_pages(reader: pypdf.PdfReader) -> list[tuple[str, int]]:
    """(title, 0-based page index) of every bookmark, in document order."""
    return [(item.title, reader.get_destination_page_number(item)) for item in _flatten(reader.outline)]


@dataclass(frozen=True)
class Line:
    """A line of text as pdfplumber sees it on one page."""

    page: int  # 0-based
    text: str
    top: float  # distance from the top of the page, in points
    bottom: float
    size: float  # largest character size on the line
    page_height: float


def lines(path: str | Path) -> list[Line]:
    """Every text line of every page, with its position and type size."""
    found = []
    with pdfplumber.open(str(path)) as pdf:
        for index, page in enumerate(pdf.pages):
            for line in page.extract_text_lines():
                found.append(Line(index, normalise(line["text"]), line["top"], line["bottom"],
                                  max(c["size"] for c in line["chars"]), float(page.height)))
    return found


def char_sizes(path: str | Path, page: int) -> collections.Counter:
    """How many characters of each size (rounded to 0.1 pt) a page holds."""
    with pdfplumber.open(str(path)) as pdf:
        return collections.Counter(round(c["size"], 1) for c in pdf.pages[page].chars)


def body_size(path: str | Path, page: int) -> float:
    """The most common character size on a page: the body text size."""
    return char_sizes(path, page).most_common(1)[0][0]


def box(page: pypdf.PageObject, name: str) -> tuple[float, float, float, float]:
    """A page box (mediabox, trimbox, bleedbox, cropbox) as four floats."""
    rect = getattr(page, name)
    return (float(rect.left), float(rect.bottom), float(rect.right), float(rect.top))
