"""handouts against Typst on the same text: a batch on two cores, and a cold start.

    pip install -e ".[bench]"          # typst 0.15 (the Python wheel), for this script only
    python benchmarks/typst_compare.py [--providers 200] [--rounds 5] [--cold-runs 10] [--against CHECKOUT]

The bundled handout is filled for each provider of a generated roster and
written as Typst markup (benchmarks/typst_markup.py says what the two
documents share and what differs), with the bundled Atkinson Hyperlegible
given to Typst through its font paths. Then, in interleaved rounds:

- batch: `handouts batch -j 2` of the roster, as a whole command, against
  a whole Python process that compiles the same providers' Typst files in
  two processes (one `typst.Compiler` each, fonts loaded once per process),
  writing one PDF per provider; docs/s, pages/s and their ratio, medians.
- cold start: a whole `handouts build` process (the bundled handout, no
  provider) against a whole `python -c "import typst; typst.compile(...)"`
  process on the same text, median of --cold-runs each.

Then it checks that the two engines set the same text: the words inside
the text frame of one provider's handouts PDF and of its Typst PDF, and of
the two cold builds (`pdftotext -raw`, so the footers' page numbers are left
out), compared word by word (difflib); a stretch that differs only where a
line broke (a word split at its hyphen, an address at a slash) does not
count, and words that are the same in another order (a running header or a
table header repeated on a page the other document breaks elsewhere) are
counted apart. It prints both word counts, page counts, the number of words
that differ (0 for the bundled handout in letter, A4 and large print, English
and Spanish, when this was written) and the first differences.

With --against CHECKOUT, that checkout's `handouts batch` and `build` run
in the same rounds (its own bundled handout: give it a checkout of the same
content, e.g. a `git worktree` of an earlier commit), for before/after
figures measured side by side. Each tree's package is byte-compiled first:
this machine sets PYTHONDONTWRITEBYTECODE=1, under which an editable
install would compile handouts' own modules from source on every run, as
no installed copy does. The load average is printed before and after.
Nothing here asserts: it prints figures and ratios.
"""

from __future__ import annotations

import argparse
import compileall
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from batch import write_roster  # noqa: E402  (benchmarks/batch.py)

REPO = Path(__file__).resolve().parent.parent
FONTS = REPO / "handouts" / "fonts"


def load() -> str:
    """Load averages over 1, 5 and 15 minutes, and the core count."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f} on {os.cpu_count()} cores"


def write_markup(roster: Path, folder: Path) -> tuple[list[Path], Path]:
    """One Typst file per roster provider, and one filled for no provider (the cold build's text)."""
    import csv

    from typst_markup import handout_markup

    from handouts.pipeline.prepare import prepare
    from handouts.pipeline.reader import fill
    from handouts.load.roster import Provider
    from handouts.load.commonmark import parser

    prepared = prepare()
    parse = parser().parse
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    with roster.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            filled = fill(prepared, provider=Provider(**row))
            path = folder / f"stem-cell-knee--{row['id']}.typ"
            path.write_text(handout_markup(filled, prepared.brand, prepared.layout, parse), encoding="utf-8")
            files.append(path)
    cold = folder.parent / "cold.typ"
    cold.write_text(handout_markup(fill(prepared), prepared.brand, prepared.layout, parse), encoding="utf-8")
    return files, cold


def typst_batch(folder: Path, out: Path, jobs: int) -> None:
    """Compile every .typ file in `folder` into `out`, in `jobs` forked processes (the timed Typst command)."""
    import typst

    files = sorted(folder.glob("*.typ"))
    out.mkdir(parents=True, exist_ok=True)
    children = []
    for k in range(jobs):
        pid = os.fork()
        if pid == 0:
            try:
                compiler = typst.Compiler(root="/", font_paths=[str(FONTS)], ignore_system_fonts=True)
                for path in files[k::jobs]:
                    compiler.compile(input=path.read_bytes(), output=str(out / (path.stem + ".pdf")))
            finally:
                os._exit(0)
        children.append(pid)
    for pid in children:
        _, status = os.waitpid(pid, 0)
        if status:
            raise SystemExit(f"a Typst worker failed ({status})")


def timed(command: list[str], env: dict | None = None, cwd: Path | None = None) -> float:
    """Wall seconds of one whole process."""
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=env, cwd=cwd)
    return time.perf_counter() - start


def env_for(tree: Path | None) -> dict | None:
    """The environment that runs `tree`'s handouts package instead of this one."""
    return None if tree is None else dict(os.environ, PYTHONPATH=str(tree))


def pages_in(folder: Path) -> int:
    """Pages of every PDF in `folder`."""
    import pikepdf

    total = 0
    for path in folder.glob("*.pdf"):
        with pikepdf.open(path) as pdf:
            total += len(pdf.pages)
    return total


def compare_batch(args, work: Path, roster: Path, typ_folder: Path) -> None:
    count = args.providers
    runners = {
        "typst": lambda out: timed([sys.executable, __file__, "--typst-batch", str(typ_folder), str(out)]),
        "handouts": lambda out: timed([sys.executable, "-m", "handouts", "-q", "batch", "--providers", str(roster),
                                       "-d", str(out), "-j", "2"]),
    }
    for tree in args.against:
        runners[tree.name] = lambda out, tree=tree: timed([sys.executable, "-m", "handouts", "-q", "batch",
                                                           "--providers", str(roster), "-d", str(out), "-j", "2"],
                                                          env=env_for(tree), cwd=tree)
    walls: dict[str, list[float]] = {name: [] for name in runners}
    print(f"batch, {count} providers, {args.rounds} interleaved rounds ({load()} before)")
    for _ in range(args.rounds):
        for name, run in runners.items():
            out = work / f"out-{name}"
            shutil.rmtree(out, ignore_errors=True)
            walls[name].append(run(out))
    pages = {name: pages_in(work / f"out-{name}") for name in runners}
    median = {name: statistics.median(w) for name, w in walls.items()}
    for name in runners:
        label = {"typst": "Typst 0.15, 2 processes", "handouts": "handouts batch -j 2"}.get(name, f"{name} batch -j 2")
        print(f"  {label:28}: {count / median[name]:6.1f} docs/s  {pages[name] / median[name]:7.1f} pages/s  "
              f"({median[name]:.2f} s wall, {pages[name] / count:.1f} pages/doc; runs "
              f"{', '.join(f'{w:.2f}' for w in walls[name])})")
    print(f"  ratio handouts/Typst, docs/s : {median['typst'] / median['handouts']:.2f}   (goal >= 1.5)")
    print(f"  ratio handouts/Typst, pages/s: "
          f"{pages['handouts'] / median['handouts'] / (pages['typst'] / median['typst']):.2f}")
    for tree in args.against:
        print(f"  ratio {tree.name}/Typst, docs/s : {median['typst'] / median[tree.name]:.2f}")
    print(f"  ({load()} after)")


# What every `handouts build` imports before it can lay out a page: ReportLab's
# Platypus, click, markdown-it and PyYAML (a build that finds its cache does
# not import Jinja2: benchmarks/import_times.py lists what it imports). Their
# import alone, in a process of its own, is the floor a build cannot go under
# (a gauge).
FLOOR = "import reportlab.platypus, click, markdown_it, yaml"


def compare_cold(args, work: Path, cold_typ: Path) -> None:
    """Whole processes, interleaved: Typst's cold compile, and `handouts build` with its cache and without.

    A build keeps what it worked out (load.cache) in HANDOUTS_CACHE_DIR: a
    folder of this run's, filled by one build before the clock starts, as
    the builds after a clinic's first one find it. `--no-cache` is that first
    build (or the first after an upgrade): everything worked out again.
    """
    typst_code = (f"import typst; typst.compile({str(cold_typ)!r}, output={str(work / 'cold-typst.pdf')!r}, "
                  f"font_paths=[{str(FONTS)!r}], ignore_system_fonts=True, root='/')")
    cached = dict(os.environ, HANDOUTS_CACHE_DIR=str(work / "build-cache"))
    build = [sys.executable, "-m", "handouts", "-q", "build"]
    runners = {
        "python": lambda: timed([sys.executable, "-c", "pass"]),
        "floor": lambda: timed([sys.executable, "-c", FLOOR]),
        "typst": lambda: timed([sys.executable, "-c", typst_code]),
        "handouts": lambda: timed([*build, "-o", str(work / "cold.pdf")], env=cached),
        "no-cache": lambda: timed([*build, "--no-cache", "-o", str(work / "cold-first.pdf")], env=cached),
    }
    for tree in args.against:
        runners[tree.name] = lambda tree=tree: timed([*build, "-o", str(work / f"cold-{tree.name}.pdf")],
                                                     env={**cached, **env_for(tree)}, cwd=tree)
    runners["handouts"]()  # the cache the timed builds find
    times: dict[str, list[float]] = {name: [] for name in runners}
    print(f"cold start, median of {args.cold_runs} whole processes each, interleaved ({load()} before)")
    for _ in range(args.cold_runs):
        for name, run in runners.items():
            times[name].append(run())
    median = {name: statistics.median(t) for name, t in times.items()}
    labels = {"python": "python -c pass (a gauge)", "floor": "imports a build needs (a gauge)",
              "typst": "typst.compile, same text", "handouts": "handouts build, its cache",
              "no-cache": "handouts build --no-cache"}
    for name in runners:
        ratio = f"  {median[name] / median['typst']:.2f}x Typst" if name not in ("python", "typst") else ""
        print(f"  {labels.get(name, name + ' build'):32}: {median[name]:6.3f} s{ratio}  "
              f"(runs {min(times[name]):.3f}-{max(times[name]):.3f})")
    print(f"  goal: handouts build within 2.5x Typst   ({load()} after)")


def page_words(pdf: Path, top: float, height: float) -> list[str]:
    """The words inside the text frame (`height` points from `top`) of every page of `pdf`, in content
    order (`pdftotext -raw`): the footer ("Page N of M" and the clinic's lines) and the top band are outside."""
    crop = ["-r", "72", "-x", "0", "-y", str(int(top)), "-W", "100000", "-H", str(int(height + 1))]
    text = subprocess.run(["pdftotext", "-raw", *crop, str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    # A zero-width space (where Typst may break an address, typst_body) and a soft hyphen not at a line's
    # end (kept in Typst's text, dropped from handouts') are nothing a reader sees.
    return text.replace("\u200b", "").replace("\u00ad", "").split()


def word_gap(ours: list[str], theirs: list[str]) -> tuple[list, list[str], int]:
    """Where two word sequences differ: (difflib's differing opcodes, the words in only one of them, words moved).

    A stretch whose letters are the same once spaces and hyphens are dropped
    differs only where a line broke (a word split at its hyphen, an address
    at a slash), not in its words: it does not count. Words that appear in
    both documents, in another order (a table's cells, a heading moved by a
    page break), count as moved, not as differing.
    """
    from collections import Counter
    from difflib import SequenceMatcher

    def letters(words: list[str]) -> str:
        return "".join(words).replace("-", "")

    opcodes = [op for op in SequenceMatcher(None, ours, theirs, autojunk=False).get_opcodes()
               if op[0] != "equal" and letters(ours[op[1]:op[2]]) != letters(theirs[op[3]:op[4]])]
    only_ours = Counter(w for _, i1, i2, _, _ in opcodes for w in ours[i1:i2])
    only_theirs = Counter(w for _, _, _, j1, j2 in opcodes for w in theirs[j1:j2])
    differ = (only_ours - only_theirs) + (only_theirs - only_ours)
    moved = sum((only_ours & only_theirs).values())
    return opcodes, sorted(differ.elements()), moved


def same_words(what: str, ours_pdf: Path, theirs_pdf: Path, prepared=None) -> None:
    """Check that a handouts PDF and the Typst PDF of the same filled handout set the same words, and
    print how far they differ (`prepared`: the handout both were made from; the bundled one by default).

    Only the text frame is read: the footers' page numbers differ wherever the page counts do.
    """
    if not shutil.which("pdftotext"):
        print(f"same text, {what}: not checked (pdftotext, from poppler-utils, is not installed)")
        return
    import pikepdf

    from handouts.pipeline.prepare import prepare
    from handouts.pipeline.reader import fill
    from handouts.render.pdf import _sheet

    prepared = prepared or prepare()
    frame = _sheet(fill(prepared), prepared.brand, prepared.layout, False).frame
    top = prepared.layout.height - frame.y1 - frame.height
    ours, theirs = (page_words(pdf, top, frame.height) for pdf in (ours_pdf, theirs_pdf))
    opcodes, differ, moved = word_gap(ours, theirs)
    pages = []
    for pdf in (ours_pdf, theirs_pdf):
        with pikepdf.open(pdf) as document:
            pages.append(len(document.pages))
    print(f"same text, {what}: {len(ours)} words in the handouts PDF ({pages[0]} pages), {len(theirs)} in "
          f"Typst's ({pages[1]} pages); {len(differ)} words differ, {moved} more are the same words in another order")
    for tag, i1, i2, j1, j2 in opcodes[:6]:
        print(f"  {tag:7} handouts: {' '.join(ours[i1:i2])[:100]!r}\n          Typst:    {' '.join(theirs[j1:j2])[:100]!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--providers", type=int, default=200, help="documents per batch")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved batch rounds (medians)")
    parser.add_argument("--cold-runs", type=int, default=10, help="whole processes per side for the cold start")
    parser.add_argument("--against", type=Path, metavar="CHECKOUT", action="append", default=[],
                        help="also time another checkout of handouts (repeatable)")
    parser.add_argument("--skip-batch", action="store_true", help="time only the cold start")
    parser.add_argument("--skip-cold", action="store_true", help="time only the batch")
    parser.add_argument("--typst-batch", nargs=2, type=Path, metavar=("FOLDER", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.typst_batch:
        typst_batch(*args.typst_batch, jobs=2)
        return
    import typst  # noqa: F401  (the bench extra: fail before any work without it)

    args.against = [tree.resolve() for tree in args.against]
    for tree in (REPO, *args.against):
        compileall.compile_dir(tree / "handouts", quiet=1)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        roster = work / "roster.csv"
        write_roster(roster, args.providers)
        typ_folder = work / "typ"
        _, cold_typ = write_markup(roster, typ_folder)
        if not args.skip_batch:
            compare_batch(args, work, roster, typ_folder)
            first = sorted(typ_folder.glob("*.typ"))[0].stem + ".pdf"
            same_words(f"a provider's copy ({first})", work / "out-handouts" / first, work / "out-typst" / first)
        if not args.skip_cold:
            compare_cold(args, work, cold_typ)
            same_words("the cold build (no provider)", work / "cold.pdf", work / "cold-typst.pdf")


if __name__ == "__main__":
    main()
