"""The Matterhorn conditions on structure, metadata, language, annotations and XObjects (see tests/matterhorn.py)."""

from __future__ import annotations

import re

import pikepdf
from matterhorn import STANDARD, Document, Element, _LANG, condition

# -- 01 real content tagged ------------------------------------------------

@condition("01-003", 'An artifact inside tagged content.',
           "content-stream walk (pages and forms): no Artifact sequence opens inside one with an MCID")
def _artifact_in_content(doc: Document):
    return doc.findings["01-003"]


@condition("01-004", 'Tagged content inside an artifact.',
           "content-stream walk: no sequence with an MCID opens inside an Artifact")
def _content_in_artifact(doc: Document):
    return doc.findings["01-004"]


@condition("01-005", 'Content that is neither tagged nor an artifact.',
           "content-stream walk: every painting operator (text, paths, images, shadings, inline images; form "
           "XObjects walked into) is inside an Artifact or inside marked content whose MCID the structure tree "
           "holds; every MCID the tree holds is on its page")
def _untagged(doc: Document):
    out = list(doc.findings["01-005"])
    out += [f"the tree claims MCID {mcid} on page {doc.pages.get(page)}, not drawn there"
            for page, mcid in doc.tree_mcids if (page, mcid) not in doc.content_mcids]
    return out


@condition("01-007", '/Suspects is true.', "/MarkInfo /Suspects is absent or false")
def _suspects(doc: Document):
    return ["/MarkInfo /Suspects is true"] if doc.root.get("/MarkInfo", {}).get("/Suspects") is True else []


# -- 02 role mapping -------------------------------------------------------

@condition("02-001", 'A non-standard structure type that does not map to a standard one.',
           "every element's /S, through /RoleMap, ends at a standard structure type")
def _maps_to_standard(doc: Document):
    return doc.map_problems["02-001"]


@condition("02-003", 'Role mapping that goes round in a circle.', "following /RoleMap from any element's /S never loops")
def _circular(doc: Document):
    return doc.map_problems["02-003"]


@condition("02-004", 'A standard structure type mapped to another.', "no standard type is a key of /RoleMap")
def _remapped(doc: Document):
    return [f"{key} is remapped to {value}" for key, value in doc.rolemap.items() if key in STANDARD]


# -- 06 metadata, 07 dictionary ---------------------------------------------

def _xmp(doc: Document) -> str:
    stream = doc.root.get("/Metadata")
    return stream.read_bytes().decode("utf-8", "replace") if stream is not None else ""


@condition("06-001", 'No XMP metadata stream.', "the catalog has a /Metadata stream")
def _has_xmp(doc: Document):
    return [] if "/Metadata" in doc.root else ["no /Metadata in the catalog"]


@condition("06-002", 'The XMP metadata lacks the PDF/UA identifier.',
           "the XMP holds pdfuaid:part 1")
def _ua_identifier(doc: Document):
    found = re.search(r"<pdfuaid:part>\s*(\d+)\s*</pdfuaid:part>|pdfuaid:part=\"(\d+)\"", _xmp(doc))
    return [] if found and "1" in found.groups() else ["no pdfuaid:part 1 in the XMP"]


@condition("06-003", 'The XMP metadata lacks dc:title.', "the XMP holds a non-empty dc:title")
def _dc_title(doc: Document):
    found = re.search(r"<dc:title>(.*?)</dc:title>", _xmp(doc), re.S)
    return [] if found and re.sub(r"<[^>]*>", "", found.group(1)).strip() else ["no dc:title in the XMP"]


@condition("07-001", 'No DisplayDocTitle in the viewer preferences.',
           "/ViewerPreferences /DisplayDocTitle is present")
def _display_title_present(doc: Document):
    return [] if "/DisplayDocTitle" in doc.root.get("/ViewerPreferences", {}) else ["no DisplayDocTitle"]


@condition("07-002", 'DisplayDocTitle is false.', "/ViewerPreferences /DisplayDocTitle is not false")
def _display_title_true(doc: Document):
    return ["DisplayDocTitle is false"] if doc.root.get("/ViewerPreferences", {}).get("/DisplayDocTitle") is False \
        else []


# -- 09 appropriate tags ---------------------------------------------------

_TABLE_KIDS = {"Table": {"TR", "THead", "TBody", "TFoot", "Caption"}, "THead": {"TR"}, "TBody": {"TR"},
               "TFoot": {"TR"}, "TR": {"TH", "TD"}}
_TABLE_PARENTS = {"TR": {"Table", "THead", "TBody", "TFoot"}, "TH": {"TR"}, "TD": {"TR"},
                  "THead": {"Table"}, "TBody": {"Table"}, "TFoot": {"Table"}}


def _syntax(doc: Document, kids_allowed: dict, parents_allowed: dict) -> list[str]:
    out = []
    for element in doc.elements:
        allowed = kids_allowed.get(element.role)
        if allowed is not None:
            out += [f"{kid.role} inside {element.role}" for kid in doc.children(element) if kid.role not in allowed]
        parents = parents_allowed.get(element.role)
        if parents is not None and (element.parent is None or element.parent.role not in parents):
            out.append(f"{element.role} inside {element.parent.role if element.parent else 'the tree root'}")
    return out


@condition("09-004", "Table elements nested against ISO 32000-1's table rules (Table 337).",
           "Table holds only TR, THead, TBody, TFoot, Caption; THead/TBody/TFoot only TR; TR only TH/TD; "
           "each of these inside the element the table syntax allows")
def _table_syntax(doc: Document):
    return _syntax(doc, _TABLE_KIDS, _TABLE_PARENTS)


@condition("09-005", "List elements nested against ISO 32000-1's list rules (Table 336).", "L holds only LI and Caption; LI only Lbl and LBody; LI inside L; Lbl and LBody inside LI")
def _list_syntax(doc: Document):
    return _syntax(doc, {"L": {"LI", "Caption"}, "LI": {"Lbl", "LBody"}},
                   {"LI": {"L"}, "Lbl": {"LI"}, "LBody": {"LI"}})


# -- 11 natural language ---------------------------------------------------

def _valid(lang: str | None) -> bool:
    return bool(lang) and bool(_LANG.match(lang))


@condition("11-001", 'The language of page text cannot be told.',
           "the catalog's /Lang (or an ancestor's) is a language tag for every element with content; every /Lang "
           "given is well formed")
def _content_language(doc: Document):
    out = [f"{e.role} has /Lang {e.lang!r}" for e in doc.elements if e.lang is not None and not _valid(e.lang)]
    out += [f"no language for {e.role}" for e in doc.elements
            if any(not isinstance(k, Element) and k[0] == "mcid" for k in e.kids) and not _valid(doc.language(e))][:5]
    return out


@condition("11-002", 'The language of Alt, ActualText or E text cannot be told.',
           "every element with /Alt, /ActualText or /E has a language, its own or inherited")
def _alt_language(doc: Document):
    return [f"no language for the {key} of a {e.role}" for e in doc.elements
            for key in ("/Alt", "/ActualText", "/E") if key in e.obj and not _valid(doc.language(e))]


@condition("11-003", 'The language of the bookmarks cannot be told.',
           "with bookmarks, the catalog's /Lang is a language tag")
def _outline_language(doc: Document):
    outlines = doc.root.get("/Outlines")
    has = outlines is not None and outlines.get("/First") is not None
    return ["bookmarks, but no document language"] if has and not _valid(str(doc.root.get("/Lang", ""))) else []


@condition("11-004", "The language of an annotation's Contents cannot be told.",
           "each annotation with /Contents has a language through its structure parent or the catalog")
def _annotation_language(doc: Document):
    parents = _annotation_parents(doc)
    out = []
    for page in doc.pdf.pages:
        for annot in page.obj.get("/Annots", []):
            if "/Contents" in annot and not _valid(doc.language(parents.get(annot.objgen))):
                out.append(f"page {doc.pages[page.objgen]}: {annot.get('/Subtype')} annotation")
    return out


@condition("11-006", "The language of the document's metadata cannot be told.",
           "the catalog's /Lang is a language tag, or the XMP's dc:title names its language")
def _metadata_language(doc: Document):
    if _valid(str(doc.root.get("/Lang", ""))):
        return []
    tagged = re.findall(r'xml:lang="([^"]+)"', _xmp(doc))
    return [] if any(_valid(t) and t != "x-default" for t in tagged) else ["no language for the metadata"]


# -- 13 graphics, 14 headings, 15 tables -------------------------------------

@condition("13-004", 'A Figure without alternative or replacement text.', "every Figure has a non-empty /Alt or /ActualText")
def _figure_alt(doc: Document):
    return [f"a Figure on page {doc.pages.get(e.obj.get('/Pg').objgen) if e.obj.get('/Pg') is not None else '?'}"
            for e in doc.elements if e.role == "Figure"
            and not str(e.obj.get("/Alt", "")).strip() and not str(e.obj.get("/ActualText", "")).strip()]


def _headings(doc: Document) -> list[int]:
    return [int(e.role[1:]) for e in doc.elements if re.fullmatch(r"H[1-9]\d*", e.role)]


@condition("14-002", 'Numbered headings whose first is not H1.',
           "the first numbered heading in tree order is H1")
def _first_heading(doc: Document):
    levels = _headings(doc)
    return [f"the first heading is H{levels[0]}"] if levels and levels[0] != 1 else []


@condition("14-003", 'A heading level skipped on the way down (H1 then H3).',
           "in tree order no numbered heading is more than one level below the one before")
def _skipped(doc: Document):
    levels = _headings(doc)
    return [f"H{a} then H{b}" for a, b in zip(levels, levels[1:]) if b > a + 1]


@condition("14-006", 'One element holding more than one H.', "no element has two children of type H")
def _two_h(doc: Document):
    return [f"a {e.role} holds {n} H" for e in doc.elements
            if (n := sum(1 for k in doc.children(e) if k.role == "H")) > 1]


@condition("14-007", 'Both H and H1-H6 used.', "H and H1-H6 are not both used")
def _h_and_numbered(doc: Document):
    return ["both H and H1-H6"] if _headings(doc) and any(e.role == "H" for e in doc.elements) else []


def _attributes(element: Element) -> list:
    value = element.obj.get("/A")
    if value is None:
        return []
    items = list(value) if isinstance(value, pikepdf.Array) else [value]
    return [item for item in items if isinstance(item, pikepdf.Dictionary)]


@condition("15-003", 'A TH without /Scope in a table that uses no Headers/IDs.', "in tables without /Headers, every TH has /Scope (Row, Column or Both) in a Table attribute")
def _scope(doc: Document):
    out = []
    for table in (e for e in doc.elements if e.role == "Table"):
        cells = [c for row in _rows(doc, table) for c in doc.children(row)]
        if any("/Headers" in a for c in cells for a in _attributes(c)):
            continue
        for cell in cells:
            scopes = [str(a.get("/Scope")) for a in _attributes(cell) if "/Scope" in a]
            if cell.role == "TH" and not set(scopes) & {"/Row", "/Column", "/Both"}:
                out.append("a TH without /Scope")
    return out


def _rows(doc: Document, table: Element) -> list[Element]:
    rows = []
    for kid in doc.children(table):
        rows += [kid] if kid.role == "TR" else [r for r in doc.children(kid) if r.role == "TR"]
    return rows


# -- 26 security, 28 annotations, 30 XObjects --------------------------------

@condition("26-002", 'Encrypted, with bit 10 of /P (extraction for accessibility) off.', "an encrypted file allows extraction for accessibility (bit 10 of /P)")
def _accessibility_allowed(doc: Document):
    encrypt = doc.pdf.trailer.get("/Encrypt")
    if not doc.pdf.is_encrypted or encrypt is None or "/P" not in encrypt:
        return []
    return [] if int(encrypt.P) & (1 << 9) else ["bit 10 of /P is off"]


def _annotation_parents(doc: Document) -> dict:
    return {kid[1]: element for element in doc.elements for kid in element.kids
            if not isinstance(kid, Element) and kid[0] == "objr"}


def _annotations(doc: Document):
    for page in doc.pdf.pages:
        for annot in page.obj.get("/Annots", []):
            yield page, annot


@condition("28-002", "An annotation (not a widget, link or printer's mark) outside an Annot element.", "every other annotation's OBJR is in an Annot element")
def _annot_element(doc: Document):
    parents = _annotation_parents(doc)
    return [f"page {doc.pages[page.objgen]}: {annot.get('/Subtype')} not in an Annot element"
            for page, annot in _annotations(doc)
            if str(annot.get("/Subtype")) not in ("/Widget", "/Link", "/PrinterMark", "/Popup")
            and getattr(parents.get(annot.objgen), "role", None) != "Annot"]


@condition("28-004", 'An annotation (not a widget) with neither Contents nor an Alt on its element.', "every annotation but widgets and popups has /Contents or its element an /Alt")
def _annot_description(doc: Document):
    parents = _annotation_parents(doc)
    out = []
    for page, annot in _annotations(doc):
        if str(annot.get("/Subtype")) in ("/Widget", "/Popup"):
            continue
        parent = parents.get(annot.objgen)
        if not str(annot.get("/Contents", "")).strip() and not (parent and str(parent.obj.get("/Alt", "")).strip()):
            out.append(f"page {doc.pages[page.objgen]}: {annot.get('/Subtype')} with no description")
    return out


@condition("28-007", 'A TrapNet annotation.', "no TrapNet annotation")
def _trapnet(doc: Document):
    return [f"page {doc.pages[p.objgen]}" for p, a in _annotations(doc) if a.get("/Subtype") == "/TrapNet"]


@condition("28-008", 'A page with annotations but no /Tabs.',
           "every page with annotations has /Tabs")
def _tabs_present(doc: Document):
    return [f"page {n}" for n, page in enumerate(doc.pdf.pages, 1) if page.obj.get("/Annots") and "/Tabs" not in page.obj]


@condition("28-009", 'A page with annotations whose /Tabs is not /S.',
           "every page with annotations has /Tabs /S")
def _tabs_structure(doc: Document):
    return [f"page {n}: /Tabs {page.obj.Tabs}" for n, page in enumerate(doc.pdf.pages, 1)
            if page.obj.get("/Annots") and "/Tabs" in page.obj and page.obj.Tabs != "/S"]


@condition("28-011", 'A link annotation outside a Link element.',
           "every Link annotation's OBJR is in a Link element, which its /StructParent leads to in the parent tree")
def _link_nesting(doc: Document):
    parents = _annotation_parents(doc)
    nums = doc.root.get("/StructTreeRoot", {}).get("/ParentTree", {}).get("/Nums", [])
    tree = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
    out = []
    for page, annot in _annotations(doc):
        if annot.get("/Subtype") != "/Link":
            continue
        parent = parents.get(annot.objgen)
        listed = tree.get(int(annot.get("/StructParent", -1)))
        if parent is None or parent.role != "Link" or listed is None or listed.objgen != parent.obj.objgen:
            out.append(f"page {doc.pages[page.objgen]}: a link annotation outside a Link element")
    return out


@condition("28-012", 'A link annotation without Contents.',
           "every Link annotation has a non-empty /Contents")
def _link_contents(doc: Document):
    return [f"page {doc.pages[p.objgen]}" for p, a in _annotations(doc)
            if a.get("/Subtype") == "/Link" and not str(a.get("/Contents", "")).strip()]


@condition("30-001", 'A reference XObject.', "no form XObject drawn has /Ref")
def _reference_xobject(doc: Document):
    return doc.findings["30-001"]


@condition("30-002", 'A form XObject with MCIDs drawn more than once.',
           "a form XObject whose content opens MCIDs is drawn (Do) at most once")
def _shared_form_mcids(doc: Document):
    return [f"form {objgen} holds MCIDs and is drawn {doc.form_uses[objgen]} times"
            for objgen, count in doc.form_mcids.items() if count and doc.form_uses[objgen] > 1]
