"""Cold `handouts lint` beside cold `handouts build`, as whole processes.

    python benchmarks/lint_speed.py [--rounds 10]

Editors run lint after every save, so it should cost no more than a build:
the goal is a cold lint of the bundled handout under 0.5 s. Each round runs,
alternating so that machine load falls on all alike:

  lint --no-cache   nothing kept from before: every body parsed and scored
  lint, one edit    as after an editor's save: one section's body changed
                    since the last lint, the others read from lint's cache
  lint, no edit     the same files linted again
  build             the default build
  python            the interpreter alone: how busy the machine is

and prints the median (and min, max) wall-clock and CPU seconds of each
over --rounds runs. Every run is a new process on a copy of the bundled
handout (both editions, English and Spanish). Nothing here asserts.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(args: list[str], cwd: Path, cache: Path) -> tuple[float, float]:
    """Wall-clock and CPU (user + system) seconds of one `handouts` process (`python` alone with args None)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
               HANDOUTS_CACHE_DIR=str(cache))
    # An installed handouts has its .pyc files; without them every run would
    # compile the package again and time that instead.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    command = [sys.executable, "-m", "handouts", *args] if args else [sys.executable, "-c", "pass"]
    done = subprocess.run(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"handouts {' '.join(args)} exited {done.returncode}: {done.stderr.decode()[-500:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def describe(label: str, samples: list[tuple[float, float]]) -> str:
    walls, cpus = [w for w, _ in samples], [c for _, c in samples]
    return (f"{label:<16} wall median {statistics.median(walls):.3f} s (min {min(walls):.3f}, "
            f"max {max(walls):.3f})   cpu median {statistics.median(cpus):.3f} s")


def edit(section: Path, original: str, round_number: int) -> None:
    """Change the section's body as an editor would: one more sentence, different each round."""
    section.write_text(original.rstrip("\n") + f"\n\n  Walk a little farther on day {round_number + 2}.\n",
                       encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work, cache = Path(tmp), Path(tmp) / "cache"
        run(["init", "knee"], work, cache)
        lint = ["lint", "knee", "--today", "2026-11-20"]
        section = work / "knee" / "sections" / "lifestyle.yaml"
        original = section.read_text(encoding="utf-8")
        run(["build", "knee", "-o", "warm.pdf"], work, cache)  # compile .pyc files once, outside the figures
        run(lint, work, cache)
        rows: dict[str, list[tuple[float, float]]] = {
            "lint --no-cache": [], "lint, one edit": [], "lint, no edit": [], "build": [], "python": []}
        load = os.getloadavg()[0]
        for number in range(options.rounds):
            rows["lint --no-cache"].append(run([*lint, "--no-cache"], work, cache))
            edit(section, original, number)
            rows["lint, one edit"].append(run(lint, work, cache))
            rows["lint, no edit"].append(run(lint, work, cache))
            rows["build"].append(run(["build", "knee", "-o", "x.pdf"], work, cache))
            rows["python"].append(run([], work, cache))
    print(f"cold whole-process times, bundled handout (English and Spanish), median of {options.rounds} "
          f"({os.cpu_count()} cores, Python {sys.version.split()[0]}, load average "
          f"{load:.1f} before, {os.getloadavg()[0]:.1f} after)")
    for label, samples in rows.items():
        print(describe(label, samples))
    build = statistics.median(w for w, _ in rows["build"])
    for label in ("lint --no-cache", "lint, one edit", "lint, no edit"):
        print(f"{label} / build wall ratio {statistics.median(w for w, _ in rows[label]) / build:.2f}")
    print("goal: lint under 0.5 s")


if __name__ == "__main__":
    main()
