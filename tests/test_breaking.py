"""No line ends inside a web address, an e-mail address or a phone number.

Read back from the PDFs with pdfplumber: for every pair of lines that
follow each other on a page, the last word of the first and the first word
of the second are looked up in the addresses and numbers the content holds.
A web address may break only after '/', before '.' or '?', or after one of
its own hyphens (a part between slashes wider than the whole line); an
e-mail address and a phone number never break.
"""

from __future__ import annotations

import re
from pathlib import Path

import pdfplumber
import pytest
from helpers import DEMO_BRAND, KNEE, assert_clean, invoke

SHEET = Path(__file__).parent / "sheet" / "long-consent"
URL = re.compile(r"https?://[^\s)\]>\"']+")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"(?:\+?\d{1,3}[ .-])?(?:\(\d{3}\) ?|\d{3}[ .-])\d{3}[ .-]\d{4}")


def addresses(folder: Path) -> dict[str, str]:
    """Every address in the content files and the brand, spaces removed, with its kind."""
    text = "\n".join(p.read_text() for p in [*folder.rglob("*.yaml"), *folder.rglob("*.yml"), DEMO_BRAND])
    found = {}
    for kind, pattern in (("url", URL), ("email", EMAIL), ("phone", PHONE)):
        for match in pattern.finditer(text):
            found[match.group(0).rstrip(".,;:").replace(" ", "")] = kind
    return found


def bad_breaks(pdf_path: Path, known: dict[str, str]) -> list[str]:
    problems = []
    with pdfplumber.open(pdf_path) as pdf:
        for page in pdf.pages:
            lines = [ln.split() for ln in (page.extract_text() or "").splitlines() if ln.split()]
            for first, second in zip(lines, lines[1:]):
                tail, head = first[-1].lstrip("(\u201c\""), second[0].rstrip(").,;:\u201d\"")
                for address, kind in known.items():
                    at = address.find(tail + head)
                    if at < 0 or not tail or not head:
                        continue
                    cut = at + len(tail)
                    allowed = kind == "url" and (address[cut - 1] in "/-" or address[cut] in ".?")
                    if not allowed:
                        problems.append(f"page {page.page_number}: {kind} {address!r} broken as "
                                        f"{tail!r} / {head!r}")
    return problems


@pytest.mark.parametrize("layout", ["letter", "a4", "large-print"])
@pytest.mark.parametrize("folder", [KNEE, SHEET], ids=["bundled", "sheet"])
def test_no_line_ends_inside_an_address_or_phone_number(tmp_path, folder, layout):
    out = tmp_path / "out.pdf"
    result = invoke(["build", str(folder), "--layout", layout, "--brand", str(DEMO_BRAND), "-o", str(out)])
    assert_clean(result)
    assert result.exit_code == 0, result.output
    known = addresses(folder)
    assert any(kind == "url" for kind in known.values()) and any(k == "phone" for k in known.values())
    assert bad_breaks(out, known) == []


def test_the_check_sees_a_phone_number_broken_at_its_space(tmp_path):
    # The same check on a PDF written without the no-break spaces must fail:
    # a sheet whose column forces the number onto two lines.
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    out = tmp_path / "plain.pdf"
    doc = SimpleDocTemplate(str(out), pagesize=(200, 400), leftMargin=20, rightMargin=20)
    doc.build([Paragraph("Please call us at (555) 010-1007 today.", ParagraphStyle("p", fontSize=12))])
    assert bad_breaks(out, {"(555)010-1007": "phone"})
