"""Reading a tagged PDF back: its structure tree (pikepdf, poppler) and its marked content.

Independent of handouts.render.tagging on purpose: these read the file as a
screen reader's PDF library would.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf

TEXT_OPERATORS = {"Tj", "TJ", "'", '"'}


@dataclass
class Element:
    """One structure element as read back with pikepdf."""

    role: str
    alt: str | None
    obj: pikepdf.Dictionary
    kids: list = field(default_factory=list)  # Element | ("mcid", page objgen, n) | ("objr", annot objgen)


def _page_of(node, inherited):
    pg = node.get("/Pg")
    return pg.objgen if pg is not None else inherited


def _read(node, page) -> Element:
    page = _page_of(node, page)
    alt = node.get("/Alt")
    element = Element(str(node.get("/S"))[1:], str(alt) if alt is not None else None, node)
    kids = node.get("/K")
    if kids is None:
        return element
    for kid in (kids if isinstance(kids, pikepdf.Array) else [kids]):
        if isinstance(kid, int):
            element.kids.append(("mcid", page, int(kid)))
        elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
            element.kids.append(("mcid", _page_of(kid, page), int(kid.MCID)))
        elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/OBJR":
            element.kids.append(("objr", kid.Obj.objgen))
        else:
            element.kids.append(_read(kid, page))
    return element


def tree(pdf: pikepdf.Pdf) -> Element:
    """The document's structure tree, from /StructTreeRoot."""
    root = pdf.Root.StructTreeRoot
    kids = root.K
    top = kids if isinstance(kids, pikepdf.Dictionary) else kids[0]
    return _read(top, None)


def walk(element: Element):
    """Every element, depth first, in reading order."""
    yield element
    for kid in element.kids:
        if isinstance(kid, Element):
            yield from walk(kid)


def tree_mcids(root: Element) -> dict[tuple, Element]:
    """(page objgen, mcid) -> the element whose content it is."""
    found = {}
    for element in walk(root):
        for kid in element.kids:
            if not isinstance(kid, Element) and kid[0] == "mcid":
                assert (kid[1], kid[2]) not in found, f"MCID {kid} claimed twice"
                found[(kid[1], kid[2])] = element
    return found


@dataclass
class Shown:
    """A text-showing operator and the marked-content sequences around it."""

    page: int
    operator: str
    marks: tuple[tuple[str, int | None], ...]  # (tag, MCID) outermost first


def text_operators(pdf: pikepdf.Pdf) -> list[Shown]:
    """Every text-showing operator of every page, form XObjects included, with its marks."""
    shown: list[Shown] = []

    def run(stream_owner, resources, number: int, marks: list, depth: int = 0) -> None:
        assert depth < 10, "form XObjects nested too deep"
        for operands, operator in pikepdf.parse_content_stream(stream_owner):
            op = str(operator)
            if op in ("BDC", "BMC"):
                mcid = None
                if op == "BDC" and isinstance(operands[1], pikepdf.Dictionary) and "/MCID" in operands[1]:
                    mcid = int(operands[1].MCID)
                marks.append((str(operands[0])[1:], mcid))
            elif op == "EMC":
                marks.pop()
            elif op in TEXT_OPERATORS:
                shown.append(Shown(number, op, tuple(marks)))
            elif op == "Do":
                xobject = resources.XObject[operands[0]]
                if xobject.get("/Subtype") == "/Form":
                    run(xobject, xobject.get("/Resources", resources), number, list(marks), depth + 1)
        assert not marks or depth, f"page {number}: marked content left open"

    for number, page in enumerate(pdf.pages, start=1):
        run(page, page.obj.Resources, number, [])
    return shown


def struct_text(path: Path, full: bool = False) -> list[tuple]:
    """`pdfinfo -struct-text`: (role of the element that holds it, text), in tree order.

    With `full`, the role is the whole path of roles from the top.
    """
    pdfinfo = shutil.which("pdfinfo")
    assert pdfinfo, "pdfinfo (poppler-utils) is needed: tools/test installs it"
    out = subprocess.run([pdfinfo, "-struct-text", str(path)], capture_output=True, text=True, check=True).stdout
    found, roles = [], []
    for line in out.splitlines():
        indent = len(line) - len(line.lstrip(" "))
        body = line.strip()
        if not body:
            continue
        del roles[indent // 2:]
        if body.startswith('"') and body.endswith('"') and len(body) >= 2:
            found.append((tuple(roles) if full else (roles[-1] if roles else ""), body[1:-1]))
        else:
            roles.append(body.split(" ")[0].rstrip(":"))
    return found


_PAGE_LINE = re.compile(r"^Page \d+ of \d+$")


def page_text_without_footer(path: Path, footer_marker: str) -> list[str]:
    """Each page's text in content order (`pdftotext -raw`) without its footer.

    The footer is drawn first on every page: its lines run up to 'Page N of M'.
    """
    pdftotext = shutil.which("pdftotext")
    assert pdftotext, "pdftotext (poppler-utils) is needed: tools/test installs it"
    out = subprocess.run([pdftotext, "-raw", str(path), "-"], capture_output=True, text=True, check=True).stdout
    pages = []
    for text in out.split("\f")[:-1]:
        lines = text.splitlines()
        end = next(i for i, line in enumerate(lines[:5]) if _PAGE_LINE.match(line))
        assert footer_marker in " ".join(lines[:end]), lines[:end + 1]
        pages.append("\n".join(lines[end + 1:]))
    return pages


def table_headers(path: Path) -> list[str]:
    """Each table's header row text (a run of two or more TH cells), whitespace squeezed.

    A lone TH is a row's header (a stacked table's block label), which is
    not repeated on later pages.
    """
    runs: list[list[str]] = []
    previous = False
    for roles, text in struct_text(path, full=True):
        in_header = "TH" in roles
        if in_header and not previous:
            runs.append([])
        if in_header:
            runs[-1].append(squeeze(text))
        previous = in_header
    return ["".join(run) for run in runs if len(run) > 1]


def without_repeated_headers(pages: list[str], headers: list[str]) -> list[str]:
    """Page texts without table header rows repeated at the top of a page (artifacts)."""
    out = []
    for number, text in enumerate(pages):
        flat = squeeze(text)
        for header in headers:
            if number and header and flat.startswith(header) and any(header in squeeze(p) for p in pages[:number]):
                flat = flat[len(header):]
        out.append(flat)
    return out


def squeeze(text: str) -> str:
    """Text without any whitespace: line breaks fall differently in the two readings."""
    return re.sub(r"\s+", "", text)


def block_texts(path: Path) -> list[str]:
    """The text of each block element (P, H1, LBody, ...), as the tags read it.

    Text in an inline element (a Link) belongs to the block around it, and
    the pieces of one block (its marked-content sequences, poppler's quoted
    strings) are joined as they are: the spaces between words must be in
    the text itself.
    """
    pdfinfo = shutil.which("pdfinfo")
    assert pdfinfo, "pdfinfo (poppler-utils) is needed: tools/test installs it"
    out = subprocess.run([pdfinfo, "-struct-text", str(path)], capture_output=True, text=True, check=True).stdout
    texts: list[str] = []
    blocks: list[tuple[int, list[str]]] = []  # (indent, pieces) of each open block

    def close(indent: int) -> None:
        while blocks and blocks[-1][0] >= indent:
            pieces = blocks.pop()[1]
            if pieces:
                texts.append("".join(pieces))

    for line in out.splitlines():
        body = line.strip()
        if not body:
            continue
        indent = len(line) - len(line.lstrip(" "))
        close(indent)
        if body.startswith('"') and body.endswith('"') and len(body) >= 2:
            if blocks:
                blocks[-1][1].append(body[1:-1])
            else:
                texts.append(body[1:-1])
        elif "(inline)" not in body and not body.startswith("Object "):
            blocks.append((indent, []))
    close(0)
    return texts
