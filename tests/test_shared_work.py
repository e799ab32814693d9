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
