"""Writing a tagged PDF's objects: hundreds of structure elements at the cost of a few.

A tagged handout has 600 to 700 structure elements (a list item alone is
LI, Lbl and LBody), each of which the PDF format requires to be an
indirect object of its own. ReportLab's writer spends several
microseconds on each object it writes (a wrapper object, a generic format
dispatch, a Python-level text codec for the "n 0 obj" header, an xref
line formatted through the same codec): with this many elements that was
a tenth of a batch document's time, more than all of tagging's drawing.

`TaggedDocument` is ReportLab's PDFDocument with `format` doing the same
work in the same order, byte for byte, except that objects whose bytes are
already made (`Preformatted`: the structure elements, the structure tree
root, the parent tree) are written directly, and the cross-reference
table is made in one pass. The handout canvas (render.pdf) makes its
document one of these.

Its streams are compressed through `SharedFlate`: the same zlib call as
ReportLab's, whose result is kept for a content another document of the
process writes too. A batch's documents share most of their pages'
operators (only the pages naming the provider differ), their pictures'
forms and, for providers whose names need no other characters, their font
subsets: compressing those once was a tenth of a batch document's time.

The objects ReportLab writes for every page (the page, its resources, its
annotations' dictionaries) are formatted by `_bytes`: ReportLab's own
`format` for dictionaries, arrays, names, numbers and references, making
the same bytes without a Python-level codec call per name and number.
Anything else goes to ReportLab's format as before.
"""

from __future__ import annotations

import zlib
from collections import OrderedDict
from functools import lru_cache

from reportlab import rl_config
from reportlab.lib.rl_accel import fp_str
from reportlab.lib.utils import isSeq
from reportlab.pdfbase.pdfdoc import (
    OutlineEntryObject,
    PDFArray,
    PDFDictionary,
    PDFDocument,
    PDFFile,
    PDFIndirectObject,
    PDFName,
    PDFObject,
    PDFObjectReference,
    PDFPage,
    PDFResourceDictionary,
    PDFStream,
    PDFStreamFilterZCompress,
    PDFString,
    PDFTrailer,
    PDFTrueTypeFont,
    PDFZCompress,
    format as reportlab_format,
    pdfdocEnc,
)

from reportlab.pdfbase.ttfonts import FF_NONSYMBOLIC, FF_SYMBOLIC, SUBSETN, TTFont, makeToUnicodeCMap

from .sharing import shared_cache


@shared_cache(maxsize=512)
def _deflate(content: str | bytes) -> bytes:
    """ReportLab's FlateDecode of `content` (PDFStreamFilterZCompress.encode), kept while documents share it."""
    return zlib.compress(content.encode("utf8") if isinstance(content, str) else content)


class SharedFlate(PDFStreamFilterZCompress):
    """ReportLab's Flate filter (same name, same bytes), compressing a content once for the documents sharing it."""

    def encode(self, text):
        return _deflate(text)


# ReportLab's filters (the module's single instances), each with the one that shares its results.
# (render.pdf pins ReportLab to Flate alone: a stream with another filter goes ReportLab's way.)
_SHARED_FILTERS = {id(PDFZCompress): SharedFlate()}


def share_filters(stream: PDFStream) -> None:
    """Give `stream` the sharing twins of its filters, when all of them have one (ReportLab's own)."""
    filters = stream.filters
    if filters and all(id(f) in _SHARED_FILTERS for f in filters):
        stream.filters = [_SHARED_FILTERS[id(f)] for f in filters]


def _bytes(element, document) -> bytes:
    """ReportLab's pdfdoc.format(element, document) (5.1) for a value inside an object, byte for byte."""
    kind = type(element)
    if kind is str:
        # pdfdocEnc: PDFDocEncoding is ASCII for printable ASCII
        return element.encode("ascii") if element.isascii() and element.isprintable() else pdfdocEnc(element)
    if kind is bytes:
        return element
    if kind is int or kind is float:
        return fp_str(element).encode("ascii")
    if kind is PDFObjectReference and element.name in document.idToObjectNumberAndVersion:
        return b"%d %d R" % document.idToObjectNumberAndVersion[element.name]
    if (kind is PDFDictionary or kind is PDFArray) and not hasattr(element, "__RefOnly__"):
        return _dictionary(element, document) if kind is PDFDictionary else _array(element, document)
    if kind is PDFResourceDictionary:
        return _bytes(_resources(element), document)
    return reportlab_format(element, document)


@lru_cache(maxsize=512)
def _name(key: str) -> bytes:
    return _bytes(PDFName(key), None)


def _multiline(element) -> bool:
    return bool((element.multiline and rl_config.pdfMultiLine) or element.multiline == "forced")


def _dictionary(element: PDFDictionary, document) -> bytes:
    """PDFDictionary.format."""
    entries = element.dict
    keys = list(entries.keys())
    if not isinstance(entries, OrderedDict):
        keys.sort()
    lines = [_name(key) + b" " + _bytes(entries[key], document) for key in keys]
    if _multiline(element):
        return b"<<\n" + b"\n ".join(lines) + b"\n>>"
    for i in reversed(range(6, len(lines), 6)):
        lines.insert(i, b"\n ")
    return b"<<\n" + b" ".join(lines) + b"\n>>"


def _array(element: PDFArray, document) -> bytes:
    """PDFArray.format."""
    items = [_bytes(item, document) for item in element.sequence]
    if _multiline(element):
        return b"[ " + b"\n ".join(items) + b" ]"
    for i in reversed(range(10, len(items), 10)):
        items.insert(i, b"\n ")
    return b"[ " + b" ".join(items) + b" ]"


def _resources(element: PDFResourceDictionary) -> PDFDictionary:
    """The dictionary PDFResourceDictionary.format formats."""
    entries = {}
    for name in element.dict_attributes:
        value = getattr(element, name)
        if isinstance(value, dict):
            if value:
                entries[name] = PDFDictionary(value)
        else:
            entries[name] = value
    procs = element.ProcSet
    if isSeq(procs):
        if procs:
            entries["ProcSet"] = PDFArray(procs)
    else:
        entries["ProcSet"] = procs
    return PDFDictionary(entries)


def _page(page: PDFPage, document) -> bytes:
    """PDFCatalog.format, as a page (PDFPage) is written."""
    page.check_format(document)
    entries = {}
    for key, value in page.__Defaults__.items():
        value = getattr(page, key, value)
        if value is not None:
            entries[key] = value
    for key in page.__NoDefault__:
        value = getattr(page, key, None)
        if value is not None:
            entries[key] = value
    for key in page.__Refs__:
        if key in entries:
            entries[key] = document.Reference(entries[key])
    return _bytes(PDFDictionary(entries), document)


def _font(font: PDFTrueTypeFont, document) -> bytes:
    """PDFType1Font.format, as a TrueType font subset's dictionary is written."""
    entries = {name: PDFName(getattr(font, name)) for name in font.name_attributes if hasattr(font, name)}
    entries.update((name, getattr(font, name)) for name in font.local_attributes if hasattr(font, name))
    return _dictionary(PDFDictionary(entries), document)


def _outline_entry(entry: OutlineEntryObject, document) -> bytes:
    """OutlineEntryObject.format: a bookmark."""
    entries = {"Title": PDFString(entry.Title), "Parent": entry.Parent, "Dest": entry.Dest}
    for name in ("Prev", "Next", "First", "Last", "Count"):
        value = getattr(entry, name)
        if value is not None:
            entries[name] = value
    return _dictionary(PDFDictionary(entries), document)


# Objects written through _bytes: (exact) type, and what formats it at the top level.
_DIRECT = {PDFPage: _page, PDFDictionary: _dictionary, PDFTrueTypeFont: _font, OutlineEntryObject: _outline_entry}


class Preformatted(PDFObject):
    """An indirect object whose bytes (`data`) are made before the document is written."""

    __RefOnly__ = 1
    __slots__ = ("__InternalName__", "data")

    def __init__(self):
        self.data = b""

    def format(self, document) -> bytes:
        return self.data


class ObjectBlock:
    """Objects numbered consecutively from `first`, as the bytes they are written as.

    Made once with the structure tree they hold (render.structtree) and
    written by every document that reuses that tree: one piece of bytes,
    with each object's offset within it for the cross-reference table.
    """

    __slots__ = ("count", "data", "first", "offsets")

    def __init__(self, first: int, objects: list[bytes]):
        self.first, self.count = first, len(objects)
        pieces, offsets, at = [], [], 0
        for number, data in enumerate(objects, start=first):
            piece = b"%d 0 obj\n" % number + data + (b"endobj\n" if data.endswith(b"\n") else b"\nendobj\n")
            pieces.append(piece)
            offsets.append(at)
            at += len(piece)
        self.data = b"".join(pieces)
        self.offsets = offsets


# A document's own subsets (a name's characters) pass through a short trial: font programs are 20 kB and more.
@shared_cache(maxsize=64, trial=16)
def _subset(face, glyphs: tuple[int, ...]) -> bytes:
    """A TrueType subset's font program (TTFontFile.makeSubset), made once per glyph set while documents share it."""
    return face.makeSubset(list(glyphs))


def _add_font_objects(font: TTFont, doc) -> None:
    """TTFont.addObjects with TTFontFace.addSubsetObjects (5.1), the font programs from _subset."""
    state = font.state.get(doc) or font.state.setdefault(doc, TTFont.State(font._asciiReadable))
    state.frozen = 1
    face = font.face
    for n, subset in enumerate(state.subsets):
        internal = font.getSubsetInternalName(n, doc)[1:]
        base = (b"".join((SUBSETN(n), b"+", face.name, face.subfontNameX))).decode("pdfdoc")
        pdf_font = PDFTrueTypeFont()
        pdf_font.__Comment__ = f"Font {font.fontName} subset {n}"
        pdf_font.Name, pdf_font.BaseFont, pdf_font.FirstChar, pdf_font.LastChar = internal, base, 0, len(subset) - 1
        pdf_font.Widths = PDFArray(list(map(face.getCharWidth, subset)))
        cmap = PDFStream()
        cmap.content = makeToUnicodeCMap(base, subset)
        if doc.compression:
            cmap.filters = [PDFZCompress]
        pdf_font.ToUnicode = doc.Reference(cmap, "toUnicodeCMap:" + base)
        program = PDFStream()
        program.content = _subset(face, tuple(subset))
        program.dictionary["Length1"] = len(program.content)
        if doc.compression:
            program.filters = [PDFZCompress]
        descriptor = PDFDictionary({
            "Type": "/FontDescriptor", "Ascent": face.ascent, "CapHeight": face.capHeight, "Descent": face.descent,
            "Flags": face.flags & ~FF_NONSYMBOLIC | FF_SYMBOLIC, "FontBBox": PDFArray(face.bbox),
            "FontName": PDFName(base), "ItalicAngle": face.italicAngle, "StemV": face.stemV,
            "FontFile2": doc.Reference(program, f"fontFile:{face.filename}({base})"),
            "MissingWidth": face.defaultWidth})
        pdf_font.FontDescriptor = doc.Reference(descriptor, "fontDescriptor:" + base)
        doc.Reference(pdf_font, internal)
        doc.idToObject["BasicFonts"].dict[internal] = pdf_font
    del font.state[doc]


class TaggedDocument(PDFDocument):
    """ReportLab's PDFDocument, writing preformatted objects without per-object overhead."""

    def GetPDFData(self, canvas):
        # ReportLab's begins by adding its TrueType fonts' objects; these are
        # added here first (when they are all TrueType, so that the order
        # is ReportLab's), each subset's program made once per glyph set.
        if all(type(font) is TTFont for font in self.delayedFonts):
            for font in self.delayedFonts:
                _add_font_objects(font, self)
            self.delayedFonts = []
        return super().GetPDFData(canvas)

    def register_all(self, objects) -> int:
        """Give each of `objects` (Preformatted) the next object number, in order; returns the first.

        What `Reference` does for a new object, for many at once: the
        numbers are consecutive, so a caller can write references to them
        (n 0 R) without looking each one up.
        """
        first = self.objectcounter + 1
        number = first
        to_number, to_id, to_object = self.idToObjectNumberAndVersion, self.numberToId, self.idToObject
        for obj in objects:
            name = f"R{number}"  # Reference's own naming, so no other object can take it
            obj.__InternalName__ = name
            to_number[name] = (number, 0)
            to_id[number] = name
            to_object[name] = obj
            number += 1
        self.objectcounter = number - 1
        return first

    def add_block(self, block: ObjectBlock) -> int:
        """Give `block`'s objects the next numbers, which it was made with; returns the first.

        They are written as they are, after whatever has the number before
        the first; nothing can refer to them but by number.
        """
        first = self.objectcounter + 1
        if block.first != first:
            raise ValueError(f"a block of objects from {block.first} cannot be added after object {first - 1}")
        self.objectcounter += block.count
        if block.count:
            if not hasattr(self, "_blocks"):
                self._blocks = {}
            self._blocks[first] = block
        return first

    def format(self) -> bytes:
        # ReportLab's PDFDocument.format (5.1), with a direct path for
        # Preformatted objects and the xref made in one pass. Objects may be
        # added while formatting (ReportLab's own do), hence the open loop.
        self.encrypt.prepare(self)
        catalog, info = self.Catalog, self.info
        self.Reference(catalog)
        self.Reference(info)
        encrypt_ref = None
        encrypt_info = self.encrypt.info()
        if encrypt_info:
            encrypt_ref = self.Reference(encrypt_info)
        direct = encrypt_info is None  # encryption keys strings by object: let ReportLab do those
        comments = not rl_config.invariant and rl_config.pdfComments
        number_to_id, to_object, to_offset = self.numberToId, self.idToObject, self.idToOffset
        to_number = self.idToObjectNumberAndVersion
        self.__accum__ = out = PDFFile(self._pdfVersion)
        blocks = getattr(self, "_blocks", {})
        in_blocks = 0
        entries = [b"0000000000 65535 f "]  # the xref's, object 0 on, in the order objects are numbered
        counter = 0
        while True:
            counter += 1
            block = blocks.get(counter)
            if block is not None:
                base = out.add(block.data)
                entries += [b"%010d 00000 n " % (base + offset) for offset in block.offsets]
                in_blocks += block.count
                counter += block.count - 1
                continue
            oid = number_to_id.get(counter)
            if oid is None:
                break
            obj = to_object[oid]
            if comments:
                out.add(f"% {oid!a}: class {obj.__class__.__name__[:50]} \n")
            if type(obj) is PDFStream:
                share_filters(obj)  # the same bytes, compressed once per content
            number, version = to_number[oid]
            if number != counter:
                raise ValueError(f"object number {number} out of order in the xref")
            fast = _DIRECT.get(type(obj)) if direct and not comments else None
            if fast is not None or direct and isinstance(obj, Preformatted):
                data = obj.data if fast is None else fast(obj, self)
                offset = out.add(b"%d %d obj\n" % (number, version) + data
                                 + (b"endobj\n" if data.endswith(b"\n") else b"\nendobj\n"))
            else:
                offset = out.add(PDFIndirectObject(oid, obj).format(self))
            to_offset[oid] = offset
            entries.append(b"%010d %05d n " % (offset, version))
        del self.__accum__
        total = len(number_to_id) + in_blocks
        if counter - 1 != total:
            raise ValueError(f"counter {counter} doesn't match the {total} objects numbered")
        # The cross-reference table ReportLab writes for objects 1..n (one subsection from 0).
        xref_offset = out.add(b"xref\n0 %d\n" % len(entries) + b"\n".join(entries) + b"\n")
        trailer = PDFTrailer(startxref=xref_offset, Size=total + 1, Root=self.Reference(catalog),
                             Info=self.Reference(info), Encrypt=encrypt_ref, ID=self.ID())
        out.add(trailer.format(self))
        for signature in getattr(self, "_digiSigs", []):
            signature.sign(out)
        return out.format(self)

