"""Lint and build time of hostile bodies at 1x, 2x and 4x their size: each must grow linearly.

    python benchmarks/hostile_scaling.py [--only NAME ...] [--timeout 120] [--sizes 1,2,4]

The first cases (CASES) are section bodies that lint passed and build took
far too long on, or failed on (issue #20, item 7), at 4x the size the
issue measured; most are now refused, at once, for a limit. The others
(ACCEPTED) are the same kinds of body up to those limits (4x is at the
limit): the slowest inputs that still build.
Every run is a fresh `python -m handouts` process (`lint --no-cache`, then
`build --allow-lint-errors`), so a figure includes start-up (about half a
second) and nothing is left warm from the run before. Prints each case's
seconds at each size, wall and CPU (the machine is shared: CPU time is the
steadier figure), the exit code when it is not 0, and the 4x / 1x ratio
of CPU time (linear is 4; start-up pulls small cases below it). Nothing here
asserts: the hostile cases (tests/hostile/cases/slow-*) check what these
inputs print or why they are refused; this shows how long that takes.
Goal: under 5 s for each.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
BASE = ROOT / "tests" / "hostile" / "base"
LOGO = ROOT / "handouts" / "data" / "brands" / "demo" / "logo.png"


def long_word(n: int) -> str:
    return "Before " + "abcdefghij" * (n // 10) + " after."


def repeated(unit: str):
    return lambda n: unit * (n // len(unit))


def list_items(n: int) -> str:
    return "\n".join(f"- item {i}" for i in range(n))


def table(rows: int, columns: int = 20) -> str:
    head = "| " + " | ".join(f"h{c}" for c in range(columns)) + " |"
    rule = "|" + "---|" * columns
    body = "\n".join("| " + " | ".join(f"{r}.{c}" for c in range(columns)) + " |" for r in range(rows))
    return f"{head}\n{rule}\n{body}"


def cell(text: str) -> str:
    return f"| Question | Answer |\n| --- | --- |\n| Why? | {text} |"


def links(n: int) -> str:
    return " ".join(f"[site {i}](https://example.org/{i})" for i in range(n))


def headings(n: int) -> str:
    return "\n\n".join(f"## Part {i}\n\nA short paragraph under part {i}." for i in range(n))


def prose(n: int) -> str:
    words = " ".join(("knee", "shot", "pain", "walk", "rest", "ice", "cells", "study", "doctor", "week")) + " "
    return (words * (n // len(words) + 1))[:n - 1].rstrip() + "."


def title(n: int) -> str:
    return prose(n)


# name: (body maker, size at 1x, what the size counts). The cases,
# its size at 4x: what lint passed and build took minutes over (or exited
# 3 on); most are refused now, at once.
CASES = {
    "long-word": (long_word, 40_000, "characters in one word"),
    "brackets": (repeated("["), 225_000, "characters of ["),
    "star-underscore": (repeated("*_"), 225_000, "characters of *_"),
    "less-than": (repeated("<"), 225_000, "characters of <"),
    "entity-starts": (repeated("&#"), 225_000, "characters of &#"),
    "star-a": (repeated("*a"), 225_000, "characters of *a"),
    "list-items": (list_items, 7_500, "list items"),
    "table-rows": (table, 500, "rows of 20 columns"),
    "links": (links, 5_000, "links"),
    "headings": (headings, 100, "heading and paragraph pairs"),
    "colons": (repeated(":"), 225_000, "characters of :"),
    "title": (title, 99_000, "characters of plain words in a section title"),
    "table-cell": (lambda n: cell(prose(n)), 97_500, "characters of plain words in one table cell"),
    "prose": (prose, 100_000, "characters of plain words"),
}
# The same kinds of body up to the limits they are now held to
# (load.commonmark): 4x is at the limit, the slowest input that builds.
ACCEPTED = {
    "long-word-max": (long_word, 99_000, "characters in one word (400,000 at most)"),
    "star-a-max": (repeated("*a"), 4_990, "characters of *a (10,000 marks at most)"),
    "less-than-max": (repeated("<"), 248, "characters of < (1,000 at most)"),
    "list-items-max": (list_items, 500, "list items (2,000 at most)"),
    "table-rows-max": (table, 24, "rows of 20 columns (2,000 cells at most)"),
    "links-max": (links, 248, "links (1,000 '[' at most)"),
    "headings-max": (headings, 312, "heading and paragraph pairs (5,000 lines at most)"),
    "prose-max": (prose, 99_000, "characters of plain words (400,000 at most)"),
    "title-max": (title, 1_250, "characters of plain words in a section title (5,000 at most)"),
    "table-cell-max": (lambda n: cell(prose(n)), 5_000, "characters of plain words in one table cell (20,000 at most)"),
}


def make_project(folder: Path, body: str, in_title: bool = False) -> Path:
    project = folder / "proj"
    if project.exists():
        shutil.rmtree(project)
    shutil.copytree(BASE, project)
    shutil.copy2(LOGO, project / "logo.png")
    data = {"kind": "how_it_works", "title": body if in_title else "How it works",
            "body": "A short body." if in_title else body}
    (project / "sections" / "one.yaml").write_text(
        yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10**9), encoding="utf-8")
    return project


def run(args: list[str], cwd: Path, timeout: float) -> tuple[float, float, str]:
    """Wall seconds, CPU seconds (user and system, of the child) and the exit code (or 'timeout')."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    try:
        proc = subprocess.run([sys.executable, "-m", "handouts", *args], cwd=cwd, capture_output=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        return timeout, float("nan"), "timeout"
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, str(proc.returncode)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="*", default=None, help="case names (default: all)")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds before a run is stopped")
    parser.add_argument("--sizes", default="1,2,4", help="multiples of each case's 1x size")
    args = parser.parse_args()
    multiples = [int(m) for m in args.sizes.split(",")]
    folder = Path(tempfile.mkdtemp(prefix="hostile-scaling-"))
    cases = {**CASES, **ACCEPTED}
    try:
        for name in args.only or cases:
            make, unit, what = cases[name]
            times: dict[str, list[float]] = {"lint": [], "build": []}  # CPU seconds
            for multiple in multiples:
                size = unit * multiple
                project = make_project(folder, make(size), in_title=name.startswith("title"))
                lint = run(["lint", "--no-cache", str(project)], folder, args.timeout)
                build = run(["build", "--allow-lint-errors", str(project), "-o", str(folder / "out.pdf")],
                            folder, args.timeout)
                shown = []
                for label, (wall, cpu, code) in (("lint", lint), ("build", build)):
                    times[label].append(cpu)
                    status = "" if code == "0" else (" (over the time limit)" if code == "timeout" else f" (exit {code})")
                    shown.append(f"{label} {wall:6.2f} s ({cpu:5.2f} s CPU){status}")
                print(f"{name:16} {multiple}x {size:>9,} {what}: " + ", ".join(shown), flush=True)
            if len(multiples) > 1:
                ratios = ", ".join(f"{label} {values[-1] / values[0]:.1f}" for label, values in times.items())
                print(f"{name:16} {multiples[-1]}x / {multiples[0]}x CPU: {ratios} (linear is "
                      f"{multiples[-1] / multiples[0]:.0f})", flush=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
