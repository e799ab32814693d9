"""Batch speed and memory, with the reference figures the goals are set against.

    python benchmarks/batch.py [--providers 300] [--rounds 5] [--memory-docs 1000] [--against CHECKOUT]
                               [--handout FOLDER] [--against-only]

Prints, for the bundled handout:
- warm ms per document in one process, every document for a provider not
  seen before, and a plain-Platypus reference built in the same run from
  the same text (the ratio goal is at most 1.3);
- `handouts batch -j 1` and `-j 2` documents per second as whole commands,
  and their marginal rate (start-up cancelled out), medians over rounds
  (goal: ratio 1.8+; against Typst on the same text: typst_compare.py);
- resident memory after 100, 1,000 and --memory-docs (5,000) documents
  rendered in one process as a batch worker renders them (goal: within
  10 MB from 100 on);
- cold `handouts build` as a whole process (against Typst's: typst_compare.py);
- with --against CHECKOUT, `batch -j 1` and `-j 2` of this code against
  another version's, run alternately, and their ratio by wall and by CPU
  time (tagging's goal: at least 0.85 of the untagged code's speed); with
  --handout FOLDER both build the same handout (give it a brand.yml).
Nothing here asserts: it prints figures and ratios to compare across changes.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

NAMES = ["María José Núñez", "Søren Ødegård", "Patrick O'Brien", "Chloé Lefèvre", "Jürgen Weiß",
         "Ana <b>Bold</b> & Sons", "Zoë Åberg", "Łukasz Żak", "Nguyễn Văn An", "Siobhán Ní Bhriain"]


def write_roster(path: Path, count: int) -> None:
    """A roster of `count` providers with accented names."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "name", "credentials", "phone", "email", "location"])
        for i in range(count):
            name = NAMES[i % len(NAMES)]
            if "ễ" in name:  # outside the bundled font: keep the benchmark about speed
                name = "Nguyen Van An"
            writer.writerow([f"p{i:05d}", f"{name} {i}", "MD", f"(555) 010-{i % 10000:04d}",
                             f"p{i}@clinic.example", "Springfield"])


def rss_mb() -> float:
    """Current resident set size of this process, in MB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def warm_per_document(count: int, blocks: int = 5) -> tuple[float, float, float]:
    """ms per document rendering in this process, the plain-Platypus reference, and their ratio.

    Every timed document has a provider never seen before in this process,
    as in a real batch: nothing that depends on the provider can come from
    a cache filled by an earlier document. The two are timed in alternating
    blocks and the medians reported, so a drift in the machine's speed
    hits both alike.
    """
    from handouts import prepare, render_handout
    from handouts.pipeline.reader import fill
    from handouts.load.roster import Provider

    def provider(i: int) -> Provider:
        return Provider(id=f"w{i}", name=f"{NAMES[i % 5]} {i}", credentials="MD",
                        phone=f"(555) 010-{i % 10000:04d}")

    prepared = prepare()
    filled = fill(prepared, provider=provider(0))
    for i in range(5):
        render_handout(prepared, provider=provider(i))
        plain_platypus(filled, prepared)
    per_block = max(1, count // blocks)
    ours, plain, ratios = [], [], []
    next_provider = 1000
    for _ in range(blocks):
        start = time.perf_counter()
        for _ in range(per_block):
            render_handout(prepared, provider=provider(next_provider))
            next_provider += 1
        ours.append((time.perf_counter() - start) / per_block * 1000)
        start = time.perf_counter()
        for _ in range(per_block):
            plain_platypus(filled, prepared)
        plain.append((time.perf_counter() - start) / per_block * 1000)
        ratios.append(ours[-1] / plain[-1])
    return statistics.median(ours), statistics.median(plain), statistics.median(ratios)


def plain_platypus(filled, prepared) -> bytes:
    """The same text as plain Paragraphs on a SimpleDocTemplate: the engine's baseline.

    Same fonts, sizes and page; no cover block, logo, footer, outline or
    Markdown parsing: what any Platypus program pays for this text.
    """
    from xml.sax.saxutils import escape

    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate

    from handouts.render.fonts import register_family

    fonts = register_family(None)
    layout = prepared.layout
    body = ParagraphStyle("b", fontName=fonts.regular, fontSize=layout.body_size,
                          leading=layout.body_size * layout.line_spacing, spaceAfter=6)
    head = ParagraphStyle("h", parent=body, fontName=fonts.bold, fontSize=layout.body_size * 1.45,
                          leading=layout.body_size * 1.75)
    story = [Paragraph(escape(filled.title), head)]
    for section in (*filled.sections, filled.disclosure):
        if section is filled.disclosure:
            story.append(PageBreak())
        story.append(Paragraph(escape(section.title), head))
        for block in section.body.split("\n"):
            if block.strip():
                story.append(Paragraph(escape(block.strip("#-* ")), body))
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=(layout.width, layout.height), invariant=1,
                            initialFontName=fonts.regular, leftMargin=layout.margin_left,
                            rightMargin=layout.margin_right, topMargin=layout.margin_top,
                            bottomMargin=layout.margin_bottom)
    doc.build(story)
    return buffer.getvalue()


def batch_wall(roster: Path, jobs: int, out: Path, tree: Path | None = None, handout: Path | None = None) -> float:
    """Wall time of `handouts batch -j JOBS` as a whole command, from a fresh output folder.

    With `tree`, the handouts package of that checkout (its code and its
    bundled handout) runs instead of this one; with `handout`, that handout
    folder is built instead of the bundled one.
    """
    return batch_times(roster, jobs, out, tree, handout)[0]


def batch_times(roster: Path, jobs: int, out: Path, tree: Path | None = None,
                handout: Path | None = None) -> tuple[float, float]:
    """(wall, CPU) seconds of `handouts batch -j JOBS`; CPU is user + system of the command and its workers."""
    shutil.rmtree(out, ignore_errors=True)
    env = None if tree is None else dict(os.environ, PYTHONPATH=str(tree))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "handouts", "-q", "batch", *([str(handout)] if handout else []),
                    "--providers", str(roster), "-d", str(out), "-j", str(jobs)],
                   check=True, stdout=subprocess.DEVNULL, env=env, cwd=None if tree is None else tree)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def against(workdir: Path, tree: Path, count: int, rounds: int,
            handout: Path | None = None) -> dict[int, tuple[float, float, float, float]]:
    """Per job count: docs/s of this code and of the checkout `tree`, by wall time and by CPU time, medians.

    (ours by wall, theirs by wall, ours by CPU, theirs by CPU.) The two
    alternate run by run, so a shared machine's drift hits both; CPU time
    (the command's and its workers') is less disturbed by other jobs than
    wall time. With `handout`, both build that handout folder (the same
    content), else each its own bundled one.
    """
    roster = workdir / f"roster-{count}.csv"
    write_roster(roster, count)
    times: dict[tuple[int, bool], list[tuple[float, float]]] = {}
    for _ in range(rounds):
        for jobs in (1, 2):
            for other in (False, True):
                times.setdefault((jobs, other), []).append(
                    batch_times(roster, jobs, workdir / "out-against", tree if other else None, handout))

    def rate(jobs: int, other: bool, which: int) -> float:
        return count / statistics.median(t[which] for t in times[(jobs, other)])

    return {jobs: (rate(jobs, False, 0), rate(jobs, True, 0), rate(jobs, False, 1), rate(jobs, True, 1))
            for jobs in (1, 2)}


def batch_rates(workdir: Path, count: int, rounds: int) -> dict[int, tuple[float, float, float]]:
    """Per job count: (median wall for `count` docs, whole-command docs/s, marginal docs/s).

    Marginal throughput compares a run of `count` providers with one of a
    quarter as many, so the start-up both pay (imports, validation, the
    first document's parsing) cancels out: it is the rate at which each
    further provider costs time. Runs alternate -j 1 and -j 2 over several
    rounds and report medians, since a shared machine's speed drifts.
    """
    small = max(1, count // 4)
    rosters = {n: workdir / f"roster-{n}.csv" for n in (small, count)}
    for n, path in rosters.items():
        write_roster(path, n)
    walls: dict[tuple[int, int], list[float]] = {}
    for _ in range(rounds):
        for jobs in (1, 2):
            for n, path in rosters.items():
                walls.setdefault((jobs, n), []).append(batch_wall(path, jobs, workdir / f"out-j{jobs}"))
    rates = {}
    for jobs in (1, 2):
        big, little = statistics.median(walls[(jobs, count)]), statistics.median(walls[(jobs, small)])
        rates[jobs] = (big, count / big, (count - small) / (big - little))
    return rates


def memory_growth(total: int) -> dict[int, float]:
    """RSS after 100 documents, after 1,000 and after `total`, rendering in this process as a batch worker does."""
    import gc

    from handouts import prepare, render_handout
    from handouts.load.roster import Provider

    try:  # what a worker does after each document (a full collection every 20), where the checkout has it
        from handouts.deliver.workers import document_done
    except ImportError:
        def document_done() -> None:
            pass

    prepared = prepare()
    # As a batch does before it forks its workers (set here, not imported,
    # so that --memory-only can measure an earlier checkout too).
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)
    marks = {100, 1000, total}
    rss = {}
    for i in range(total):
        render_handout(prepared, provider=Provider(id=f"p{i}", name=f"{NAMES[i % 5]} {i}", credentials="MD"))
        document_done()
        if i + 1 in marks:
            rss[i + 1] = rss_mb()
    return rss


def print_memory(total: int) -> None:
    """Print memory_growth's figures."""
    import handouts

    print(f"memory of {Path(handouts.__file__).parent.parent.name}'s code, one process as a batch worker:")
    rss = memory_growth(total)
    for count, mb in sorted(rss.items()):
        growth = f"   (growth {mb - rss[100]:+.1f} MB from 100; goal within 10)" if count > 100 in rss else ""
        print(f"RSS after {count:5} docs : {mb:7.1f} MB{growth}", flush=True)


def cold_build(workdir: Path, runs: int = 5) -> float:
    """Median wall time of `handouts build` as a new process."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "handouts", "-q", "build", "-o", str(workdir / "cold.pdf")],
                       check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def print_against(args, workdir: Path) -> None:
    """Time this code's batch against the checkout `args.against`, and print the ratios."""
    handout = args.handout.resolve() if args.handout else None
    content = f"both building {args.handout}" if handout else "each its own bundled handout"
    print(f"against {args.against.name} ({content}; {args.providers} docs, {args.rounds} alternating rounds, "
          f"load average {os.getloadavg()[0]:.2f} before)")
    for jobs, (ours, theirs, ours_cpu, theirs_cpu) in against(workdir, args.against.resolve(), args.providers,
                                                               args.rounds, handout).items():
        print(f"batch -j {jobs} vs {args.against.name}: {ours:6.1f} docs/s against {theirs:5.1f} docs/s  "
              f"(ratio {ours / theirs:.2f}; alternating runs, medians); by CPU time "
              f"{ours_cpu:6.1f} against {theirs_cpu:5.1f} (ratio {ours_cpu / theirs_cpu:.2f})")
    print(f"  load average after: {os.getloadavg()[0]:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--providers", type=int, default=300, help="roster size for the batch runs")
    parser.add_argument("--rounds", type=int, default=5, help="batch runs per job count and size (medians)")
    parser.add_argument("--warm-docs", type=int, default=100, help="documents for the in-process timing")
    parser.add_argument("--memory-docs", type=int, default=5000, help="documents for the memory check")
    parser.add_argument("--against", type=Path, metavar="CHECKOUT",
                        help="also time batch from another checkout of handouts (e.g. `git worktree add "
                             "/tmp/untagged 8251f1f`, the last commit before tagging) and print the ratio")
    parser.add_argument("--handout", type=Path, metavar="FOLDER",
                        help="with --against: the handout folder both versions build (with its brand.yml), "
                             "so both print the same content; default: each its own bundled handout")
    parser.add_argument("--against-only", action="store_true", help="with --against: time only that comparison")
    parser.add_argument("--memory-only", action="store_true",
                        help="only the memory figures (PYTHONPATH=CHECKOUT measures another checkout's code)")
    args = parser.parse_args()
    try:
        import _rl_accel  # noqa: F401
        accel = "yes"
    except ImportError:
        accel = "no"
    print(f"handouts batch benchmark: {os.cpu_count()} cores, Python {sys.version.split()[0]}, rl_accel {accel}")
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        if args.memory_only:
            print_memory(args.memory_docs)
            return
        if args.against and args.against_only:
            print_against(args, workdir)
            return

        ours, plain, ratio = warm_per_document(args.warm_docs)
        print(f"warm, one process      : {ours:7.1f} ms/doc  ({1000 / ours:5.1f} docs/s)")
        print(f"plain Platypus, same text: {plain:5.1f} ms/doc")
        print(f"  ratio ours/plain     : {ratio:7.2f}   (goal <= 1.3; median of alternating blocks)")

        rates = batch_rates(workdir, args.providers, args.rounds)
        for jobs in (1, 2):
            wall, whole, marginal = rates[jobs]
            print(f"batch -j {jobs}, {args.providers} docs   : {whole:6.1f} docs/s  ({wall * 1000 / args.providers:5.1f} ms/doc, "
                  f"{wall:.2f} s wall; marginal {marginal:5.1f} docs/s)")
        print(f"  ratio j2/j1          : {rates[2][1] / rates[1][1]:7.2f} whole command, "
              f"{rates[2][2] / rates[1][2]:.2f} marginal   (goal >= 1.8)")
        same = all((workdir / "out-j1" / f.name).read_bytes() == f.read_bytes()
                   for f in (workdir / "out-j2").glob("*.pdf"))
        print(f"  -j1 and -j2 outputs byte-identical: {same}")

        if args.against:
            print_against(args, workdir)

        print_memory(args.memory_docs)

        cold = cold_build(workdir)
        print(f"cold `handouts build`  : {cold:7.2f} s   (against Typst: typst_compare.py)")


if __name__ == "__main__":
    main()
