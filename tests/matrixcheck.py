"""What every PDF in the conformance matrix must show, read from the PDF alone.

`check_pdf` opens one handout PDF (pikepdf, and pdfminer directly: pdfplumber
spent half its time turning pdfminer's objects into dicts; nothing here
imports handouts) and returns the rules it breaks, each as (check, detail):
nothing drawn outside the trim box, the acknowledgment and the signature
lines on one page, no phone number, e-mail address or short web address
broken across lines, headings in a bold face, the logo visible at 3:1
against what it is printed on, the PDF tagged, and the handout's id in its
keywords.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from dataclasses import dataclass, field

import pikepdf
from pdfminer.converter import PDFPageAggregator
from pdfminer.layout import LTChar, LTCurve, LTFigure, LTImage
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdfpage import PDFPage
from PIL import Image

SLACK = 0.5  # points: rounding in the PDF's numbers
LOGO_CONTRAST = 3.0
LOGO_SHARE = 0.5


@dataclass(frozen=True)
class Expect:
    """What one cell's PDF must hold."""

    handout_id: str
    ack_first: str            # the acknowledgment's first words, as printed
    ack_last: str             # and its last words
    signature_label: str      # "Patient signature" in the edition's language
    unbroken: tuple[str, ...] = field(default=())  # phone numbers, e-mail and web addresses
    logo: bool = True


def squeeze(text: str) -> str:
    """Whitespace (no-break spaces included) as single spaces; soft hyphens dropped."""
    return " ".join(text.replace("\u00ad", "").replace("\u00a0", " ").replace("\u2011", "-").split())


class _Tagging(PDFPageAggregator):
    """pdfminer's page of objects, each character knowing the marked-content tag (H1, P...) it sits in."""

    def __init__(self, rsrcmgr):
        super().__init__(rsrcmgr, laparams=None)
        self.tags: list[str] = []

    def begin_tag(self, tag, props=None) -> None:
        self.tags.append(getattr(tag, "name", str(tag)))

    def end_tag(self) -> None:
        if self.tags:
            self.tags.pop()

    def render_char(self, *args, **kwargs) -> float:
        advance = super().render_char(*args, **kwargs)
        self.cur_item._objs[-1].tag = self.tags[-1] if self.tags else None
        return advance


@dataclass
class _Page:
    """What the checks read of one page: its objects flattened, in drawing order, and its lines of text."""

    height: float
    objects: list = field(default_factory=list)
    chars: list = field(default_factory=list)
    lines: list[str] = field(default_factory=list)


def _pages(data: bytes) -> list[_Page]:
    resources = PDFResourceManager()
    device = _Tagging(resources)
    interpreter = PDFPageInterpreter(resources, device)
    pages = []
    for pdf_page in PDFPage.get_pages(io.BytesIO(data)):
        interpreter.process_page(pdf_page)
        layout = device.get_result()
        page = _Page(layout.height)
        stack = list(layout)[::-1]
        while stack:
            obj = stack.pop()
            if isinstance(obj, LTFigure):
                stack.extend(list(obj)[::-1])
                continue
            page.objects.append(obj)
            if isinstance(obj, LTChar):
                page.chars.append(obj)
        page.lines = _lines(page.chars)
        pages.append(page)
    return pages


def _lines(chars: list) -> list[str]:
    """The page's lines of text: characters sharing a baseline, left to right."""
    rows: dict[float, list] = {}
    for char in chars:
        rows.setdefault(round(char.y0), []).append(char)
    lines = []
    for y in sorted(rows, reverse=True):
        row = sorted(rows[y], key=lambda c: c.x0)
        text, last = "", None
        for char in row:
            if last is not None and char.x0 - last.x1 > char.size * 0.2 and not text.endswith(" "):
                text += " "
            text += char.get_text()
            last = char
        lines.append(squeeze(text))
    return lines


def check_pdf(data: bytes, expect: Expect) -> list[tuple[str, str]]:
    """The rules `data` breaks, as (check, detail) pairs; empty when it passes all of them."""
    found: list[tuple[str, str]] = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        found += _tagged(pdf, expect)
        trims = [tuple(float(v) for v in (page.obj.get("/TrimBox") or page.mediabox)) for page in pdf.pages]
        logo = _logo_image(pdf) if expect.logo else None
    pages = _pages(data)
    light: Counter = Counter()
    for index, page in enumerate(pages):
        found += _outside(page, trims[index], index)
        # Headings are the text the structure tree tags H1 to H6.
        light.update((char.tag, char.fontname) for char in page.chars
                     if str(char.tag or "")[:1] == "H" and char.get_text().strip() and "Bold" not in char.fontname)
    found += [("bold-headings", f"{count} characters of {tag} set in {font}") for (tag, font), count in light.items()]
    texts = [page.lines for page in pages]
    found += _consent(texts, expect)
    found += _unbroken(texts, expect)
    if expect.logo:
        found += _logo_visible(pages[0], logo)
    return found


def _tagged(pdf: pikepdf.Pdf, expect: Expect) -> list[tuple[str, str]]:
    root = pdf.Root
    problems = []
    if not (root.get("/MarkInfo") and bool(root.MarkInfo.get("/Marked"))) or "/StructTreeRoot" not in root:
        problems.append(("tagged", "no /MarkInfo /Marked true with a structure tree"))
    if "/Lang" not in root:
        problems.append(("tagged", "no /Lang"))
    keywords = str(pdf.docinfo.get("/Keywords", ""))
    if expect.handout_id not in re.split(r"[;,\s]+", keywords):
        problems.append(("id", f"keywords {keywords!r} do not name the handout id {expect.handout_id!r}"))
    return problems


def _outside(page: _Page, trim: tuple[float, ...], index: int) -> list[tuple[str, str]]:
    """Text and drawings past the trim box (PDF coordinates, origin at the bottom left)."""
    x0, y0, x1, y1 = trim
    for obj in page.objects:
        if obj.x0 < x0 - SLACK or obj.x1 > x1 + SLACK or obj.y0 < y0 - SLACK or obj.y1 > y1 + SLACK:
            what = repr(obj.get_text()) if isinstance(obj, LTChar) else type(obj).__name__
            return [("trim-box", f"page {index + 1}: {what} at ({obj.x0:.1f}, {obj.y0:.1f})-({obj.x1:.1f}, "
                                 f"{obj.y1:.1f}) leaves the trim box {tuple(round(v, 1) for v in trim)}")]
    return []


def _consent(texts: list[list[str]], expect: Expect) -> list[tuple[str, str]]:
    """The acknowledgment's first and last words and the signature label on one and the same page."""
    pages = [" ".join(lines) for lines in texts]

    def where(words: str) -> list[int]:
        return [i for i, text in enumerate(pages) if squeeze(words) in text]

    first, last, label = where(expect.ack_first), where(expect.ack_last), where(expect.signature_label)
    if not first or not last or not label:
        return [("consent-whole", f"acknowledgment or signature not found (pages {first}, {last}, {label})")]
    if {first[-1], last[-1], label[-1]} != {label[-1]}:
        return [("consent-whole", f"acknowledgment starts on page {first[-1] + 1} and ends on page {last[-1] + 1}, "
                                  f"the signature lines are on page {label[-1] + 1}")]
    return []


def _unbroken(texts: list[list[str]], expect: Expect) -> list[tuple[str, str]]:
    """Each phone number and address printed whole on one line, every time it is printed."""
    problems = []
    for target in expect.unbroken:
        target = squeeze(target)
        joined = sum(" ".join(lines).count(target) for lines in texts)
        whole = sum(line.count(target) for lines in texts for line in lines)
        # Printed over a line break, it is in the joined text but on no one line.
        squashed = sum("".join(lines).replace(" ", "").count(target.replace(" ", "")) for lines in texts)
        if whole < max(joined, squashed):
            problems.append(("unbroken", f"{target!r} is broken across lines ({max(joined, squashed) - whole} of "
                                         f"{max(joined, squashed)} times)"))
    return problems


def _logo_image(pdf: pikepdf.Pdf) -> Image.Image | None:
    """Page 1's topmost image as RGBA (its soft mask as alpha): the logo in the cover band."""
    page = pdf.pages[0]
    xobjects = page.obj.get("/Resources", {}).get("/XObject", {})
    images = {str(name): x for name, x in xobjects.items() if x.get("/Subtype") == "/Image"}
    if not images:
        return None
    # The logo is drawn first on page 1 (the band comes before the body's pictures).
    for operands, operator in pikepdf.parse_content_stream(page):
        if str(operator) == "Do" and str(operands[0]) in images:
            stream = images[str(operands[0])]
            image = pikepdf.PdfImage(stream).as_pil_image().convert("RGB")
            if "/SMask" in stream:
                image.putalpha(pikepdf.PdfImage(stream.SMask).as_pil_image().convert("L"))
            return image.convert("RGBA")
    return None


def _luminance(rgb: tuple[float, float, float]) -> float:
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(first: tuple[float, float, float], second: tuple[float, float, float]) -> float:
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def logo_on_cover(data: bytes) -> tuple[float, tuple[float, ...]] | None:
    """(share of the logo's area at 3:1 on what is under it, that colour) for a PDF's cover; None without a logo."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        logo = _logo_image(pdf)
    measured = _logo_measure(_pages(data)[0], logo)
    return measured if isinstance(measured, tuple) else None


def _logo_visible(page: _Page, logo: Image.Image | None) -> list[tuple[str, str]]:
    """Half of the logo's opaque area or more at 3:1 on the colour drawn under it (the band, or a panel)."""
    measured = _logo_measure(page, logo)
    if isinstance(measured, str):
        return [("logo", measured)] if measured else []
    share, under = measured
    if share < LOGO_SHARE:
        return [("logo", f"{share:.0%} of the logo's area contrasts {LOGO_CONTRAST:g}:1 with "
                         f"the colour under it {tuple(round(c, 3) for c in under)}")]
    return []


def _logo_measure(page: _Page, logo: Image.Image | None) -> tuple[float, tuple[float, ...]] | str:
    """(share, colour under the logo), or why it cannot be measured ('' for a CMYK page)."""
    images = [obj for obj in page.objects if isinstance(obj, LTImage)]
    if logo is None or not images:
        return "no logo image on page 1"
    placed = max(images, key=lambda im: im.y1)
    middle = ((placed.x0 + placed.x1) / 2, (placed.y0 + placed.y1) / 2)
    under = (1.0, 1.0, 1.0)  # the paper, unless something is drawn there
    for shape in page.objects:  # in the order they are drawn: the last one is on top
        if shape is placed:
            break
        if isinstance(shape, LTCurve) and shape.fill and shape.x0 <= middle[0] <= shape.x1 \
                and shape.y0 <= middle[1] <= shape.y1:
            under = tuple(float(c) for c in (shape.non_stroking_color or (0,)))
    if len(under) == 1:
        under = under * 3
    if len(under) != 3:
        return ""  # a CMYK band (print-ready): not measured here
    small = logo.resize((max(1, round(100 * logo.width / logo.height)), 100))
    total = passing = 0
    data = small.tobytes()
    for index in range(0, len(data), 4):
        r, g, b, a = data[index:index + 4]
        if a >= 128:
            total += a
            passing += a if _contrast((r / 255, g / 255, b / 255), under) >= LOGO_CONTRAST else 0
    return (passing / total if total else 0.0), under
