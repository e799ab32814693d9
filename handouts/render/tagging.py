"""Tagged PDF (PDF/UA-1) on ReportLab: a structure tree and marked content.

ReportLab has no tagging API, but it needs none: its canvas takes literal
operators (the `BDC` ... `EMC` of marked content) and its catalog and page
objects take extra entries (`StructTreeRoot`, `MarkInfo`, `StructParents`).
`Structure` builds the tree for one document; the handout canvas
(render.pdf) owns one as `canvas.structure` and calls it at each text
object, link, page end and save.

How a flowable tags what it draws, one call each:

- `TaggedFlowable` (a mixin, before the ReportLab class in the bases): set
  `pdf_role` ("P", "H2", "Figure", ...) on the class or the instance and
  everything its drawOn draws is that element's content. Optional:
  `pdf_parents`, a path of (role, key) groups the element sits in, outermost
  first (("Sect", key), ("L", key), ...); elements with the same key are one
  element, so a list is one `L` however its items are laid out.
  `pdf_text_roles`, e.g. ("Lbl", "LBody"): each text object the flowable
  draws becomes a child element of these roles in turn (the last repeats),
  for a list item whose bullet and text are drawn separately.
  `pdf_alt` and `pdf_actual_text` give /Alt and /ActualText. A flowable
  with `pdf_group = True` draws no content of its own: it is an element
  (a `Div`, say) that the tagged flowables it draws inside it belong to.
  A paragraph (`pdf_marks_text`, render.markup) marks its text objects one
  by one, each link's words in them as the link's own Link element, which
  also holds the link's annotations; what else it draws (underlines) is an
  artifact (render.textmarks).
- `with tagged(canvas, "P"):` the same for drawing that is not a flowable.
- `with artifact(canvas):` decoration a screen reader must skip (rules,
  bands, page numbers, signature lines).

On a canvas without `structure` (a plain ReportLab one, the recorder's
scratch canvas) every call draws as if untagged.

Tables: a TaggedFlowable table (`pdf_role = "Table"`, `pdf_group = True`)
with `renderCB=TableTagger()` (render.tables) gets TR and TH/TD elements,
its grid and fills as artifacts, and header rows repeated on later pages
as artifacts.

Marked-content ids are numbered per page as content is drawn on the page
canvas. Paragraph drawings that a batch records once and replays
(render.reuse) never contain marked content: tagging happens in drawOn,
around the replay, and a recording keeps its text objects apart so each
replay gets its own ids from the page it lands on.

While drawing, `Structure` writes only the operators and a log of what it
tagged; the tree itself is made from the log at save (render.structtree),
once for all the documents of a batch that tag alike, and written by
render.writer.
"""

from __future__ import annotations

from contextlib import contextmanager
from functools import partial
from html import escape as _html_escape

from reportlab.pdfbase.pdfdoc import (
    PDFDictionary,
    PDFName,
    PDFObjectReference,
    PDFPage,
    PDFStream,
)
from reportlab.platypus.flowables import HRFlowable

from . import structtree
from .textmarks import SEP, paints, split_marks, strip_marks
from .writer import Preformatted

# Page entries ReportLab's PDFPage does not write unless listed; see end_page.
_PAGE_KEYS = list(PDFPage.__NoDefault__) + ["StructParents", "Tabs"]


class Structure:
    """The tagging of one document being drawn on `canvas`: marked content, and a log of it.

    The structure tree is made from the log when the document is saved
    (render.structtree), so a batch whose documents tag alike makes it once.
    """

    def __init__(self, canvas):
        self._canvas = canvas
        self._log: list = []
        self._ids: dict = {}  # group and element keys -> their number in the log
        self._parents: dict = {}  # parents paths as given -> as logged
        self._names: list[str] = []  # ReportLab objects the log names (pages, annotations)
        self._drawing: list = []  # [text roles, group, texts marked] of each open element, None in artifacts
        self._page: str | None = None  # this page's name, once something on it is marked
        self._marked = 0  # marked-content ids used on this page
        self._next_key = 0
        self.artifacts = 0  # depth of artifact sequences open: inside one nothing is tagged
        self.started: set = set()  # keys of things (tables) whose first part was drawn

    def _mcid(self) -> int:
        if self._page is None:
            self._page = self._canvas._doc.thisPageName()
            self._names.append(self._page)
            self._log.append((structtree.PAGE, self._page))
        mcid = self._marked
        self._marked += 1
        return mcid

    def _id(self, key):
        if key is None:
            return None
        found = self._ids.get(key)
        if found is None:
            found = self._ids[key] = len(self._ids)
        return found

    def begin(self, role: str, *, parents=(), key=None, alt: str | None = None, actual_text: str | None = None,
              text_roles: tuple[str, ...] = (), group: bool = False, attributes: str | None = None,
              own_text: bool = False, lang: str | None = None) -> None:
        """Open an element for what is drawn until `end()`; see the module docstring.

        `attributes` is a PDF attribute dictionary as text, e.g.
        "<< /O /Table /Scope /Column >>". With `own_text`, only the text
        objects drawn are the element's content, each marked on its own
        (with its links' words apart); anything else drawn must be an artifact.
        `lang` is the element's language when not the document's (/Lang).
        """
        self._open(role, parents, key, alt, actual_text, text_roles, group, attributes, own_text, lang)

    def _open(self, role, parents, key, alt, actual_text, text_roles, group, attributes=None,
              own_text=False, lang=None) -> None:
        if self.artifacts:
            self._drawing.append(None)
            return
        if parents:
            logged = self._parents.get(parents)
            if logged is None:
                logged = self._parents[parents] = tuple((r, self._id(k)) for r, k in parents)
        else:
            logged = ()
        own_text = own_text and not text_roles and not group
        marked = not text_roles and not group and not own_text
        mcid = self._mcid() if marked else 0  # first: it may log the page
        self._log.append((structtree.OPEN, role, logged, self._id(key), alt, actual_text, text_roles, group,
                          attributes, own_text, lang))
        self._drawing.append([(role,) if own_text else text_roles, group, 0, marked])
        if marked:
            self._canvas._code.append(f"/{role} <</MCID {mcid}>> BDC")

    def end(self) -> None:
        """Close the element `begin()` opened."""
        drawing = self._drawing.pop()
        if drawing is not None:
            self._log.append(structtree.CLOSE)
            if drawing[3]:
                self._canvas._code.append("EMC")

    def mark_text(self, code: str) -> str:
        """A text object's operators (BT ... ET) as the page gets them: marked as
        the open element's content when it marks its text objects one by one
        (a paragraph; a list item's label, then its body), its links' words
        (render.textmarks) as their Link's."""
        drawing = self._drawing[-1] if self._drawing else None
        if drawing is None or not drawing[0]:
            return strip_marks(code) if SEP in code else code
        roles = drawing[0]
        role = roles[min(drawing[2], len(roles) - 1)]
        drawing[2] += 1
        if SEP not in code:
            mcid = self._mcid()  # first: it may log the page
            self._log.append(structtree.TEXT)
            return f"/{role} <</MCID {mcid}>> BDC\n{code}\nEMC"
        # Links or a soft hyphen on a line: the marks go inside BT ... ET, around each run.
        pieces = split_marks(code[2:-2] if code.startswith("BT") and code.endswith("ET") else code)
        out, current, before, new_run, first = ["BT"], None, None, False, True
        for index, piece in enumerate(pieces):
            if index % 2:  # a mark: what the operators after it are
                if piece == "-":
                    before, current = current, "-"
                elif piece == "+":
                    current, new_run = before, False
                else:
                    current, new_run = piece, piece is not None
                continue
            if current == "-":  # a soft hyphen's printed hyphen: not a character of the word
                out.append(f"/Artifact BMC {piece} EMC")
                continue
            painted = paints(piece)
            if first and (painted or new_run):
                self._log.append(structtree.ADVANCE)
                first = False
            if not painted:
                out.append(piece)
                if new_run:
                    # A line a link is on with none of its words (it breaks
                    # there): ReportLab still makes an annotation for it.
                    self._log.append((structtree.LINK_RUN, current[0], current[1]))
                    new_run = False
                continue
            mcid = self._mcid()
            if current is None:
                self._log.append(structtree.OWN)
                out.append(f"/{role} <</MCID {mcid}>> BDC {piece} EMC")
                continue
            self._log.append((structtree.LINK_TEXT if new_run else structtree.LINK_MORE, current[0], current[1]))
            new_run = False
            out.append(f"/Link <</MCID {mcid}>> BDC {piece} EMC")
        if first:  # nothing shown: the role still moves on, as for any text object
            self._log.append(structtree.ADVANCE)
        out.append("ET")
        return " ".join(out)

    def reserve_key(self) -> int:
        """A fresh /StructParent(s) key: for an annotation about to be made."""
        key = self._next_key
        self._next_key += 1
        return key

    def link(self, annotation: PDFObjectReference, key: int, url: str) -> None:
        """The annotation just made with /StructParent `key`, for `url`: its
        Link element is the one its words are marked for (see mark_text)."""
        page = self._canvas._doc.thisPageName()
        self._names += (annotation.name, page)
        # Outside any element, or inside an artifact, the document owns the link.
        within = bool(self._drawing) and self._drawing[-1] is not None
        self._log.append((structtree.LINK, annotation.name, page, key, within, url))

    # -- pages and the document ------------------------------------------

    def end_page(self, page: PDFPage, annotated: bool) -> None:
        """Give the page just finished its /StructParents (and /Tabs /S when it has links)."""
        page.__NoDefault__ = _PAGE_KEYS  # an instance attribute: ReportLab writes only listed keys
        if self._marked:
            page.StructParents = key = self.reserve_key()
            self._log.append((structtree.PAGE_END, key))
            self._marked = 0
        self._page = None
        if annotated:
            page.Tabs = PDFName("S")

    def finish(self, catalog, *, title: str, lang: str | None, info: dict) -> None:
        """Put the tree, MarkInfo, viewer preferences and XMP metadata in the catalog.

        The canvas's document must be a render.writer.TaggedDocument.
        """
        document = self._canvas._doc
        root, parent_tree = Preformatted(), Preformatted()
        first = document.register_all((root, parent_tree))
        block, parent_tree.data, root.data = structtree.tree_bytes(self._log, self._names, first,
                                                                   self._next_key, document)
        document.add_block(block)
        catalog.StructTreeRoot = root
        catalog.MarkInfo = PDFDictionary({"Marked": "true"})
        catalog.Metadata = PDFStream(PDFDictionary({"Type": PDFName("Metadata"), "Subtype": PDFName("XML")}),
                                     xmp(title=title, lang=lang, **info), filters=[])


@contextmanager
def tagged(canvas, role: str, **options):
    """Draw inside a structure element of `role` (options as Structure.begin)."""
    structure = getattr(canvas, "structure", None)
    if structure is None:
        yield
        return
    structure.begin(role, **options)
    try:
        yield
    finally:
        structure.end()


@contextmanager
def artifact(canvas, kind: str = "Layout"):
    """Draw decoration that is not content: page furniture, rules, bands.

    Tagged flowables drawn inside draw untagged (a repeated table header).
    """
    structure = getattr(canvas, "structure", None)
    if structure is None:
        yield
        return
    canvas._code.append(f"/Artifact <</Type /{kind}>> BDC")
    structure.artifacts += 1
    try:
        yield
    finally:
        structure.artifacts -= 1
        canvas._code.append("EMC")


_TAG_ATTRIBUTES = ("pdf_role", "pdf_parents", "pdf_key", "pdf_alt", "pdf_actual_text", "pdf_text_roles",
                   "pdf_group", "pdf_attributes", "pdf_lang")


class TaggedFlowable:
    """Mixin: a flowable whose drawing is one structure element (see the module docstring)."""

    pdf_role = "P"
    pdf_parents: tuple = ()
    pdf_key = None
    pdf_alt: str | None = None
    pdf_actual_text: str | None = None
    pdf_text_roles: tuple[str, ...] = ()
    pdf_group = False
    pdf_attributes: str | None = None  # e.g. a row header's "<< /O /Table /Scope /Row >>"
    pdf_marks_text = False  # a paragraph: its text objects are marked one by one (Structure.begin's own_text)
    pdf_lang: str | None = None  # its language, when not the document's

    def drawOn(self, canvas, x, y, _sW=0):  # noqa: N802 - ReportLab's name
        structure = getattr(canvas, "structure", None)
        if structure is None:
            return super().drawOn(canvas, x, y, _sW)
        structure._open(self.pdf_role, self.pdf_parents, self.pdf_key, self.pdf_alt, self.pdf_actual_text,
                        self.pdf_text_roles, self.pdf_group, self.pdf_attributes, self.pdf_marks_text,
                        self.pdf_lang)
        try:
            return super().drawOn(canvas, x, y, _sW)
        finally:
            structure.end()

    def split(self, availWidth, availHeight):  # noqa: N803 - ReportLab's signature
        parts = super().split(availWidth, availHeight)
        if len(parts) > 1:
            # One element across the pages the parts land on.
            if self.pdf_key is None:
                self.pdf_key = object()
            own = {name: vars(self)[name] for name in _TAG_ATTRIBUTES if name in vars(self)}
            for index, part in enumerate(parts):
                if part is not self and isinstance(part, TaggedFlowable):
                    vars(part).update(own)
                    if index and self.pdf_text_roles:  # only the first part draws the bullet
                        part.pdf_text_roles = self.pdf_text_roles[-1:]
        return parts


def tag(flowable, role: str, **attributes):
    """Set a tagged flowable's role and attributes (pdf_<name>); returns it."""
    flowable.pdf_role = role
    for name, value in attributes.items():
        setattr(flowable, f"pdf_{name}", value)
    return flowable


class ArtifactRule(HRFlowable):
    """A horizontal rule: decoration, so an artifact."""

    def drawOn(self, canvas, x, y, _sW=0):  # noqa: N802 - ReportLab's name
        with artifact(canvas):
            return super().drawOn(canvas, x, y, _sW)


# XML's escaping of text (&, < and >), as xml.sax.saxutils.escape does it;
# saxutils would bring urllib, http.client, email and ssl into every start-up.
_xml_escape = partial(_html_escape, quote=False)


def xmp(*, title: str, lang: str | None, author: str = "", subject: str = "", keywords: str = "",
        creator: str = "", producer: str = "") -> bytes:
    """XMP metadata with the PDF/UA-1 identifier and the document's title."""
    def alt(value: str) -> str:
        language = _xml_escape(lang or "x-default")
        return (f'<rdf:Alt><rdf:li xml:lang="x-default">{_xml_escape(value)}</rdf:li></rdf:Alt>'
                if not lang else
                f'<rdf:Alt><rdf:li xml:lang="x-default">{_xml_escape(value)}</rdf:li>'
                f'<rdf:li xml:lang="{language}">{_xml_escape(value)}</rdf:li></rdf:Alt>')

    body = (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        '<rdf:Description rdf:about="" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/">'
        '<pdfuaid:part>1</pdfuaid:part></rdf:Description>\n'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f'<dc:title>{alt(title)}</dc:title>'
        f'<dc:creator><rdf:Seq><rdf:li>{_xml_escape(author)}</rdf:li></rdf:Seq></dc:creator>'
        f'<dc:description>{alt(subject)}</dc:description>'
        + (f'<dc:language><rdf:Bag><rdf:li>{_xml_escape(lang)}</rdf:li></rdf:Bag></dc:language>' if lang else '')
        + '</rdf:Description>\n'
        '<rdf:Description rdf:about="" xmlns:pdf="http://ns.adobe.com/pdf/1.3/">'
        f'<pdf:Keywords>{_xml_escape(keywords)}</pdf:Keywords><pdf:Producer>{_xml_escape(producer)}</pdf:Producer>'
        '</rdf:Description>\n'
        '<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/">'
        f'<xmp:CreatorTool>{_xml_escape(creator)}</xmp:CreatorTool></rdf:Description>\n'
        '</rdf:RDF></x:xmpmeta>\n<?xpacket end="w"?>'
    )
    return body.encode("utf-8")
