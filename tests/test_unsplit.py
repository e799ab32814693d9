"""Nothing breaks inside a phone number, e-mail address or web address, on any line, in any layout.

`sheet/contacts` is a short handout (English and Spanish) with phone
numbers, e-mail and web addresses in its title and subtitle (so in the
consent's running header too), the brand's contact lines on the cover, a
body paragraph, a table, a write-in label and the acknowledgment. Its
providers have names long enough, one after another, to bring the cover's
"Your provider: NAME, credentials · (555) 010-..." line to its end at every
point of the phone number. Built in letter, A4 and large print, every line
is read back from the PDF (pdfplumber), and each known phone number and
address must be on one line wherever it prints.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pdfplumber
import pytest

from handouts.deliver.batch import build_batch

SHEET = Path(__file__).parent / "sheet" / "contacts"
# Each a few letters longer than the last: the phone number meets the line's end at every point.
NAMES = ["Ana Beltrán", "Ana Lucía Beltrán", "Ana Lucía Beltrán-Ocampo", "María José Núñez de Arco Beltrán",
         "Guadalupe Fernández-Castellanos y Ortega", "Bartholomew Alexander Worthington-Smythe Jr.",
         "Maximiliano Ignacio de la Torre Villanueva Ortega", "Christopher Jonathan Montgomery-Blackwood III of York",
         "Anne-Marie Katharina Oppenheimer-Schwarzenegger von Habsburg",
         "Xochitl Esperanza Guadalupe Hernández y Ramírez de Arellano Montoya"]
CREDENTIALS = ["MD", "MD, PhD", "DO, FAAOS", "PA-C", "MD, MPH, FACP"]
KNOWN = ["+1 555 010 0177", "nurse-line@maplegrove.example", "https://maplegrove.example/knee", "+1 555 010 0199",
         "frontdesk-and-billing@maplegrove.example", "https://maplegrove.example", "(555) 010-0198",
         "(555) 010-0160", "+34 912 345 678", "91 123 45 67", "(555) 010-0142", "555-010-0143",
         "second.opinions@maplegrove.example", "https://maplegrove.example/knees/shots", "1-800-332-1088",
         "(555) 010-0150", "(555) 010-0170", "(555) 010-0177"]
KNOWN += [f"(555) 010-{101 + i:04d}" for i in range(len(NAMES))]


@pytest.fixture(scope="module")
def clinic(tmp_path_factory):
    folder = tmp_path_factory.mktemp("unsplit") / "contacts"
    shutil.copytree(SHEET, folder)
    with (folder / "providers.csv").open("w", newline="", encoding="utf-8") as handle:
        rows = csv.writer(handle)
        rows.writerow(["id", "name", "credentials", "phone", "email", "location"])
        for index, name in enumerate(NAMES):
            rows.writerow([f"p{index}", name, CREDENTIALS[index % len(CREDENTIALS)], f"(555) 010-{101 + index:04d}",
                           f"p{index}@maplegrove.example", "Springfield"])
    return folder


def page_lines(pdf: Path) -> list[list[str]]:
    """Each page's lines of text, as pdfplumber groups the characters by their position."""
    with pdfplumber.open(pdf) as doc:
        return [[line.replace("\u00a0", " ") for line in (page.extract_text() or "").splitlines()]
                for page in doc.pages]


def split_occurrences(lines: list[str]) -> list[str]:
    """The known strings that print across a line break somewhere on a page."""
    split = []
    for known in KNOWN:
        whole = sum(line.count(known) for line in lines)
        joined = max(" ".join(lines).count(known), "".join(lines).count(known))
        if joined > whole:
            split.append(known)
    return split


@pytest.mark.parametrize("layout", ["letter", "a4", "large-print"])
@pytest.mark.parametrize("language", ["en", "es"])
def test_no_phone_number_or_address_breaks_across_lines(clinic, tmp_path, layout, language):
    out = tmp_path / "out"
    result = build_batch(clinic, layout=layout, language=language, out_dir=out, jobs=1)
    assert not result.failed, result.failed
    broken: dict[str, list[str]] = {}
    seen = set()
    for index in range(len(NAMES)):
        for number, lines in enumerate(page_lines(out / f"contacts--p{index}.pdf"), 1):
            seen.update(k for k in KNOWN if any(k in line for line in lines))
            for known in split_occurrences(lines):
                broken.setdefault(known, []).append(f"p{index} page {number}")
    assert broken == {}
    # Everything looked for printed somewhere: the check checked something.
    assert seen == set(KNOWN)


def test_the_consent_header_never_wraps_inside_a_phone_number_or_address():
    # The running header is drawn line by line, not as a paragraph: sweep
    # its width so every wrap point meets the phone number and the address.
    from reportlab.lib.colors import black

    from handouts.render.fonts import register_family
    from handouts.render.page import layout_header

    font = register_family(None).regular
    title = "Questions? Call the Knee Nurse Line at +1 555 010 0177 or nurse-line@maplegrove.example"
    parts = [f"{title} · Version 1.0", "Patient: Ana (555) 010-0101 Example"]
    wrapped = 0
    for width in range(120, 900, 3):
        lines = [line.replace("\u00a0", " ") for line in layout_header(parts, width, 12, font, black, black).lines]
        wrapped += len(lines) > 1
        for known in ("+1 555 010 0177", "nurse-line@maplegrove.example", "(555) 010-0101"):
            assert sum(line.count(known) for line in lines) == 1, (width, lines)
    assert wrapped > 100
