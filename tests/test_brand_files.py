"""Real brand.yml files (tests/brands, from posit-dev/brand-yml) build as written: SVG logos, light and
dark variants measured against the band, font families that cannot be embedded, families without bold.
"""

from __future__ import annotations

import base64
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pdfplumber
import pytest
from helpers import invoke
from matrixcheck import LOGO_CONTRAST, LOGO_SHARE, logo_on_cover

from handouts import prepare, render_handout_html, render_one
from handouts.errors import HandoutError

BRANDS = Path(__file__).resolve().parent / "brands"
BUILDS = sorted(p.name for p in BRANDS.iterdir() if (p / "_brand.yml").is_file() and p.name != "walmart")
DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


@pytest.fixture(scope="module")
def covers() -> dict[str, bytes]:
    """The bundled handout built with each brand file, as `handouts build --brand` builds it."""
    return {name: render_one(brand=str(BRANDS / name / "_brand.yml")).data for name in BUILDS}


def test_ten_brand_files_build_as_written(covers):
    assert len(covers) >= 10


@pytest.mark.parametrize("name", [n for n in BUILDS if "logo" in (BRANDS / n / "_brand.yml").read_text()])
def test_the_logo_shows_on_what_it_is_printed_on(covers, name):
    share, under = logo_on_cover(covers[name])
    assert share >= LOGO_SHARE, f"{share:.0%} of the logo at {LOGO_CONTRAST}:1 on {under}"


def _hex(rgb: tuple[float, ...]) -> str:
    return "#" + "".join(f"{round(c * 255):02x}" for c in rgb)


# Slack and Posit have a variant for dark backgrounds: it prints on the band itself. Dell's blue logo and
# the pandas logos have none that shows on their primary colour: a white panel goes behind them.
@pytest.mark.parametrize("name, under", [("slack", "#4a154b"), ("posit", "#447099"), ("dell", "#ffffff"),
                                         ("nhsr-community", "#ffffff"), ("pandas-light-dark", "#ffffff")])
def test_the_variant_or_a_panel_is_chosen_by_contrast_with_the_band(covers, name, under):
    share, colour = logo_on_cover(covers[name])
    assert _hex(colour) == under and share >= LOGO_SHARE


def test_a_logo_on_a_panel_is_a_lint_warning():
    result = invoke(["lint", "--brand", str(BRANDS / "dell" / "_brand.yml")])
    assert re.search(r"dell-color\.svg: warning: logo-contrast: the logo does not show on the cover band "
                     r"\(color\.primary #0672cb\): .* it prints on a #ffffff panel, where 100% of it does",
                     result.stdout), result.stdout


def test_walmart_as_written_is_refused_naming_the_missing_logo():
    with pytest.raises(HandoutError) as caught:
        render_one(brand=str(BRANDS / "walmart" / "_brand.yml"))
    assert [(p.line, p.message) for p in caught.value.problems] == [
        (11, "logo 'walmart-spark-logo-digital-blue.png' not found")]


def test_same_svg_logo_gives_byte_identical_pdfs(tmp_path):
    outputs = []
    for run in ("a", "b"):
        out = tmp_path / f"{run}.pdf"
        subprocess.run([sys.executable, "-m", "handouts", "-q", "build", "--brand",
                        str(BRANDS / "nhsr-community" / "_brand.yml"), "-o", str(out)], check=True, cwd=tmp_path)
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]


def test_the_html_edition_embeds_the_checked_svg_for_a_light_page():
    prepared = prepare(brand=str(BRANDS / "slack" / "_brand.yml"))
    html = render_handout_html(prepared).decode("utf-8")
    uri = re.search(r'<img src="data:image/svg\+xml;base64,([^"]+)"', html)
    assert uri, "no SVG logo in the HTML edition"
    # The page is white: the variant drawn for light backgrounds (the black wordmark).
    black = (BRANDS / "slack" / "SLA-Slack-From-Salesforce-Logo-BLACK.svg").read_bytes()
    assert base64.b64decode(uri.group(1)) == black


def test_unusable_font_family_no_text_uses_is_ignored_with_a_warning(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke(["build", "--brand", str(BRANDS / "typography-fonts" / "_brand.yml"), "-o", "out.pdf"])
    assert result.exit_code == 0, result.stderr
    assert re.search(r"_brand\.yml:16: font-fallback: font family 'Closed Sans' cannot be embedded "
                     r"\('https://example\.com/Closed-Sans-Bold\.woff2' is a web address.*and no text uses it",
                     result.stderr), result.stderr


def _brand_with_dejavu(folder: Path) -> Path:
    """A brand whose base family is DejaVu Sans with its regular file only (no bold)."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy2(DEJAVU, folder / "DejaVuSans.ttf")
    path = folder / "brand.yml"
    path.write_text("meta: {name: Oak Street Clinic}\n"
                    "typography:\n  fonts:\n    - family: DejaVu Sans\n      source: file\n"
                    "      files:\n        - {path: DejaVuSans.ttf, weight: 400}\n"
                    "  base: DejaVu Sans\n  headings: DejaVu Sans\n"
                    "defaults:\n  handouts: {phone: \"(555) 010-0199\", email: desk@oak.example}\n",
                    encoding="utf-8")
    return path


def _fonts_by_tag(pdf_path: Path) -> dict[str, set[str]]:
    fonts: dict[str, set[str]] = {}
    with pdfplumber.open(pdf_path) as pdf:
        for page in pdf.pages[:3]:
            for char in page.chars:
                if char["text"].strip():
                    fonts.setdefault(str(char.get("tag")), set()).add(char["fontname"].split("+")[-1])
    return fonts


def test_a_family_without_bold_prints_headings_and_bold_in_a_real_bold_face(tmp_path, monkeypatch):
    # DejaVu Sans draws far more than the bundled bold (Greek, Cyrillic...): the bold printed regular
    # before, while the warning said it printed in the bundled bold.
    path = _brand_with_dejavu(tmp_path / "brand")
    monkeypatch.chdir(tmp_path)
    result = invoke(["build", "--brand", str(path), "-o", "out.pdf"])
    assert result.exit_code == 0, result.stderr
    assert ("the font family 'DejaVu Sans' has no bold face; headings and bold text print in the bundled "
            "Atkinson Hyperlegible Bold") in result.stderr
    fonts = _fonts_by_tag(tmp_path / "out.pdf")
    assert fonts["H1"] == fonts["H2"] == {"AtkinsonHyperlegible-Bold"}, fonts
    # The body is DejaVu, its bold runs ("has **not** approved") the bundled bold.
    assert fonts["P"] >= {"DejaVuSans", "AtkinsonHyperlegible-Bold"}, fonts["P"]


def test_a_family_without_bold_whose_text_the_bundled_bold_lacks_says_it_prints_regular(tmp_path, monkeypatch):
    handout = tmp_path / "greek"
    shutil.copytree(Path(__file__).resolve().parent / "cases" / "ok-minimal", handout)
    manifest = handout / "handout.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("title: Case Handout",
                                                                     "title: Case Handout Ελληνικά"),
                        encoding="utf-8")
    path = _brand_with_dejavu(tmp_path / "brand")
    monkeypatch.chdir(tmp_path)
    result = invoke(["build", str(handout), "--brand", str(path), "-o", "out.pdf"])
    assert result.exit_code == 0, result.stderr
    assert ("the handout has characters the bundled bold cannot draw, so headings and bold text print in the "
            "family's regular weight (not bold)") in result.stderr
    fonts = _fonts_by_tag(tmp_path / "out.pdf")
    assert fonts["H1"] == {"DejaVuSans"}, fonts
