"""brand.yml files as the format defines them, checked against its own package.

Each brand below is written as another tool would write it (palette and
theme-colour references, every logo form, google and file fonts, no
`meta`). handouts must resolve the same primary, secondary, foreground,
background and base font family as the `brand-yml` package, and build the
bundled handout with it.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pdfplumber
import pytest
from brand_yml import Brand as Reference
from helpers import DEMO_BRAND, assert_clean, invoke

from handouts.load.brand import load_brand, parse_color
from handouts.load.fonts import bundled_family

CONTACT = """
defaults:
  handouts:
    phone: "(555) 010-0199"
    email: desk@clinic.example
"""
META = "meta:\n  name: {short: Oak, full: Oak Street Clinic}\n  link: {home: https://oak.example}\n"

BRANDS = {
    # Palette names, theme colours naming each other, and a palette entry that
    # shares a CSS colour name: the palette's orange, not CSS orange.
    "references": META + """
color:
  palette:
    blue-600: "#1d4ed8"
    orange: "#9a3412"
    navy: "#001f3f"
    ink: navy
  primary: blue-600
  dark: ink
  secondary: dark
  foreground: dark
  tertiary: orange
""" + CONTACT,
    "palette-orange-primary": META + """
color:
  palette: {orange: "#9a3412", paper: "#fffdf8"}
  primary: orange
  background: paper
""" + CONTACT,
    "no-meta": """
color:
  palette: {teal: "#0f5257"}
  primary: teal
logo: logo.png
""" + CONTACT,
    "logo-images-svg-large": META + """
logo:
  images:
    mark: {path: logo.png, alt: Oak Street Clinic logo}
    vector: logo.svg
  small: mark
  medium: {light: mark, dark: mark}
  large: vector
color: {primary: "#1f4e79"}
""" + CONTACT,
    "logo-path-alt": META + """
logo:
  medium: {path: logo.png, alt: Oak Street Clinic logo}
""" + CONTACT,
    "google-font": META + """
typography:
  fonts:
    - {family: Inter, source: google}
    - {family: Merriweather, source: bunny}
  base: {family: Inter, size: 11pt}
  headings: Merriweather
color: {primary: "#1f4e79"}
""" + CONTACT,
    "file-font-without-bold": META + """
typography:
  fonts:
    - family: Clinic Sans
      source: file
      files:
        - {path: ClinicSans-Regular.ttf, weight: 400, style: normal}
  base: Clinic Sans
color: {primary: "#1f4e79"}
""" + CONTACT,
}


def write_brand(folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy2(DEMO_BRAND.parent / "logo.png", folder / "logo.png")
    (folder / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
                                     '<rect width="10" height="10" fill="#ffffff"/></svg>', encoding="utf-8")
    shutil.copy2(bundled_family().regular, folder / "ClinicSans-Regular.ttf")
    path = folder / "_brand.yml"
    path.write_text(BRANDS[name], encoding="utf-8")
    return path


def reference_colour(value) -> str | None:
    return parse_color(value) if value else None


@pytest.mark.parametrize("name", sorted(BRANDS))
def test_resolves_as_the_brand_yml_package_does(tmp_path, name):
    path = write_brand(tmp_path, name)
    ours = load_brand(path)
    theirs = Reference.from_yaml(path)
    for role in ("primary", "secondary", "foreground", "background"):
        expected = reference_colour(getattr(theirs.color, role) if theirs.color else None)
        if expected is not None:
            assert getattr(ours, role) == expected, role
    family = theirs.typography.base.family if theirs.typography and theirs.typography.base else None
    assert ours.base_family == family


@pytest.mark.parametrize("name", sorted(BRANDS))
def test_builds_the_bundled_handout(tmp_path, monkeypatch, name):
    path = write_brand(tmp_path / "brand", name)
    monkeypatch.chdir(tmp_path)
    result = invoke(["build", "--brand", str(path), "-o", "out.pdf"])
    assert_clean(result)
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "out.pdf").is_file()


def test_palette_orange_prints_the_palettes_colour(tmp_path, monkeypatch):
    path = write_brand(tmp_path / "brand", "palette-orange-primary")
    assert load_brand(path).primary == "#9a3412"  # CSS orange would be #ffa500
    monkeypatch.chdir(tmp_path)
    assert invoke(["build", "--brand", str(path), "-o", "out.pdf"]).exit_code == 0
    with pdfplumber.open(tmp_path / "out.pdf") as pdf:
        colours = {tuple(round(c, 3) for c in ch["non_stroking_color"] or ())
                   for page in pdf.pages for ch in page.chars}
    assert (round(0x9a / 255, 3), round(0x34 / 255, 3), round(0x12 / 255, 3)) in colours


def test_the_largest_size_given_prints_whatever_its_format(tmp_path):
    # SVG logos print (drawn by resvg), so `large` wins even when it is the SVG.
    brand = load_brand(write_brand(tmp_path, "logo-images-svg-large"))
    assert brand.logo is not None and brand.logo.path.name == "logo.svg" and brand.logo.light.svg


def test_svg_only_logo_lints_clean_of_logo_errors(tmp_path):
    path = write_brand(tmp_path, "logo-path-alt")
    path.write_text(BRANDS["logo-path-alt"].replace("logo.png", "logo.svg"), encoding="utf-8")
    result = invoke(["lint", "--brand", str(path)])
    assert "logo.svg" not in result.stdout.replace("logo-contrast", ""), result.stdout


def test_without_meta_the_lint_warns(tmp_path):
    path = write_brand(tmp_path, "no-meta")
    result = invoke(["lint", "--brand", str(path)])
    assert "warning: brand-no-name: the brand has no meta.name, so the cover shows the logo" in result.stdout


def test_without_meta_the_html_edition_prints_the_logo_and_no_name(tmp_path):
    path = write_brand(tmp_path, "no-meta")
    out = tmp_path / "out.html"
    result = invoke(["build", "--brand", str(path), "--format", "html", "-o", str(out)])
    assert_clean(result)
    assert result.exit_code == 0, result.stderr
    assert "brand-no-name" in result.stderr
    page = out.read_text(encoding="utf-8")
    assert "None" not in page and 'class="clinic-name"' not in page
    assert '<img src="data:image/png;base64,' in page
    assert "Sign it in person at the clinic," in page
    assert "<footer>\n<p>stem-cell-knee version" in page


def test_a_brand_without_the_email_the_content_uses_is_reported_plainly(tmp_path):
    # The bundled when-to-call sections write {{ clinic.email }} without a default.
    path = tmp_path / "brand.yml"
    shutil.copy2(DEMO_BRAND.parent / "logo.png", tmp_path / "logo.png")
    path.write_text(DEMO_BRAND.read_text(encoding="utf-8").replace("    email: frontdesk@maplegrove.example\n", ""),
                    encoding="utf-8")
    result = invoke(["lint", "--brand", str(path)])
    assert_clean(result)
    assert result.exit_code == 1
    errors = [line for line in result.stdout.splitlines() if ": error: " in line]
    sections = DEMO_BRAND.parent.parent.parent / "handouts" / "stem-cell-knee" / "sections"
    names = ["when-to-call.es-ES.yaml", "when-to-call.es.yaml", "when-to-call.yaml"]  # each edition's
    lines = [next(n for n, text in enumerate((sections / name).read_text(encoding="utf-8").splitlines(), 1)
                  if "{{ clinic.email }}" in text) for name in names]
    assert [e.split(": error: ")[0].rsplit("/", 2)[-2:] for e in errors] == [
        ["sections", f"{name}:{line}"] for name, line in zip(names, lines)]
    assert all(re.search(r"uses clinic\.email, which \S*brand\.yml does not set \(defaults\.handouts\.email\); "
                         r'set it there, or write \{\{ clinic\.email \| default\("\.\.\."\) \}\}$', e)
               for e in errors), errors
    build = invoke(["build", "--brand", str(path), "-o", str(tmp_path / "x.pdf")])
    assert build.exit_code == 1 and f"when-to-call.yaml:{lines[-1]}" in build.stderr
    assert not (tmp_path / "x.pdf").exists()


def test_google_font_falls_back_with_a_warning_naming_the_family(tmp_path):
    path = write_brand(tmp_path, "google-font")
    result = invoke(["lint", "--brand", str(path)])
    assert "warning: font-fallback: typography.base: the font family 'Inter'" in result.stdout
    assert "typography.headings: the font family 'Merriweather'" in result.stdout


def test_family_without_bold_prints_headings_and_bold_in_a_bold_face(tmp_path, monkeypatch):
    path = write_brand(tmp_path / "brand", "file-font-without-bold")
    monkeypatch.chdir(tmp_path)
    result = invoke(["build", "--brand", str(path), "-o", "out.pdf"])
    assert result.exit_code == 0, result.stderr
    assert ("font-fallback: typography.base: the font family 'Clinic Sans' has no bold face" in result.stderr)
    with pdfplumber.open(tmp_path / "out.pdf") as pdf:
        # The first page after the cover with a section heading on it.
        for page in pdf.pages[1:]:
            words = page.extract_words(extra_attrs=["fontname", "size"])
            sizes = sorted({w["size"] for w in words})
            body = max(sizes, key=lambda s: sum(w["size"] == s for w in words))
            headings = [w for w in words if w["size"] > body * 1.3]
            if headings:
                break
    assert headings, "no section heading after the cover"
    assert all("Bold" in w["fontname"] for w in headings), {w["fontname"] for w in headings}
    # "**not**" and other bold runs in the body print bold too.
    assert any("Bold" in w["fontname"] for w in words if w["size"] == body)
    assert any("Bold" not in w["fontname"] for w in words if w["size"] == body)


def test_without_meta_the_bundled_handout_lints_in_both_languages(tmp_path):
    # Every {{ clinic.name }} in the bundled content, English and Spanish, has a default.
    path = write_brand(tmp_path, "no-meta")
    result = invoke(["lint", "--brand", str(path)])
    assert_clean(result)
    assert result.exit_code == 0, result.stdout
    assert ": error: " not in result.stdout
    spanish = invoke(["build", "--brand", str(path), "--language", "es", "-o", str(tmp_path / "es.pdf")])
    assert spanish.exit_code == 0, spanish.stderr
