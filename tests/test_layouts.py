"""Page layouts: a4, large-print, a layout file, and --print-ready boxes.

Each layout of the bundled handout is built once per module and only read.
A custom layout file passed by path is also a data case
(tests/cases/custom-layout-file).
"""

from __future__ import annotations

from types import SimpleNamespace

import pdfcheck
import pypdf
import pytest
from helpers import invoke
from reportlab.lib.units import mm

LETTER = (612.0, 792.0)
A4 = (595.0, 842.0)
BLEED = 3 * mm  # 8.5039 pt


@pytest.fixture(scope="module")
def layouts(tmp_path_factory) -> dict[str, SimpleNamespace]:
    """The bundled handout built with each layout option, once."""
    folder = tmp_path_factory.mktemp("layouts")
    builds = {}
    options = {"a4": ["--layout", "a4"], "large-print": ["--layout", "large-print"], "print-ready": ["--print-ready"],
               "a4-print-ready": ["--layout", "a4", "--print-ready"]}
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(folder)
        for name, args in options.items():
            result = invoke(["build", "-o", f"{name}.pdf", *args])
            pdf = folder / f"{name}.pdf"
            builds[name] = SimpleNamespace(result=result, pdf=pdf,
                                           reader=pypdf.PdfReader(str(pdf)) if pdf.is_file() else None)
    return builds


def get(layouts, name) -> SimpleNamespace:
    build = layouts[name]
    assert build.result.exit_code == 0, build.result.output
    return build


def size(page) -> tuple[float, float]:
    x0, y0, x1, y1 = pdfcheck.box(page, "mediabox")
    return (x1 - x0, y1 - y0)


def test_letter_is_the_default(built):
    assert all(size(page) == pytest.approx(LETTER, abs=1) for page in built.reader.pages)


def test_a4_page_size(layouts):
    reader = get(layouts, "a4").reader
    assert all(size(page) == pytest.approx(A4, abs=1) for page in reader.pages)


def test_a4_keeps_footer_and_disclosure(layouts, bundled):
    texts = pdfcheck.page_texts(get(layouts, "a4").pdf)
    assert f"Page 1 of {len(texts)}" in texts[0]
    # At 12 pt on A4's 134 mm measure the disclosure runs to three pages.
    assert bundled.disclosure_title in " ".join(texts[-3:])


def test_large_print_body_is_at_least_18pt(layouts):
    pdf = get(layouts, "large-print").pdf
    assert pdfcheck.body_size(pdf, 1) >= 18


def test_large_print_disclosure_is_not_smaller(layouts, bundled):
    """The risk disclosure least of all may be printed in smaller type."""
    build = get(layouts, "large-print")
    lines = pdfcheck.lines(build.pdf)
    start = next(ln for ln in lines if ln.text == bundled.disclosure_title)
    pages = sorted({ln.page for ln in lines if ln.page >= start.page})
    for page in pages[:-1] or pages:
        assert pdfcheck.body_size(build.pdf, page) >= 18, f"page {page + 1}"


def test_large_print_has_no_text_under_18pt(layouts):
    """References, signature labels, cover contacts and footer included (APH: 18 pt or more)."""
    import pdfplumber

    with pdfplumber.open(str(get(layouts, "large-print").pdf)) as doc:
        small = {(page.page_number, round(ch["size"], 1)) for page in doc.pages for ch in page.chars
                 if ch["text"].strip() and ch["size"] < 17.95}
    assert small == set()


def test_large_print_footer_stays_inside_the_margins(layouts):
    import pdfplumber

    with pdfplumber.open(str(get(layouts, "large-print").pdf)) as doc:
        for page in doc.pages:
            # Glyphs that print: a line's closing space (there for the tag text) prints nothing.
            assert max(ch["x1"] for ch in page.chars if ch["text"].strip()) <= page.width - 72 + 0.5, \
                page.page_number


def test_large_print_has_more_pages_than_letter(layouts, built):
    assert len(get(layouts, "large-print").reader.pages) > len(built.reader.pages)


def test_large_print_keeps_every_section(layouts, bundled):
    reader = get(layouts, "large-print").reader
    assert pdfcheck.outline_titles(reader) == [*bundled.section_titles, bundled.disclosure_title]
    assert pdfcheck.font_problems(reader) == []


@pytest.mark.parametrize(("name", "trim"), [("print-ready", LETTER), ("a4-print-ready", A4)],
                         ids=["letter", "a4"])
def test_print_ready_boxes(layouts, name, trim):
    reader = get(layouts, name).reader
    for number, page in enumerate(reader.pages, start=1):
        media = pdfcheck.box(page, "mediabox")
        trim_box = pdfcheck.box(page, "trimbox")
        bleed = pdfcheck.box(page, "bleedbox")
        trim_size = (trim_box[2] - trim_box[0], trim_box[3] - trim_box[1])
        assert trim_size == pytest.approx(trim, abs=1), f"page {number}: trim box is not the page size"
        media_size = size(page)
        assert media_size[0] - trim_size[0] >= 2 * BLEED, f"page {number}"
        assert media_size[1] - trim_size[1] >= 2 * BLEED, f"page {number}"
        expected_bleed = (trim_box[0] - BLEED, trim_box[1] - BLEED, trim_box[2] + BLEED, trim_box[3] + BLEED)
        assert bleed == pytest.approx(expected_bleed, abs=0.01), f"page {number}"
        assert media[0] <= bleed[0] and media[1] <= bleed[1] and bleed[2] <= media[2] and bleed[3] <= media[3]


def test_without_print_ready_there_is_no_bleed(built):
    page = built.reader.pages[0]
    assert pdfcheck.box(page, "trimbox") == pdfcheck.box(page, "mediabox")


def test_print_ready_has_crop_marks_and_a_band_into_the_bleed(layouts):
    import pdfplumber

    build = get(layouts, "print-ready")
    x0, y0, x1, y1 = pdfcheck.box(build.reader.pages[0], "trimbox")
    with pdfplumber.open(str(build.pdf)) as pdf:
        page = pdf.pages[0]
        height = float(page.height)
        outside = [ln for ln in page.lines
                   if max(ln["x0"], ln["x1"]) <= x0 - BLEED + 0.01 or min(ln["x0"], ln["x1"]) >= x1 + BLEED - 0.01
                   or height - ln["top"] <= y0 - BLEED + 0.01 or height - ln["bottom"] >= y1 + BLEED - 0.01]
        assert len(outside) == 8, "two crop marks at each corner, outside the bleed"
        top_band = min(page.rects, key=lambda r: r["top"])
        assert top_band["top"] == pytest.approx(height - (y1 + BLEED), abs=0.05), "band stops at the trim"


def test_print_ready_text_matches_the_plain_build(layouts, built):
    assert pdfcheck.page_texts(get(layouts, "print-ready").pdf) == built.texts
