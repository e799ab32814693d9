"""ReportLab's private parts that handouts relies on, each named here and nowhere else.

ReportLab does not promise to keep a name that starts with "_", nor the
body of a method handouts re-implements. Each one used is wrapped or
recorded here, and tests/test_reportlab_private.py checks it still exists
and does what is relied on, so an upgrade that changes one fails there,
by name, rather than as a wrong page; pyproject.toml bounds ReportLab
below the next minor version for the same reason.
"""

from __future__ import annotations

import hashlib
import inspect

# PDFDocument.format as writer.TaggedDocument.format re-implements it (5.1):
# the SHA-256 of its source. A ReportLab whose format differs must be read
# against TaggedDocument.format before this is updated.
DOCUMENT_FORMAT_SHA256 = "536ea7a675493430f5438f2eda50eb2ac959284cb4bbae99a86008ec615dcb22"

# What writer.py makes the same bytes as (5.1): pdfdoc's format and the
# formats of the dictionaries, arrays, references, resources, pages, font
# dictionaries and bookmarks it writes directly, and the stream filter it
# keeps results of.
OBJECT_FORMATS = ("format", "PDFDictionary.format", "PDFArray.format", "PDFObjectReference.format",
                  "PDFResourceDictionary.format", "PDFCatalog.format", "PDFIndirectObject.format",
                  "PDFType1Font.format", "OutlineEntryObject.format",
                  "PDFStreamFilterZCompress.encode", "PDFDocument.GetPDFData")
# And the TrueType font objects it adds itself, each subset's program made once (writer._add_font_objects).
FONT_OBJECTS = ("TTFont.addObjects", "TTFontFace.addSubsetObjects")
OBJECT_FORMATS_SHA256 = "0c7d04eb95b1aab3dfad1f3d76d7f1e55f1e8add5aa0b0bf16e793eabe6b334d"


def list_wrap_on(flowables, width: float, canvas) -> tuple[float, float]:
    """The width and height `flowables` take laid out one under another in `width`.

    platypus.flowables._listWrapOn: what KeepTogether measures with,
    spaces between flowables collapsed as a frame collapses them.
    """
    from reportlab.platypus.flowables import _listWrapOn

    return _listWrapOn(flowables, width, canvas)


def image_name(data: bytes) -> str:
    """The name ReportLab gives an image made from `data` (lib.utils._digester: its MD5 in hex).

    An image named as ReportLab names it is one image XObject in the file,
    however many times it is drawn.
    """
    from reportlab.lib.utils import _digester

    return _digester(data)


def hyphenation_word_types() -> tuple[type, type]:
    """The classes of a wrapped paragraph's words that were hyphenated: (_HSFrag, _SplitFragHY).

    A word ReportLab split at a soft hyphen (_HSFrag) or with a hyphen of its
    own (_SplitFragHY): what the tagged text (render.textmarks) reads back.
    """
    from reportlab.platypus.paragraph import _HSFrag, _SplitFragHY

    return _HSFrag, _SplitFragHY


def remake_document(canvas, document_class: type, args: tuple, kwargs: dict) -> None:
    """Give `canvas` the document its Canvas.__init__(*args, **kwargs) made, made as `document_class`.

    Canvas.__init__ makes PDFDocument(compression=pageCompression,
    invariant, filename, pdfVersion, lang), registers its initial font in
    it (_make_preamble) and sets its encryption (setEncrypt); the same is
    done here for a document of the subclass (writer.TaggedDocument),
    instead of assigning the first one's __class__.
    """
    from reportlab import rl_config
    from reportlab.pdfbase.pdfdoc import PDF_VERSION_DEFAULT
    from reportlab.pdfgen.canvas import Canvas

    given = inspect.signature(Canvas.__init__).bind(canvas, *args, **kwargs)
    given.apply_defaults()
    a = given.arguments
    canvas._doc = document_class(compression=a["pageCompression"],
                                 invariant=rl_config.invariant if a["invariant"] is None else a["invariant"],
                                 filename=a["filename"], pdfVersion=a["pdfVersion"] or PDF_VERSION_DEFAULT,
                                 lang=a["lang"])
    canvas._make_preamble()
    canvas.setEncrypt(a["encrypt"])


def document_format_source_sha256() -> str:
    """The SHA-256 of ReportLab's PDFDocument.format source, to compare with DOCUMENT_FORMAT_SHA256."""
    from reportlab.pdfbase.pdfdoc import PDFDocument

    return hashlib.sha256(inspect.getsource(PDFDocument.format).encode()).hexdigest()


def object_formats_source_sha256() -> str:
    """The SHA-256 of the sources OBJECT_FORMATS and FONT_OBJECTS name, to compare with OBJECT_FORMATS_SHA256."""
    from reportlab.pdfbase import pdfdoc

    from reportlab.pdfbase import ttfonts

    digest = hashlib.sha256()
    for module, names in ((pdfdoc, OBJECT_FORMATS), (ttfonts, FONT_OBJECTS)):
        for name in names:
            found = module
            for part in name.split("."):
                found = getattr(found, part)
            digest.update(inspect.getsource(found).encode())
    return digest.hexdigest()
