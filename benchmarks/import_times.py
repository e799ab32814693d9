"""What a cold `handouts build` imports, and what each part costs: `python -X importtime`.

    python benchmarks/import_times.py [--runs 5] [--top 25] [--no-cache] [--against CHECKOUT ...]

Runs `python -X importtime -m handouts -q build` of the bundled handout
--runs times (after one build that fills this run's cache folder, as a
clinic's builds after its first find it; --no-cache times a first build
instead, each with an empty cache folder, which works everything out
again, in any checkout) and reads the import log Python
writes to stderr. For each module it takes the median of its own ("self")
time over the runs, and prints:

- the totals: modules imported, and the sum of their own times;
- the same grouped by what owns them (a third-party package, or one of
  handouts' stages: handouts.render, handouts.load, ...);
- the --top modules by their own time.

With --against CHECKOUT (a `git worktree` of an earlier commit), that
checkout's build runs in the same rounds, and the tables get a column for it,
plus the modules one tree imports and the other does not: the before/after
list of the issue. Each tree's package is byte-compiled first (this machine
sets PYTHONDONTWRITEBYTECODE=1, under which an editable install would
compile handouts' modules from source on every run, as no installed copy
does).

`-X importtime` adds its own cost to every import (about a tenth here), so
its sums are larger than an import's wall time; compare columns, not these
sums with `typst_compare.py`'s seconds. Nothing here asserts.
"""

from __future__ import annotations

import argparse
import compileall
import os
import statistics
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def parse_importtime(log: str) -> dict[str, int]:
    """{module: its own import time in microseconds} from `-X importtime`'s lines."""
    own: dict[str, int] = {}
    for line in log.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, _cumulative, name = line[len("import time:"):].split("|")
        own[name.strip()] = int(self_us)
    return own


def owner(module: str) -> str:
    """Who a module belongs to: handouts' stage (handouts.render) or the top-level package."""
    parts = module.split(".")
    if parts[0] == "handouts":
        return ".".join(parts[:2])
    return parts[0]


def import_log(tree: Path, work: Path, env: dict[str, str]) -> dict[str, int]:
    """One cold build's imports, run from `tree` (whose own package it imports)."""
    out = work / f"{tree.name}.pdf"
    command = [sys.executable, "-X", "importtime", "-m", "handouts", "-q", "build", "-o", str(out)]
    done = subprocess.run(command, cwd=tree, env=env, capture_output=True, text=True, check=True)
    return parse_importtime(done.stderr)


def medians(runs: list[dict[str, int]]) -> dict[str, float]:
    """Each module's median own time over the runs it appeared in."""
    seen: dict[str, list[int]] = defaultdict(list)
    for run in runs:
        for name, micros in run.items():
            seen[name].append(micros)
    return {name: statistics.median(values) for name, values in seen.items()}


def grouped(times: dict[str, float]) -> dict[str, float]:
    groups: dict[str, float] = defaultdict(float)
    for name, micros in times.items():
        groups[owner(name)] += micros
    return groups


def report(trees: list[Path], result: dict[Path, dict[str, float]], top: int) -> None:
    names = [tree.name for tree in trees]
    header = "".join(f"{name:>14}" for name in names)
    print(f"{'':34}{header}")
    print(f"{'modules imported':34}" + "".join(f"{len(result[t]):>14}" for t in trees))
    print(f"{'sum of own times, ms':34}" + "".join(f"{sum(result[t].values()) / 1000:>14.1f}" for t in trees))
    own = {tree: [n for n in result[tree] if n.split(".")[0] == "handouts"] for tree in trees}
    print(f"{'handouts own modules':34}" + "".join(f"{len(own[t]):>14}" for t in trees))
    print(f"{'  their own times, ms':34}" + "".join(f"{sum(result[t][n] for n in own[t]) / 1000:>14.1f}" for t in trees))
    groups = {tree: grouped(result[tree]) for tree in trees}
    order = sorted(set().union(*groups.values()), key=lambda g: -max(groups[t].get(g, 0) for t in trees))
    print("\nby owner, ms of own import time (median of the runs)")
    for group in order[:top]:
        print(f"  {group:32}" + "".join(f"{groups[t].get(group, 0) / 1000:>14.1f}" for t in trees))
    first = result[trees[0]]
    print(f"\n{top} modules with the largest own time in {names[0]}, ms")
    for name in sorted(first, key=lambda n: -first[n])[:top]:
        print(f"  {name:40}" + "".join(f"{result[t].get(name, 0) / 1000:>8.1f}" for t in trees))
    for other in trees[1:]:
        for label, a, b in ((f"imported by {other.name}, not by {names[0]}", other, trees[0]),
                            (f"imported by {names[0]}, not by {other.name}", trees[0], other)):
            only = sorted(set(result[a]) - set(result[b]), key=lambda n: -result[a][n])
            total = sum(result[a][n] for n in only) / 1000
            print(f"\n{label}: {len(only)} modules, {total:.1f} ms")
            for name in only[:top]:
                print(f"  {name:48}{result[a][name] / 1000:8.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--no-cache", action="store_true", help="a first build's imports (an empty cache each run)")
    parser.add_argument("--against", type=Path, action="append", default=[],
                        help="another checkout (e.g. a git worktree of an earlier commit) to compare")
    args = parser.parse_args()
    trees = [REPO, *(tree.resolve() for tree in args.against)]
    for tree in trees:
        compileall.compile_dir(tree / "handouts", quiet=1)
    kind = "a first build (an empty cache)" if args.no_cache else "a build that finds its cache"
    print(f"imports of {kind}, median of {args.runs} runs; load average {os.getloadavg()[0]:.2f} before")
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        runs: dict[Path, list[dict[str, int]]] = {tree: [] for tree in trees}
        envs = {tree: dict(os.environ, HANDOUTS_CACHE_DIR=str(work / f"cache-{tree.name}"),
                           PYTHONPATH=str(tree)) for tree in trees}
        for tree in trees:
            import_log(tree, work, envs[tree])  # fills the cache the timed builds find
        for round_ in range(args.runs):
            # Each round starts with another tree: the first process after a pause runs slower.
            for tree in trees[round_ % len(trees):] + trees[:round_ % len(trees)]:
                if args.no_cache:
                    envs[tree]["HANDOUTS_CACHE_DIR"] = tempfile.mkdtemp(dir=work)
                runs[tree].append(import_log(tree, work, envs[tree]))
        report(trees, {tree: medians(runs[tree]) for tree in trees}, args.top)
    print(f"\nload average {os.getloadavg()[0]:.2f} after")


if __name__ == "__main__":
    main()
