"""Pictures in section bodies, read back from what the real CLI writes.

tests/data/pictures is a small handout whose section shows a 2400x1100 PNG
with a caption, a 300x200 JPEG and a tall transparent PNG inside a box.
Each must be an image on the page at its documented size (the column's
width, never enlarged past 96 dpi, never taller than half the
column's width), a Figure with its alt text in the structure tree, an img with its
alt text in the HTML edition, and a line of `handouts lint --images`.
The refusals (URLs, escapes, wrong formats, bombs, no alt text) are
hostile cases: tests/hostile/cases/picture-*.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pdfplumber
import pikepdf
import pytest
from helpers import assert_clean, invoke
from structure import struct_text, tree, walk

PROJECT = Path(__file__).parent / "data" / "pictures"
IMAGES = PROJECT / "images"
COLUMN = (8.5 - 2 * 1.6) * 72  # letter, 1.6 in side margins
ALTS = ["Drawing of a knee joint with the cartilage shaded green", "A blue dot", "A red bar, standing upright"]
CAPTION = "The knee joint, from the front"


def build(folder: Path, *extra: str) -> Path:
    out = folder / "pictures.pdf"
    result = invoke(["build", str(PROJECT), "-o", str(out), *extra])
    assert_clean(result)
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def pdf_file(tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("pictures"))


def placed_images(path: Path) -> list[dict]:
    """Every image drawn, in page order, but the logo (square, where no picture here is)."""
    with pdfplumber.open(path) as pdf:
        return [dict(page=page.page_number, width=image["width"], height=image["height"],
                     pixels=tuple(int(v) for v in image["srcsize"]))
                for page in pdf.pages for image in page.images if image["srcsize"][0] != image["srcsize"][1]]


def test_each_picture_is_an_image_on_the_page_at_its_documented_size(pdf_file):
    diagram, small, tall = placed_images(pdf_file)
    # As wide as the column, shape kept, resampled to 300 dpi at that size.
    assert diagram["width"] == pytest.approx(COLUMN, abs=0.05)
    assert diagram["height"] == pytest.approx(COLUMN * 1100 / 2400, abs=0.05)
    assert diagram["pixels"] == (round(COLUMN / 72 * 300), round(COLUMN * 1100 / 2400 / 72 * 300))
    # 300 px is never enlarged past 96 dpi: 3.125 in, its own pixels.
    assert (small["width"], small["height"]) == (pytest.approx(300 / 96 * 72, abs=0.05),
                                                 pytest.approx(200 / 96 * 72, abs=0.05))
    assert small["pixels"] == (300, 200)
    # Tall: half the (boxed, narrower) column's width high, half that wide.
    assert tall["height"] <= 0.5 * COLUMN
    assert tall["height"] == pytest.approx(2 * tall["width"], abs=0.05)


def test_the_structure_tree_has_a_figure_with_each_alt_text(pdf_file):
    with pikepdf.open(pdf_file) as pdf:
        figures = [e for e in walk(tree(pdf)) if e.role == "Figure"]
        alts = [f.alt for f in figures]
        # The logo beside the clinic's name is an artifact: only the pictures are
        # Figures, and last the consent's two check boxes (test_consent.py).
        assert alts[:-2] == ALTS and alts[-2:] == ["Empty check box"] * 2
        assert all(f.kids for f in figures), "a Figure with no marked content"
    # poppler reads the same tree: the caption follows its Figure in the section.
    found = struct_text(pdf_file, full=True)
    assert (("Document", "Sect", "Caption"), CAPTION) in found
    # The box's paragraph is in the box's Div.
    assert [text for roles, text in found if roles == ("Document", "Sect", "Div", "P")][:1] == [
        "A tall picture in a box prints no taller than half the column\u2019s width:"]


def test_the_same_inputs_make_the_same_bytes_and_print_ready_pictures_are_cmyk(tmp_path, pdf_file):
    again = build(tmp_path)
    assert hashlib.sha256(again.read_bytes()).digest() == hashlib.sha256(pdf_file.read_bytes()).digest()
    (tmp_path / "press").mkdir()
    press = build(tmp_path / "press", "--print-ready")
    with pikepdf.open(press) as pdf:
        images = [o for o in pdf.objects if isinstance(o, pikepdf.Stream) and o.get("/Subtype") == "/Image"]
        masks = {o.SMask.objgen for o in images if "/SMask" in o}
        spaces = [str(o.ColorSpace) for o in images if o.objgen not in masks]
    assert len(spaces) == 4 and set(spaces) == {"/DeviceCMYK"}, spaces  # the logo and three pictures


class _Pictures(HTMLParser):
    def __init__(self):
        super().__init__()
        self.images: list[dict] = []
        self.captions: list[str] = []
        self._caption = False

    def handle_starttag(self, tag, attrs):
        if tag == "img" and dict(attrs).get("class") == "picture":
            self.images.append(dict(attrs))
        self._caption = tag == "figcaption"

    def handle_data(self, data):
        if self._caption:
            self.captions.append(data)
            self._caption = False


def test_the_html_edition_shows_each_picture_with_its_alt_text(tmp_path):
    out = tmp_path / "pictures.html"
    result = invoke(["build", str(PROJECT), "--format", "html", "-o", str(out)])
    assert result.exit_code == 0, result.output
    found = _Pictures()
    found.feed(out.read_text(encoding="utf-8"))
    assert [img["alt"] for img in found.images] == ALTS
    assert found.captions == [CAPTION]
    for img, name, kind in zip(found.images, ("diagram.png", "small.jpg", "tall.png"), ("png", "jpeg", "png")):
        prefix = f"data:image/{kind};base64,"
        assert img["src"].startswith(prefix)
        assert base64.b64decode(img["src"][len(prefix):]) == (IMAGES / name).read_bytes()
    assert [(img["width"], img["height"]) for img in found.images] == [("2400", "1100"), ("300", "200"),
                                                                        ("800", "1600")]


def test_lint_lists_each_picture_with_its_alt_text_and_warns_under_150_dpi():
    result = invoke(["lint", str(PROJECT), "--images", "--format", "json"])
    assert result.exit_code == 0, result.output
    findings = json.loads(result.stdout)
    listed = [f for f in findings if f["code"] == "image"]
    assert [f["severity"] for f in listed] == ["info"] * 3
    assert [f["line"] for f in listed] == [6, 10, 14]
    for finding, alt in zip(listed, ALTS):
        assert f'alt text "{alt}"' in finding["message"]
    assert f"{2400 / (COLUMN / 72):.0f} dpi" in listed[0]["message"] and f'caption "{CAPTION}"' in listed[0]["message"]
    soft = [f for f in findings if f["code"] == "image-resolution"]
    assert [(f["path"].endswith("pictures/sections/one.yaml"), f["line"], f["severity"]) for f in soft] == [
        (True, 10, "warning")]
    assert "prints at 96 dpi" in soft[0]["message"]
    plain = invoke(["lint", str(PROJECT), "--format", "json"])
    assert not [f for f in json.loads(plain.stdout) if f["code"] == "image"], "listed without --images"


def test_a_photo_stored_sideways_prints_upright_by_its_exif_orientation(tmp_path):
    from PIL import Image

    project = tmp_path / "pictures"
    shutil.copytree(PROJECT, project)
    # Stored 300x200, blue on its left third, with EXIF orientation 6: a phone
    # held upright, whose picture shows turned a quarter clockwise (200x300, blue on top).
    stored = Image.new("RGB", (300, 200), (200, 30, 30))
    stored.paste((30, 30, 200), (0, 0, 100, 200))
    exif = Image.Exif()
    exif[0x0112] = 6
    stored.save(project / "images" / "phone.jpg", exif=exif.tobytes(), quality=95)
    (project / "sections" / "one.yaml").write_text(
        "kind: how_it_works\ntitle: A photo\nbody: |\n  Held upright.\n\n  ![A photo held upright](images/phone.jpg)\n",
        encoding="utf-8")
    out = tmp_path / "phone.pdf"
    result = invoke(["build", str(project), "-o", str(out)])
    assert result.exit_code == 0, result.output
    (placed,) = placed_images(out)
    assert placed["pixels"] == (200, 300)
    # Upright it is taller than half the column is wide: that high, its shape kept.
    assert (placed["width"], placed["height"]) == (pytest.approx(COLUMN / 2 * 2 / 3, abs=0.05),
                                                   pytest.approx(COLUMN / 2, abs=0.05))
    with pikepdf.open(out) as pdf:
        (image,) = [pikepdf.PdfImage(o) for o in pdf.objects if isinstance(o, pikepdf.Stream)
                    and o.get("/Subtype") == "/Image" and o.get("/Width") == 200]
        shown = image.as_pil_image().convert("RGB")
    top, bottom = shown.getpixel((100, 20)), shown.getpixel((100, 280))
    assert top[2] > 150 > top[0] and bottom[0] > 150 > bottom[2], (top, bottom)
