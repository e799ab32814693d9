"""Hostile inputs, one folder per case: files that differ from a base project.

Each folder under `cases/` holds the files to lay over a copy of the base
project (`base/`, with the demo logo, or `handouts init` output when the
case says `base: init`) and a `case.yaml`:

    args: build {dir} -o {dir}/out.pdf     # after `handouts`; a string (shlex) or a list
    exit: 1                                # the expected exit code
    stderr: ["sections/one.yaml:4", "duplicate key"]   # substrings expected on stderr
    stderr_absent: [...]                   # optional, substrings that must not be on stderr
    stdout: [...]                          # optional, substrings expected on stdout
    stdout_absent: [...]                   # optional, substrings that must not be on stdout
    pdf_text: [...]                        # optional, substrings the PDF must print literally
    pdf: out.pdf                           # optional, which PDF (relative to {dir}); default out.pdf
    pdf_pages_min: 5                       # optional, fewest pages the PDF may have
    pdf_meta: {/Title: ...}                # optional, PDF metadata entries, exactly
    outputs: [proj/out.pdf]                # files expected to appear, relative to {work}; default none
    generate: huge_logo                    # optional, name(s) from GENERATORS below
    delete: [logo.png]                     # optional, base files to remove
    base: init                             # optional, start from `handouts init` output
    json: [{file: out/hostile.manifest.json, path: failed.0.provider, equals: dr-x}]
    may_read_outside: true                 # optional, the case passes --allow-outside
    subprocess: true                       # optional, run `python -m handouts` for real
    note: ...                              # optional, why the case exists ("FINDING: ..." for open bugs)
    env: {RL_toColorCanUse: rl_safe_eval}  # optional, extra environment for a subprocess case
    limits: {cpu_seconds: 10, memory_mb: 2000}   # optional, rlimits for a subprocess case
    one_line: false                        # optional, skip the `path:line: message` format check
    or_exit_1_with: [...]                  # optional, for `exit: 0` cases where a clear refusal is
                                           # also right: exit 1 with these on stderr and no output

In args and in overlaid text files, `{dir}` is the project folder, `{work}`
the working folder (the project's parent, and the current folder during the
run), `{outside}` a folder beside the project holding files the case must not
reach, and `{port}` (or HOSTILE_PORT in files) the port of a local HTTP server
that counts the requests it gets.

Every case also checks: the exit code; no traceback; every stderr line of an
exit-1 run is one `path[:line]: message` problem; no file appeared, changed or
vanished in the working folder but the expected outputs; no HTTP request
reached the local server and no socket was opened; no forbidden file was
opened (/etc/passwd, /etc/hostname, anything under {outside} unless allowed);
and no `pwned` file appeared anywhere.
"""

from __future__ import annotations

import hashlib
import http.server
import json
import os
import re
import shlex
import shutil
import socket
import struct
import subprocess
import sys
import threading
import zlib
from importlib import resources
from pathlib import Path

import pypdf
import pytest
import yaml
from click.testing import CliRunner

from handouts.cli import cli

HERE = Path(__file__).resolve().parent
CASES = HERE / "cases"
BASE = HERE / "base"
DATA = Path(str(resources.files("handouts") / "data"))
DEMO_LOGO = DATA / "brands" / "demo" / "logo.png"
BUNDLED_FONT = Path(str(resources.files("handouts") / "fonts" / "AtkinsonHyperlegible-Regular.ttf"))
TEXT_SUFFIXES = {".yaml", ".yml", ".csv", ".txt", ".md", ".svg", ".json"}
CASE_KEYS = {"args", "exit", "stderr", "stdout", "pdf_text", "pdf", "pdf_pages_min", "outputs", "generate",
             "delete", "base", "json", "may_read_outside", "subprocess", "one_line", "note", "stderr_absent", "stdout_absent",
             "env", "limits", "pdf_meta", "or_exit_1_with"}
# `path: message` or `path:line: message` (a path may hold colons: `http:/host:1/x`).
PROBLEM_LINE = re.compile(r"^\S.*?(?::\d+)?: \S.*$")
PWNED_PLACES = [Path("/tmp/pwned"), Path.home() / "pwned", Path.cwd() / "pwned"]

# The CVE-2023-33733 payload, verbatim from the issue.
CVE_PAYLOAD = (
    "<font color=\"[[[getattr(pow, Word('__globals__'))['os'].system('touch pwned') for Word in [ orgTypeFun( "
    "'Word', (str,), { 'mutated': 1, 'startswith': lambda self, x: 1 == 0, '__eq__': lambda self, x: "
    "self.mutated == 0 and setattr(self, 'mutated', 0), '__hash__': lambda self: hash(str(self)) }) ] ] for "
    "orgTypeFun in [type(type(1))]] and 'red'\">x</font>"
)


# --------------------------------------------------------------------------
# Watching what a run touches: an audit hook and a counting HTTP server.

class _Watch:
    """Records file opens and socket connects while `active` (audit hooks cannot be removed)."""

    active = False
    opened: list[str] = []
    connects: list[str] = []


def _audit(event: str, args: tuple) -> None:
    if not _Watch.active:
        return
    if event == "open":
        target = args[0]
        if isinstance(target, (str, bytes, os.PathLike)):
            _Watch.opened.append(os.fsdecode(target))
    elif event in ("socket.connect", "socket.getaddrinfo", "urllib.Request"):
        _Watch.connects.append(f"{event} {args[1:] if event == 'socket.connect' else args}")


sys.addaudithook(_audit)


class _Counter(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802 - http.server's name
        _Counter.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()
        self.wfile.write(DEMO_LOGO.read_bytes())

    do_POST = do_HEAD = do_GET

    def log_message(self, *args):  # quiet
        pass


@pytest.fixture(scope="module")
def http_server():
    """A server on 127.0.0.1 at a free port, counting every request it gets."""
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), _Counter)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield port
    server.shutdown()
    server.server_close()


# --------------------------------------------------------------------------
# Generators: files a case needs that are too big, binary or odd to keep.

def _png(width: int, height: int) -> bytes:
    """A valid PNG of any size, written by hand so its data stays tiny.

    One grey scanline repeated compresses to almost nothing, so a
    14000x14000 image is a few hundred kB on disk while its header says 196 MP.
    """
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    compressor = zlib.compressobj(9)
    row = b"\x00" + b"\x80" * width
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


def gen_huge_logo(project: Path, work: Path) -> None:
    """A real 7000x7000 PNG made with Pillow: 49 megapixels, small on disk."""
    from PIL import Image

    Image.new("L", (7000, 7000), 200).save(project / "logo.png", optimize=False)


def gen_bomb_logo(project: Path, work: Path) -> None:
    """A valid 14000x14000 PNG (196 MP): past Pillow's own decompression-bomb limit (2 x 89 MP)."""
    (project / "logo.png").write_bytes(_png(14000, 14000))


def gen_truncated_logo(project: Path, work: Path) -> None:
    """The demo logo cut in half."""
    data = DEMO_LOGO.read_bytes()
    (project / "logo.png").write_bytes(data[: len(data) // 2])


def gen_text_logo(project: Path, work: Path) -> None:
    """A text file named logo.png."""
    (project / "logo.png").write_text("This is not a picture, just text named logo.png.\n", encoding="utf-8")


def gen_gif_logo(project: Path, work: Path) -> None:
    """A real GIF named logo.png."""
    from PIL import Image

    Image.new("P", (400, 400), 1).save(project / "logo.png", format="GIF")


def gen_svg_many_elements(project: Path, work: Path) -> None:
    """An SVG logo of 100,000 elements (under the byte cap, over the element cap)."""
    rects = "<g/>" * 100_000  # 400 KB
    (project / "logo.svg").write_text(f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 10 10'>{rects}</svg>",
                                      encoding="utf-8")


def gen_svg_too_big(project: Path, work: Path) -> None:
    """An SVG logo over the byte cap: one long comment."""
    (project / "logo.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 10 10'><!-- "
                                      + "x" * 1_100_000 + " --></svg>", encoding="utf-8")


def _latin1(path: Path) -> None:
    """Re-save a file as Latin-1 with an é on its second line, so it is not UTF-8."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.insert(1, "# caf\u00e9 notes\n")
    path.write_bytes("".join(lines).encode("latin-1"))


def gen_latin1_manifest(project: Path, work: Path) -> None:
    _latin1(project / "handout.yaml")


def gen_latin1_section(project: Path, work: Path) -> None:
    _latin1(project / "sections" / "one.yaml")


def gen_latin1_brand(project: Path, work: Path) -> None:
    _latin1(project / "brand.yml")


def gen_latin1_layout(project: Path, work: Path) -> None:
    _latin1(project / "layout.yaml")


def gen_latin1_roster_yaml(project: Path, work: Path) -> None:
    _latin1(project / "providers.yaml")


def gen_latin1_roster_csv(project: Path, work: Path) -> None:
    path = project / "providers.csv"
    path.write_bytes(path.read_bytes() + "dr-c,Ren\u00e9e Caf\u00e9,MD,,,\n".encode("latin-1"))


def _oversize(path: Path) -> None:
    """Pad a file past the 1 MB cap with YAML comments (still valid YAML)."""
    filler = ("# " + "padding " * 12 + "\n") * 11_000
    path.write_text(path.read_text(encoding="utf-8") + filler, encoding="utf-8")
    assert path.stat().st_size > 1_000_000


def gen_oversize_manifest(project: Path, work: Path) -> None:
    _oversize(project / "handout.yaml")


def gen_oversize_section(project: Path, work: Path) -> None:
    _oversize(project / "sections" / "one.yaml")


def gen_oversize_brand(project: Path, work: Path) -> None:
    _oversize(project / "brand.yml")


def gen_oversize_layout(project: Path, work: Path) -> None:
    _oversize(project / "layout.yaml")


def gen_oversize_roster_yaml(project: Path, work: Path) -> None:
    _oversize(project / "providers.yaml")


def gen_oversize_roster_csv(project: Path, work: Path) -> None:
    path = project / "providers.csv"
    rows = "".join(f"dr-{i},Name {i},MD,,,\n" for i in range(60_000))
    path.write_text(path.read_text(encoding="utf-8") + rows, encoding="utf-8")
    assert path.stat().st_size > 1_000_000


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def gen_empty_manifest(project: Path, work: Path) -> None:
    _empty(project / "handout.yaml")


def gen_empty_section(project: Path, work: Path) -> None:
    _empty(project / "sections" / "one.yaml")


def gen_empty_brand(project: Path, work: Path) -> None:
    _empty(project / "brand.yml")


def gen_empty_layout(project: Path, work: Path) -> None:
    _empty(project / "layout.yaml")


def gen_empty_roster_yaml(project: Path, work: Path) -> None:
    _empty(project / "providers.yaml")


def gen_empty_roster_csv(project: Path, work: Path) -> None:
    _empty(project / "providers.csv")


def gen_symlink_section_out(project: Path, work: Path) -> None:
    """sections/evil.yaml is a symlink to a section file outside the project."""
    (project / "sections" / "evil.yaml").symlink_to(work / "outside" / "section.yaml")


def gen_symlink_logo_out(project: Path, work: Path) -> None:
    """logo.png is a symlink to an image outside the project."""
    (project / "logo.png").unlink()
    (project / "logo.png").symlink_to(work / "outside" / "logo.png")


def gen_symlink_folder_out(project: Path, work: Path) -> None:
    """sections/shared is a symlinked folder pointing outside the project."""
    (project / "sections" / "shared").symlink_to(work / "outside", target_is_directory=True)


def gen_symlink_font_out(project: Path, work: Path) -> None:
    """fonts/Clinic.ttf is a symlink to a font outside the project."""
    (project / "fonts").mkdir()
    (project / "fonts" / "Clinic.ttf").symlink_to(work / "outside" / "Outside.ttf")


def gen_font_inside(project: Path, work: Path) -> None:
    """A brand folder with its own font: branding/fonts/Clinic.ttf (the bundled one, copied)."""
    (project / "branding" / "fonts").mkdir(parents=True, exist_ok=True)
    shutil.copy2(BUNDLED_FONT, project / "branding" / "fonts" / "Clinic.ttf")
    shutil.copy2(DEMO_LOGO, project / "branding" / "logo.png")


def _words(count: int, per_paragraph: int) -> str:
    vocabulary = ("knee", "shot", "pain", "walk", "rest", "ice", "cells", "study", "doctor", "week")
    paragraphs, words = [], []
    for i in range(count):
        words.append(vocabulary[i % len(vocabulary)])
        if len(words) == per_paragraph:
            paragraphs.append(" ".join(words) + ".")
            words = []
    if words:
        paragraphs.append(" ".join(words) + ".")
    return "\n\n".join(paragraphs)


def _write_section(project: Path, body: str, title: str = "A very long section") -> None:
    data = {"kind": "how_it_works", "title": title, "body": body}
    (project / "sections" / "one.yaml").write_text(
        yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10**9), encoding="utf-8")


def gen_words_50000(project: Path, work: Path) -> None:
    """A 50,000-word body in 100-word paragraphs, with markers at both ends."""
    _write_section(project, "STARTMARKER " + _words(50_000, 100) + " ENDMARKER")


def gen_words_50000_one_paragraph(project: Path, work: Path) -> None:
    """50,000 words in one paragraph."""
    _write_section(project, "STARTMARKER " + _words(50_000, 10**9) + " ENDMARKER")


def gen_list_500(project: Path, work: Path) -> None:
    """A 500-item bullet list."""
    items = "\n".join(f"- Item number {i} of the list" for i in range(1, 501))
    _write_section(project, items)


def _nested_list(project: Path, depth: int) -> None:
    lines = [" " * (2 * level) + f"- level {level}" for level in range(depth)]
    _write_section(project, "\n".join(lines))


def gen_nested_list_40(project: Path, work: Path) -> None:
    """Bullets nested 40 deep: deep, but every level must still print."""
    _nested_list(project, 40)


def gen_nested_list_60(project: Path, work: Path) -> None:
    """Bullets nested 60 deep: past what the Markdown parser keeps."""
    _nested_list(project, 60)


def gen_long_word(project: Path, work: Path) -> None:
    """One word of 5,000 letters, in the body and in the title."""
    word = "Start" + "abcdefghij" * 499 + "Final"
    _write_section(project, f"Before {word} after.", title="T" + "x" * 4998 + "Z")


STRAIGHTEN = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"})


def gen_pipe_table(project: Path, work: Path) -> None:
    """Table-like lines: 2,000 short pipe rows, then one pipe line 20,000 characters long."""
    rows = "\n".join("| a | b | c |" for _ in range(2000))
    long_line = "| " + " | ".join(f"cell{i}" for i in range(2500)) + " |"
    _write_section(project, f"| head | one | two |\n|---|---|---|\n{rows}\n\n{long_line}\n\nTABLEEND")


def gen_pipe_nospace(project: Path, work: Path) -> None:
    """A pipe line with no spaces at all, 20,000 characters long."""
    _write_section(project, "|" + "x|" * 10_000 + "\n\nPIPEEND")


# Slow or failing bodies of issue 20, item 7, at the sizes it measured
# (benchmarks/hostile_scaling.py prints how long each takes).

def gen_word_160k(project: Path, work: Path) -> None:
    """One word of 160,000 letters (97 s to build before): it prints, broken at the margin."""
    _write_section(project, "Before WORDSTART" + "abcdefghij" * 16_000 + "WORDEND after.")


def gen_brackets_900k(project: Path, work: Path) -> None:
    """900 KB of `[`: lint ran 98 s, build over 120 s."""
    _write_section(project, "[" * 900_000)


def gen_brackets_300k(project: Path, work: Path) -> None:
    """300 KB of `[`: under the 400,000 characters a field may hold, over the link openings a body may."""
    _write_section(project, "[" * 300_000)


def gen_star_underscore_300k(project: Path, work: Path) -> None:
    _write_section(project, "*_" * 150_000)


def gen_star_underscore_900k(project: Path, work: Path) -> None:
    _write_section(project, "*_" * 450_000)


def gen_less_than_900k(project: Path, work: Path) -> None:
    _write_section(project, "<" * 900_000)


def gen_entity_starts_900k(project: Path, work: Path) -> None:
    _write_section(project, "&#" * 450_000)


def gen_star_a_900k(project: Path, work: Path) -> None:
    _write_section(project, "*a" * 450_000)


def gen_list_30000(project: Path, work: Path) -> None:
    _write_section(project, "\n".join(f"- item {i}" for i in range(30_000)))


def _pipe_table(columns: int, rows: int) -> str:
    head = "| " + " | ".join(f"c{c}" for c in range(columns)) + " |"
    body = "\n".join("| " + " | ".join(f"{r}.{c}" for c in range(columns)) + " |" for r in range(rows))
    return f"{head}\n|{'---|' * columns}\n{body}"


def gen_table_20x2000(project: Path, work: Path) -> None:
    _write_section(project, _pipe_table(20, 2000))


def gen_table_45_columns(project: Path, work: Path) -> None:
    """45 short columns: each narrower than its padding (ReportLab's negative availWidth, exit 3)."""
    _write_section(project, "Before the table.\n\n" + _pipe_table(45, 3) + "\n\nTABLEEND")


def gen_table_cell_390k(project: Path, work: Path) -> None:
    """A table cell of 371,000 characters of words: 28 s of CPU to lay out (found while checking the limits)."""
    _write_section(project, "| Question | Answer |\n| --- | --- |\n| Why? | " + _words(70_000, 10**9) + " |")


def gen_links_20000(project: Path, work: Path) -> None:
    _write_section(project, " ".join(f"[site {i}](https://example.org/{i})" for i in range(20_000)))


def gen_headings_400(project: Path, work: Path) -> None:
    """400 subheadings, each with a one-line paragraph (RecursionError in render.keeping, exit 3)."""
    _write_section(project, "\n\n".join(f"### Part {i}\n\nA short paragraph under part {i}." for i in range(400)))


def gen_nested_list_8(project: Path, work: Path) -> None:
    """Bullets nested 8 deep: as deep as the indent goes, every level prints."""
    _nested_list(project, 8)


def gen_nested_list_9(project: Path, work: Path) -> None:
    """Bullets nested 9 deep: one past the indent, refused at the line of level 8."""
    _nested_list(project, 9)


def gen_prose_450k(project: Path, work: Path) -> None:
    """A body of 450,000 characters of plain words, no template syntax: over the 400,000 a field may hold."""
    _write_section(project, _words(80_000, 100))


def _fifo(path: Path) -> None:
    """Replace `path` with a named pipe: opening it for reading blocks until a writer comes."""
    if path.exists():
        path.unlink()
    os.mkfifo(path)


def gen_fifo_section(project: Path, work: Path) -> None:
    _fifo(project / "sections" / "one.yaml")


def gen_fifo_roster(project: Path, work: Path) -> None:
    _fifo(project / "roster.csv")


def gen_fifo_lint_config(project: Path, work: Path) -> None:
    _fifo(project / "lint.yaml")


def gen_fifo_manifest(project: Path, work: Path) -> None:
    _fifo(project / "bad.json")


def _brand_font(project: Path, data: bytes) -> None:
    (project / "fonts").mkdir(exist_ok=True)
    (project / "fonts" / "Clinic.ttf").write_bytes(data)


def gen_font_empty(project: Path, work: Path) -> None:
    """A zero-byte fonts/Clinic.ttf."""
    _brand_font(project, b"")


def gen_font_truncated(project: Path, work: Path) -> None:
    """The bundled font cut at a fifth: its table directory points past the end."""
    data = BUNDLED_FONT.read_bytes()
    _brand_font(project, data[: len(data) // 5])


def gen_font_garbage(project: Path, work: Path) -> None:
    """Random-looking bytes (fixed, for reproducibility) named .ttf."""
    _brand_font(project, hashlib.sha256(b"not a font").digest() * 200)


def gen_font_cff(project: Path, work: Path) -> None:
    """A real OpenType font with PostScript (CFF) outlines, renamed .ttf.

    Nimbus Sans comes with Ghostscript's fonts (fonts-urw-base35), which .ci/run installs.
    """
    otf = Path("/usr/share/fonts/opentype/urw-base35/NimbusSans-Regular.otf")
    assert otf.is_file(), f"{otf} is missing: apt-get install fonts-urw-base35"
    assert otf.read_bytes()[:4] == b"OTTO"
    _brand_font(project, otf.read_bytes())


DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def gen_font_dejavu(project: Path, work: Path) -> None:
    """DejaVu Sans (fonts-dejavu-core, which .ci/run installs) as the brand's font: it covers Arabic and Hebrew."""
    assert DEJAVU.is_file(), f"{DEJAVU} is missing: apt-get install fonts-dejavu-core"
    _brand_font(project, DEJAVU.read_bytes())


# Pictures in a section body: images/knee.png in the project, in all its bad forms.

def _picture_path(project: Path) -> Path:
    (project / "images").mkdir(exist_ok=True)
    return project / "images" / "knee.png"


def gen_picture(project: Path, work: Path) -> None:
    """images/knee.png: a real PNG (the demo logo)."""
    shutil.copy2(DEMO_LOGO, _picture_path(project))


def gen_picture_gif(project: Path, work: Path) -> None:
    """images/knee.png is a real GIF."""
    from PIL import Image

    Image.new("P", (400, 300), 1).save(_picture_path(project), format="GIF")


def gen_picture_bomb(project: Path, work: Path) -> None:
    """images/knee.png is a valid 14000x14000 PNG (196 MP) of a few hundred kB."""
    _picture_path(project).write_bytes(_png(14000, 14000))


def gen_picture_truncated(project: Path, work: Path) -> None:
    """images/knee.png is the demo logo cut in half."""
    data = DEMO_LOGO.read_bytes()
    _picture_path(project).write_bytes(data[: len(data) // 2])


def gen_picture_bad_crc(project: Path, work: Path) -> None:
    """images/knee.png is a PNG whose header chunk's CRC is wrong (one byte of it flipped)."""
    data = bytearray(_png(300, 200))
    data[29] ^= 0xFF  # the IHDR chunk's CRC: 8 bytes of signature, 8 of length and type, 13 of header
    _picture_path(project).write_bytes(bytes(data))


def gen_picture_jpeg_2x2(project: Path, work: Path) -> None:
    """images/knee.png is a real 2x2-pixel JPEG."""
    from PIL import Image

    Image.new("RGB", (2, 2), "gray").save(_picture_path(project), format="JPEG")


def gen_roster_long_id(project: Path, work: Path) -> None:
    """providers.csv whose second row's id is 235 characters (file names hold ids: over 255 bytes with the rest)."""
    (project / "providers.csv").write_text("id,name,credentials\ndr-a,Ana Ruiz,MD\n" + "p" * 235 + ",Bo Lee,MD\n"
                                           "dr-c,Cy Moss,MD\n", encoding="utf-8")


def gen_picture_symlink_out(project: Path, work: Path) -> None:
    """images/knee.png is a symlink to a PNG outside the project."""
    _picture_path(project).symlink_to(work / "outside" / "logo.png")


def gen_picture_folder(project: Path, work: Path) -> None:
    """images/knee.png is a folder."""
    _picture_path(project).mkdir()


GENERATORS = {name[4:]: fn for name, fn in globals().items() if name.startswith("gen_") and callable(fn)}


# --------------------------------------------------------------------------
# Running a case.

def case_names() -> list[str]:
    return sorted(p.name for p in CASES.iterdir() if (p / "case.yaml").is_file())


def load_case(name: str) -> dict:
    case = yaml.safe_load((CASES / name / "case.yaml").read_text(encoding="utf-8"))
    unknown = set(case) - CASE_KEYS
    assert not unknown, f"{name}/case.yaml: unknown keys {sorted(unknown)}"
    assert "args" in case and "exit" in case, f"{name}/case.yaml needs args and exit"
    return case


@pytest.fixture(scope="session")
def init_output(tmp_path_factory) -> Path:
    """`handouts init` output, made once and copied by every case that asks for it."""
    folder = tmp_path_factory.mktemp("init") / "proj"
    result = CliRunner().invoke(cli, ["init", str(folder)], prog_name="handouts")
    assert result.exit_code == 0, result.output
    return folder


def snapshot(folder: Path) -> dict[str, str]:
    """Every entry below `folder`, hidden ones and symlinks included, with a digest."""
    listing = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_symlink():
            listing[rel] = "-> " + os.readlink(path)
        elif path.is_dir():
            listing[rel] = "<dir>"
        elif path.is_fifo():  # reading it would wait for a writer forever
            listing[rel] = "<fifo>"
        else:
            listing[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return listing


def substitute(text: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return text


def _outside_folder(work: Path) -> Path:
    outside = work / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("SECRET-OUTSIDE-TEXT\n", encoding="utf-8")
    (outside / "section.yaml").write_text(
        "kind: other\ntitle: From outside\nbody: |\n  OUTSIDE-SECTION-TEXT\n", encoding="utf-8")
    shutil.copy2(DEMO_LOGO, outside / "logo.png")
    shutil.copy2(BUNDLED_FONT, outside / "Outside.ttf")
    return outside


def setup_project(name: str, case: dict, work: Path, port: int, init_output: Path | None) -> Path:
    project = work / "proj"
    if case.get("base") == "init":
        shutil.copytree(init_output, project, symlinks=True)
    else:
        shutil.copytree(BASE, project)
        shutil.copy2(DEMO_LOGO, project / "logo.png")
    values = {"dir": str(project), "work": str(work), "outside": str(work / "outside"), "port": str(port)}
    for source in sorted((CASES / name).rglob("*")):
        rel = source.relative_to(CASES / name)
        if rel.as_posix() == "case.yaml" or source.is_dir():
            continue
        target = project / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.suffix in TEXT_SUFFIXES:
            raw = source.read_bytes()
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                target.write_bytes(raw)  # deliberately not UTF-8: copy as is
                continue
            text = substitute(text.replace("HOSTILE_PORT", str(port)), values)
            target.write_bytes(text.encode("utf-8"))
        else:
            shutil.copy2(source, target)
    for rel in case.get("delete", []):
        (project / rel).unlink()
    generate = case.get("generate", [])
    for gen in [generate] if isinstance(generate, str) else generate:
        assert gen in GENERATORS, f"{name}: no generator {gen!r}; known: {sorted(GENERATORS)}"
        GENERATORS[gen](project, work)
    return project


def run_cli(args: list[str], work: Path, case: dict):
    """Run handouts; returns (exit code, stdout, stderr, escaped exception or None)."""
    if case.get("subprocess"):
        env = {k: v for k, v in os.environ.items() if not k.startswith("RL_")}
        env.update({k: str(v) for k, v in (case.get("env") or {}).items()})
        limits = case.get("limits") or {}

        def limit():  # runs in the child: a bomb is stopped here, not by the machine
            import resource

            if "cpu_seconds" in limits:
                resource.setrlimit(resource.RLIMIT_CPU, (limits["cpu_seconds"], limits["cpu_seconds"]))
            if "memory_mb" in limits:
                size = limits["memory_mb"] * 1024 * 1024
                resource.setrlimit(resource.RLIMIT_AS, (size, size))

        proc = subprocess.run([sys.executable, "-m", "handouts", *args], cwd=work, capture_output=True,
                              text=True, timeout=300, env=env, preexec_fn=limit)
        return proc.returncode, proc.stdout, proc.stderr, None
    assert not case.get("env") and not case.get("limits"), "env and limits need subprocess: true"
    result = CliRunner().invoke(cli, args, prog_name="handouts")
    escaped = result.exception if not isinstance(result.exception, SystemExit) else None
    return result.exit_code, result.stdout, result.stderr, escaped


def pdf_text(path: Path) -> str:
    reader = pypdf.PdfReader(str(path))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def squash(text: str) -> str:
    return "".join(text.split())


def json_value(data, dotted: str):
    for part in dotted.split("."):
        data = data[int(part)] if isinstance(data, list) else data[part]
    return data


@pytest.mark.parametrize("name", case_names())
def test_case(name, tmp_path, monkeypatch, http_server, request):
    case = load_case(name)
    init = request.getfixturevalue("init_output") if case.get("base") == "init" else None
    work = tmp_path
    _outside_folder(work)
    project = setup_project(name, case, work, http_server, init)
    values = {"dir": str(project), "work": str(work), "outside": str(work / "outside"), "port": str(http_server)}
    raw_args = case["args"]
    args = [substitute(str(a), values) for a in raw_args] if isinstance(raw_args, list) \
        else shlex.split(substitute(raw_args, values))

    monkeypatch.chdir(work)
    monkeypatch.delenv("RL_toColorCanUse", raising=False)
    pwned_before = {p: p.exists() for p in PWNED_PLACES}
    before = snapshot(work)
    hits_before = len(_Counter.hits)
    _Watch.opened, _Watch.connects = [], []
    _Watch.active = True
    try:
        code, out, err, escaped = run_cli(args, work, case)
    finally:
        _Watch.active = False
    after = snapshot(work)
    shown = f"\n--- args: {args}\n--- exit {code}\n--- stdout:\n{out}\n--- stderr:\n{err}"

    # Nothing escaped, nothing fetched, nothing executed.
    assert escaped is None, f"an exception escaped the CLI: {escaped!r}{shown}"
    assert "Traceback" not in out + err, f"traceback printed{shown}"
    assert "internal error" not in err, f"handouts reports an internal error (a bug){shown}"
    assert len(_Counter.hits) == hits_before, f"HTTP requests reached the local server: {_Counter.hits[hits_before:]}"
    assert not _Watch.connects, f"network use: {_Watch.connects}"
    assert not any(p.name == "pwned" for p in work.rglob("*")), "a 'pwned' file appeared: code ran"
    for place, existed in pwned_before.items():
        assert place.exists() == existed, f"{place} appeared: code ran"

    forbidden = [Path("/etc/passwd"), Path("/etc/hostname"), Path("/etc/shadow")]
    if not case.get("may_read_outside"):
        forbidden.append(work / "outside")
    reads = [o for o in _Watch.opened
             if any(Path(os.path.realpath(o)).is_relative_to(os.path.realpath(f)) for f in forbidden)]
    assert not reads, f"opened files it must not read: {reads}{shown}"

    # The exit code, and the messages.
    if code == 1 and case["exit"] == 0 and case.get("or_exit_1_with"):
        # Refusing is as good as printing, if it says why: check that instead of the PDF.
        case = {**case, "exit": 1, "stderr": case["or_exit_1_with"], "stdout": [], "outputs": [],
                "pdf_text": [], "pdf_pages_min": 0, "pdf_meta": {}, "json": []}
    assert code == case["exit"], f"expected exit {case['exit']}, got {code}{shown}"
    for expected in case.get("stderr", []):
        expected = substitute(str(expected), values)
        assert expected in err, f"stderr lacks {expected!r}{shown}"
    for unwanted in case.get("stderr_absent", []):
        assert substitute(str(unwanted), values) not in err, f"stderr holds {unwanted!r}{shown}"
    for expected in case.get("stdout", []):
        assert substitute(str(expected), values) in out, f"stdout lacks {expected!r}{shown}"
    for unwanted in case.get("stdout_absent", []):
        assert substitute(str(unwanted), values) not in out, f"stdout holds {unwanted!r}{shown}"
    if code == 1 and case.get("one_line", True):
        lines = [line for line in err.splitlines() if line.strip()]
        assert lines, f"exit 1 with nothing on stderr{shown}"
        bad = [line for line in lines if not PROBLEM_LINE.match(line) or len(line) > 2000]
        assert not bad, f"stderr lines that are not one `path:line: message` problem: {bad}{shown}"

    # Files: only the expected outputs appeared; nothing else changed.
    expected_paths = {substitute(o, values) for o in case.get("outputs", [])}
    new = {k for k in after if k not in before and after[k] != "<dir>"}
    new_dirs = {k for k in after if k not in before and after[k] == "<dir>"}
    changed = {k for k in before if k in after and before[k] != after[k]}
    gone = {k for k in before if k not in after}
    assert new == expected_paths, (f"files that appeared: {sorted(new)}; expected: {sorted(expected_paths)}{shown}")
    allowed_dirs = {str(Path(p).parent.as_posix()) for p in expected_paths}
    assert new_dirs <= allowed_dirs, f"stray folders appeared: {sorted(new_dirs - allowed_dirs)}"
    assert not changed, f"files changed: {sorted(changed)}"
    assert not gone, f"files vanished: {sorted(gone)}"

    # The PDF says what the input said, literally.
    if case.get("pdf_text") or case.get("pdf_pages_min") or case.get("pdf_meta"):
        pdf = project / case.get("pdf", "out.pdf")
        assert pdf.is_file(), f"no PDF at {pdf}{shown}"
        # Printed text has curly quotes and real dashes (README: typography);
        # the input's straight ones are what "literally" means here.
        text = pdf_text(pdf).translate(STRAIGHTEN)
        flat = squash(text)
        for expected in case.get("pdf_text", []):
            expected = substitute(str(expected), values).replace("HOSTILE_PORT", str(http_server))
            assert " ".join(expected.split()) in text or squash(expected) in flat, (
                f"the PDF does not print {expected!r} literally; it prints:\n{text[:3000]}")
        if case.get("pdf_pages_min"):
            pages = len(pypdf.PdfReader(str(pdf)).pages)
            assert pages >= case["pdf_pages_min"], f"{pages} pages, expected at least {case['pdf_pages_min']}"
        metadata = pypdf.PdfReader(str(pdf)).metadata or {}
        for key, value in (case.get("pdf_meta") or {}).items():
            assert metadata.get(key) == value, f"PDF metadata {key} is {metadata.get(key)!r}, expected {value!r}"

    for check in case.get("json", []):
        data = json.loads((project / check["file"]).read_text(encoding="utf-8"))
        assert json_value(data, check["path"]) == check["equals"], f"{check} in {json.dumps(data, indent=1)}"


def test_every_generator_is_used():
    """A generator no case names is dead weight, or a case lost its mutation."""
    used = set()
    for name in case_names():
        generate = load_case(name).get("generate", [])
        used.update([generate] if isinstance(generate, str) else generate)
    assert set(GENERATORS) - used == set()


def test_cve_payload_is_verbatim():
    """The payload the cases use is the issue's, byte for byte (no YAML quoting accident)."""
    section = yaml.safe_load((CASES / "escape-cve-title" / "sections" / "one.yaml").read_text(encoding="utf-8"))
    assert section["title"] == CVE_PAYLOAD
