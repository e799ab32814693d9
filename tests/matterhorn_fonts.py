"""The Matterhorn conditions on fonts and character codes (see tests/matterhorn.py), read with fontTools."""

from __future__ import annotations

import io
import re

import pikepdf
from matterhorn import Document, condition

# -- 10 character mappings, 31 fonts ----------------------------------------

def _to_unicode(font) -> dict[int, str] | None:
    stream = font.get("/ToUnicode")
    if not isinstance(stream, pikepdf.Stream):
        return None
    text = stream.read_bytes().decode("latin-1")
    mapping: dict[int, str] = {}

    def chars(hexa: str) -> str:
        data = bytes.fromhex(hexa)
        return data.decode("utf-16-be", "replace") if len(data) > 1 else chr(data[0])

    for block in re.findall(r"beginbfchar(.*?)endbfchar", text, re.S):
        for src, dst in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]*)>", block):
            mapping[int(src, 16)] = chars(dst) if dst else ""
    for block in re.findall(r"beginbfrange(.*?)endbfrange", text, re.S):
        for lo, hi, dst in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(<[0-9A-Fa-f]*>|\[[^\]]*\])", block):
            if dst.startswith("["):
                for offset, item in enumerate(re.findall(r"<([0-9A-Fa-f]*)>", dst)):
                    mapping[int(lo, 16) + offset] = chars(item)
            else:
                start = int(dst[1:-1], 16)
                width = len(dst[1:-1]) // 2
                for offset in range(int(hi, 16) - int(lo, 16) + 1):
                    mapping[int(lo, 16) + offset] = chars(f"{start + offset:0{width * 2}X}")
    return mapping


@condition("10-001", 'A character code with no Unicode value.',
           "every character code shown (text operators, with the font each Tf selects) has a ToUnicode value")
def _mapped_to_unicode(doc: Document):
    out = []
    for objgen, codes in doc.codes.items():
        mapping = _to_unicode(doc.fonts[objgen])
        if mapping is None:
            continue  # 31-027 says whether the font may go without
        missing = sorted(c for c in codes if not mapping.get(c))
        if missing:
            out.append(f"{doc.fonts[objgen].get('/BaseFont')}: codes {missing[:8]} map to nothing")
    return out


def _program(font):
    """(descriptor, fontTools font or None) of a simple TrueType font."""
    from fontTools.ttLib import TTFont

    descriptor = font.get("/FontDescriptor")
    data = descriptor.get("/FontFile2") if descriptor is not None else None
    if not isinstance(data, pikepdf.Stream):
        return descriptor, None
    try:
        return descriptor, TTFont(io.BytesIO(data.read_bytes()), lazy=True)
    except Exception:  # noqa: BLE001 - a font program fontTools cannot read fails the checks that need it
        return descriptor, None


def _truetype(doc: Document):
    """(name, font dict, descriptor, program, symbolic) of each simple TrueType font used by text."""
    for objgen in doc.codes:
        font = doc.fonts[objgen]
        if font.get("/Subtype") != "/TrueType":
            continue
        descriptor, program = _program(font)
        flags = int(descriptor.get("/Flags", 0)) if descriptor is not None else 0
        yield str(font.get("/BaseFont")), font, descriptor, program, bool(flags & 4), objgen


def _glyph_of(program, code: int, symbolic: bool) -> str | None:
    """The glyph a code shows (ISO 32000-1, 9.6.6.4), None when none."""
    cmap = program["cmap"]
    tables = {(t.platformID, t.platEncID): t.cmap for t in cmap.tables}
    if symbolic:
        if (3, 0) in tables:
            for candidate in (code, 0xF000 + code, 0xF100 + code, 0xF200 + code):
                if candidate in tables[(3, 0)]:
                    return tables[(3, 0)][candidate]
        if (1, 0) in tables:
            return tables[(1, 0)].get(code)
        return None
    table = tables.get((3, 1)) or tables.get((1, 0))
    return table.get(code) if table else None


@condition("31-009", 'A font used by text that is not embedded.',
           "every font Tf selects for shown text has /FontFile, /FontFile2 or /FontFile3")
def _embedded(doc: Document):
    out = []
    for objgen in doc.codes:
        font = doc.fonts[objgen]
        if font.get("/Subtype") == "/Type0":
            font = font.DescendantFonts[0]
        descriptor = font.get("/FontDescriptor")
        if descriptor is None or not any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
            out.append(f"{font.get('/BaseFont')} is not embedded")
    return out


@condition("31-016", 'Glyph widths in the font dictionary and the font program differ by more than 1/1000 em.',
           "for every code shown, /Widths against the program's advance (hmtx) in 1/1000 em, within 1")
def _widths(doc: Document):
    out = []
    for name, font, _descriptor, program, symbolic, objgen in _truetype(doc):
        if program is None:
            continue
        scale = 1000 / program["head"].unitsPerEm
        first, widths = int(font.get("/FirstChar", 0)), font.get("/Widths", [])
        for code in sorted(doc.codes[objgen]):
            glyph = _glyph_of(program, code, symbolic)
            if glyph is None or not 0 <= code - first < len(widths):
                continue
            advance = program["hmtx"][glyph][0] * scale
            if abs(float(widths[code - first]) - advance) > 1:
                out.append(f"{name}: code {code} is {float(widths[code - first])} wide, its glyph {advance:.1f}")
    return out


@condition("31-017", 'A non-symbolic TrueType program with no non-symbolic cmap.', "a non-symbolic TrueType program has a (3,1) or (1,0) cmap")
def _nonsymbolic_cmap(doc: Document):
    return [f"{name} has no (3,1) or (1,0) cmap" for name, _f, _d, program, symbolic, _o in _truetype(doc)
            if program is not None and not symbolic
            and not {(t.platformID, t.platEncID) for t in program["cmap"].tables} & {(3, 1), (1, 0)}]


@condition("31-019", 'A non-symbolic TrueType font without /Encoding.',
           "a non-symbolic TrueType font dictionary has /Encoding")
def _nonsymbolic_encoding(doc: Document):
    return [f"{name} has no /Encoding" for name, font, _d, _p, symbolic, _o in _truetype(doc)
            if not symbolic and "/Encoding" not in font]


@condition("31-020", 'A non-symbolic TrueType /Encoding dictionary without /BaseEncoding.', "a non-symbolic TrueType /Encoding dictionary has /BaseEncoding")
def _base_encoding(doc: Document):
    return [f"{name}: /Encoding has no /BaseEncoding" for name, font, _d, _p, symbolic, _o in _truetype(doc)
            if not symbolic and isinstance(font.get("/Encoding"), pikepdf.Dictionary)
            and "/BaseEncoding" not in font.Encoding]


@condition("31-021", 'A non-symbolic TrueType encoding other than MacRoman or WinAnsi.',
           "a non-symbolic TrueType /Encoding (or its /BaseEncoding) is MacRoman or WinAnsi")
def _encoding_name(doc: Document):
    out = []
    for name, font, _d, _p, symbolic, _o in _truetype(doc):
        encoding = font.get("/Encoding")
        if isinstance(encoding, pikepdf.Dictionary):
            encoding = encoding.get("/BaseEncoding")
        if not symbolic and encoding is not None and str(encoding) not in ("/MacRomanEncoding", "/WinAnsiEncoding"):
            out.append(f"{name}: /Encoding {encoding}")
    return out


@condition("31-023", 'A non-symbolic TrueType font with /Differences and no (3,1) cmap.',
           "a non-symbolic TrueType font with /Differences has a (3,1) cmap")
def _differences(doc: Document):
    return [f"{name}: /Differences without a (3,1) cmap" for name, font, _d, program, symbolic, _o in _truetype(doc)
            if not symbolic and program is not None and isinstance(font.get("/Encoding"), pikepdf.Dictionary)
            and "/Differences" in font.Encoding
            and (3, 1) not in {(t.platformID, t.platEncID) for t in program["cmap"].tables}]


@condition("31-024", 'A symbolic TrueType font with /Encoding.',
           "a symbolic TrueType font dictionary has no /Encoding")
def _symbolic_encoding(doc: Document):
    return [f"{name} is symbolic with /Encoding" for name, font, _d, _p, symbolic, _o in _truetype(doc)
            if symbolic and "/Encoding" in font]


@condition("31-025", 'A symbolic TrueType program with no cmap.',
           "a symbolic TrueType program has a cmap table with a subtable")
def _symbolic_cmap(doc: Document):
    return [f"{name} has no cmap" for name, _f, _d, program, symbolic, _o in _truetype(doc)
            if symbolic and program is not None and ("cmap" not in program or not program["cmap"].tables)]


@condition("31-026", 'A symbolic TrueType program with several cmaps, none (3,0).',
           "a symbolic TrueType program with several cmaps has a (3,0) one")
def _symbol_cmap(doc: Document):
    out = []
    for name, _f, _d, program, symbolic, _o in _truetype(doc):
        if symbolic and program is not None and "cmap" in program:
            kinds = {(t.platformID, t.platEncID) for t in program["cmap"].tables}
            if len(program["cmap"].tables) > 1 and (3, 0) not in kinds:
                out.append(f"{name}: cmaps {sorted(kinds)}, none (3,0)")
    return out


@condition("31-027", 'A font without ToUnicode where none of the exceptions holds.',
           "every font used by text has /ToUnicode, unless non-symbolic TrueType or MacRoman/WinAnsi/MacExpert encoded")
def _has_to_unicode(doc: Document):
    out = []
    for objgen in doc.codes:
        font = doc.fonts[objgen]
        if "/ToUnicode" in font:
            continue
        encoding = str(font.get("/Encoding", ""))
        flags = int(font.get("/FontDescriptor", {}).get("/Flags", 0)) if "/FontDescriptor" in font else 0
        if encoding in ("/MacRomanEncoding", "/WinAnsiEncoding", "/MacExpertEncoding"):
            continue
        if font.get("/Subtype") == "/TrueType" and not flags & 4:
            continue
        out.append(f"{font.get('/BaseFont')} has no /ToUnicode")
    return out


@condition("31-028", 'A ToUnicode value of 0.',
           "no code shown maps to U+0000 in its font's ToUnicode")
def _zero(doc: Document):
    return _unicode_values(doc, {"\x00"})


@condition("31-029", 'A ToUnicode value of U+FEFF or U+FFFE.',
           "no code shown maps to U+FEFF or U+FFFE")
def _bom(doc: Document):
    return _unicode_values(doc, {"\ufeff", "\ufffe"})


def _unicode_values(doc: Document, bad: set[str]) -> list[str]:
    out = []
    for objgen, codes in doc.codes.items():
        mapping = _to_unicode(doc.fonts[objgen]) or {}
        found = sorted(c for c in codes if set(mapping.get(c, "")) & bad)
        if found:
            out.append(f"{doc.fonts[objgen].get('/BaseFont')}: codes {found[:8]}")
    return out


@condition("31-030", 'Text showing the .notdef glyph.',
           "every code shown finds a glyph other than .notdef (glyph 0) through the program's cmap")
def _notdef(doc: Document):
    out = []
    for name, _font, _d, program, symbolic, objgen in _truetype(doc):
        if program is None:
            continue
        order = program.getGlyphOrder()
        bad = sorted(c for c in doc.codes[objgen] if _glyph_of(program, c, symbolic) in (None, order[0]))
        if bad:
            out.append(f"{name}: codes {bad[:8]} show .notdef")
    return out
