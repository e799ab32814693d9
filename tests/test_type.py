"""Type on the printed sheet: sizes and measure, quotes and dashes, emphasis in large print, page counts.

The sizes and line lengths are read back from the PDFs (tests/typemeasure.py,
which tools/measure-type.py prints), over the bundled handout and two test
sheets, English and Spanish, in every built-in layout.
"""

from __future__ import annotations

import pdfplumber
import pytest
import typemeasure
from conftest import PAPER, PROSE
from helpers import DEMO_BRAND, KNEE, assert_clean, invoke

LAYOUTS = ["letter", "a4", "large-print"]
# Comfortable reading for older eyes: 12 pt or more, at most about 75
# characters a line (95th percentile of full lines), nothing a patient
# reads under 10 pt (the running header may be 9); large print 18 pt throughout.
BODY, MEASURE, SMALLEST, HEADER, LARGE = 12, 75, 10, 9, 18


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("which", list(PAPER))
def test_body_size_measure_and_smallest_type(paper, which, layout):
    facts = typemeasure.measure(paper(which, layout))
    summary = typemeasure.summary(facts)
    if layout == "large-print":
        assert facts.body_size >= LARGE, summary
        assert min(facts.smallest(), facts.smallest("header")) >= LARGE, summary
        return
    assert facts.body_size >= BODY, summary
    assert facts.line_lengths, "no full body line to measure"
    assert facts.per_line(0.95) <= MEASURE, summary
    assert facts.smallest() >= SMALLEST, (facts.smallest_where, summary)
    assert facts.smallest("header") >= HEADER, summary


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("which", ["en", "es"])
def test_the_pictures_labels_are_large_enough(paper, which, layout):
    # Estimated from the letters' height in the picture as placed (a little low).
    sizes = typemeasure.picture_label_sizes(paper(which, layout))
    assert sizes, "no picture found"
    assert min(sizes) >= (LARGE if layout == "large-print" else SMALLEST), sizes


def test_the_reading_sees_small_type_and_long_lines(tmp_path):
    # The measure tests could not fail if the reading were wrong: the old
    # letter layout (11 pt on 7 inches, 9 pt footer) must be seen as such.
    old = tmp_path / "old-letter.yaml"
    old.write_text("name: old\npage: letter\nmargins: 0.75in\nbody_size: 11\nmin_size: 9\n")
    out = tmp_path / "old.pdf"
    result = invoke(["build", str(PROSE), "--brand", str(DEMO_BRAND), "--layout", str(old), "-o", str(out)])
    assert result.exit_code == 0, result.output
    facts = typemeasure.measure(out)
    assert facts.body_size == 11
    assert facts.per_line(0.95) > 95
    assert facts.smallest("footer") == 9


def build(tmp_path, layout: str):
    out = tmp_path / f"knee-{layout}.pdf"
    result = invoke(["build", str(KNEE), "--layout", layout, "--patient-name", "Maria Example", "-o", str(out)])
    assert_clean(result)
    assert result.exit_code == 0, result.output
    return out


def test_printed_quotes_are_curly_while_the_content_keeps_straight_ones(tmp_path):
    source = (KNEE / "sections" / "benefits.yaml").read_text()
    assert '"low certainty."' in source
    with pdfplumber.open(build(tmp_path, "letter")) as pdf:
        text = " ".join(" ".join((p.extract_text() or "").split()) for p in pdf.pages)
    assert "\u201clow certainty.\u201d" in text
    assert '"' not in text
    assert "brand\u2019s" in text or "product\u2019s" in text or "\u2019" in text


@pytest.mark.parametrize("layout", ["letter", "a4"])
def test_footer_and_signature_labels_are_at_least_10_pt(tmp_path, layout):
    with pdfplumber.open(build(tmp_path, layout)) as pdf:
        last = pdf.pages[-1]
        words = last.extract_words(extra_attrs=["size"])
        footer = [w for w in words if w["top"] > last.height - 72]
        labels = [w for w in words if w["text"] in ("signature", "Date", "Printed")]
    assert footer and labels
    assert min(w["size"] for w in footer + labels) >= 10


def test_large_print_emphasises_with_bold_not_italics(tmp_path):
    with pdfplumber.open(build(tmp_path, "large-print")) as pdf:
        fonts = {c["fontname"] for p in pdf.pages for c in p.chars}
    assert not any("Italic" in f for f in fonts), fonts
    with pdfplumber.open(build(tmp_path, "letter")) as pdf:
        fonts = {c["fontname"] for p in pdf.pages for c in p.chars}
    assert any("Italic" in f for f in fonts), "letter keeps italics: the check would not see them"


def test_large_print_page_count_against_letter(tmp_path):
    with pdfplumber.open(build(tmp_path, "letter")) as letter, \
            pdfplumber.open(build(tmp_path, "large-print")) as large:
        ratio = len(large.pages) / len(letter.pages)
    # Letter's 12 pt body on a 5.3 in measure holds about 60% of large
    # print's characters a page: 29 pages against 18 (README, Layouts).
    # Guard against it growing.
    assert ratio <= 1.7, ratio
