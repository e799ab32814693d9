"""A clinic's own handout, brand and layout; and a brand.yml written for Quarto.

Everything here is written into tmp_path by the test: YAML files, a logo
generated with Pillow, a layout file. Nothing of the bundled content is used.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pdfcheck
import pdfplumber
import pypdf
import pytest
from helpers import assert_clean, invoke, snapshot
from PIL import Image

CLINIC = "Riverbend Spine & Hand Center"
PHONE = "(555) 019-4242"
PRIMARY = "#7a1f5c"  # plum
SECONDARY = "#c98a1b"  # ochre
SECTIONS = {
    "what-it-is.yaml": ("how_it_works", "What carpal tunnel release is"),
    "recovery.yaml": ("lifestyle", "Getting your hand back to work"),
    "call-us.yaml": ("when_to_call", "When to phone the center"),
}
DISCLOSURE = "Risks of hand surgery and your consent"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def make_logo(path: Path, size: tuple[int, int], color: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, color).save(path, format="PNG")
    return path


def rgb(hex_colour: str) -> tuple[float, float, float]:
    return tuple(int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5))


def make_clinic(folder: Path) -> Path:
    """A whole other clinic's project: handout, sections, brand, logo, layout."""
    listed = "".join(f"  - content/{name}\n" for name in SECTIONS)
    write(folder / "handout.yaml", (
        "id: carpal-tunnel\n"
        "title: Carpal Tunnel Release\n"
        "subtitle: Surgery to ease numbness in your hand\n"
        'version: "3.2"\n'
        "reviewed: 2025-06-30\n"
        f"sections:\n{listed}"
        "risk_disclosure: content/consent.yaml\n"
        "brand: brand/brand.yml\n"))
    for name, (kind, title) in SECTIONS.items():
        write(folder / "content" / name, f"""\
            kind: {kind}
            title: {title}
            body: |
              Call {{{{ clinic.name }}}} at {{{{ clinic.phone }}}} if you have questions.

              - Keep your hand raised for two days.
              - Move your fingers often.
            """)
    write(folder / "content" / "consent.yaml", f"""\
        kind: risk_disclosure
        title: {DISCLOSURE}
        body: |
          Surgery can cause infection, nerve injury, and a tender scar.
        acknowledgment: |
          I have read this page.
        decision:
          fill_in: [Which hand]
          yes: Yes, I want the hand surgery.
          no: No, I do not want the hand surgery.
        """)
    make_logo(folder / "brand" / "riverbend.png", (480, 160), "#7a1f5c")
    write(folder / "brand" / "brand.yml", f"""\
        meta:
          name: {CLINIC}
          link: https://riverbend.example
        logo: riverbend.png
        color:
          palette:
            plum: "{PRIMARY}"
            ochre: "{SECONDARY}"
            slate: "#2b2b33"
          primary: plum
          secondary: ochre
          foreground: slate
        defaults:
          handouts:
            phone: "{PHONE}"
            address: 9 River Road, Fairview
        """)
    write(folder / "compact.yaml", """\
        name: compact
        page: [210mm, 260mm]
        margins: {top: 15mm, right: 15mm, bottom: 15mm, left: 20mm}
        body_size: 10.5
        line_spacing: 1.3
        """)
    return folder


@pytest.fixture(scope="module")
def other_clinic(tmp_path_factory):
    folder = make_clinic(tmp_path_factory.mktemp("other-clinic") / "riverbend")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(folder.parent)
        before = snapshot(folder)
        result = invoke(["build", "riverbend", "--layout", "riverbend/compact.yaml", "-o", "hand.pdf"])
        after = snapshot(folder)
    pdf = folder.parent / "hand.pdf"
    assert_clean(result)
    assert result.exit_code == 0, result.output
    return pdf, before, after


def test_other_clinic_builds_without_touching_its_folder(other_clinic):
    pdf, before, after = other_clinic
    assert pdf.is_file()
    assert before == after


def test_other_clinic_text(other_clinic, bundled):
    pdf, _, _ = other_clinic
    texts = pdfcheck.page_texts(pdf)
    text = " ".join(texts)
    assert CLINIC in texts[0]
    assert PHONE in texts[0]
    for _, title in SECTIONS.values():
        assert title in text
    assert f"Call {CLINIC} at {PHONE} if you have questions." in text
    assert DISCLOSURE in text
    for number, page in enumerate(texts, start=1):
        for part in (CLINIC, "carpal-tunnel", "version 3.2", "Reviewed June 30, 2025", f"Page {number} of {len(texts)}"):
            assert part in page, f"footer of page {number} lacks {part!r}"
    assert bundled.clinic not in text
    assert "Maple Grove" not in text
    assert "stem-cell" not in text.lower()


def test_other_clinic_metadata_and_outline(other_clinic):
    pdf, _, _ = other_clinic
    reader = pypdf.PdfReader(str(pdf))
    assert reader.metadata["/Author"] == CLINIC
    assert reader.metadata["/Title"] == "Carpal Tunnel Release"
    assert pdfcheck.outline_titles(reader) == [t for _, t in SECTIONS.values()] + [DISCLOSURE]
    assert pdfcheck.font_problems(reader) == []


def test_other_clinic_layout(other_clinic):
    pdf, _, _ = other_clinic
    reader = pypdf.PdfReader(str(pdf))
    x0, y0, x1, y1 = pdfcheck.box(reader.pages[0], "mediabox")
    assert (x1 - x0, y1 - y0) == pytest.approx((210 / 25.4 * 72, 260 / 25.4 * 72), abs=1)
    assert pdfcheck.body_size(pdf, 0) == pytest.approx(10.5, abs=0.05)


def test_other_clinic_colours_and_logo(other_clinic):
    pdf, _, _ = other_clinic
    with pdfplumber.open(str(pdf)) as doc:
        page = doc.pages[0]
        fills = {tuple(round(c, 3) for c in r["non_stroking_color"]) for r in page.rects if r["fill"]}
        assert tuple(round(c, 3) for c in rgb(PRIMARY)) in fills, f"primary colour not used: {fills}"
        assert tuple(round(c, 3) for c in rgb("#1d4e6e")) not in fills, "the demo brand's colour leaked in"
        assert [tuple(im["srcsize"]) for im in page.images] == [(480, 160)]
        # The logo keeps its 3:1 shape.
        image = page.images[0]
        assert image["width"] / image["height"] == pytest.approx(3, rel=0.01)


QUARTO_BRAND = """\
    # A brand.yml written for a Quarto website; handouts reads what it needs.
    meta:
      name:
        short: Lakeside
        full: Lakeside Orthopaedic Partners
      link:
        home: https://lakeside.example
        github: https://github.com/lakeside
    logo:
      images:
        icon:
          path: logos/icon.png
          alt: Lakeside icon
        wordmark: logos/wordmark.png
        banner:
          path: logos/banner.png
          alt: Lakeside Orthopaedic Partners
      small: icon
      medium: wordmark
      large: banner
    color:
      palette:
        teal: "#0f6e74"
        sand: "#d8c7a0"
      primary: teal
      secondary: sand
      foreground: "#222222"
      background: "#ffffff"
      success: "#2e7d32"
      danger: "#b00020"
    typography:
      fonts:
        - family: Roboto
          source: google
          weight: [400, 700]
        - family: Fira Code
          source: bunny
      base:
        family: Roboto
        size: 1rem
        line-height: 1.5
      headings:
        family: Roboto
        weight: 600
        color: teal
      monospace:
        family: Fira Code
        size: 0.9em
      link:
        color: teal
        decoration: underline
    defaults:
      bootstrap:
        defaults:
          navbar-bg: $brand-teal
        rules: |
          .navbar { border-bottom: 2px solid $brand-sand; }
      quarto:
        format:
          html:
            toc: true
      shiny:
        theme:
          preset: shiny
      handouts:
        phone: "(555) 010-7777"
        email: hello@lakeside.example
    """


@pytest.fixture(scope="module")
def quarto_build(tmp_path_factory):
    import shutil

    from helpers import KNEE

    folder = tmp_path_factory.mktemp("quarto") / "site"
    shutil.copytree(KNEE, folder / "knee")
    write(folder / "_brand.yml", QUARTO_BRAND)
    (folder / "logos").mkdir()
    make_logo(folder / "logos" / "icon.png", (64, 64), "#0f6e74")
    make_logo(folder / "logos" / "wordmark.png", (300, 100), "#0f6e74")
    make_logo(folder / "logos" / "banner.png", (900, 300), "#0f6e74")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(folder)
        result = invoke(["build", "knee", "--brand", "_brand.yml", "-o", "knee.pdf"])
    assert_clean(result)
    assert result.exit_code == 0, result.output
    return folder / "knee.pdf"


def test_quarto_brand_builds_with_its_names_and_contact(quarto_build):
    texts = pdfcheck.page_texts(quarto_build)
    assert "Lakeside Orthopaedic Partners" in texts[0]
    assert "https://lakeside.example" in texts[0]
    assert "(555) 010-7777" in texts[0]
    assert "hello@lakeside.example" in texts[0]
    assert all("Lakeside Orthopaedic Partners" in page for page in texts), "the footer names the clinic"
    assert "Maple Grove" not in " ".join(texts)
    assert pypdf.PdfReader(str(quarto_build)).metadata["/Author"] == "Lakeside Orthopaedic Partners"


def test_quarto_brand_prints_the_large_logo(quarto_build):
    # The 3:1 banner (large), not the square icon (small); resampled to
    # 300 dpi at its printed size, never below.
    with pdfplumber.open(str(quarto_build)) as doc:
        # Page 1 may also show the bundled knee picture (1800x900 px, 2:1).
        [image] = [i for i in doc.pages[0].images if abs(i["width"] / i["height"] - 1800 / 900) > 0.05]
        width_px, height_px = image["srcsize"]
        assert width_px / height_px == pytest.approx(3, rel=0.01)
        assert width_px / (image["width"] / 72) == pytest.approx(300, rel=0.01)


def test_quarto_brand_web_fonts_fall_back_to_embedded_fonts(quarto_build):
    reader = pypdf.PdfReader(str(quarto_build))
    assert pdfcheck.font_problems(reader) == []
    names = {pdfcheck.base_font_name(use.font) for use in pdfcheck.all_fonts(reader)}
    assert not [n for n in names if "Roboto" in n or "Fira" in n]


def test_quarto_brand_base_size_in_rem(quarto_build):
    # 1rem is 16 CSS px, which is 12 pt on paper.
    assert pdfcheck.body_size(quarto_build, 1) == pytest.approx(12, abs=0.05)


def test_hex_colours_read_as_pillow_reads_them():
    """parse_color reads #rgb and #rrggbb itself (no Pillow import): exactly as Pillow would."""
    import random

    from PIL import ImageColor

    from handouts.load.brand import parse_color

    rng = random.Random(7)
    values = ["#000", "#FFF", "#fff", "#AbC", "#000000", "#FFFFFF", "#a1B2c3"]
    values += ["#" + "".join(rng.choice("0123456789abcdefABCDEF") for _ in range(n)) for n in (3, 6) * 100]
    for value in values:
        assert parse_color(value) == "#{:02x}{:02x}{:02x}".format(*ImageColor.getrgb(value)[:3]), value
