"""Pagination read back from the PDFs: headings keep with what follows, short lists and
paragraphs stay whole, and large print fills its pages without running to many more than letter.

Headings are found by type size (pdfplumber); lists and paragraphs through the
structure tree (pikepdf) and the marked-content ids pdfplumber gives each
character; page counts with pypdf.
"""

from __future__ import annotations

import collections
import re

import pdfplumber
import pikepdf
import pypdf
import pytest
import structure
from conftest import PAPER, SHEET

from handouts.layouts import load_layout

LAYOUTS = ["letter", "a4", "large-print"]
# Issue #12 asked for at most 2.2 times letter's pages. Since letter's body
# is 12 pt on a 5.3 in measure (issue #21) the bundled handout reaches 1.61
# (29 against 18) in English and 1.65 (33 against 20) in Spanish (README,
# Layouts): this guards what was reached.
LARGE_PRINT_RATIO = {"en": 1.7, "es": 1.75}
FOOTER = re.compile(r"(Page|Página) \d+ (of|de) \d+")


def _lines(page) -> list[list[dict]]:
    words = page.extract_words(extra_attrs=["size", "fontname"])
    lines: list[list[dict]] = []
    for word in sorted(words, key=lambda w: (round(w["top"]), w["x0"])):
        if lines and abs(lines[-1][0]["top"] - word["top"]) < 2:
            lines[-1].append(word)
        else:
            lines.append([word])
    return lines


def _footer_rule(page) -> float:
    """The top of the footer's rule: the lowest rule above the line with the page number."""
    lines = _lines(page)
    number = next((line[0]["top"] for line in lines if FOOTER.search(" ".join(w["text"] for w in line))),
                  page.height)
    return max((rule["top"] for rule in page.lines if rule["top"] < number - 1), default=number)


def _body_lines(page) -> list[list[dict]]:
    """The page's text lines above its footer (one line or two, under a rule)."""
    floor = _footer_rule(page)
    return [line for line in _lines(page) if line[0]["bottom"] <= floor]


def stranded_headings(path) -> list[str]:
    """Headings (bold, larger than the body) with fewer than two lines of text after them on their page."""
    found = []
    with pdfplumber.open(path) as pdf:
        sizes = collections.Counter(round(c["size"], 1) for p in pdf.pages for c in p.chars)
        body = sizes.most_common(1)[0][0]
        for page in pdf.pages[:-1]:
            lines = _body_lines(page)
            big = [max(w["size"] for w in line) >= body * 1.08 and "Bold" in line[0]["fontname"] for line in lines]
            for index, line in enumerate(lines):
                if big[index] and sum(1 for later in big[index + 1:] if not later) < 2:
                    found.append(f"page {page.page_number}: {' '.join(w['text'] for w in line)!r}")
    return found


def page_fill(path, layout: str) -> list[float]:
    """How far down each page's frame its lowest line of text, or line to write on, reaches (0 to 1)."""
    frame = load_layout(layout)
    with pdfplumber.open(path) as pdf:
        fills = []
        for page in pdf.pages:
            lines = _body_lines(page)
            lowest = max((w["bottom"] for line in lines for w in line), default=frame.margin_top)
            # Rules above the footer's own rule: write-in and signature lines, table rules.
            floor = _footer_rule(page)
            rules = [ln["bottom"] for ln in page.lines if frame.margin_top < ln["top"] < floor - 0.5]
            lowest = max([lowest, *rules])
            fills.append((lowest - frame.margin_top) / (page.height - frame.margin_top - frame.margin_bottom))
    return fills


def _pages_of(element, mcid_page) -> set:
    pages = set()
    for kid in element.kids:
        if isinstance(kid, structure.Element):
            pages |= _pages_of(kid, mcid_page)
        elif kid[0] == "mcid":
            pages.add(mcid_page[kid[1]])
    return pages


def _marks(element, page_number) -> list[tuple[int, int]]:
    """(page index, mcid) of everything inside `element`."""
    found = []
    for kid in element.kids:
        if isinstance(kid, structure.Element):
            found += _marks(kid, page_number)
        elif kid[0] == "mcid":
            found.append((page_number[kid[1]], kid[2]))
    return found


# In large print a short list taller than a quarter of a page may break
# between items (render.keeping); lists under a fifth of a page's lines must
# stay whole (the rest leaves room for the space between items). Elsewhere a
# list of up to five items stays whole unless that would leave its page under
# half full (it starts in a page's top 56%): lists under 44% of a page's
# lines stay whole always.
SHORT_LIST_PAGE_SHARE = {"large-print": 0.2, "letter": 0.44, "a4": 0.44}


def split_lists_and_paragraphs(path, layout: str, short: int = 4) -> list[str]:
    """Lists of up to five items (in large print, under a fifth of a page), and paragraphs of up to four lines, printed across two
    pages; and a paragraph ending in ':' just before a list, left on the page before the list's start."""
    frame = load_layout(layout)
    page_lines = (frame.height - frame.margin_top - frame.margin_bottom) / (frame.body_size * frame.line_spacing)
    with pikepdf.open(path) as pdf:
        page_number = {page.obj.objgen: index for index, page in enumerate(pdf.pages)}
        root = structure.tree(pdf)
        elements = list(structure.walk(root))
    # Lines per (page, mcid), from the characters pdfplumber tags with their mcid.
    lines_of: dict[tuple[int, int], set] = collections.defaultdict(set)
    text_of: dict[tuple[int, int], str] = collections.defaultdict(str)
    with pdfplumber.open(path) as pdf:
        for index, page in enumerate(pdf.pages):
            for char in page.chars:
                if char.get("mcid") is not None:
                    text_of[index, char["mcid"]] += char["text"]
                    if char["text"].strip():
                        lines_of[index, char["mcid"]].add(round(char["top"]))
    problems = []
    previous = None
    for element in elements:
        if element.role == "L":
            items = [k for k in element.kids if isinstance(k, structure.Element) and k.role == "LI"]
            pages = _pages_of(element, page_number)
            lines = sum(len(lines_of[m]) for m in _marks(element, page_number))
            if len(items) <= 5 and len(pages) > 1 and lines < page_lines * SHORT_LIST_PAGE_SHARE.get(layout, 1):
                problems.append(f"a list of {len(items)} items on pages {sorted(p + 1 for p in pages)}")
            if previous is not None and previous.role == "P" and pages:
                marks = _marks(previous, page_number)
                said = "".join(text_of[m] for m in marks).strip()
                if said.endswith(":") and max(p for p, _ in marks) < min(pages):
                    problems.append(f"{said[-30:]!r} on page {max(p for p, _ in marks) + 1}, its list after it")
        elif element.role == "P":
            marks = [(page_number[k[1]], k[2]) for k in element.kids if not isinstance(k, structure.Element)
                     and k[0] == "mcid"]
            pages = {p for p, _ in marks}
            if len(pages) > 1:
                count = sum(len(lines_of[m]) for m in marks)
                if count <= short:
                    problems.append(f"a paragraph of {count} lines on pages {sorted(p + 1 for p in pages)}")
        if element.role in ("P", "L", "H1", "H2", "H3", "Table", "Figure", "Div", "Sect"):
            previous = element
    return problems


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("which", list(PAPER))
def test_headings_keep_two_lines_and_short_lists_and_paragraphs_stay_whole(paper, which, layout):
    out = paper(which, layout)
    assert stranded_headings(out) == []
    assert split_lists_and_paragraphs(out, layout) == []


def consent_start(path) -> int:
    """The index of the page the risk disclosure starts on: its bookmark is the last."""
    reader = pypdf.PdfReader(str(path))
    return reader.get_destination_page_number(reader.outline[-1])


def _only_the_end_of_a_block(path, index: int) -> bool:
    """Whether page `index` holds nothing but the end of one block (a paragraph, list or table) begun before it."""
    with pikepdf.open(path) as pdf:
        page_number = {page.obj.objgen: number for number, page in enumerate(pdf.pages)}
        root = structure.tree(pdf)
        here = {m for m in _marks(root, page_number) if m[0] == index}
        blocks = [e for e in structure.walk(root) if e.role in ("P", "L", "Table")]
        return any({m for m in _marks(e, page_number) if m[0] == index} == here and here
                   and any(p < index for p, _ in _marks(e, page_number)) for e in blocks)


def thin_pages(path, layout: str) -> list[tuple[int, float]]:
    """Pages before the risk disclosure that are under half full (by more than a line), with their fill.

    The body's last page is left out when it holds only the end of a block
    longer than a page: nothing could come to it from the page before. And
    a body only just over a page long (its last two pages together under
    1.1 pages) cannot fill both by half: they need only share it as evenly
    as its paragraphs allow, each at least 0.4 full.
    """
    frame = load_layout(layout)
    line = frame.body_size * frame.line_spacing / (frame.height - frame.margin_top - frame.margin_bottom)
    fills = page_fill(path, layout)[:consent_start(path)]
    thin = [(number, round(fill, 2)) for number, fill in enumerate(fills, start=1) if fill < 0.5 - line]
    if thin and thin[-1][0] == len(fills) and _only_the_end_of_a_block(path, len(fills) - 1):
        thin.pop()
    last_two = fills[-2:]
    if thin and len(last_two) == 2 and sum(last_two) < 1.1 and min(last_two) >= 0.4 \
            and all(number >= len(fills) - 1 for number, _ in thin):
        thin = []
    return thin


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("which", list(PAPER))
def test_no_page_before_the_consent_is_under_half_full(paper, which, layout):
    # The body's last pages break where they come out most even
    # (render.keeping.keep_tail), a picture that does not fit floats and
    # the text after it fills the page (render.figures): "half" is to
    # within a line, where paragraphs and kept groups allow no nearer.
    assert thin_pages(paper(which, layout), layout) == []


@pytest.mark.parametrize("which", ["en", "es"])
def test_large_print_fills_its_pages_and_keeps_its_page_count_near_letters(paper, which):
    large = paper(which, "large-print")
    fills = page_fill(large, "large-print")
    # The last page (the signed one) is the only one allowed under a third full.
    thin = [(number, round(fill, 2)) for number, fill in enumerate(fills[:-1], start=1) if fill < 1 / 3]
    assert thin == []
    letter = len(pypdf.PdfReader(paper(which, "letter")).pages)
    assert len(fills) <= LARGE_PRINT_RATIO[which] * letter, f"{len(fills)} large-print pages against {letter} in letter"
    # The footer is one line.
    with pdfplumber.open(large) as pdf:
        page = pdf.pages[1]
        footer = [line for line in _lines(page) if line[0]["top"] > page.height - load_layout("large-print").margin_bottom]
    assert len(footer) == 1, [" ".join(w["text"] for w in line) for line in footer]


def test_the_checks_see_a_stranded_heading_a_thin_page_and_a_split_list(tmp_path):
    # Written with plain ReportLab: a heading as the last line of page 1, a
    # nearly empty page, and a three-item tagged list is beyond this test's
    # reach, so the list check is run on a handouts PDF whose list was cut.
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer

    out = tmp_path / "plain.pdf"
    doc = SimpleDocTemplate(str(out), pagesize=(612, 792), topMargin=72, bottomMargin=72)
    body = ParagraphStyle("b", fontName="Helvetica", fontSize=11, leading=15)
    head = ParagraphStyle("h", fontName="Helvetica-Bold", fontSize=16, leading=20)
    doc.build([Paragraph("Body text. " * 20, body), Paragraph("Body text. " * 20, body),
               Spacer(0, 450), Paragraph("A stranded heading", head), PageBreak(),
               Paragraph("More body text. " * 30, body), Paragraph("Page 2 of 2", body)])
    assert stranded_headings(out) == ["page 1: 'A stranded heading'"]
    assert page_fill(out, "letter")[-1] < 1 / 3


def _many_paragraphs(tmp_path, sentences_each: list[int], layout: str):
    """A copy of the test sheet whose section is paragraphs of `sentences_each` sentences each."""
    import shutil

    from conftest import invoke

    folder = tmp_path / f"paragraphs-{layout}"
    shutil.copytree(SHEET, folder)
    sentence = "This sentence is here to fill part of a line."
    body = "\n\n".join(" ".join([sentence] * n) for n in sentences_each)
    (folder / "sections" / "intro.yaml").write_text(
        "kind: how_it_works\ntitle: Many paragraphs\nbody: |\n" + "".join(f"  {line}\n" for line in body.split("\n")))
    out = tmp_path / f"paragraphs-{layout}.pdf"
    result = invoke(["build", str(folder), "--layout", layout, "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_paragraphs_of_up_to_four_lines_never_split_and_longer_ones_do(tmp_path):
    # Mostly four-line paragraphs, so page ends fall inside them again and
    # again (ReportLab alone would split one two and two): they must move
    # whole, and the checker must see the longer ones cut.
    # (In large print, where five of these sentences make four lines; with
    # the rule off, four of them split here.)
    layout = "large-print"
    out = _many_paragraphs(tmp_path, [5, 5, 4, 5, 9, 5, 2] * 10, layout)
    assert split_lists_and_paragraphs(out, layout) == []
    found = split_lists_and_paragraphs(out, layout, short=12)
    assert any(p.startswith("a paragraph of") for p in found), found


def _picture_after(tmp_path, paragraphs: int):
    """A copy of the prose sheet: `paragraphs` paragraphs, the bundled knee picture, then a marked paragraph."""
    import shutil

    from conftest import PROSE, invoke
    from helpers import DEMO_BRAND, KNEE

    folder = tmp_path / f"picture-{paragraphs}"
    shutil.copytree(PROSE, folder)
    (folder / "images").mkdir()
    shutil.copy2(KNEE / "images" / "knee-cartilage.png", folder / "images" / "knee.png")
    sentence = "This sentence is here to fill part of a line."
    body = [" ".join([sentence] * 6)] * paragraphs
    # Pages of text after it, so the body's end (render.keeping.keep_tail) is far off.
    body += ['![Two knees](images/knee.png "A healthy knee and a worn one.")', "Zebra marks the text after it.",
             *[" ".join([sentence] * 6)] * 20]
    (folder / "sections" / "walking.yaml").write_text(
        "kind: lifestyle\ntitle: Paragraphs and a picture\nbody: |\n" + "".join(f"  {p}\n\n" for p in body))
    out = tmp_path / f"picture-{paragraphs}.pdf"
    result = invoke(["build", str(folder), "--brand", str(DEMO_BRAND), "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_a_picture_short_of_room_shrinks_a_little_or_floats_and_the_text_fills_the_page(tmp_path):
    from handouts.render.styles import PICTURE_SHRINK

    frame = load_layout("letter")
    column = frame.width - frame.margin_left - frame.margin_right
    seen = set()
    for paragraphs in range(2, 7):
        out = _picture_after(tmp_path, paragraphs)
        with pdfplumber.open(out) as pdf:
            (picture_page, image), = [(p.page_number, i) for p in pdf.pages for i in p.images if i["width"] > 144]
            zebra = next(p.page_number for p in pdf.pages if "Zebra" in (p.extract_text() or ""))
        full = column / 2  # the picture is twice as wide as tall
        if image["height"] < full - 0.5:
            seen.add("shrunk")
            assert image["height"] >= full * PICTURE_SHRINK - 0.5
        if zebra < picture_page:
            seen.add("floated")
            # Floated to the top of the next page, the text after it filling this one.
            assert image["top"] < frame.margin_top + 1
            assert page_fill(out, "letter")[zebra - 1] > 0.85
        else:
            assert zebra >= picture_page  # in its place
    assert seen == {"shrunk", "floated"}, f"the paragraph counts tried did not reach both cases: {seen}"


@pytest.mark.parametrize("layout", ["letter", "large-print"])
@pytest.mark.parametrize("which", ["en", "es"])
def test_the_question_list_leaves_lines_to_write_the_answers_on(paper, which, layout):
    import yaml
    from helpers import KNEE

    questions = yaml.safe_load((KNEE / "sections" / ("questions.yaml" if which == "en" else "questions.es.yaml"))
                               .read_text(encoding="utf-8"))
    label = {"en": "Answers and notes:", "es": "Respuestas y notas:"}[which]
    frame = load_layout(layout)
    column = frame.width - frame.margin_left - frame.margin_right
    with pdfplumber.open(paper(which, layout)) as pdf:
        start = next(index for index, page in enumerate(pdf.pages) if label in (page.extract_text() or ""))
        rules = []
        for number, page in enumerate(pdf.pages[start:start + 2]):
            words = page.extract_words(keep_blank_chars=True)
            # Under the label; on the next page, those it runs on to, above its text.
            top = next(w["bottom"] for w in words if label in w["text"]) if number == 0 else 0
            bottom = _footer_rule(page) - 1 if number == 0 else min((w["top"] for w in words), default=0)
            rules += [(page.page_number, r["top"]) for r in page.lines
                      if top < r["top"] < bottom and r["x1"] - r["x0"] >= column - 1]
    assert len(rules) == questions["write_in"] == 8
    gaps = [b - a for (pa, a), (pb, b) in zip(rules, rules[1:]) if pa == pb]
    assert min(gaps) >= 2 * frame.body_size, "no room to write between the lines"
