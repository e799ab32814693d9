"""No line ends inside a web address, an e-mail address or a phone number, and nothing runs off the frame.

Read back from the PDFs with pdfplumber word positions: for every pair of
lines that follow each other on a page, the last word of the first and the
first word of the second are looked up in the addresses and numbers the
content holds. A web address may break only after '/' or before '.' or '?';
after one of its own hyphens only inside a part (between those breaks)
wider than the whole frame. E-mail addresses and phone numbers never break.
"""

from __future__ import annotations

import re
from pathlib import Path

import pdfplumber
import pytest
import typemeasure
from conftest import PAPER
from helpers import DEMO_BRAND

from handouts.layouts import load_layout
from handouts.render.styles import TABLE_MARGIN

URL = re.compile(r"https?://[^\s)\]>\"']+")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"(?:\+?\d{1,3}[ .-])?(?:\(\d{3}\) ?|\d{3}[ .-])\d{3}[ .-]\d{4}")
LAYOUTS = ["letter", "a4", "large-print"]


def addresses(folder: Path) -> dict[str, str]:
    """Every address in the content files and the brand, spaces removed, with its kind."""
    text = "\n".join(p.read_text() for p in [*folder.rglob("*.yaml"), *folder.rglob("*.yml"), DEMO_BRAND])
    found = {}
    for kind, pattern in (("url", URL), ("email", EMAIL), ("phone", PHONE)):
        for match in pattern.finditer(text):
            found[match.group(0).rstrip(".,;:").replace(" ", "")] = kind
    return found


def page_lines(page) -> list[list[dict]]:
    """The page's words grouped into lines, top to bottom, each left to right."""
    lines: list[list[dict]] = []
    for word in sorted(page.extract_words(extra_attrs=["size"]), key=lambda w: (round(w["top"]), w["x0"])):
        if lines and abs(lines[-1][0]["top"] - word["top"]) < 2:
            lines[-1].append(word)
        else:
            lines.append([word])
    return [sorted(line, key=lambda w: w["x0"]) for line in lines]


def _part_around(address: str, cut: int) -> str:
    """The stretch of `address` between the allowed breaks (after '/', before '.' or '?') around `cut`."""
    start = max(address.rfind("/", 0, cut) + 1, max(address.rfind(c, 0, cut) for c in ".?"), 0)
    ends = [i for i in (address.find("/", cut), address.find(".", cut), address.find("?", cut)) if i >= 0]
    return address[start:min(ends) if ends else len(address)]


def _widest(text: str, size: float) -> float:
    """Width of `text` in the widest of the bundled font's four styles."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from handouts.render.fonts import register_family

    fonts = register_family(None)
    return max(stringWidth(text, name, size) for name in (fonts.regular, fonts.bold, fonts.italic, fonts.bold_italic))


def bad_breaks(pdf_path: Path, known: dict[str, str], frame_width: float) -> list[str]:
    """Lines that end inside an address or number other than where it may break."""
    problems = []
    with pdfplumber.open(pdf_path) as pdf:
        for page in pdf.pages:
            lines = page_lines(page)
            for first, second in zip(lines, lines[1:]):
                last, head_word = first[-1], second[0]
                tail, head = last["text"].lstrip("(\u201c\""), head_word["text"].rstrip(").,;:\u201d\"")
                if not tail or not head:
                    continue
                for address, kind in known.items():
                    at = address.find(tail + head)
                    # Two plain words ("clinical" / "trial") are not an address's pieces.
                    if at < 0 or (at and (tail + head).isalpha()):
                        continue
                    cut = at + len(tail)
                    allowed = kind == "url" and (address[cut - 1] == "/" or address[cut] in ".?")
                    if kind == "url" and address[cut - 1] == "-":
                        # Only a part wider than the frame may break at its hyphens:
                        # wider in the widest style it could be set in, as
                        # render.addresses measures (bold takes more room).
                        allowed = _widest(_part_around(address, cut), last["size"]) > frame_width
                    if not allowed:
                        problems.append(f"page {page.page_number}: {kind} {address!r} broken as "
                                        f"{tail!r} / {head!r}")
    return problems


def beyond_the_frame(pdf_path: Path, right: float, table_right: float | None = None) -> list[str]:
    """Words whose right edge passes the frame's right edge (page furniture included).

    A table's text may reach `table_right` (a table may be wider than the
    text's measure: render.tables); it is told by the structure tree.
    """
    found = []
    with pdfplumber.open(pdf_path) as pdf:
        for page in pdf.pages:
            paths = typemeasure.role_paths(page) if table_right is not None else {}
            for char in page.chars:
                path = paths.get(char.get("mcid"), ())
                limit = table_right if {"TD", "TH"} & set(path) else right
                if char["text"].strip() and char["x1"] > limit + 0.5:
                    found.append(f"page {page.page_number}: {char['text']!r} ends at {char['x1']:.1f} "
                                 f"(frame {limit:.1f})")
    return found


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("which", list(PAPER))
def test_no_line_ends_inside_an_address_or_phone_number_and_nothing_passes_the_frame(paper, which, layout):
    out = paper(which, layout)
    known = addresses(PAPER[which][0])
    assert any(kind == "url" for kind in known.values()) and any(k == "phone" for k in known.values())
    frame = load_layout(layout)
    right = frame.width - frame.margin_right
    # Tables may widen past the measure, to 0.75 in margins (not in large print).
    table_right = right if frame.min_body_size >= 14 else max(right, frame.width - TABLE_MARGIN)
    assert beyond_the_frame(out, right, table_right) == []
    assert bad_breaks(out, known, right - frame.margin_left) == []


def _plain_pdf(path: Path, text: str, width: float = 200, split: int = 1) -> Path:
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    doc = SimpleDocTemplate(str(path), pagesize=(width, 400), leftMargin=20, rightMargin=20)
    doc.build([Paragraph(text, ParagraphStyle("p", fontSize=12, leading=15, splitLongWords=split))])
    return path


def test_the_checks_see_a_number_or_address_broken_where_it_may_not_be(tmp_path):
    # Written without handouts: a phone number broken at its space, and an
    # address broken after a hyphen of a part that would fit a line.
    phone = _plain_pdf(tmp_path / "phone.pdf", "Please call us at (555) 010-1007 today.")
    assert bad_breaks(phone, {"(555)010-1007": "phone"}, 160)
    url = "https://www.example.org/a-short-part"
    hyphen = _plain_pdf(tmp_path / "url.pdf", "See https://www.example.org/a-short-<br/>part now.")
    assert bad_breaks(hyphen, {url: "url"}, 160)
    slash = _plain_pdf(tmp_path / "slash.pdf", "See https://www.example.org/<br/>a-short-part now.")
    assert bad_breaks(slash, {url: "url"}, 160) == []
    wide = _plain_pdf(tmp_path / "wide.pdf", "See " + "x" * 60 + " now.", width=300, split=0)
    assert beyond_the_frame(wide, 280)
