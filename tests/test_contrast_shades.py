"""A light brand colour builds: bands and rules keep it, text prints in a shade that reads.

The PDFs' content streams are walked with pikepdf (forms included): the
colour in effect at every text-showing operator is read from the operators
themselves and its WCAG contrast computed from those numbers.
"""

from __future__ import annotations

import re
import shutil
from collections import Counter
from pathlib import Path

import pikepdf
import pytest
from helpers import DEMO_BRAND, KNEE, assert_clean, invoke

from handouts.render.inks import press_color

ORANGE, SKY_BLUE, WHITE = "#f28c28", "#87ceeb", "#ffffff"


def rgb(hex_color: str) -> tuple[float, ...]:
    return tuple(int(hex_color[i:i + 2], 16) / 255 for i in (1, 3, 5))


def ratio(first: tuple[float, ...], second: tuple[float, ...]) -> float:
    """WCAG 2.1 contrast of two sRGB colours given as 0..1 channels (written out, not the package's)."""
    def lum(channels):
        r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    light, dark = sorted((lum(first), lum(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def walk(owner, resources, found: dict, fill=("g", (0.0,))) -> None:
    """The fill colour at each text-showing operator and each filled path, through forms."""
    stack = []
    for operands, operator in pikepdf.parse_content_stream(owner):
        op = str(operator)
        if op in ("rg", "k", "g"):
            fill = (op, tuple(round(float(v), 4) for v in operands))
        elif op == "q":
            stack.append(fill)
        elif op == "Q" and stack:
            fill = stack.pop()
        elif op in ("Tj", "TJ", "'", '"'):
            found["text"][fill] += 1
        elif op in ("f", "f*", "B", "B*", "b", "b*"):
            found["fills"][fill] += 1
        elif op == "Do":
            xobject = resources.XObject[str(operands[0])]
            if xobject.Subtype == pikepdf.Name.Form:
                walk(xobject, xobject.get("/Resources", resources), found, fill)


def page_colours(path: Path, page: int = 0) -> dict:
    found = {"text": Counter(), "fills": Counter()}
    with pikepdf.open(path) as pdf:
        walk(pdf.pages[page], pdf.pages[page].Resources, found)
    return found


def light_brand(folder: Path, primary: str) -> Path:
    """The demo brand with a light primary colour (bands, headings) and sky-blue rules."""
    folder.mkdir()
    text = DEMO_BRAND.read_text(encoding="utf-8")
    text = text.replace('lake: "#1d4e6e"', f'lake: "{primary}"').replace('moss: "#5e7f66"', f'moss: "{SKY_BLUE}"')
    (folder / "logo.png").write_bytes((DEMO_BRAND.parent / "logo.png").read_bytes())
    path = folder / "brand.yml"
    path.write_text(text, encoding="utf-8")
    return path


def build(tmp_path: Path, primary: str, *args: str) -> tuple[Path, str]:
    brand = light_brand(tmp_path / "brand", primary)
    out = tmp_path / ("out.html" if "html" in args else "out.pdf")
    result = invoke(["build", "--brand", str(brand), "-o", str(out), *args])
    assert_clean(result)
    assert result.exit_code == 0, result.stderr
    return out, result.stderr


def shade_in(warnings: str, primary: str) -> str:
    """The shade the low-contrast warning names for headings in `primary`."""
    match = re.search(rf"warning: .*low-contrast: headings and links: color.primary {primary} on "
                      rf"color.background #ffffff has contrast [\d.]+:1, below 4.5:1; this text prints in the "
                      r"darker shade (#[0-9a-f]{6}) \(([\d.]+):1\)", warnings)
    assert match, warnings
    return match.group(1)


@pytest.mark.parametrize("primary", [ORANGE, SKY_BLUE], ids=["orange", "sky-blue"])
def test_light_brand_builds_with_text_in_a_shade_that_reads(tmp_path, primary):
    pdf, warnings = build(tmp_path, primary)
    shade = shade_in(warnings, primary)
    assert len(warnings.splitlines()) == len(set(warnings.splitlines()))  # one line each, once
    cover = page_colours(pdf)
    # The band keeps the brand colour ...
    assert cover["fills"][("rg", tuple(round(c, 4) for c in rgb(primary)))] >= 2  # top band, cover band
    # ... and no text prints in it: every text colour reads on white, the
    # headings in the warning's shade, the clinic details on the band read on it.
    texts = {values for op, values in cover["text"] if op == "rg"}
    assert tuple(round(c, 4) for c in rgb(primary)) not in texts
    assert tuple(round(c, 4) for c in rgb(shade)) in texts
    for values in texts:
        assert ratio(values, rgb(WHITE)) >= 4.5, (values, ratio(values, rgb(WHITE)))
    on_band = {v for v in texts if ratio(v, rgb(primary)) >= 4.5}
    assert on_band, texts  # the clinic's name and contacts on the band


def test_print_ready_prints_the_shade_in_cmyk(tmp_path):
    pdf, warnings = build(tmp_path, ORANGE, "--print-ready")
    shade = shade_in(warnings, ORANGE)
    cover = page_colours(pdf)
    as_cmyk = lambda hex_color: ("k", tuple(round(v, 4) for v in press_color(hex_color).cmyk()))  # noqa: E731
    assert as_cmyk(shade) in cover["text"]
    assert as_cmyk(ORANGE) not in cover["text"]
    assert cover["fills"][as_cmyk(ORANGE)] >= 1


def test_html_edition_uses_the_same_shade(tmp_path):
    html, warnings = build(tmp_path, ORANGE, "--format", "html")
    shade = shade_in(warnings, ORANGE)
    page = html.read_text(encoding="utf-8")
    assert re.search(rf"h1, h2, h3 {{[^}}]*color: {shade};", page)
    assert f"a {{ color: {shade};" in page
    assert f"solid {SKY_BLUE}" in page  # rules keep the brand's secondary colour
    assert ORANGE not in page.split("<body>")[0].split("h1, h2, h3")[1].split("}")[0]


def test_content_errors_still_refuse_beside_the_colour_warning(tmp_path):
    project = tmp_path / "knee"
    shutil.copytree(KNEE, project)
    brand = light_brand(tmp_path / "brand", ORANGE)
    benefits = project / "sections" / "benefits.yaml"
    text = benefits.read_text(encoding="utf-8")
    benefits.write_text(text.replace("body: |\n", "body: |\n  It is guaranteed to work.\n", 1), encoding="utf-8")
    result = invoke(["build", str(project), "--brand", str(brand), "-o", str(tmp_path / "x.pdf")])
    assert_clean(result)
    assert result.exit_code == 1
    assert "claim" in result.stderr and "low-contrast" in result.stderr
    assert not (tmp_path / "x.pdf").exists()
