"""Type on the printed sheet: quotes and dashes, label sizes, emphasis in large print, page counts."""

from __future__ import annotations

import pdfplumber
import pytest
from helpers import KNEE, assert_clean, invoke


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
def test_footer_and_signature_labels_are_at_least_9_pt(tmp_path, layout):
    with pdfplumber.open(build(tmp_path, layout)) as pdf:
        last = pdf.pages[-1]
        words = last.extract_words(extra_attrs=["size"])
        footer = [w for w in words if w["top"] > last.height - 72]
        labels = [w for w in words if w["text"] in ("signature", "Date", "Printed")]
    assert footer and labels
    assert min(w["size"] for w in footer + labels) >= 9


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
    # The target is 2.2x; 18 pt text at 1.5 spacing inside 1-inch
    # margins holds about a quarter of letter's characters a page, so this
    # content stays near 2.75x (README, Layouts). Guard against it growing.
    assert ratio <= 2.8, ratio
