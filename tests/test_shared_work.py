"""What a run shares between its documents and messages gives each reader exactly their own copy.

Speed work keeps results for the process (HTML bodies, the logo's data URI)
and lets workers run ahead of the SMTP connection; these tests check that
nothing kept for one reader reaches another, that a changed file is read
again, and that the workers run only a bounded way ahead.
"""

from __future__ import annotations

import shutil
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handouts import fill_reader, prepare
from handouts.deliver.email.message import html_body, message_context
from handouts.deliver.workers import ahead
from handouts.load.roster import Provider
from handouts.render import html as html_edition


def _body(prepared, patient: str, provider: Provider) -> str:
    filled = fill_reader(prepared, provider=provider, patient_name=patient)
    context = message_context(prepared, provider=provider, patient_name=patient, encrypted=False)
    return html_body(filled, prepared=prepared, context=context)


def test_each_patients_html_body_is_what_rendering_it_alone_gives(bundled_copy):
    prepared = prepare(bundled_copy)
    first, second = Provider(id="a", name="Dr Ann First"), Provider(id="b", name="Dr Bea Second")
    _body(prepared, "Zoë Núñez", first)  # fills the process's caches
    shared = _body(prepared, "Ødegård Søren", second)
    html_edition._body_html.cache_clear()
    html_edition._file_uri.cache_clear()
    alone = _body(prepared, "Ødegård Søren", second)
    assert shared == alone
    assert "Zoë Núñez" not in shared and "Dr Ann First" not in shared
    assert "Dr Bea Second" in shared  # the disclosure names the provider: that body is the reader's own


def test_a_logo_changed_during_the_process_is_read_again(bundled_copy, tmp_path):
    prepared = prepare(bundled_copy)
    provider = Provider(id="a", name="Dr Ann First")
    before = _body(prepared, "Zoë", provider)
    logo = prepared.brand.logo.path
    assert logo.is_relative_to(tmp_path)  # the copy's logo, never the package's
    picture = next(bundled_copy.glob("images/*.png"))
    shutil.copyfile(picture, logo)  # another PNG, of another size
    after = _body(prepared, "Zoë", provider)
    assert before != after
    assert html_edition._data_uri(picture.read_bytes()) in after


def test_workers_run_ahead_in_order_and_never_further_than_the_limit():
    started: list[int] = []
    lock = threading.Lock()

    def work(item: int) -> int:
        with lock:
            started.append(item)
        return item * 10

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = ahead(pool, work, range(50), 3)
        first = next(results)
        pool.submit(lambda: None).result()  # everything submitted before it has been started
        with lock:
            submitted = len(started)
        rest = list(results)
    assert first == 0
    assert submitted <= 3, f"{submitted} items were submitted while the first was being handled"
    assert [first, *rest] == [i * 10 for i in range(50)]


def test_a_readers_own_paragraphs_are_not_kept_from_one_document_to_the_next(bundled_copy):
    from handouts import render_handout
    from handouts.render.blocks import _piece
    from handouts.render.markup import _inline_markup_of, _inline_tokens, shared_paragraph
    from handouts.render.writer import _deflate

    prepared = prepare(bundled_copy)
    caches = (shared_paragraph, _piece, _inline_tokens, _inline_markup_of, _deflate)
    for i in range(3):
        render_handout(prepared, provider=Provider(id=f"a{i}", name=f"Dr Early {i}"))
    settled = [cache.cache_info() for cache in caches]
    for i in range(12):
        render_handout(prepared, provider=Provider(id=f"b{i}", name=f"Dr Later Reader {i}"))
    # What every document prints stays kept; each reader's own text (kept, on trial) does not pile up.
    assert [cache.cache_info()[0] for cache in caches] == [info[0] for info in settled]
    assert all(on_trial <= 128 for _, on_trial in (cache.cache_info() for cache in caches))


def test_pages_compressed_once_give_each_reader_their_own_document(bundled_copy):
    # A page's operators, once compressed, are written by every document
    # whose page has the same operators (render.writer); the pages naming
    # the provider differ, and so do the font subsets of names outside the
    # shared text's characters.
    import io

    from pypdf import PdfReader

    from handouts import render_handout
    from handouts.render.writer import _deflate

    prepared = prepare(bundled_copy)
    readers = [Provider(id="a", name="Søren Ødegård"), Provider(id="b", name="Dr Bea Second"),
               Provider(id="c", name="Ægir Þórsson"), Provider(id="a", name="Søren Ødegård")]
    documents = [render_handout(prepared, provider=reader)[0] for reader in readers]
    assert documents[3] == documents[0]
    for reader, document in zip(readers, documents):
        text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(document)).pages)
        assert reader.name in text
        assert not [other.name for other in readers if other.name != reader.name and other.name in text]
    # Compressed again from nothing, each document is the same bytes.
    _deflate.cache_clear()
    assert render_handout(prepared, provider=readers[1])[0] == documents[1]


def test_paragraphs_placed_from_recordings_print_where_drawing_prints_them(bundled_copy):
    # A batch replays each shared paragraph's recorded drawing, placed
    # without the canvas's own saving and moving (render.reuse); without a
    # shared text nothing is replayed and every paragraph is drawn. Both
    # must print the same characters in the same fonts at the same places.
    import io

    import pdfplumber

    from handouts.pipeline.produce import creator, render_filled
    from handouts.render.pdf import render_pdf

    prepared = prepare(bundled_copy)
    reader = Provider(id="a", name="Søren Ødegård", phone="(555) 010-0001")
    render_filled(prepared, fill_reader(prepared, provider=reader))  # a batch's first document: drawn
    filled = fill_reader(prepared, provider=reader)
    replayed, _ = render_filled(prepared, filled)  # the second: shared paragraphs recorded and replayed
    drawn, _ = render_pdf(filled, brand=prepared.brand, layout=prepared.layout, creator=creator(), common=None)

    def printed(data: bytes) -> list:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            # Subset tags (ABCDEF+) aside: the two encode characters in another order.
            return [[(c["text"], round(c["x0"], 2), round(c["top"], 2), c["size"], c["fontname"].split("+")[-1])
                     for c in page.chars] for page in pdf.pages]

    assert replayed != drawn
    assert printed(replayed) == printed(drawn)


# Blocks a body can hold, met with and without a blank line between them: tables
# named by a heading (and a paragraph) before them, lists, boxes, code,
# pictures, phone numbers, link references, and the reader's name (NAME).
_BLOCKS = ["NAME reads *this* text", "### Head", "### For NAME", "| a | b |\n|---|---|\n| NAME | 2 |",
           "| 1 | 2 |\n| --- | --- |\n| 3 | 4 |", "- item\n- NAME", "1. one\n   continued", "    code", "> quote",
           "> ### In a box", "---", "Call (555) 010-1234 or ask@clinic.example.",
           "![A knee](images/knee.png \"The knee\")", "![Not shown](images/other.png)", "[ref]: https://x.example",
           "see [ref]", "```\nfenced\n```", "_x_", "  "]
_NAMES = ["Zoë Núñez", "Bo *O'Hara* & <Co>", "[Ann](https://x.example) \\_Lee_ 555-010-9999"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_BLOCKS), st.sampled_from(["\n", "\n\n", "\n\n\n"])), min_size=1,
                max_size=12))
def test_a_body_rendered_in_shared_pieces_is_the_body_rendered_whole(blocks):
    # The HTML edition renders a body in pieces, each kept for the next
    # readers (render.html.markdown): for every reader, in turn, the pieces
    # must give the bytes the whole body gives, table titles and ids included.
    from handouts.load.pictures import Picture
    from handouts.render.html.markdown import _rendered, _table_id, markdown_html
    from handouts.render.sharing import new_document

    knee = next((Path(__file__).parent.parent / "handouts" / "data" / "handouts" / "stem-cell-knee" / "images")
                .glob("*.png"))
    pictures = (Picture("images/knee.png", knee, knee.read_bytes(), "PNG", 40, 30),)
    for name in _NAMES:
        new_document()
        text = "".join(block + gap for block, gap in blocks).replace("NAME", name)
        assert markdown_html(text, pictures) == _rendered(text, pictures, lambda i: _table_id(text, i)).html


def _reader_edits(folder: Path, handout: str) -> None:
    """Each section that a run shares gets a paragraph naming the patient, beside its picture or table."""
    if handout == "knee":
        for name in ("when-to-call.yaml", "when-to-call.es.yaml"):
            path = folder / "sections" / name
            path.write_text(path.read_text(encoding="utf-8").rstrip("\n")
                            + "\n\n  Keep this page with you: it was printed for {{ patient.name }}.\n", encoding="utf-8")
    else:  # between the table's heading and the table: their pieces are rendered together
        for name, heading in (("healing.yaml", "### Stages of healing"), ("healing.es.yaml", "### Etapas de")):
            path = folder / "sections" / name
            text = path.read_text(encoding="utf-8")
            start = text.index(heading)
            end = text.index("\n", start) + 1
            path.write_text(text[:end] + "\n  Keep this table with you: it was printed for {{ patient.name }}.\n\n"
                            + text[end:], encoding="utf-8")


@pytest.mark.parametrize("handout", ["knee", "ankle"])
def test_each_messages_page_is_its_edition_rendered_alone(handout, bundled_copy, tmp_path):
    # An e-mail run renders each message's page from what earlier messages
    # left in the process's caches (bodies, their pieces, the pictures and
    # the logo). Each page (and PDF) must be the bytes its edition gives
    # rendered alone, in English and Spanish, for readers whose names need
    # escaping in HTML and mean something in Markdown, and name no other reader.
    import csv
    from email import message_from_bytes, policy

    from handouts.deliver.email.mailing import send_handouts
    from handouts.load.roster import load_roster
    from handouts.pipeline.produce import render_filled
    from handouts.render.html.markdown import _piece_html

    folder = bundled_copy
    if handout == "ankle":
        folder = tmp_path / "ankle"
        shutil.copytree(Path(__file__).parent / "data" / "ankle", folder)
    _reader_edits(folder, handout)
    roster = tmp_path / "providers.csv"
    with roster.open("w", newline="", encoding="utf-8") as file:
        csv.writer(file).writerows([["id", "name", "phone"], ["a", 'Dr. Ann <Lee> & "Co"', "(555) 010-0001"],
                                    ["b", "Dr *Bea* [Second](https://x.example)", ""]])
    readers = [("p1", "Zoë <Núñez> & \"Ike\"", "a", "en"), ("p2", "Quillon *O'Hara* _x_", "b", "es"),
               ("p3", "Ødegård [Søren](https://x.example)", "", "es"), ("p4", "Chen Wei", "a", "en")]
    patients = tmp_path / "patients.csv"
    with patients.open("w", newline="", encoding="utf-8") as file:
        csv.writer(file).writerows([["id", "name", "email", "provider", "language", "unencrypted_ok"]]
                                   + [[i, name, f"{i}@example.com", p, lang, "yes"] for i, name, p, lang in readers])
    outbox = tmp_path / "outbox"
    result = send_handouts(folder, patients=patients, providers=roster, outbox=outbox, jobs=1)
    assert sorted(result.written) == [r[0] for r in readers]
    providers = {p.id: p for p in load_roster(roster)}
    for patient_id, name, provider_id, language in readers:
        (eml,) = outbox.glob(f"*--{patient_id}.eml")
        message = message_from_bytes(eml.read_bytes(), policy=policy.default)
        page = message.get_body(("html",)).get_content()
        assert name.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;") in page
        assert not [other for _, other, _, _ in readers if other != name and other.split()[0] in page]
        for cache in (html_edition._body_html, _piece_html, html_edition._file_uri):
            cache.cache_clear()
        prepared = prepare(folder, language=language)
        assert _body(prepared, name, providers.get(provider_id)) == page
        # The PDF too, though its base64 lines were partly taken from the message before (bodies.SharedStart).
        (pdf,) = [part.get_content() for part in message.iter_attachments()]
        filled = fill_reader(prepared, provider=providers.get(provider_id), patient_name=name)
        assert render_filled(prepared, filled)[0] == pdf
