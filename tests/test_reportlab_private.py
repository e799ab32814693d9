"""ReportLab's private parts handouts relies on still exist and do what is relied on (render.rlprivate).

Each test names the part; one failing after a ReportLab upgrade says
which part of handouts to read again, before the bound in pyproject.toml
is raised.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from importlib.metadata import distribution, version

from reportlab.platypus import Spacer

from handouts.render import rlprivate


def test_list_wrap_on_measures_flowables_one_under_another():
    assert rlprivate.list_wrap_on([Spacer(10, 20), Spacer(30, 30)], 100, None) == (30, 50)


def test_image_name_is_reportlabs_name_for_the_same_bytes():
    from reportlab.lib.utils import ImageReader  # noqa: F401 - the module _digester lives beside

    assert rlprivate.image_name(b"pixels") == hashlib.md5(b"pixels").hexdigest()  # noqa: S324 - ReportLab's naming


def test_hyphenated_words_have_the_classes_textmarks_reads():
    soft, own = rlprivate.hyphenation_word_types()
    assert issubclass(soft, list) and issubclass(own, list)


def test_pdfdocument_format_is_the_one_writer_reimplements():
    assert rlprivate.document_format_source_sha256() == rlprivate.DOCUMENT_FORMAT_SHA256, (
        "ReportLab's PDFDocument.format changed: compare it with render/writer.py TaggedDocument.format, "
        "then update DOCUMENT_FORMAT_SHA256")


def test_the_object_formats_are_the_ones_writer_makes_the_same_bytes_as():
    assert rlprivate.object_formats_source_sha256() == rlprivate.OBJECT_FORMATS_SHA256, (
        "One of ReportLab's formats that render/writer.py makes the same bytes as changed "
        "(rlprivate.OBJECT_FORMATS): compare them with _bytes, _page and the shared filters, "
        "then update OBJECT_FORMATS_SHA256")


def _numbers(text: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", text)[:3])


def test_the_installed_reportlab_is_within_the_bound():
    [wanted] = [r for r in distribution("handouts").requires if re.match(r"reportlab\b", r)]
    lower = re.search(r">=\s*([\d.]+)", wanted)
    upper = re.search(r"<\s*([\d.]+)", wanted)
    assert lower and upper, f"ReportLab needs a lower and an upper bound: {wanted}"
    assert _numbers(lower.group(1)) <= _numbers(version("reportlab")) < _numbers(upper.group(1))


def test_no_other_module_imports_a_private_reportlab_name():
    import ast
    from pathlib import Path

    package = Path(rlprivate.__file__).resolve().parents[1]
    found = []
    for path in package.rglob("*.py"):
        if path.name == "rlprivate.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("reportlab"):
                found += [f"{path.relative_to(package)}:{node.lineno}: {alias.name}"
                          for alias in node.names if alias.name.startswith("_")]
    assert found == [], found


def test_the_canvas_document_made_again_writes_the_same_bytes(tmp_path):
    """rlprivate.remake_document gives a canvas the document Canvas.__init__ made, as a TaggedDocument.

    Compared with the canvas's own document turned into a TaggedDocument
    (what render.pdf did before, by assigning its class), with a built-in
    initial font (which Canvas.__init__ registers in its document).
    """
    from reportlab.pdfgen.canvas import Canvas

    from handouts.render.writer import TaggedDocument

    options = dict(pagesize=(612, 792), invariant=1, pageCompression=1, pdfVersion=(1, 7), lang="es")
    written = []
    for remade in (False, True):
        target = str(tmp_path / f"{remade}.pdf")
        canvas = Canvas(target, **options)
        if remade:
            rlprivate.remake_document(canvas, TaggedDocument, (target,), options)
        else:
            canvas._doc.__class__ = TaggedDocument
        canvas.drawString(72, 720, "Hola")
        canvas.showPage()
        canvas.save()
        written.append((tmp_path / f"{remade}.pdf").read_bytes())
    assert written[0] == written[1]


def test_writer_formats_values_and_pages_as_reportlab_does():
    # render/writer.py writes pages, their resources and plain dictionaries
    # itself (writer._bytes): every value kind, nested, must come out as
    # ReportLab's own format makes it.
    import io

    from reportlab.pdfbase import pdfdoc
    from reportlab.pdfgen.canvas import Canvas

    from handouts.render import writer

    canvas = Canvas(io.BytesIO(), invariant=1, pageCompression=1)
    canvas.drawString(10, 10, "a page")
    canvas.linkURL("https://example.org/a b", (0, 0, 20, 20), relative=0)
    canvas.showPage()
    document = canvas._doc
    stream = pdfdoc.PDFStream(content="q Q")
    values = [
        pdfdoc.PDFDictionary({"Type": pdfdoc.PDFName("Annot"), "Name with space#": "/Né (x) € •", "W": 0.1 + 0.2,
                              "N": -3, "Big": 1e20, "Flag": True, "S": pdfdoc.PDFString("(paren) é"),
                              "Ref": document.Reference(stream), "Inline": stream,
                              "A": pdfdoc.PDFArray([1, 2.5, "/Name", pdfdoc.PDFArray(list(range(25)))]),
                              "C": pdfdoc.PDFArrayCompact(list(range(23))), "B": b"(raw)"}),
        pdfdoc.PDFArray([pdfdoc.PDFDictionary({"K": i}) for i in range(13)]),
    ]
    for multiline in (0, 1):
        from reportlab import rl_config

        saved, rl_config.pdfMultiLine = rl_config.pdfMultiLine, multiline
        try:
            for value in values:
                assert writer._bytes(value, document) == pdfdoc.format(value, document), multiline
        finally:
            rl_config.pdfMultiLine = saved
    page = document.Pages.pages[0]
    assert page.Annots
    expected = page.format(document)  # ReportLab's first: it also adds the page's stream and resources
    assert writer._page(page, document) == expected
    assert writer._bytes(page.Resources, document) == pdfdoc.format(page.Resources, document)


def test_the_writer_writes_what_reportlab_writes(tmp_path):
    # render/writer.py's TaggedDocument writes pages, resources, font
    # subsets, bookmarks and its compressed streams itself: a document with
    # each of them, written by it and by ReportLab's own PDFDocument, is the
    # same bytes (twice: the second time its streams come from what it kept).
    from reportlab.pdfgen.canvas import Canvas

    from handouts.render.fonts import register_family
    from handouts.render.writer import TaggedDocument

    from handouts.render.pdf import harden_reportlab

    harden_reportlab()  # plain Flate streams, as every build writes them
    fonts = register_family(None)
    options = dict(pagesize=(612, 792), invariant=1, pageCompression=1, pdfVersion=(1, 7), lang="en")

    def write(target: str, name: str, remade: bool) -> bytes:
        canvas = Canvas(target, **options)
        if remade:
            rlprivate.remake_document(canvas, TaggedDocument, (target,), options)
        for page in range(3):
            canvas.bookmarkPage(f"p{page}")
            canvas.addOutlineEntry(f"Page {page} ü", f"p{page}", level=0)
            canvas.setFont(fonts.regular, 12)
            canvas.drawString(72, 720, f"{name}, page {page}")
            canvas.setFont(fonts.bold, 14)
            canvas.drawString(72, 700, "Bold – and “quoted”")
            canvas.linkURL("https://example.org/", (72, 690, 200, 710), relative=0)
            canvas.rect(72, 72, 100 + page, 50, fill=1)
            canvas.showPage()
        canvas.showOutline()
        canvas.save()
        return Path(target).read_bytes()

    # Two names, two sets of glyphs in the subsets: each written as ReportLab
    # writes it, whatever the other left kept.
    for name in ("Søren Ødegård", "Ægir Þórsson", "Søren Ødegård"):
        plain = write(str(tmp_path / "plain.pdf"), name, False)
        assert write(str(tmp_path / "tagged.pdf"), name, True) == plain, name
        assert write(str(tmp_path / "again.pdf"), name, True) == plain, name
