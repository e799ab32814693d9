"""Tables, boxed callouts and images in section bodies, read back from the PDFs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pdfplumber
import pytest
from helpers import DEMO_BRAND, KNEE, assert_clean, invoke

SHEET = Path(__file__).parent / "sheet" / "long-consent"
LAYOUTS = ("letter", "a4", "large-print")


def build(tmp_path, folder: Path, layout: str = "letter", *extra: str) -> Path:
    out = tmp_path / f"{folder.name}-{layout}.pdf"
    result = invoke(["build", str(folder), "--layout", layout, "-o", str(out), *extra])
    assert_clean(result)
    assert result.exit_code == 0, result.output
    return out


def pages_with(pdf, needle: str) -> list:
    return [page for page in pdf.pages if needle in (page.extract_text() or "")]


@pytest.mark.parametrize("layout", ["letter", "a4"])
def test_the_bundled_comparison_is_a_real_table_on_one_page_with_how_to_read_it(tmp_path, layout):
    with pdfplumber.open(build(tmp_path, KNEE, layout)) as pdf:
        page = pages_with(pdf, "Your choices side by side")[0]
        # A table of five rows stays whole, with its heading and how to use it.
        assert "How to use this table" in page.extract_text()
        assert len(pages_with(pdf, "Stem-cell shot No better than a steroid")) <= 1
        tables = page.extract_tables()
        assert tables, "no ruled table on the page"
        rows = [[" ".join((cell or "").split()) for cell in row] for row in tables[0]]
        # It may run onto the next page, under its header row again.
        for later in pdf.pages[page.page_number:page.page_number + 1]:
            more = later.extract_tables()
            if more and " ".join((more[0][0][0] or "").split()) == "Choice":
                rows += [[" ".join((cell or "").split()) for cell in row] for row in more[0][1:]]
    assert rows[0] == ["Choice", "What the research shows", "FDA status", "Cost"]
    assert [row[0] for row in rows[1:]] == ["Exercise and physical therapy (PT)", "Steroid shot",
                                            "PRP shot (platelet-rich plasma, made from your own blood)",
                                            "Stem-cell shot", "Knee replacement"]
    # Each choice's real standing with the FDA (issue #21).
    assert [row[2] for row in rows[1:]] == [
        "Not a drug, so no approval is needed.", "An FDA-approved drug.",
        "Not approved as a knee shot. The kits that make it are cleared for other uses.",
        "No product is approved for the knee.", "The new joint\u2019s parts are FDA-cleared devices."]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_long_table_splits_across_pages_with_its_header_repeated(tmp_path, layout):
    with pdfplumber.open(build(tmp_path, SHEET, layout)) as pdf:
        pages = [p for p in pdf.pages if any(f"Option {i}" in (p.extract_text() or "") for i in range(1, 31))]
        assert len(pages) >= 2, "the 30-row table did not need two pages: make it longer"
        for page in pages:
            words = page.extract_words()
            header = [w for w in words if w["text"] == "Covered"]
            assert header, f"no header row on page {page.page_number}"
            rows = [w for w in words if w["text"] == "Option" and w["top"] > header[0]["top"] + 1]
            assert rows, f"no rows below the header on page {page.page_number}"
        text = " ".join(p.extract_text() for p in pdf.pages)
    for number in range(1, 31):
        assert f"Option {number} " in text


def test_a_cell_longer_than_a_page_splits_instead_of_failing(tmp_path):
    with pdfplumber.open(build(tmp_path, SHEET, "large-print")) as pdf:
        # Every word of the cell is printed once: none lost at a page break.
        count = sum(1 for p in pdf.pages for w in p.extract_words() if w["text"] == "zebra")
    assert count == 160


def _inside(word, rect) -> bool:
    return rect["x0"] <= word["x0"] and word["x1"] <= rect["x1"] and rect["top"] <= word["top"] \
        and word["bottom"] <= rect["bottom"]


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("heading", ["The main points", "Call 911 right away if you have:"])
def test_key_points_and_call_911_print_in_a_box_of_the_brand_colours(tmp_path, layout, heading):
    with pdfplumber.open(build(tmp_path, KNEE, layout)) as pdf:
        page = pages_with(pdf, heading)[0]
        first = heading.split()[0]
        word = next(w for w in page.extract_words() if w["text"] == first
                    and heading in " ".join(x["text"] for x in page.extract_words() if abs(x["top"] - w["top"]) < 1))
        boxes = [r for r in page.rects if r["fill"] and _inside(word, r) and r["width"] > page.width / 2]
        assert boxes, f"{heading!r} is not inside a filled box"
        box = boxes[0]
        fill = tuple(round(c, 2) for c in box["non_stroking_color"])
        stroke = tuple(round(c, 2) for c in box["stroking_color"])
    # The demo brand's primary (#1d4e6e) frames a light wash of itself.
    assert stroke == (round(0x1d / 255, 2), round(0x4e / 255, 2), round(0x6e / 255, 2))
    assert all(c > 0.85 for c in fill) and fill != (1.0, 1.0, 1.0)


def _with_lines_after_the_first_questions(tmp_path) -> Path:
    """The bundled handout with three lines of underscores after its first group of questions."""
    folder = tmp_path / "knee"
    shutil.copytree(KNEE, folder)
    questions = folder / "sections" / "questions.yaml"
    text = questions.read_text(encoding="utf-8")
    fourth = next(line for line in text.splitlines() if line.lstrip().startswith("4. "))
    questions.write_text(text.replace(fourth + "\n", fourth + "\n\n  ___\n  ___\n  ___\n"), encoding="utf-8")
    return folder


def test_a_line_of_underscores_prints_lines_to_write_on(tmp_path):
    # Room for answers right after a group of questions: three lines.
    with pdfplumber.open(build(tmp_path, _with_lines_after_the_first_questions(tmp_path), "letter",
                               "--brand", str(DEMO_BRAND))) as pdf:
        page = pages_with(pdf, "About the treatment")[0]
        width = page.width
        question = next(w for w in page.extract_words() if w["text"] == "4.")
        rules = sorted(e["top"] for e in page.lines if abs(e["top"] - e["bottom"]) < 0.5 and e["top"] > question["top"]
                       and e["x1"] - e["x0"] > width * 0.6)
    assert len(rules) >= 3, rules
    gaps = [b - a for a, b in zip(rules, rules[1:3])]
    assert all(gap >= 24 for gap in gaps), f"no room to write between the lines: {gaps}"


def test_a_line_of_underscores_is_a_printable_line_in_the_html_edition(tmp_path):
    out = tmp_path / "knee.html"
    folder = _with_lines_after_the_first_questions(tmp_path)
    assert invoke(["build", str(folder), "--brand", str(DEMO_BRAND), "--format", "html", "-o", str(out)]).exit_code == 0
    html = out.read_text(encoding="utf-8")
    questions = html[html.index("About the treatment"):html.index("About results and risks")]
    assert questions.count('<div class="write-line" aria-hidden="true"></div>') == 3
    assert "<hr>" not in questions
