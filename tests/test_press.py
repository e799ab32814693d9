"""--print-ready for a print shop: CMYK colour, black text, registration marks,
the output intent, font subset tags; and office layouts inside the printable area.

Each PDF is opened: content streams are walked with pikepdf (forms
included), Ghostscript's inkcov device says which inks a page uses.
"""

from __future__ import annotations

import shutil
import subprocess
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import pdfplumber
import pikepdf
import pytest
from helpers import invoke

from handouts.render.inks import press_color, profile_bytes

K100 = (0.0, 0.0, 0.0, 1.0)
WHITE = (0.0, 0.0, 0.0, 0.0)
INCH = 72.0
PLAIN_SENTENCE = "Plain line {n}: walk a little each day and rest your knee when it hurts."


def plain_section() -> str:
    """A section long enough that its middle page holds nothing but body text."""
    paragraphs = "\n\n".join(" ".join(PLAIN_SENTENCE.format(n=f"{n}.{i}") for i in range(4)) for n in range(60))
    body = "\n".join(f"  {line}" if line else "" for line in paragraphs.splitlines())
    return f"kind: lifestyle\ntitle: More steps for your knees\nbody: |\n{body}\n"


@pytest.fixture(scope="module")
def press(tmp_path_factory) -> SimpleNamespace:
    """The bundled handout print-ready (letter, and one with a long plain section), and office builds."""
    from helpers import DEMO_BRAND, KNEE

    folder = tmp_path_factory.mktemp("press")
    knee = folder / "knee"
    shutil.copytree(KNEE, knee)
    shutil.copy2(DEMO_BRAND, knee / "brand.yml")
    shutil.copy2(DEMO_BRAND.parent / "logo.png", knee / "logo.png")
    (knee / "sections" / "plain.yaml").write_text(plain_section(), encoding="utf-8")
    manifest = (knee / "handout.yaml").read_text(encoding="utf-8")
    (knee / "handout.yaml").write_text(manifest.replace("  - sections/lifestyle.yaml\n",
                                                        "  - sections/lifestyle.yaml\n  - sections/plain.yaml\n"),
                                       encoding="utf-8")
    builds = {"print-ready": ["--print-ready"], "print-ready-again": ["--print-ready"],
              "a4-print-ready": ["--print-ready", "--layout", "a4"],
              "plain-print-ready": [str(knee), "--print-ready", "--allow-lint-errors"],
              "named-print-ready": ["--print-ready", "--patient-name", "Żaneta Ćwikłœ"],
              "letter": [], "a4": ["--layout", "a4"], "large-print": ["--layout", "large-print"]}
    out = SimpleNamespace()
    for name, args in builds.items():
        path = folder / f"{name}.pdf"
        result = invoke(["build", "-o", str(path), *args])
        assert result.exit_code == 0, f"{name}: {result.stderr}"
        setattr(out, name.replace("-", "_"), path)
    return out


def colour_space(name, resources) -> tuple:
    """A colour space operand resolved: ('DeviceCMYK',), ('Separation', 'All', alt), ('ICCBased', N)..."""
    name = str(name)
    if name in ("/DeviceCMYK", "/DeviceGray", "/DeviceRGB", "/Pattern"):
        return (name[1:],)
    space = resources.ColorSpace[name]
    if isinstance(space, pikepdf.Array):
        family = str(space[0])[1:]
        if family == "Separation":
            return (family, str(space[1])[1:], str(space[2])[1:])
        if family == "ICCBased":
            return (family, int(space[1].N))
        return (family,)
    return (str(space)[1:],)


def walk(stream_owner, resources, found: dict, state=None) -> None:
    """Every colour operator of a content stream and the forms it shows, recorded in `found`."""
    state = dict(state or {"fill": ("DeviceGray",), "stroke": ("DeviceGray",), "fill_value": (0.0,),
                           "stroke_value": (0.0,)})
    stack = []
    for operands, operator in pikepdf.parse_content_stream(stream_owner):
        op = str(operator)
        colour_op = op in ("k", "K", "g", "G", "rg", "RG", "sc", "scn", "SC", "SCN")
        values = tuple(round(float(v), 4) for v in operands if not isinstance(v, pikepdf.Name)) if colour_op else ()
        if op in ("rg", "RG"):
            found["operators"][op] += 1
        elif op in ("k", "g"):
            found["operators"][op] += 1
            state["fill"], state["fill_value"] = (("DeviceCMYK",) if op == "k" else ("DeviceGray",)), values
        elif op in ("K", "G"):
            found["operators"][op] += 1
            state["stroke"], state["stroke_value"] = (("DeviceCMYK",) if op == "K" else ("DeviceGray",)), values
        elif op == "cs":
            state["fill"] = colour_space(operands[0], resources)
            found["spaces"].add(state["fill"])
        elif op == "CS":
            state["stroke"] = colour_space(operands[0], resources)
            found["spaces"].add(state["stroke"])
        elif op in ("sc", "scn"):
            state["fill_value"] = values
        elif op in ("SC", "SCN"):
            state["stroke_value"] = values
        elif op == "q":
            stack.append(dict(state))
        elif op == "Q" and stack:
            state = stack.pop()
        elif op in ("Tj", "TJ", "'", '"'):
            found["text"][(state["fill"], state["fill_value"])] += 1
        elif op in ("S", "s", "B", "B*", "b", "b*"):
            found["strokes"][(state["stroke"], state["stroke_value"])] += 1
        elif op == "Do":
            xobject = resources.XObject[str(operands[0])]
            if xobject.Subtype == pikepdf.Name.Form:
                walk(xobject, xobject.get("/Resources", resources), found, state)
            else:
                found["images"].add(str(xobject.get("/ColorSpace")))


def colours(path: Path, pages: slice = slice(None)) -> dict:
    found = {"operators": Counter(), "spaces": set(), "text": Counter(), "strokes": Counter(), "images": set()}
    with pikepdf.open(path) as pdf:
        for page in pdf.pages[pages]:
            walk(page, page.Resources, found)
    return found


def cmyk(hex_color: str) -> tuple:
    return tuple(round(v, 4) for v in press_color(hex_color).cmyk())


def demo_primary() -> tuple:
    from helpers import DEMO_BRAND

    from handouts.load.brand import load_brand

    return cmyk(load_brand(DEMO_BRAND).primary)


def test_every_colour_operator_is_cmyk_gray_or_a_separation(press):
    found = colours(press.print_ready)
    assert found["operators"]["rg"] == 0 and found["operators"]["RG"] == 0, found["operators"]
    assert found["operators"]["k"] > 0
    for space in found["spaces"]:
        assert space[0] in ("DeviceCMYK", "DeviceGray", "Separation") or space == ("ICCBased", 4), space
        if space[0] == "Separation":
            assert space[1:] == ("All", "DeviceCMYK")
    # The logo too: CMYK pixels (its transparency is a grey soft mask).
    assert found["images"] == {"/DeviceCMYK"}, found["images"]


def test_office_builds_keep_rgb(press):
    found = colours(press.letter)
    assert found["operators"]["rg"] > 0
    assert found["images"] == {"/DeviceRGB"}


def test_body_text_and_rules_are_solid_black(press, bundled):
    body = colours(press.print_ready, slice(1, None))  # after the cover
    brand_primary = demo_primary()
    text_colours = {value for (space, value) in body["text"]}
    # Body text in 100% K; headings and links in the brand's primary colour;
    # white (no ink) only on brand-coloured fills (table heads).
    assert text_colours <= {K100, brand_primary, WHITE}, text_colours
    assert body["text"][(("DeviceCMYK",), K100)] > 10 * body["text"][(("DeviceCMYK",), brand_primary)]
    # Signature and write-in rules: solid K too.
    last = colours(press.print_ready, slice(-1, None))
    strokes = {value for (space, value) in last["strokes"] if space == ("DeviceCMYK",)}
    assert K100 in strokes


def test_crop_marks_are_in_registration_colour(press):
    with pikepdf.open(press.print_ready) as pdf:
        count = len(pdf.pages)
    found = colours(press.print_ready)
    registration = [n for (space, value), n in found["strokes"].items() if space[:2] == ("Separation", "All")]
    assert sum(registration) == 8 * count, "eight crop-mark strokes a page, all in Separation /All"


def inks_in_box(path: Path, page_number: int, box: tuple[float, float, float, float], tmp_path: Path) -> list[float]:
    """Ghostscript inkcov's C, M, Y, K coverage of one page, cropped to `box`."""
    single = tmp_path / f"page-{page_number}.pdf"
    with pikepdf.open(path) as pdf:
        out = pikepdf.new()
        out.pages.append(pdf.pages[page_number - 1])
        out.pages[0].CropBox = pikepdf.Array(box)
        out.save(single)
    done = subprocess.run(["gs", "-q", "-dSAFER", "-dUseCropBox", "-o", "-", "-sDEVICE=inkcov", str(single)],
                          capture_output=True, text=True, check=True, timeout=120)
    return [float(v) for v in done.stdout.split()[:4]]


def test_inkcov_black_only_on_a_page_of_plain_text(press, tmp_path):
    with pdfplumber.open(press.plain_print_ready) as pdf:
        plain = [p.page_number for p in pdf.pages
                 if "Plain line" in (p.extract_text() or "") and "More steps" not in (p.extract_text() or "")]
        trim = [float(v) for v in pdf.pages[plain[0] - 1].trimbox]
    assert plain, "the long plain section gave no page of its own"
    # The text area: inside the margins, below the brand band, above the footer.
    box = (trim[0] + 0.75 * INCH, trim[1] + 0.75 * INCH + 40, trim[2] - 0.75 * INCH, trim[3] - 0.75 * INCH)
    c, m, y, k = inks_in_box(press.plain_print_ready, plain[0], box, tmp_path)
    assert (c, m, y) == (0.0, 0.0, 0.0), (c, m, y, k)
    assert k > 0.01, "there is text on the page"
    # The same box of the office build of that page uses all four inks
    # (RGB text is rendered as rich black), so the check can fail.
    office = tmp_path / "office.pdf"
    assert invoke(["build", "-o", str(office), str(Path(press.plain_print_ready).parent / "knee"),
                   "--allow-lint-errors"]).exit_code == 0
    with pdfplumber.open(office) as pdf:
        office_page = next(p.page_number for p in pdf.pages if "Plain line" in (p.extract_text() or "")
                           and "More steps" not in (p.extract_text() or ""))
    office_box = (0.75 * INCH, 0.75 * INCH + 40, 612 - 0.75 * INCH, 792 - 0.75 * INCH)
    assert min(inks_in_box(office, office_page, office_box, tmp_path)[:3]) > 0


def test_output_intent_embeds_the_profile(press):
    from PIL import ImageCms

    with pikepdf.open(press.print_ready) as pdf:
        intents = pdf.Root.OutputIntents
        assert len(intents) == 1
        intent = intents[0]
        assert intent.S == pikepdf.Name.GTS_PDFX
        assert str(intent.OutputConditionIdentifier) == "FOGRA39"
        profile = intent.DestOutputProfile
        assert int(profile.N) == 4
        data = profile.read_bytes()
    assert data == profile_bytes()
    import io

    opened = ImageCms.ImageCmsProfile(io.BytesIO(data))
    assert opened.profile.xcolor_space.strip() == "CMYK"
    assert opened.profile.device_class == "prtr"


def subset_tags(path: Path) -> dict[str, str]:
    fonts = {}
    with pikepdf.open(path) as pdf:
        for obj in pdf.objects:
            if (isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == pikepdf.Name.Font
                    and "+" in str(obj.get("/BaseFont", ""))):
                tag, _, name = str(obj.BaseFont)[1:].partition("+")
                fonts[str(obj.BaseFont)] = tag
                assert str(obj.FontDescriptor.FontName) == str(obj.BaseFont)
    return fonts


def test_subset_tags_differ_between_fonts_and_subsets(press):
    fonts = subset_tags(press.print_ready)
    assert len(fonts) >= 3
    tags = list(fonts.values())
    assert len(set(tags)) == len(tags), fonts
    assert all(len(t) == 6 and t.isalpha() and t.isupper() for t in tags)
    # A patient's name adds characters to the regular face's subset only:
    # that subset gets another tag, the unchanged ones keep theirs.
    other = subset_tags(press.named_print_ready)
    regular = {name.partition("+")[2]: tag for name, tag in fonts.items()}
    named = {name.partition("+")[2]: tag for name, tag in other.items()}
    assert regular.keys() == named.keys()
    assert regular["AtkinsonHyperlegible-Regular"] != named["AtkinsonHyperlegible-Regular"]
    assert regular["AtkinsonHyperlegible-Italic"] == named["AtkinsonHyperlegible-Italic"]
    # ReportLab alone tags the first subset of every font AAAAAA.
    assert "AAAAAA" in subset_tags(press.letter).values()


def test_print_ready_is_reproducible(press):
    assert press.print_ready.read_bytes() == press.print_ready_again.read_bytes()


@pytest.mark.parametrize("name", ["letter", "a4", "large_print"])
def test_office_layouts_keep_every_mark_inside_the_printable_area(press, name):
    inset = 0.25 * INCH - 0.01
    with pdfplumber.open(getattr(press, name)) as pdf:
        for page in pdf.pages:
            width, height = float(page.width), float(page.height)
            for kind in ("rects", "lines", "chars", "images", "curves"):
                for obj in getattr(page, kind):
                    assert obj["x0"] >= inset and obj["x1"] <= width - inset, (name, page.page_number, kind, obj)
                    assert obj["top"] >= inset and obj["bottom"] <= height - inset, (name, page.page_number, kind,
                                                                                      obj)


def test_an_rgb_colour_on_a_print_ready_page_is_refused():
    from reportlab.lib.colors import CMYKColor, HexColor

    from handouts.render.inks import press_only

    with pytest.raises(ValueError, match="RGB"):
        press_only(HexColor("#1d4e6e"))
    dark = CMYKColor(0.5, 0.43, 0.38, 0.95)  # ReportLab's own "sep_cmyk" mode makes this 100% K
    assert press_only(dark) is dark
    assert press_only(HexColor("#000000")).cmyk() == (0, 0, 0, 1)
