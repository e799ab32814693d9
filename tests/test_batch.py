"""`handouts batch`: one PDF per provider, manifest, incremental reruns, shards."""

from __future__ import annotations

import csv
import hashlib
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from handouts.cli import cli

NAMES = [
    "María José Núñez", "Søren Ødegård", "Patrick O'Brien", "Chloé Lefèvre", "Jürgen Weiß",
    "Ana <b>Bold</b> & *Sons* [x](http://y)", "Zoë Åberg", "Łukasz Żak", "D'Arcy O'Neil-Smith",
    "Renée <i>Dupont</i>", "{{ 7*7 }} Tom", "Ñandú Peña", "Ægir Þórsson", "Frédérique Müller",
    "Åsa Öberg", "Bjørn Dæhlie", "Íñigo Martínez", "Ève L'Écuyer", "Göran Ström", "Saoirse Ó Súilleabháin",
    "Zoltán Kovács", "João Gonçalves", "Chantal <Clinic>", "Mary-Kate & Ashley", "Ólafur Ragnar",
]


def write_roster(path: Path, names: list[str], overrides: dict[int, dict] | None = None) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "name", "credentials", "phone", "email", "location"])
        for i, name in enumerate(names):
            row = {"id": f"p{i:02d}", "name": name, "credentials": "MD", "phone": f"(555) 010-{i:04d}",
                   "email": f"p{i}@clinic.example", "location": "Springfield"}
            row.update((overrides or {}).get(i, {}))
            writer.writerow([row[k] for k in ("id", "name", "credentials", "phone", "email", "location")])


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def text_of(path: Path) -> str:
    return " ".join(" ".join(page.extract_text() or "" for page in PdfReader(path).pages).split())


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def batch25(tmp_path_factory):
    """25 providers built once with -j 2; tests read the result."""
    folder = tmp_path_factory.mktemp("batch25")
    roster = folder / "roster.csv"
    write_roster(roster, NAMES)
    result = run("batch", "--providers", str(roster), "-d", str(folder / "out"), "-j", "2")
    assert result.exit_code == 0, result.output
    return folder, roster, result


def test_builds_one_pdf_per_provider_with_each_name_exactly(batch25):
    folder, _, result = batch25
    manifest = json.loads((folder / "out" / "stem-cell-knee.manifest.json").read_text(encoding="utf-8"))
    assert [d["provider"] for d in manifest["documents"]] == [f"p{i:02d}" for i in range(25)]
    assert manifest["failed"] == []
    for i, name in enumerate(NAMES):
        pdf = folder / "out" / f"stem-cell-knee--p{i:02d}.pdf"
        assert name in text_of(pdf), name
    assert "built 25, unchanged 0, failed 0" in result.stdout


def test_file_names_hold_ids_only(batch25):
    folder, _, _ = batch25
    names = sorted(p.name for p in (folder / "out").glob("*.pdf"))
    assert names == [f"stem-cell-knee--p{i:02d}.pdf" for i in range(25)]


def test_manifest_hashes_pages_and_sizes_match_the_files(batch25):
    folder, _, _ = batch25
    manifest = json.loads((folder / "out" / "stem-cell-knee.manifest.json").read_text(encoding="utf-8"))
    assert set(manifest["handout"]) >= {"id", "version", "reviewed", "fingerprint"}
    assert manifest["handout"]["id"] == "stem-cell-knee"
    assert len(manifest["handout"]["fingerprint"]) == 64
    for doc in manifest["documents"]:
        data = (folder / "out" / doc["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == doc["sha256"]
        assert len(data) == doc["bytes"]
        assert len(PdfReader(folder / "out" / doc["file"]).pages) == doc["pages"]


def test_one_and_two_processes_give_identical_files(batch25, tmp_path):
    folder, roster, _ = batch25
    result = run("batch", "--providers", str(roster), "-d", str(tmp_path / "out1"), "-j", "1")
    assert result.exit_code == 0, result.output
    assert tree(tmp_path / "out1") == tree(folder / "out")


def test_second_run_rewrites_nothing(batch25):
    folder, roster, _ = batch25
    out = folder / "out"
    before = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in out.iterdir()}
    result = run("batch", "--providers", str(roster), "-d", str(out), "-j", "2")
    assert result.exit_code == 0
    assert "built 0, unchanged 25, failed 0" in result.stdout
    assert "no file rewritten" in result.stdout
    after = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in out.iterdir()}
    assert after == before


def test_changed_roster_entry_rebuilds_only_that_provider(tmp_path):
    roster = tmp_path / "roster.csv"
    write_roster(roster, NAMES[:4])
    out = tmp_path / "out"
    assert run("batch", "--providers", str(roster), "-d", str(out), "-j", "1").exit_code == 0
    stamps = {p.name: p.stat().st_mtime_ns for p in out.glob("*.pdf")}
    write_roster(roster, NAMES[:4], {2: {"phone": "(555) 010-9999"}})
    result = run("batch", "--providers", str(roster), "-d", str(out), "-j", "1")
    assert "built 1, unchanged 3" in result.stdout
    changed = [name for name in stamps if (out / name).stat().st_mtime_ns != stamps[name]]
    assert changed == ["stem-cell-knee--p02.pdf"]
    assert "(555) 010-9999" in text_of(out / "stem-cell-knee--p02.pdf")


def test_the_fingerprint_is_of_the_bytes_the_loaders_read(bundled_copy):
    """Each input's digest is taken as its loader read it, not read again; a file changed since is read again."""
    from handouts.deliver.batch import fingerprint
    from handouts.pipeline.editions import Editions
    from handouts.pipeline.options import Options

    prepared = Editions(options=Options(handout=bundled_copy)).get(None)
    first = fingerprint(prepared)
    section = bundled_copy / "sections" / "benefits.yaml"
    info, text = section.stat(), section.read_bytes()
    # Other bytes, read by no loader, in the same file with the same size and time: what was read stands.
    with section.open("r+b") as handle:
        handle.write(text.replace(b"e", b"E"))
    os.utime(section, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert fingerprint(prepared) == first
    section.write_bytes(text + b"\n")  # changed as stat sees it: read again
    assert fingerprint(prepared) != first


def test_changed_section_rebuilds_all(tmp_path):
    project = tmp_path / "clinic"
    assert run("init", str(project)).exit_code == 0
    roster = project / "providers.csv"
    out = tmp_path / "out"
    assert run("batch", str(project), "--providers", str(roster), "-d", str(out), "-j", "1").exit_code == 0
    section = project / "sections" / "cost.yaml"
    section.write_text(section.read_text(encoding="utf-8") + "\n  Ask about payment plans.\n", encoding="utf-8")
    result = run("batch", str(project), "--providers", str(roster), "-d", str(out), "-j", "1")
    assert result.exit_code == 0, result.output
    assert "built 5, unchanged 0" in result.stdout
    assert "Ask about payment plans." in text_of(next(out.glob("*.pdf")))


def test_roster_with_bad_rows_is_refused_with_row_numbers_and_writes_nothing(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "id,name,credentials,phone,email,location\n"
        "p1,Ann Lee,MD,,,\n"
        "../evil,Bob Roe,MD,,,\n"
        "p1,Cat Doe,MD,,,\n"
        "p4,,MD,,,\n",
        encoding="utf-8",
    )
    before = tree(tmp_path)
    result = CliRunner().invoke(cli, ["batch", "--providers", str(roster), "-d", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "roster.csv:3: provider id '../evil'" in result.stderr
    assert "roster.csv:4: duplicate provider id 'p1' (first on line 2)" in result.stderr
    assert "roster.csv:5: row is missing 'name'" in result.stderr
    assert "Traceback" not in result.output
    assert tree(tmp_path) == before


def test_a_failing_provider_does_not_stop_the_others(tmp_path):
    roster = tmp_path / "roster.csv"
    write_roster(roster, ["Ann Lee", "王小明", "Cat Doe"])
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["batch", "--providers", str(roster), "-d", str(out), "-j", "2"])
    assert result.exit_code == 1
    assert "failed: provider p01" in result.stderr
    assert "cannot print" in result.stderr
    manifest = json.loads((out / "stem-cell-knee.manifest.json").read_text(encoding="utf-8"))
    assert [d["provider"] for d in manifest["documents"]] == ["p00", "p02"]
    assert [f["provider"] for f in manifest["failed"]] == ["p01"]
    assert "U+738B" in manifest["failed"][0]["error"]
    assert sorted(p.name for p in out.glob("*.pdf")) == ["stem-cell-knee--p00.pdf", "stem-cell-knee--p02.pdf"]


def test_only_builds_the_named_providers(tmp_path):
    roster = tmp_path / "roster.csv"
    write_roster(roster, NAMES[:5])
    out = tmp_path / "out"
    result = run("batch", "--providers", str(roster), "-d", str(out), "--only", "p01", "--only", "p03")
    assert result.exit_code == 0
    assert sorted(p.name for p in out.glob("*.pdf")) == ["stem-cell-knee--p01.pdf", "stem-cell-knee--p03.pdf"]


def test_unknown_only_id_is_an_error(tmp_path):
    roster = tmp_path / "roster.csv"
    write_roster(roster, NAMES[:2])
    result = CliRunner().invoke(cli, ["batch", "--providers", str(roster), "-d", str(tmp_path / "out"),
                                      "--only", "nobody"])
    assert result.exit_code == 1
    assert "no provider with id 'nobody'" in result.stderr
    assert not (tmp_path / "out").exists()


def test_shards_cover_the_roster_once_and_merge(tmp_path):
    roster = tmp_path / "roster.csv"
    write_roster(roster, NAMES[:7])
    manifests = []
    for k in (1, 2, 3):
        out = tmp_path / f"out{k}"
        result = run("batch", "--providers", str(roster), "-d", str(out), "--shard", f"{k}/3", "-j", "1")
        assert result.exit_code == 0, result.output
        manifests.append(out / f"stem-cell-knee.shard-{k}-of-3.manifest.json")
    built = sorted(p.name for k in (1, 2, 3) for p in (tmp_path / f"out{k}").glob("*.pdf"))
    assert built == [f"stem-cell-knee--p{i:02d}.pdf" for i in range(7)]
    merged_path = tmp_path / "manifest.json"
    result = run("merge-manifests", *map(str, manifests), "-o", str(merged_path))
    assert result.exit_code == 0, result.output
    merged = json.loads(merged_path.read_text(encoding="utf-8"))
    assert [d["provider"] for d in merged["documents"]] == [f"p{i:02d}" for i in range(7)]


def test_merge_refuses_overlapping_shards(tmp_path):
    roster = tmp_path / "roster.csv"
    write_roster(roster, NAMES[:2])
    run("batch", "--providers", str(roster), "-d", str(tmp_path / "a"), "-j", "1")
    run("batch", "--providers", str(roster), "-d", str(tmp_path / "b"), "-j", "1")
    result = CliRunner().invoke(cli, ["merge-manifests", str(tmp_path / "a" / "stem-cell-knee.manifest.json"),
                                      str(tmp_path / "b" / "stem-cell-knee.manifest.json")])
    assert result.exit_code == 1
    assert "provider 'p00' is also in" in result.stderr


@pytest.mark.parametrize("shard", ["0/3", "4/3", "x", "1/0"], ids=["zero", "past-end", "junk", "no-slices"])
def test_bad_shard_is_a_usage_error(tmp_path, shard):
    roster = tmp_path / "roster.csv"
    write_roster(roster, NAMES[:2])
    result = CliRunner().invoke(cli, ["batch", "--providers", str(roster), "--shard", shard,
                                      "-d", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "--shard" in result.stderr


def test_interrupted_run_leaves_no_partial_pdf_and_rerun_completes(tmp_path):
    """Kill a batch mid-run: only whole PDFs remain, and a rerun builds the rest."""
    import signal
    import subprocess
    import sys
    import time

    # Three times the usual roster: once the shared work is cached a
    # document takes tens of milliseconds, and the signal must still find
    # the run under way on a quiet machine.
    names = NAMES * 3
    roster = tmp_path / "roster.csv"
    write_roster(roster, names)
    out = tmp_path / "out"
    # A shell that starts jobs in the background (CI, `cmd &`) hands its
    # children SIGINT ignored; Ctrl-C at a terminal is what this test means.
    proc = subprocess.Popen([sys.executable, "-m", "handouts", "batch", "--providers", str(roster), "-d", str(out),
                             "-j", "1"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list(out.glob("*.pdf"))) < 3:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    proc.wait(timeout=60)
    assert proc.returncode != 0
    assert not list(out.glob(".*.part")), "a temporary file was left behind"
    for pdf in out.glob("*.pdf"):
        assert len(PdfReader(pdf).pages) > 1  # every PDF left is whole
    done = len(list(out.glob("*.pdf")))
    assert 0 < done < len(names)
    result = run("batch", "--providers", str(roster), "-d", str(out), "-j", "2")
    assert result.exit_code == 0
    assert f"built {len(names) - done}, unchanged {done}" in result.stdout
    assert len(list(out.glob("*.pdf"))) == len(names)
    assert os.listdir(out).count("stem-cell-knee.manifest.json") == 1


@pytest.mark.parametrize("kind", ["KeyboardInterrupt", "Terminated"])
def test_an_interruption_that_lands_in_a_finalizer_is_not_lost(tmp_path, kind):
    # Python swallows an exception raised while a finalizer runs; a Ctrl-C
    # or SIGTERM arriving during a garbage collection was lost that way and
    # the batch ran on to exit 0 (a third of the time, on a fast batch). The
    # CLI's hook raises it again in the code that runs next.
    import subprocess
    import sys

    script = tmp_path / "finalizer.py"
    script.write_text(
        "import sys, time\n"
        "from handouts import cli\n"
        "sys.unraisablehook = cli._redeliver_interrupt  # as cli.main installs it\n"
        "class Finalized:\n"
        f"    def __del__(self): raise {'cli.Terminated' if kind == 'Terminated' else 'KeyboardInterrupt'}()\n"
        "try:\n"
        "    Finalized()\n"
        "    time.sleep(5)\n"
        "    print('lost')\n"
        "except KeyboardInterrupt as exc:\n"
        "    print('raised again:', type(exc).__name__)\n")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=30)
    assert done.stdout.strip() == f"raised again: {kind}", (done.stdout, done.stderr)
    assert "Exception ignored" not in done.stderr


def _plain_sentences() -> list[str]:
    """Sentences of the bundled sections that carry no Markdown or template syntax."""
    import re

    import yaml

    import handouts

    folder = Path(handouts.__file__).parent / "data" / "handouts" / "stem-cell-knee" / "sections"
    sentences = []
    for path in sorted(folder.glob("*.yaml")):
        if "." in path.stem:  # a translation (name.es.yaml) prints in its own edition
            continue
        body = yaml.safe_load(path.read_text(encoding="utf-8"))["body"]
        for line in body.splitlines():
            line = re.sub(r"^(\s*[-*]|\s*\d+\.)\s+", "", line).strip()
            if line and not re.search(r"[*_#`\[\]{}<>|]", line):
                sentences.append(" ".join(line.split()))
    return sentences


def test_every_document_prints_the_shared_text_readably(batch25):
    # Later documents replay paragraphs drawn for earlier ones; a wrong
    # font encoding there would extract as other characters.
    folder, _, _ = batch25
    sentences = _plain_sentences()
    assert len(sentences) > 100
    for i in (0, 12, 24):
        # Print has curly quotes where the content has straight ones (README: Type).
        text = text_of(folder / "out" / f"stem-cell-knee--p{i:02d}.pdf").translate(
            str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'}))
        missing = [s for s in sentences if s not in text]
        assert not missing, (i, missing[:3])


def _images_of(pdf: Path) -> list:
    """The images on pages 1 and 2: the logo (with its alpha mask) and the knee picture."""
    images = {}
    for page in PdfReader(pdf).pages[:2]:
        for ref in page["/Resources"].get("/XObject", {}).values():
            if ref.get_object()["/Subtype"] == "/Image":
                images[ref.idnum] = ref.get_object()
    assert len(images) == 2, pdf
    return list(images.values())


def _logo_of(pdf: Path) -> tuple[int, int, bytes, bytes]:
    """Width, height, pixels and alpha of the logo on page 1 (the image with an alpha mask)."""
    (image,) = [i for i in _images_of(pdf) if "/SMask" in i]
    return image["/Width"], image["/Height"], image.get_data(), image["/SMask"].get_object().get_data()


def _picture_of(pdf: Path) -> tuple[int, int, bytes]:
    """Width, height and pixels of the knee picture on page 1 or 2."""
    (image,) = [i for i in _images_of(pdf) if "/SMask" not in i]
    return image["/Width"], image["/Height"], image.get_data()


def test_every_document_embeds_the_whole_logo(batch25):
    # The logo's PDF objects are made once per worker and copied into each
    # document; each must still carry the full image and its alpha mask.
    folder, _, _ = batch25
    logos = [_logo_of(folder / "out" / f"stem-cell-knee--p{i:02d}.pdf") for i in (0, 1, 12, 24)]
    width, height, pixels, alpha = logos[0]
    assert (width, height) == (275, 275)  # 5.5 x 12 pt body = 66 pt tall, at 300 dpi
    assert len(pixels) == 275 * 275 * 3 and len(alpha) == 275 * 275
    assert all(logo == logos[0] for logo in logos)


def test_every_document_embeds_the_whole_picture(batch25):
    # Pictures in bodies are shared the same way (render.figures): resampled
    # once to 300 dpi at their printed size, whole in every document.
    folder, _, _ = batch25
    pictures = [_picture_of(folder / "out" / f"stem-cell-knee--p{i:02d}.pdf") for i in (0, 1, 12, 24)]
    width, height, pixels = pictures[0]
    assert width < 1800 and abs(width / height - 1800 / 900) < 0.01  # resampled down, shape kept
    assert len(pixels) == width * height * 3
    assert all(picture == pictures[0] for picture in pictures)


def _links_of(pdf: Path) -> list[tuple[int, str, list[float]]]:
    """(page, URI, rectangle) of every link annotation, in order."""
    links = []
    for number, page in enumerate(PdfReader(pdf).pages):
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            if annot.get("/Subtype") == "/Link" and "/A" in annot:
                links.append((number, annot["/A"]["/URI"], [round(float(v), 2) for v in annot["/Rect"]]))
    return links


def test_every_document_keeps_its_links(batch25):
    # Paragraphs with links are replayed too, their link annotations made
    # again on each page from recorded calls.
    import yaml

    import handouts

    folder, _, _ = batch25
    sections = Path(handouts.__file__).parent / "data" / "handouts" / "stem-cell-knee" / "sections"
    urls = {ref["url"] for path in sections.glob("*.yaml")
            for ref in yaml.safe_load(path.read_text(encoding="utf-8")).get("references") or [] if "url" in ref}
    assert len(urls) > 5
    first = _links_of(folder / "out" / "stem-cell-knee--p00.pdf")
    assert urls <= {uri for _, uri, _ in first}
    reader = PdfReader(folder / "out" / "stem-cell-knee--p00.pdf")
    for page, _, (x0, y0, x1, y1) in first:
        box = reader.pages[page].mediabox
        assert 0 <= x0 < x1 <= float(box.right) and 0 <= y0 < y1 <= float(box.top)
    for i in (12, 24):
        assert _links_of(folder / "out" / f"stem-cell-knee--p{i:02d}.pdf") == first


def test_build_for_one_provider_gives_the_batch_file(batch25, tmp_path):
    # The front desk's one-off print and the batch's file for the same
    # provider are the same document, byte for byte.
    # Names inside the shared text's characters (p07) and outside them
    # (p01, p12: their own font subsets, compressed in the batch's workers
    # after other documents' pages and subsets were kept there).
    folder, roster, _ = batch25
    for provider in ("p07", "p01", "p12"):
        single = tmp_path / f"{provider}.pdf"
        result = run("build", "--providers", str(roster), "--provider", provider, "-o", str(single))
        assert result.exit_code == 0, result.output
        assert single.read_bytes() == (folder / "out" / f"stem-cell-knee--{provider}.pdf").read_bytes(), provider
