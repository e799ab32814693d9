"""The structure tree of a tagged PDF, made from the log of what was tagged, once per batch.

While a document is drawn, render.tagging's `Structure` only writes the
marked-content operators and keeps a log of what it tagged: each element
opened (its role, its groups and key as numbers in order of first use,
its /Alt, ...) and closed, each text object marked, each link and page.
`tree_bytes` turns a log into the structure elements' bytes.

Every document of a batch tags the same flowables in the same order, so
its log is the same as the last document's, and so are the bytes, as
long as the objects they refer to have the same numbers too (the pages,
the link annotations and the first element's number, all part of the
key). Then the bytes are reused as they are: a batch document's tree
costs a comparison of two lists instead of building and writing 600 to
700 elements. A document whose layout differs (a long name that moves a
page break) has another log, and gets its own tree.
"""

from __future__ import annotations

from reportlab.pdfbase.pdfdoc import PDFString

from .writer import ObjectBlock

# Log entries; see tagging.Structure for when each is written.
OPEN = "o"  # (OPEN, role, parents, key, alt, actual_text, text_roles, group, attributes, own_text, lang)
CLOSE = ("c",)
TEXT = ("t",)  # a text object: the next text role's (or the element's own) content, one marked sequence
ADVANCE = ("a",)  # a text object marked in runs (it holds links): the next text role, no content yet
OWN = ("m",)  # a run of the text object's own content
LINK_TEXT = "k"  # (LINK_TEXT, link number in its paragraph, address): a run of a link's words
LINK_RUN = "K"  # (LINK_RUN, link number, address): a line a link is on with none of its words
LINK_MORE = "j"  # (LINK_MORE, link number, address): more of a run of its words (after a hyphen)
LINK = "l"  # (LINK, annotation name, page name, parent tree key, inside the open element, address)
PAGE = "P"  # (PAGE, page name): a page's first marked content
PAGE_END = "p"  # (PAGE_END, parent tree key of the page's marked content)

_CACHED = 4  # trees kept: one per edition and layout a process is printing


class _Element:
    """One structure element while a tree is built from a log."""

    __slots__ = ("actual_text", "alt", "attributes", "kids", "lang", "links", "number", "objrs", "page", "parent",
                 "role")

    def __init__(self, role: str, parent, alt: str | None = None, actual_text: str | None = None):
        self.role, self.parent, self.alt, self.actual_text = role, parent, alt, actual_text
        self.kids: list = []  # elements and (page, mcid) pairs
        self.links: list | None = None  # Link children, written after the content
        self.page: str | None = None  # the page /Pg names: where its first content is
        self.objrs: list[tuple[str, str]] | None = None  # a Link's annotations and their pages' names
        self.attributes: str | None = None  # /A, as PDF text
        self.lang: str | None = None  # /Lang, when not the document's
        self.number = 0

    def serialize(self, named, document) -> bytes:
        """This element's dictionary; `named(name)` gives "n 0 R" of a ReportLab object."""
        page = self.page or (self.objrs[0][1] if self.objrs else None)
        out = b"<< /Type /StructElem /S /" + self.role.encode("ascii")
        if self.parent is not None:
            out += b" /P %d 0 R" % self.parent.number
        if page:
            out += b" /Pg " + named(page)
        if self.alt:
            out += b" /Alt " + PDFString(self.alt).format(document)
        if self.actual_text:
            out += b" /ActualText " + PDFString(self.actual_text).format(document)
        if self.lang:
            out += b" /Lang " + PDFString(self.lang).format(document)
        if self.attributes:
            out += b" /A " + self.attributes.encode("ascii")
        kids = []
        for kid in (self.kids + self.links) if self.links else self.kids:
            if type(kid) is _Element:
                kids.append(b"%d 0 R" % kid.number)
            elif kid[0] == page:
                kids.append(b"%d" % kid[1])
            else:
                kids.append(b"<< /Type /MCR /Pg " + named(kid[0]) + b" /MCID %d >>" % kid[1])
        for annotation, annotation_page in self.objrs or ():
            objr = b"<< /Type /OBJR /Obj " + named(annotation)
            kids.append(objr + (b" >>" if annotation_page == page else b" /Pg " + named(annotation_page) + b" >>"))
        # A lone kid is written bare (/K 3): the usual form, and the only
        # one some checkers read (pdfua 0.1.3 fails on a heading's /K array).
        if len(kids) == 1:
            return out + b" /K " + kids[0] + b" >>"
        return out + b" /K [" + b" ".join(kids) + b"] >>"


class _Root:
    """The StructTreeRoot, as the top element's parent."""

    __slots__ = ("number",)

    def __init__(self, number: int):
        self.number = number


def _build(log: list) -> tuple[_Element, dict]:
    """The tree a log describes: its top element and the parent tree (key -> element or list)."""
    top = _Element("Document", None)
    keyed: dict = {}
    drawing: list = []  # [element, text roles, group, texts marked, own text] of each open element
    page = None
    page_parents: list = []
    parent_tree: dict = {}
    owner = top  # whose content the runs of the text object being marked are
    runs: dict = {}  # (owner, address) -> the Link of each run of its words, in order
    annotations: dict = {}  # (owner, address) -> [(annotation, page, parent tree key)], in order

    def element(role, parent, key=None, alt=None, actual_text=None) -> _Element:
        if key is not None:
            found = keyed.get(key)
            if found is not None:
                return found
        made = _Element(role, parent, alt, actual_text)
        parent.kids.append(made)
        if key is not None:
            keyed[key] = made
        return made

    def mark(owner: _Element) -> None:
        page_parents.append(owner)
        if owner.page is None:
            owner.page = page
        owner.kids.append((page, len(page_parents) - 1))

    for entry in log:
        kind = entry[0]
        if kind == OPEN:
            _, role, parents, key, alt, actual_text, text_roles, group, attributes, own_text, lang = entry
            parent = drawing[-1][0] if drawing and drawing[-1][2] else top
            for parent_role, parent_key in parents:
                parent = element(parent_role, parent, parent_key)
            opened = element(role, parent, key, alt, actual_text)
            if attributes and opened.attributes is None:
                opened.attributes = attributes
            if lang and opened.lang is None:
                opened.lang = lang
            drawing.append([opened, text_roles, group, 0, own_text])
            if not text_roles and not group and not own_text:
                mark(opened)
        elif kind == "c":
            drawing.pop()
        elif kind == "t" or kind == "a":
            current = drawing[-1]
            if current[4]:
                owner = current[0]
            else:
                roles = current[1]
                role = roles[min(current[3], len(roles) - 1)]
                current[3] += 1
                owner = element(role, current[0], (current[0], role))
            if kind == "t":
                mark(owner)
        elif kind == "m":
            mark(owner)
        elif kind == LINK_TEXT or kind == LINK_RUN or kind == LINK_MORE:
            _, number, address = entry
            link = element("Link", owner, (owner, number, address))
            if kind != LINK_RUN:
                mark(link)
            if kind != LINK_MORE:
                runs.setdefault((owner, address), []).append(link)
        elif kind == LINK:
            _, annotation, link_page, key, within, address = entry
            if within:
                link_owner, text_roles = drawing[-1][0], drawing[-1][1]
                if text_roles:  # the link is in the body, not the bullet
                    link_owner = element(text_roles[-1], link_owner, (link_owner, text_roles[-1]))
            else:
                link_owner = top
            annotations.setdefault((link_owner, address), []).append((annotation, link_page, key))
        elif kind == PAGE:
            page = entry[1]
        elif kind == PAGE_END:
            parent_tree[entry[1]] = page_parents
            page_parents = []
    # ReportLab makes one annotation per line a link's words are on, in the
    # order of the words, whether it draws (annotations first) or a replay
    # does (words first): the k-th annotation for an address in an element
    # is the k-th run of words for it there, so one Link holds a link's
    # words and every annotation over them.
    for (link_owner, address), found in annotations.items():
        made = runs.get((link_owner, address), ())
        for index, (annotation, link_page, key) in enumerate(found):
            if index < len(made):
                link = made[index]
            else:  # words not marked (drawn as an artifact): a Link of its own after the content
                link = _Element("Link", link_owner)
                if link_owner.links is None:
                    link_owner.links = []
                link_owner.links.append(link)
            if link.objrs is None:
                link.objrs = []
            link.objrs.append((annotation, link_page))
            parent_tree[key] = link
    return top, parent_tree


def _serialize(log: list, first: int, next_key: int, named, document) -> tuple[list[bytes], bytes, bytes]:
    """(elements' bytes in object order from first + 2, parent tree, StructTreeRoot) for a log."""
    top, parent_tree = _build(log)
    top.parent = _Root(first)
    elements = []
    pending = [top]
    while pending:  # depth first, so object numbers follow reading order
        current = pending.pop()
        elements.append(current)
        kids = current.kids + current.links if current.links else current.kids
        pending.extend(kid for kid in reversed(kids) if type(kid) is _Element)
    for number, current in enumerate(elements, start=first + 2):
        current.number = number
    data = [current.serialize(named, document) for current in elements]
    nums = []
    for key in sorted(parent_tree):
        value = parent_tree[key]
        if isinstance(value, list):
            nums.append(b"%d [" % key + b" ".join(b"%d 0 R" % e.number for e in value) + b"]")
        else:
            nums.append(b"%d %d 0 R" % (key, value.number))
    tree = b"<< /Nums [" + b" ".join(nums) + b"] >>"
    root = (b"<< /Type /StructTreeRoot /K %d 0 R /ParentTree %d 0 R" % (top.number, first + 1)
            + b" /ParentTreeNextKey %d >>" % next_key)
    return data, tree, root


_trees: list[tuple[tuple, list, tuple[ObjectBlock, bytes, bytes]]] = []


def tree_bytes(log: list, names: list[str], first: int, next_key: int, document) -> tuple[ObjectBlock, bytes, bytes]:
    """The bytes of the tree `log` describes: its elements (numbered from first + 2), parent tree and root.

    `names` are the ReportLab objects (pages, annotations) the log refers
    to; with their numbers they key the trees kept for the next document.
    """
    numbers = document.idToObjectNumberAndVersion
    context = (first, next_key, tuple(numbers[name][0] for name in names))
    for index, (known_context, known_log, made) in enumerate(_trees):
        if known_context == context and known_log == log:
            if index:
                _trees.insert(0, _trees.pop(index))
            return made
    refs: dict[str, bytes] = {}

    def named(name: str) -> bytes:
        found = refs.get(name)
        if found is None:
            found = refs[name] = b"%d 0 R" % numbers[name][0]
        return found

    elements, tree, root = _serialize(log, first, next_key, named, document)
    made = (ObjectBlock(first + 2, elements), tree, root)
    _trees.insert(0, (context, log, made))
    del _trees[_CACHED:]
    return made
