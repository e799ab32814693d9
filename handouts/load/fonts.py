"""Font files: the bundled family, a clinic's own, and the characters they draw.

Atkinson Hyperlegible (Braille Institute, SIL OFL) ships inside the package:
it was drawn for low-vision readers, tells I, l and 1 apart as the APH
large-print guidance asks, and covers Latin-1 and Latin Extended-A for
Spanish, French, German and Nordic names. Nothing falls back to the
base-14 fonts, which PDF viewers substitute rather than embed.

Each file is read (bounded) and parsed by ReportLab's TrueType parser once
per process; what loading and lint check against is the characters a
family draws. Registering the parsed fonts for a document is the
renderer's part (render.fonts).
"""

from __future__ import annotations

import hashlib
import io
import os
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..errors import BrandError, Problem, display_path
from .brand import FontFamily
from .paths import package_path
from .reading import FONT_LIMIT, ReadError, read_bytes

BUNDLED_FAMILY = "Atkinson Hyperlegible"
_BUNDLED_FILES = {
    "regular": "AtkinsonHyperlegible-Regular.ttf",
    "bold": "AtkinsonHyperlegible-Bold.ttf",
    "italic": "AtkinsonHyperlegible-Italic.ttf",
    "bold_italic": "AtkinsonHyperlegible-BoldItalic.ttf",
}


STYLES = ("regular", "bold", "italic", "bold_italic")


@dataclass(frozen=True)
class FontFile:
    """One TrueType file parsed: the name it is registered under, ReportLab's font, and its characters."""

    name: str
    font: object
    coverage: frozenset[int]


@lru_cache(maxsize=1)
def bundled_family() -> FontFamily:
    """The bundled Atkinson Hyperlegible family as files on disk."""
    folder = package_path("fonts")
    paths = {style: folder / name for style, name in _BUNDLED_FILES.items()}
    return FontFamily(name=BUNDLED_FAMILY, **paths)


@lru_cache(maxsize=1)
def bundled_coverage() -> frozenset[int]:
    """The characters the bundled family draws in all four styles, read without ReportLab.

    From `fonts/coverage.txt`, which tools/bundled-coverage.py writes from
    the font files: the same set as `register_family(None).coverage` (a test
    checks), for lint, which checks what text can print without reading fonts.
    """
    points: set[int] = set()
    table = package_path("fonts", "coverage.txt").read_text(encoding="ascii")  # package data, not an input
    for line in table.splitlines():
        if line and not line.startswith("#"):
            first, _, last = line.partition("-")
            points.update(range(int(first, 16), int(last or first, 16) + 1))
    return frozenset(points)


# Parsed fonts by content hash: ReportLab's registry is process-wide, and
# each font is registered once under a name made from its bytes.
_parsed: dict[str, FontFile] = {}
# And by what stat says of the file: every document of a batch registers
# the same files, and reading and hashing them each time cost more than
# a page's drawing. A file changed since (size, time or inode) is read again.
_by_stat: dict[tuple, FontFile] = {}


def font_file(path: Path) -> FontFile:
    """One TTF read and parsed under a name derived from its bytes; once per process.

    ReportLab's font registry is process-wide, so the name is a content hash:
    two brands with different files called Sans.ttf never collide. The file
    is read once, bounded, and parsed from those bytes.
    """
    try:
        info = os.stat(path)
        stamp: tuple | None = (str(path), info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)
    except OSError:
        stamp = None  # read_bytes says why
    if stamp in _by_stat:
        return _by_stat[stamp]
    try:
        data = read_bytes(path, max_bytes=FONT_LIMIT, what="font file")
    except ReadError as exc:
        raise BrandError([exc.problem]) from None
    digest = hashlib.sha256(data).hexdigest()
    if digest not in _parsed:
        font, coverage = parse_font(data, path, f"H{digest[:12]}")
        _parsed[digest] = FontFile(name=font.fontName, font=font, coverage=coverage)
    if stamp is not None:
        _by_stat[stamp] = _parsed[digest]
    return _parsed[digest]


def parse_font(data: bytes, path: Path, name: str):
    """A ReportLab TTFont parsed from `data` (the bytes of `path`) and its coverage.

    Raises BrandError naming the file when it is not a TrueType font
    ReportLab can embed: empty, damaged, CFF outlines, a web font.
    """
    from reportlab.pdfbase.ttfonts import TTFont

    try:
        font = TTFont(name, io.BytesIO(data))
        coverage = frozenset(font.face.charToGlyph)
        # A font whose tables parse may still have broken glyph data; a
        # trial subset meets it here rather than halfway through a PDF.
        font.face.makeSubset(sorted(coverage)[:64])
    except Exception:  # noqa: BLE001 - any parser failure on a clinic's file is bad input
        raise BrandError([Problem(display_path(path), None, _font_problem(data))]) from None
    return font, coverage


def _font_problem(data: bytes) -> str:
    """Why ReportLab could not use a font file, said so a clinic can act on it."""
    if not data:
        return "font file is empty; copy the .ttf file again"
    if data[:4] == b"OTTO":
        return ("font has PostScript (CFF) outlines, an OpenType .otf renamed .ttf; "
                "use the family's TrueType .ttf files")
    if data[:4] in (b"wOFF", b"wOF2"):
        return "font is a web font (WOFF); use the family's TrueType .ttf files"
    return "font file is damaged or not a TrueType font; copy the .ttf file again"


def family_files(family: FontFamily | None) -> tuple[dict[str, FontFile], frozenset[int], tuple[Path, ...]]:
    """A family's file for each style (the bundled family's for None), the characters all four draw, their paths.

    Raises BrandError naming every file that is not a usable TrueType font.
    """
    family = family or bundled_family()
    fonts: dict[str, FontFile] = {}
    coverage: frozenset[int] | None = None
    files = []
    problems: list[Problem] = []
    bundled = bundled_family()
    for style in STYLES:
        path = getattr(family, style)
        if path is None:
            # A family without a bold face would print headings and **bold**
            # in its regular weight, losing the emphasis ("has **not**
            # approved"): they print in the bundled bold instead (lint warns).
            # (loading.settle_bold sets the family's regular file as its bold
            # instead when the handout's text needs characters the bundled bold lacks.)
            if style == "bold_italic" and family.bold is not None:
                path = family.bold
            elif style.startswith("bold"):
                path = getattr(bundled, style)
            else:
                path = family.regular
        files.append(path)
        try:
            fonts[style] = font_file(path)
        except BrandError as exc:
            problems.extend(p for p in exc.problems if p not in problems)
            continue
        if getattr(family, style) is None and style.startswith("bold") and family.bold is None:
            continue  # the bundled bold, borrowed: the handout's text was checked against it
        coverage = fonts[style].coverage if coverage is None else coverage & fonts[style].coverage
    if problems:
        raise BrandError(problems)
    return fonts, coverage or frozenset(), tuple(files)


def missing_characters(text: str, coverage: frozenset[int]) -> list[str]:
    """Characters of `text` the font cannot draw (spaces and line breaks aside)."""
    missing = []
    for char in dict.fromkeys(text):
        if char in "\n\r\t" or ord(char) in coverage:
            continue
        missing.append(char)
    return missing


# First words of Unicode character names that are script names.
_SCRIPTS = frozenset(
    "LATIN GREEK COPTIC CYRILLIC ARMENIAN HEBREW ARABIC SYRIAC THAANA NKO SAMARITAN DEVANAGARI BENGALI "
    "GURMUKHI GUJARATI ORIYA TAMIL TELUGU KANNADA MALAYALAM SINHALA THAI LAO TIBETAN MYANMAR GEORGIAN "
    "HANGUL ETHIOPIC CHEROKEE OGHAM RUNIC TAGALOG KHMER MONGOLIAN LIMBU BUGINESE BALINESE SUNDANESE "
    "JAVANESE HIRAGANA KATAKANA BOPOMOFO CJK YI VAI BAMUM TIFINAGH".split())


def script_of(char: str) -> str:
    """The writing system a character belongs to, for messages that must not quote it.

    Read from the first word of its Unicode name ("ARABIC LETTER MEEM" ->
    "Arabic"); marks, symbols and other characters are named by category.
    """
    name = unicodedata.name(char, "")
    first = name.split(" ", 1)[0]
    if first in _SCRIPTS:
        return "CJK" if first == "CJK" else first.capitalize()
    if name.startswith("CANADIAN SYLLABICS"):
        return "Canadian Syllabics"
    category = unicodedata.category(char)
    if category.startswith("M"):
        return "combining mark"
    if category.startswith("S"):
        return "symbol"
    if category.startswith("C"):
        return "control or unassigned"
    return "other"


def describe_private(chars: list[str], whose: str) -> str:
    """'2 characters of <whose> (script Arabic; the first is U+0645)', never quoting them.

    For values such as a patient's name, where listing every character
    would spell the value out in a log.
    """
    names = sorted(dict.fromkeys(script_of(c) for c in chars))
    scripts = ("scripts " if len(names) > 1 else "script ") + ", ".join(names)
    count = f"{len(chars)} characters" if len(chars) > 1 else "1 character"
    first = f"; the first is U+{ord(chars[0]):04X}" if len(chars) > 1 else f": U+{ord(chars[0]):04X}"
    return f"{count} of {whose} ({scripts}{first})"


def describe_characters(chars: list[str], limit: int = 6) -> str:
    """'"漢" (U+6F22 CJK UNIFIED IDEOGRAPH-6F22), ...' for error messages."""
    shown = []
    for char in chars[:limit]:
        name = unicodedata.name(char, "unnamed character")
        printable = char if char.isprintable() and not char.isspace() else ""
        shown.append(f'"{printable}" (U+{ord(char):04X} {name})' if printable else f"U+{ord(char):04X} {name}")
    more = f" and {len(chars) - limit} more" if len(chars) > limit else ""
    return ", ".join(shown) + more
