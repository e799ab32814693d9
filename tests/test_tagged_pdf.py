"""Tagged PDF (PDF/UA-1): the structure tree read back from real builds.

For letter, A4, large print, print-ready and a batch document: the tree's
text in order is the page text without footers (poppler), the roles are
the handout's (pikepdf), every text-showing operator on every page (form
XObjects included) is in marked content the tree references or in an
artifact, and the catalog says what PDF/UA-1 asks (MarkInfo, Lang,
DisplayDocTitle, the PDF/UA identifier, open bookmarks). The `pdfua`
checker from PyPI then finds nothing on any of them.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pikepdf
import pytest
import structure
import yaml
from helpers import DEMO_BRAND, DEMO_ROSTER, assert_clean, invoke

LAYOUTS = {
    "letter": [],
    "a4": ["--layout", "a4"],
    "large-print": ["--layout", "large-print"],
    "print-ready": ["--print-ready"],
}


@pytest.fixture(scope="module")
def documents(tmp_path_factory) -> dict[str, Path]:
    """One build per layout and one document of a batch, made once for this module."""
    folder = tmp_path_factory.mktemp("tagged")
    built = {}
    for name, options in LAYOUTS.items():
        target = folder / f"{name}.pdf"
        result = invoke(["build", "-o", str(target), *options])
        assert_clean(result)
        assert result.exit_code == 0, result.output
        built[name] = target
    out = folder / "batch"
    result = invoke(["-q", "batch", "--providers", str(DEMO_ROSTER), "-d", str(out), "-j", "1",
                     "--only", "dr-nunez", "--only", "dr-odegaard"])
    assert result.exit_code == 0, result.output
    built["batch"] = out / "stem-cell-knee--dr-odegaard.pdf"
    return built


KINDS = [*LAYOUTS, "batch"]


@pytest.mark.parametrize("kind", KINDS)
def test_tree_text_in_order_is_the_page_text_without_footers(documents, kind, bundled):
    path = documents[kind]
    tree_text = "".join(text for _role, text in structure.struct_text(path))
    # A table's header row repeated on a later page is an artifact too.
    pages = structure.page_text_without_footer(path, bundled.id)
    page_text = "".join(structure.without_repeated_headers(pages, structure.table_headers(path)))
    assert tree_text, "the structure tree holds no text"
    assert structure.squeeze(tree_text) == structure.squeeze(page_text)


@pytest.mark.parametrize("kind", KINDS)
def test_roles_are_the_handouts(documents, kind, bundled):
    path = documents[kind]
    with pikepdf.open(path) as pdf:
        root = structure.tree(pdf)
        roles = Counter(e.role for e in structure.walk(root))
    assert root.role == "Document"
    for role in ("H1", "H2", "H3", "P", "L", "LI", "Lbl", "LBody", "Link", "Figure", "Sect", "Div",
                 "Table", "TR", "TH", "TD"):
        assert roles[role], f"no {role} element"
    assert not roles["BlockQuote"], "a box (a Markdown quote) is a point the handout makes, not a quotation"
    assert roles["H1"] == 1
    texts = structure.struct_text(path)
    # (poppler joins a heading's lines without a space: compare without whitespace)
    squeeze = structure.squeeze
    assert [squeeze(t) for r, t in texts if r == "H1"] == [squeeze(bundled.title)]
    # Section headings are H2, in order, the risk disclosure last.
    assert [squeeze(t) for r, t in texts if r == "H2"] == [squeeze(t) for t in
                                                           (*bundled.section_titles, bundled.disclosure_title)]
    assert roles["Sect"] == len(bundled.section_titles) + 1
    # "Sources" heads each section's reference list; the box opens with its own heading.
    headed = [(r, t) for r, t in texts if r in ("H3", "L")]
    assert ("H3", "Sources") in headed
    with pikepdf.open(path) as pdf:
        elements = list(structure.walk(structure.tree(pdf)))
        boxes = [e for e in elements if e.role == "Div" and e.obj.P.S == "/Sect"
                 and isinstance(e.kids[0], structure.Element) and e.kids[0].role == "H3"]
        assert boxes, "the box is a Div that starts with its heading"
        # The comparison table's first column names each row: row headers.
        rows = [e for e in elements if e.role == "TR"]
        body_rows = [r for r in rows if r.kids[0].role == "TH" and len(r.kids) > 1 and r.kids[1].role == "TD"]
        assert body_rows and all(str(r.kids[0].obj.A.Scope) == "/Row" for r in body_rows)
    # Every list item is a label and a body inside an LI inside an L.
    with pikepdf.open(path) as pdf:
        for element in structure.walk(structure.tree(pdf)):
            if element.role == "LI":
                assert [k.role for k in element.kids if isinstance(k, structure.Element)][:2] == ["Lbl", "LBody"]
            if element.role in ("Lbl", "LBody"):
                assert element.obj.P.S == "/LI"
            if element.role == "LI":
                assert element.obj.P.S == "/L"


@pytest.mark.parametrize("kind", KINDS)
def test_logo_beside_the_clinics_name_is_decoration(documents, kind, bundled):
    with pikepdf.open(documents[kind]) as pdf:
        figures = [e for e in structure.walk(structure.tree(pdf)) if e.role == "Figure"]
    # The name printed beside the logo says what its alt text would: the logo is
    # an artifact. The Figures: the knee picture in "How the shots work", the
    # call chart in "When to call for help", and last the decision's two check
    # boxes (see test_consent.py).
    assert len(figures) == 4
    assert figures[0].alt.startswith("Drawing of two knees. In the healthy knee, a smooth layer of cartilage")
    assert figures[1].alt.startswith("Chart with three rows. Top row, in red: trouble breathing")
    assert [f.alt for f in figures[2:]] == ["Empty check box"] * 2
    assert all(f.kids for f in figures), "a Figure marks no content"
    assert structure.struct_text(documents[kind])[0] == ("P", bundled.clinic)


def test_logo_without_a_name_beside_it_is_a_figure_with_its_alt_text(tmp_path):
    brand = yaml.safe_load(DEMO_BRAND.read_text(encoding="utf-8"))
    alt = brand["logo"]["images"]["mark"]["alt"]
    del brand["meta"]["name"]
    folder = tmp_path / "brand"
    folder.mkdir()
    (folder / "brand.yml").write_text(yaml.safe_dump(brand), encoding="utf-8")
    (folder / "logo.png").write_bytes((DEMO_BRAND.parent / "logo.png").read_bytes())
    target = tmp_path / "nameless.pdf"
    result = invoke(["build", "--brand", str(folder / "brand.yml"), "-o", str(target)])
    assert result.exit_code == 0, result.output
    with pikepdf.open(target) as pdf:
        figures = [e for e in structure.walk(structure.tree(pdf)) if e.role == "Figure"]
    assert [f.alt for f in figures][:1] == [alt] and len(figures) == 5
    assert figures[0].kids, "the logo's Figure marks its image"


@pytest.mark.parametrize("kind", KINDS)
def test_signature_block_is_a_group_whose_lines_are_described(documents, kind):
    texts = structure.struct_text(documents[kind])
    with pikepdf.open(documents[kind]) as pdf:
        root = structure.tree(pdf)
        last = [e for e in root.kids if isinstance(e, structure.Element) and e.role == "Sect"][-1]
        # Boxes (callouts) are Divs too, in any section; they open with a heading.
        divs = [e for e in structure.walk(root) if e.role == "Div"
                and not (isinstance(e.kids[0], structure.Element) and e.kids[0].role.startswith("H"))]
        # The signatures (and the consent's write-in lines) are groups inside the
        # risk disclosure's section, the last one.
        assert divs and all(d.obj.P.objgen == last.obj.objgen for d in divs)
    labels = [t for _r, t in texts]
    start = labels.index("Patient signature")
    assert labels[start:start + 2] == ["Patient signature", "Date"]
    assert "Provider signature" in labels[start:]


@pytest.mark.parametrize("kind", KINDS)
def test_every_text_operator_is_tagged_content_or_an_artifact(documents, kind):
    with pikepdf.open(documents[kind]) as pdf:
        pages = {page.objgen: number for number, page in enumerate(pdf.pages, start=1)}
        owners = structure.tree_mcids(structure.tree(pdf))
        parent_tree = _parent_tree(pdf)
        page_keys = {number: int(page.obj.StructParents) for number, page in enumerate(pdf.pages, start=1)}
        shown = structure.text_operators(pdf)
    referenced = {(pages[page], mcid): element for (page, mcid), element in owners.items()}
    assert shown
    untagged, artifacts, content = [], 0, set()
    for op in shown:
        if any(tag == "Artifact" for tag, _ in op.marks):
            assert not any(mcid is not None for _tag, mcid in op.marks), "real content inside an artifact"
            artifacts += 1
            continue
        mcids = [(tag, mcid) for tag, mcid in op.marks if mcid is not None]
        if len(mcids) != 1 or (op.page, mcids[0][1]) not in referenced:
            untagged.append(op)
            continue
        tag, mcid = mcids[0]
        element = referenced[(op.page, mcid)]
        assert element.role == tag, f"page {op.page} MCID {mcid}: marked {tag}, tree says {element.role}"
        # The parent tree leads back from the page's MCID to the same element.
        assert parent_tree[page_keys[op.page]][mcid].objgen == element.obj.objgen
        content.add((op.page, mcid))
    assert not untagged, f"{len(untagged)} text operators outside tagged content, e.g. {untagged[:3]}"
    assert artifacts >= 2 * len(pages), "footers and page numbers are artifacts"
    # And every MCID the tree claims is drawn, except the logo's (an image, no text).
    figures = {key for key, element in referenced.items() if element.role == "Figure"}
    assert set(referenced) - figures == content


def _parent_tree(pdf: pikepdf.Pdf) -> dict[int, object]:
    nums = pdf.Root.StructTreeRoot.ParentTree.Nums
    return {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}


@pytest.mark.parametrize("kind", KINDS)
def test_links_are_link_elements_with_their_words_and_annotations(documents, kind):
    """One Link per link: its words (marked content) and every annotation over them (OBJR)."""
    with pikepdf.open(documents[kind]) as pdf:
        links = [e for e in structure.walk(structure.tree(pdf)) if e.role == "Link"]
        parent_tree = _parent_tree(pdf)
        annotations = [(page, annot) for page in pdf.pages for annot in page.get("/Annots", [])
                       if annot.get("/Subtype") == "/Link"]
        assert annotations and links
        owner = {}
        for link in links:
            objrs = [kid[1] for kid in link.kids if not isinstance(kid, structure.Element) and kid[0] == "objr"]
            words = [kid for kid in link.kids if not isinstance(kid, structure.Element) and kid[0] == "mcid"]
            assert objrs and words, f"a Link without its words or its annotation: {link.kids}"
            assert len({str(pdf.get_object(objgen).A.URI) for objgen in objrs}) == 1, "one Link, one address"
            for objgen in objrs:
                assert objgen not in owner, "an annotation in two Links"
                owner[objgen] = link
        for page, annot in annotations:
            assert annot.objgen in owner
            assert parent_tree[int(annot.StructParent)].objgen == owner[annot.objgen].obj.objgen
            assert str(annot.Contents), "a link annotation describes itself"
            assert page.obj.Tabs == "/S"
        uris = [str(pdf.get_object(next(k[1] for k in link.kids if not isinstance(k, structure.Element)
                                        and k[0] == "objr")).A.URI) for link in links]
    # A printed address is the address the link goes to, whole, however its lines broke.
    texts = _link_texts(documents[kind])
    assert len(texts) == len(uris)
    for text, uri in zip(texts, uris):
        if text.startswith("http"):
            assert structure.squeeze(text) == uri


def _link_texts(path: Path) -> list[str]:
    """The words of each Link, in order (poppler's reading of the tree)."""
    texts: list[str] = []
    previous = None
    for roles, text in structure.struct_text(path, full=True):
        if roles and roles[-1] == "Link":
            if previous == roles:
                texts[-1] += text
            else:
                texts.append(text)
        previous = roles if roles and roles[-1] == "Link" else None
    return texts


@pytest.mark.parametrize("kind", KINDS)
def test_catalog_says_tagged_pdf_ua_with_its_title_shown(documents, kind, bundled):
    with pikepdf.open(documents[kind]) as pdf:
        root = pdf.Root
        assert root.MarkInfo.Marked is True
        assert str(root.Lang) == bundled.language
        assert root.ViewerPreferences.DisplayDocTitle is True
        assert root.PageMode == "/UseOutlines"
        assert str(pdf.docinfo.Title) == bundled.title
        meta = pdf.open_metadata()
        assert meta.get("pdfuaid:part") == "1"
        assert meta.get("dc:title") == bundled.title
        for page in pdf.pages:
            assert "/StructParents" in page.obj
        for font in _fonts(pdf):
            descriptor = font.get("/FontDescriptor")
            if descriptor is None:  # Type0: the descendant has it
                descriptor = font.DescendantFonts[0].FontDescriptor
            assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), font.BaseFont


def _fonts(pdf: pikepdf.Pdf):
    seen = set()

    def visit(resources):
        for font in resources.get("/Font", {}).values():
            if font.objgen not in seen:
                seen.add(font.objgen)
                yield font
        for xobject in resources.get("/XObject", {}).values():
            if xobject.get("/Subtype") == "/Form" and "/Resources" in xobject:
                yield from visit(xobject.Resources)

    for page in pdf.pages:
        yield from visit(page.obj.Resources)


@pytest.mark.parametrize("kind", KINDS)
def test_pdfua_checker_reports_nothing(documents, kind):
    import pdfua

    report = pdfua.validate(str(documents[kind]))
    assert [f"{f.rule_id}: {f.message}" for f in report.findings] == []
    assert not report.skipped, report.skipped  # every check ran
    assert report.exit_code == 0


def test_same_inputs_give_the_same_tagged_bytes(documents, tmp_path):
    again = tmp_path / "again.pdf"
    assert invoke(["build", "-o", str(again), "--layout", "large-print"]).exit_code == 0
    assert again.read_bytes() == documents["large-print"].read_bytes()


def test_a_document_that_tags_otherwise_gets_its_own_tree():
    """A batch reuses the structure tree of documents that tag alike (render.structtree).

    One more reader line (the patient's) is one more P on the same pages,
    with the same objects: it must get a tree of its own, the same as when
    it is the first document built, and not spoil the next document's.
    """
    import io

    from handouts import prepare, render_handout
    from handouts.load.roster import Provider
    from handouts.render import structtree

    prepared = prepare()
    provider = Provider(id="t1", name="Ana Ruiz", credentials="MD")
    structtree._trees.clear()
    plain = render_handout(prepared, provider=provider)[0]
    named = render_handout(prepared, provider=provider, patient_name="Tom Fay")[0]
    again = render_handout(prepared, provider=provider)[0]
    structtree._trees.clear()
    named_first = render_handout(prepared, provider=provider, patient_name="Tom Fay")[0]
    assert again == plain
    assert named == named_first

    def roles(data: bytes) -> Counter:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            return Counter(element.role for element in structure.walk(structure.tree(pdf)))

    assert roles(named) - roles(plain) == Counter({"P": 1})
