"""The Matterhorn Protocol's machine-checkable PDF/UA-1 conditions that apply to what handouts writes.

The Matterhorn Protocol 1.1 (PDF Association) lists how a file fails PDF/UA-1
(ISO 14289-1): 137 failure conditions, 87 of which a program can check.
`check(path)` tests the ones that apply to a handout (fonts, structure, alt
text, artifacts, headings, tables, lists, links, metadata, language,
encryption, XObjects) and returns, for each condition number, what fails
(an empty list when it passes). `CONDITIONS` says, for each, what it is and
how it is checked; the README's table is the same list, and a test holds
the two together. Conditions for things handouts never writes (forms, XFA,
optional content, embedded files, media, notes, formulas, Type 0 and Type 1
fonts, ruby and warichu) are listed in `NOT_WRITTEN`.

This module reads the file (`Document`: the structure tree, and one walk of
every content stream); the conditions are checked in matterhorn_rules.py
(structure, metadata, language, annotations, XObjects) and
matterhorn_fonts.py (fonts and character codes). Independent of handouts on
purpose: it reads the file as a validator would, with pikepdf and fontTools.
"""

from __future__ import annotations

import io
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf

# ISO 32000-1, 14.8.4: the standard structure types.
STANDARD = frozenset("""Document Part Art Sect Div BlockQuote Caption TOC TOCI Index NonStruct Private H H1 H2 H3 H4
H5 H6 P L LI Lbl LBody Table TR TH TD THead TBody TFoot Span Quote Note Reference BibEntry Code Link Annot Ruby RB RT
RP Warichu WT WP Figure Formula Form""".split())
PAINTING = frozenset({"Tj", "TJ", "'", '"', "S", "s", "f", "F", "f*", "B", "B*", "b", "b*", "sh", "INLINE IMAGE"})
TEXT_SHOWING = frozenset({"Tj", "TJ", "'", '"'})
_LANG = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")

CONDITIONS: dict[str, tuple[str, str]] = {}
_CHECKS: list = []

NOT_WRITTEN = {
    "09-006, 09-007, 09-008": "TOC, Ruby and Warichu structure",
    "11-005, 28-005, 28-010": "form fields",
    "17-002, 17-003": "formulas",
    "19-003, 19-004": "Note elements",
    "20-001, 20-002, 20-003": "optional content",
    "21-001, 28-016": "embedded files and file attachments",
    "25-001": "XFA forms",
    "28-014, 28-015": "media clips",
    "28-017, 28-018": "PrinterMark annotations (crop marks are drawn as artifacts)",
    "31-001 to 31-008, 31-012 to 31-015": "Type 0, CID and Type 1 fonts (ReportLab embeds TrueType subsets)",
    "31-018, 31-022": "non-symbolic TrueType fonts (ReportLab's subsets are symbolic)",
    "26-001": "encryption without /P (qpdf, and so pikepdf, will not open such a file: nothing to check)",
    "31-011": "a glyph id past the font program's glyphs (fontTools cannot write one to test with)",
}


def condition(number: str, what: str, how: str):
    """Register a check of Matterhorn condition `number` (`what` fails it; `how` we check it)."""
    def register(function):
        CONDITIONS[number] = (what, how)
        _CHECKS.append((number, function))
        return function
    return register


@dataclass(eq=False)
class Element:
    """A structure element: its role after role mapping, and what it holds."""

    obj: pikepdf.Dictionary
    raw: str
    role: str
    parent: Element | None
    kids: list = field(default_factory=list)  # Element, ("mcid", page objgen, n) or ("objr", objgen)
    lang: str | None = None  # its own /Lang


@dataclass
class Mark:
    """A marked-content sequence open in a content stream."""

    tag: str
    mcid: int | None
    form: object = None  # the form XObject it opened in (None: the page)

    @property
    def artifact(self) -> bool:
        return self.tag == "Artifact"


class Document:
    """What the checks read, gathered in one pass over the file."""

    def __init__(self, pdf: pikepdf.Pdf):
        self.pdf = pdf
        self.root = pdf.Root
        self.rolemap = {str(k)[1:]: str(v)[1:] for k, v in self.root.get("/StructTreeRoot", {}).get("/RoleMap", {}).items()}
        self.map_problems: dict[str, list[str]] = defaultdict(list)
        self.elements: list[Element] = []
        self.top: list[Element] = []
        tree = self.root.get("/StructTreeRoot")
        if tree is not None:
            kids = tree.get("/K")
            for kid in (kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []):
                self.top.append(self._read(kid, None, None))
        self.pages = {page.objgen: number for number, page in enumerate(pdf.pages, start=1)}
        self.tree_mcids = {(kid[1], kid[2]): element for element in self.elements for kid in element.kids
                           if not isinstance(kid, Element) and kid[0] == "mcid"}
        self.findings: dict[str, list[str]] = defaultdict(list)  # from the content walk
        self.form_mcids: dict = defaultdict(int)
        self.form_uses: dict = defaultdict(int)
        self.codes: dict = defaultdict(set)  # font objgen -> char codes shown
        self.fonts: dict = {}
        self.content_mcids: set = set()
        for page in pdf.pages:
            self._walk(page, page.obj.get("/Resources", pikepdf.Dictionary()), page.objgen, [], None)

    # -- the structure tree ----------------------------------------------

    def mapped(self, raw: str) -> str:
        seen = [raw]
        role = raw
        while role not in STANDARD and role in self.rolemap:
            role = self.rolemap[role]
            if role in seen:
                self.map_problems["02-003"].append(f"{' -> '.join(seen + [role])}")
                return role
            seen.append(role)
        if role not in STANDARD:
            self.map_problems["02-001"].append(f"{raw} maps to {role}, not a standard type")
        return role

    def _read(self, node, parent: Element | None, page) -> Element:
        raw = str(node.get("/S", "/"))[1:]
        lang = node.get("/Lang")
        element = Element(node, raw, self.mapped(raw), parent, lang=str(lang) if lang is not None else None)
        self.elements.append(element)
        page = node.get("/Pg").objgen if node.get("/Pg") is not None else page
        kids = node.get("/K")
        for kid in (kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []):
            if isinstance(kid, int):
                element.kids.append(("mcid", page, int(kid)))
            elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
                where = kid.get("/Pg").objgen if kid.get("/Pg") is not None else page
                element.kids.append(("mcid", where, int(kid.MCID)))
            elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/OBJR":
                element.kids.append(("objr", kid.Obj.objgen))
            elif isinstance(kid, pikepdf.Dictionary):
                element.kids.append(self._read(kid, element, page))
        return element

    def language(self, element: Element | None) -> str | None:
        """The language an element's text is in: its own, an ancestor's or the document's."""
        while element is not None:
            if element.lang:
                return element.lang
            element = element.parent
        lang = self.root.get("/Lang")
        return str(lang) if lang is not None else None

    def children(self, element: Element) -> list[Element]:
        return [kid for kid in element.kids if isinstance(kid, Element)]

    # -- the content streams ---------------------------------------------

    def _walk(self, owner, resources, page, marks: list[Mark], font, form=None, depth=0) -> None:
        fonts = resources.get("/Font", {})
        stack = []
        where = f"page {self.pages[page]}" + (f" form {form}" if form else "")
        for operands, operator in pikepdf.parse_content_stream(owner):
            op = str(operator)
            if op in ("BDC", "BMC"):
                tag = str(operands[0])[1:]
                props = operands[1] if op == "BDC" else None
                if isinstance(props, pikepdf.Name):
                    props = resources.get("/Properties", {}).get(props)
                mcid = int(props.MCID) if isinstance(props, pikepdf.Dictionary) and "/MCID" in props else None
                if tag == "Artifact" and any(m.mcid is not None for m in marks):
                    self.findings["01-003"].append(f"{where}: an artifact inside tagged content")
                if mcid is not None and any(m.artifact for m in marks):
                    self.findings["01-004"].append(f"{where}: MCID {mcid} inside an artifact")
                if mcid is not None:
                    if form is not None:
                        self.form_mcids[form] += 1
                    else:
                        self.content_mcids.add((page, mcid))
                marks.append(Mark(tag, mcid, form))
            elif op == "EMC":
                if marks:
                    marks.pop()
            elif op == "q":
                stack.append(font)
            elif op == "Q":
                font = stack.pop() if stack else font
            elif op == "Tf":
                font = fonts.get(operands[0])
                if font is not None:
                    self.fonts[font.objgen] = font
            elif op == "Do":
                xobject = resources.get("/XObject", {}).get(operands[0])
                if xobject is None:
                    continue
                if xobject.get("/Subtype") == "/Form":
                    if "/Ref" in xobject:
                        self.findings["30-001"].append(f"{where}: reference XObject {operands[0]}")
                    self.form_uses[xobject.objgen] += 1
                    if depth < 8:
                        self._walk(xobject, xobject.get("/Resources", resources), page, list(marks), font,
                                   xobject.objgen, depth + 1)
                else:
                    self._painted(marks, page, where, "Do (image)")
            elif op in PAINTING:
                self._painted(marks, page, where, op)
                if op in TEXT_SHOWING and font is not None:
                    self.codes[font.objgen].update(_codes(operands, font))

    def _painted(self, marks: list[Mark], page, where: str, op: str) -> None:
        if any(m.artifact for m in marks):
            return
        tagged = [m for m in marks if m.mcid is not None]
        # An MCID opened in a form's own stream is the tree's through an MCR
        # with /Stm (30-002 checks such a form is drawn once).
        if not tagged or (tagged[-1].form is None and (page, tagged[-1].mcid) not in self.tree_mcids):
            self.findings["01-005"].append(f"{where}: {op} outside tagged content and artifacts")


def _codes(operands, font) -> set[int]:
    two = str(font.get("/Subtype")) == "/Type0"
    strings = []
    for operand in operands:
        if isinstance(operand, pikepdf.String):
            strings.append(bytes(operand))
        elif isinstance(operand, pikepdf.Array):
            strings += [bytes(item) for item in operand if isinstance(item, pikepdf.String)]
    codes = set()
    for data in strings:
        codes.update(int.from_bytes(data[i:i + 2], "big") for i in range(0, len(data), 2)) if two \
            else codes.update(data)
    return codes


def check(path, password: str = "") -> dict[str, list[str]]:
    """Every condition's failures (empty: it passes) for the PDF at `path` (or its bytes)."""
    source = io.BytesIO(path) if isinstance(path, bytes) else Path(path)
    with pikepdf.open(source, password=password) as pdf:
        document = Document(pdf)
        return {number: list(function(document)) for number, function in _CHECKS}


# The conditions, registered by the modules that check them.
import matterhorn_fonts  # noqa: E402,F401 - registers 10-001 and 31-xxx
import matterhorn_rules  # noqa: E402,F401 - registers the rest
