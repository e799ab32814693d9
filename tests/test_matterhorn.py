"""PDF/UA-1 as the Matterhorn Protocol checks it, on every layout, language and handout.

Two handouts (the bundled one and tests/data/ankle, another clinic's, with
links that break across lines, soft hyphens, a hard break, code and a
table), each in English and Spanish, in letter, A4, large print and
print-ready: 16 PDFs, and a Spanish batch document (drawings replayed). On each, every condition tests/matterhorn.py covers
passes, no painting operator is outside marked content, the words the tags
carry are the words printed (pdftotext), and the `pdfua` package finds
nothing. Then each condition is shown to fail: a copy of a good PDF,
broken for that condition with pikepdf, must be reported.
"""

from __future__ import annotations

import io
import itertools
import re
import shutil
import subprocess
from pathlib import Path

import matterhorn
import pikepdf
import pytest
import structure
from helpers import DEMO_ROSTER, assert_clean, invoke

ANKLE = Path(__file__).parent / "data" / "ankle"
HANDOUTS = {"bundled": [], "ankle": [str(ANKLE)]}
LANGUAGES = ("en", "es")
LAYOUTS = {"letter": [], "a4": ["--layout", "a4"], "large-print": ["--layout", "large-print"],
           "print-ready": ["--print-ready"]}
CASES = [*itertools.product(HANDOUTS, LANGUAGES, LAYOUTS), ("bundled", "es", "batch")]
README = Path(__file__).resolve().parents[1] / "docs" / "accessibility.md"  # moved from the README


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[tuple[str, str, str], Path]:
    folder = tmp_path_factory.mktemp("matterhorn")
    # A batch replays drawings recorded once (render.reuse): its second document too.
    out = folder / "batch"
    result = invoke(["-q", "batch", "--providers", str(DEMO_ROSTER), "-d", str(out), "-j", "1", "--language", "es",
                     "--only", "dr-nunez", "--only", "dr-odegaard"])
    assert result.exit_code == 0, result.output
    made = {("bundled", "es", "batch"): out / "stem-cell-knee--dr-odegaard.pdf"}
    for handout, language, layout in CASES[:-1]:
        target = folder / f"{handout}-{language}-{layout}.pdf"
        result = invoke(["build", *HANDOUTS[handout], "--language", language, *LAYOUTS[layout], "-o", str(target)])
        assert_clean(result)
        assert result.exit_code == 0, result.output
        made[(handout, language, layout)] = target
    return made


def _id(case) -> str:
    return "-".join(case)


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_every_condition_passes(built, case):
    failing = {number: found for number, found in matterhorn.check(built[case]).items() if found}
    assert failing == {}


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_no_painting_operator_is_outside_marked_content(built, case):
    """Text, paths, images, shadings and forms, page by page: each in tagged content or an artifact."""
    with pikepdf.open(built[case]) as pdf:
        document = matterhorn.Document(pdf)
        painted = sum(1 for page in pdf.pages for _ops, op in pikepdf.parse_content_stream(page)
                      if str(op) in matterhorn.PAINTING or str(op) == "Do")
    assert painted, "the walk saw no drawing"
    assert document.findings["01-005"] == []
    assert document.findings["01-003"] == [] and document.findings["01-004"] == []


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_the_words_the_tags_carry_are_the_words_printed(built, case):
    """No word runs into the next: each word of the tag text is a word pdftotext reads on the page.

    The tags join what a line break splits inside one word: a web address
    broken over lines, a word broken at a soft hyphen (pdftotext joins
    those too). Nothing else may be missing from the printed words.
    """
    path = built[case]
    printed = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    words = set(printed.split())
    squeezed = structure.squeeze(printed)
    # pdftotext drops a hyphen that ends a line, even an address's own; an
    # address may also run onto the next page, past the footer.
    unhyphenated = squeezed.replace("-", "")
    with pikepdf.open(path) as pdf:
        links = {str(annot.A.URI) for page in pdf.pages for annot in page.get("/Annots", [])
                 if "/A" in annot and "/URI" in annot.A}
    joined = [word for text in structure.block_texts(path) for word in text.split()
              if word not in words and not (_address(word) and (word.replace("-", "") in unhyphenated
                                                                 or word.strip("().,;:") in links))]
    assert joined == []


def _address(word: str) -> bool:
    return "://" in word or "www." in word or "@" in word


def test_a_word_broken_at_soft_hyphens_reads_whole(tmp_path):
    """A word longer than a line breaks at its soft hyphens; the tags read it without them."""
    folder = tmp_path / "ankle"
    shutil.copytree(ANKLE, folder)
    parts = ["physio", "therapy", "guide", "lines"] * 8
    care = folder / "sections" / "care.yaml"
    care.write_text(care.read_text(encoding="utf-8").replace(
        "A physio\u00adtherapist may", f"A {chr(0xad).join(parts)} may"), encoding="utf-8")
    target = tmp_path / "long-word.pdf"
    result = invoke(["build", str(folder), "-o", str(target)])
    assert result.exit_code == 0, result.output
    printed = subprocess.run(["pdftotext", "-raw", str(target), "-"], capture_output=True, text=True,
                             check=True).stdout
    assert re.search(r"(physio|therapy|guide|lines)-\n", printed), "the word did not break at a soft hyphen"
    words = [word for text in structure.block_texts(target) for word in text.split()]
    assert "".join(parts) in words
    assert not any("-" in word and "physio" in word for word in words)


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_the_pdfua_package_finds_nothing(built, case):
    import pdfua

    report = pdfua.validate(str(built[case]))
    assert [f"{f.rule_id}: {f.message}" for f in report.findings] == []
    assert report.exit_code == 0


def test_a_password_protected_copy_still_lets_assistive_technology_read_it(built):
    from handouts.deliver.email.encrypt import encrypt_pdf

    data = encrypt_pdf(built[("ankle", "es", "letter")].read_bytes(), "s3cret-pass")
    failing = {number: found for number, found in matterhorn.check(data, password="s3cret-pass").items() if found}
    assert failing == {}


# -- each condition fails on a PDF broken for it ------------------------------

def _append(pdf: pikepdf.Pdf, operators: bytes, page: int = 0) -> None:
    target = pdf.pages[page]
    target.contents_add(pikepdf.Stream(pdf, operators), prepend=False)


def _elements(pdf: pikepdf.Pdf, role: str) -> list:
    return [e.obj for e in structure.walk(structure.tree(pdf)) if e.role == role]


def _rewrite_xmp(pdf: pikepdf.Pdf, change) -> None:
    stream = pdf.Root.Metadata
    stream.write(change(stream.read_bytes().decode("utf-8")).encode("utf-8"))


def _first_font(pdf: pikepdf.Pdf) -> pikepdf.Dictionary:
    for page in pdf.pages:
        for font in page.Resources.get("/Font", {}).values():
            return font
    raise AssertionError("no font")


def _font_program(font, change) -> None:
    from fontTools.ttLib import TTFont

    stream = font.FontDescriptor.FontFile2
    program = TTFont(io.BytesIO(stream.read_bytes()))
    change(program)
    out = io.BytesIO()
    program.save(out)
    stream.write(out.getvalue())


def _non_symbolic(pdf, encoding) -> None:
    for font in _fonts(pdf):
        font.FontDescriptor.Flags = 32
        if encoding is not None:
            font.Encoding = encoding
        elif "/Encoding" in font:
            del font.Encoding


def _fonts(pdf) -> list:
    seen, out = set(), []
    for page in pdf.pages:
        for font in page.Resources.get("/Font", {}).values():
            if font.objgen not in seen:
                seen.add(font.objgen)
                out.append(font)
    return out


def _to_unicode(pdf, value: str) -> None:
    for font in _fonts(pdf):
        text = font.ToUnicode.read_bytes().decode("latin-1")
        font.ToUnicode.write(re.sub(r"(<41> <)[0-9A-Fa-f]+(>)", rf"\g<1>{value}\g<2>", text).encode("latin-1"))


def _add_annotation(pdf, subtype: str, **extra) -> None:
    annot = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name(subtype),
                                                 Rect=[0, 0, 10, 10], **extra))
    page = pdf.pages[0].obj
    page.Annots = pikepdf.Array([*page.get("/Annots", []), annot])


def _broken_cmap(program) -> None:
    from fontTools.ttLib.tables._c_m_a_p import cmap_format_4

    extra = cmap_format_4(4)
    extra.platformID, extra.platEncID, extra.language, extra.cmap = 3, 1, 0, {0x41: program.getGlyphOrder()[1]}
    program["cmap"].tables.append(extra)


def _strip_lang(xmp: str) -> str:
    return re.sub(r' xml:lang="(?!x-default)[^"]*"', "", xmp)


def _no_lang(pdf) -> None:
    del pdf.Root.Lang
    _rewrite_xmp(pdf, _strip_lang)


BREAKERS = {
    "01-003": lambda pdf: _append(pdf, b"/P <</MCID 900>> BDC /Artifact BMC 0 0 m 9 9 l S EMC EMC"),
    "01-004": lambda pdf: _append(pdf, b"/Artifact BMC /P <</MCID 901>> BDC EMC EMC"),
    "01-005": lambda pdf: _append(pdf, b"0 0 m 9 9 l S"),
    "01-007": lambda pdf: setattr(pdf.Root.MarkInfo, "Suspects", True),
    "02-001": lambda pdf: (setattr(pdf.Root.StructTreeRoot, "RoleMap", pikepdf.Dictionary(Box=pikepdf.Name.Boxy)),
                           setattr(_elements(pdf, "Div")[0], "S", pikepdf.Name.Box)),
    "02-003": lambda pdf: (setattr(pdf.Root.StructTreeRoot, "RoleMap",
                                   pikepdf.Dictionary(Box=pikepdf.Name.Crate, Crate=pikepdf.Name.Box)),
                           setattr(_elements(pdf, "Div")[0], "S", pikepdf.Name.Box)),
    "02-004": lambda pdf: setattr(pdf.Root.StructTreeRoot, "RoleMap", pikepdf.Dictionary(P=pikepdf.Name.Span)),
    "06-001": lambda pdf: delattr(pdf.Root, "Metadata"),
    "06-002": lambda pdf: _rewrite_xmp(pdf, lambda x: re.sub(r"<pdfuaid:part>1</pdfuaid:part>", "", x)),
    "06-003": lambda pdf: _rewrite_xmp(pdf, lambda x: re.sub(r"<dc:title>.*?</dc:title>", "", x, flags=re.S)),
    "07-001": lambda pdf: delattr(pdf.Root.ViewerPreferences, "DisplayDocTitle"),
    "07-002": lambda pdf: setattr(pdf.Root.ViewerPreferences, "DisplayDocTitle", False),
    "09-004": lambda pdf: setattr(_elements(pdf, "TR")[0], "S", pikepdf.Name.P),
    "09-005": lambda pdf: setattr(_elements(pdf, "LI")[0], "S", pikepdf.Name.P),
    "10-001": lambda pdf: _to_unicode(pdf, ""),
    "11-001": lambda pdf: delattr(pdf.Root, "Lang"),
    "11-002": lambda pdf: delattr(pdf.Root, "Lang"),
    "11-003": lambda pdf: delattr(pdf.Root, "Lang"),
    "11-004": lambda pdf: delattr(pdf.Root, "Lang"),
    "11-006": _no_lang,
    "13-004": lambda pdf: delattr(_elements(pdf, "Figure")[0], "Alt"),
    "14-002": lambda pdf: setattr(_elements(pdf, "H1")[0], "S", pikepdf.Name.H2),
    "14-003": lambda pdf: setattr(_elements(pdf, "H2")[0], "S", pikepdf.Name.H3),
    "14-006": lambda pdf: [setattr(h, "S", pikepdf.Name.H) for h in (_elements(pdf, "H1")[0], _elements(pdf, "P")[0])],
    "14-007": lambda pdf: setattr(_elements(pdf, "H3")[0], "S", pikepdf.Name.H),
    "15-003": lambda pdf: delattr(_elements(pdf, "TH")[0], "A"),
    "26-002": None,  # an encrypted file: see test_26_002
    "28-002": lambda pdf: _add_annotation(pdf, "/Text", Contents=pikepdf.String("A note")),
    "28-004": lambda pdf: _add_annotation(pdf, "/Square"),
    "28-007": lambda pdf: _add_annotation(pdf, "/TrapNet", Contents=pikepdf.String("trap")),
    "28-008": lambda pdf: [delattr(p.obj, "Tabs") for p in pdf.pages if "/Tabs" in p.obj],
    "28-009": lambda pdf: [setattr(p.obj, "Tabs", pikepdf.Name.R) for p in pdf.pages if "/Tabs" in p.obj],
    "28-011": lambda pdf: setattr(_elements(pdf, "Link")[0], "S", pikepdf.Name.Span),
    "28-012": lambda pdf: [delattr(a, "Contents") for p in pdf.pages for a in p.obj.get("/Annots", [])],
    "30-001": lambda pdf: [setattr(x, "Ref", pikepdf.Dictionary(F=pikepdf.String("elsewhere.pdf")))
                           for p in pdf.pages for x in p.Resources.XObject.values() if x.get("/Subtype") == "/Form"],
    "30-002": lambda pdf: [x.write(b"/P <</MCID 0>> BDC " + x.read_bytes() + b" EMC")
                           for x in pdf.pages[0].Resources.XObject.values() if x.get("/Subtype") == "/Form"],
    "31-009": lambda pdf: [delattr(f.FontDescriptor, "FontFile2") for f in _fonts(pdf)],
    "31-016": lambda pdf: [f.Widths.__setitem__(i, int(w) + 40) for f in _fonts(pdf) for i, w in enumerate(f.Widths)],
    "31-017": lambda pdf: (_non_symbolic(pdf, pikepdf.Name.WinAnsiEncoding),
                           [_font_program(f, lambda p: [setattr(t, "platEncID", 9) for t in p["cmap"].tables])
                            for f in _fonts(pdf)]),
    "31-019": lambda pdf: _non_symbolic(pdf, None),
    "31-020": lambda pdf: _non_symbolic(pdf, pikepdf.Dictionary(Differences=[65, pikepdf.Name.A])),
    "31-021": lambda pdf: _non_symbolic(pdf, pikepdf.Name.StandardEncoding),
    "31-023": lambda pdf: _non_symbolic(pdf, pikepdf.Dictionary(BaseEncoding=pikepdf.Name.WinAnsiEncoding,
                                                                Differences=[65, pikepdf.Name.A])),
    "31-024": lambda pdf: setattr(_first_font(pdf), "Encoding", pikepdf.Name.WinAnsiEncoding),
    "31-025": lambda pdf: [_font_program(f, lambda p: setattr(p["cmap"], "tables", [])) for f in _fonts(pdf)],
    "31-026": lambda pdf: [_font_program(f, _broken_cmap) for f in _fonts(pdf)],
    "31-027": lambda pdf: [delattr(f, "ToUnicode") for f in _fonts(pdf)],
    "31-028": lambda pdf: _to_unicode(pdf, "0000"),
    "31-029": lambda pdf: _to_unicode(pdf, "FEFF"),
    "31-030": lambda pdf: _append(pdf, b"/Artifact BMC BT " + b"/" + bytes(str(list(
        pdf.pages[0].Resources.Font.keys())[0])[1:], "ascii") + b" 9 Tf (\x7f) Tj ET EMC"),
}


def test_every_condition_has_a_pdf_broken_for_it():
    assert set(BREAKERS) == set(matterhorn.CONDITIONS)


@pytest.mark.parametrize("number", sorted(n for n, breaker in BREAKERS.items() if breaker is not None))
def test_the_checker_fails_a_pdf_broken_for_the_condition(built, number):
    good = built[("bundled", "en", "letter")]
    with pikepdf.open(good) as pdf:
        BREAKERS[number](pdf)
        out = io.BytesIO()
        pdf.save(out)
    assert matterhorn.check(good)[number] == []
    assert matterhorn.check(out.getvalue())[number], f"{number} passes a PDF broken for it"


def test_26_002_the_checker_fails_a_protected_pdf_that_forbids_assistive_technology(built):
    from handouts.deliver.email.encrypt import encrypt_pdf

    data = encrypt_pdf(built[("ankle", "en", "letter")].read_bytes(), "s3cret-pass")
    # The permissions are written in the clear; qpdf (which will not write
    # this) still opens the file, so flip the accessibility bit by hand.
    at = data.find(b"/Filter /Standard")
    start, end = data.rfind(b"<<", 0, at), data.find(b">>", at)
    found = re.search(rb"/P (-?\d+)", data[start:end])
    value = str(int(found.group(1)) & ~(1 << 9)).encode().rjust(len(found.group(1)))
    broken = data[:start] + data[start:end].replace(found.group(0), b"/P " + value, 1) + data[end:]
    assert matterhorn.check(data, password="s3cret-pass")["26-002"] == []
    assert matterhorn.check(broken, password="s3cret-pass")["26-002"]


def test_the_readme_lists_the_conditions_checked():
    """The docs' table (docs/accessibility.md) is the checker's list: each condition number once, with how it is checked."""
    text = README.read_text(encoding="utf-8")
    listed = re.findall(r"^\| (\d\d-\d\d\d) \|", text, re.M)
    assert sorted(listed) == sorted(matterhorn.CONDITIONS)
