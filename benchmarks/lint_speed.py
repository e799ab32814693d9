"""Cold `handouts lint` beside cold `handouts build`, as whole processes.

    python benchmarks/lint_speed.py [--rounds 10]

Editors run lint after every save, so it should cost no more than a build:
the goal is a cold lint of the bundled handout under 0.5 s. Prints the
median (and min, max) wall-clock and CPU seconds of each command over
--rounds runs, alternating the two so machine load falls on both alike,
and the bare interpreter's start-up beside them as a measure of how busy
the machine was.
Nothing here asserts.
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


def run(args: list[str], cwd: Path) -> tuple[float, float]:
    """Wall-clock and CPU (user + system) seconds of one `handouts` process (`python` alone with args None)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    # An installed handouts has its .pyc files; without them every run would
    # compile the package again and time that instead.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    command = [sys.executable, "-m", "handouts", *args] if args else [sys.executable, "-c", "pass"]
    done = subprocess.run(command, cwd=cwd, env=env,
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):
        raise SystemExit(f"handouts {' '.join(args)} exited {done.returncode}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def describe(label: str, samples: list[tuple[float, float]]) -> str:
    walls, cpus = [w for w, _ in samples], [c for _, c in samples]
    return (f"{label:<6} wall median {statistics.median(walls):.3f} s (min {min(walls):.3f}, "
            f"max {max(walls):.3f})   cpu median {statistics.median(cpus):.3f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        run(["build", "-o", "warm.pdf"], work)  # compile .pyc files once, outside the figures
        lint, build, bare = [], [], []
        load = os.getloadavg()[0]
        for _ in range(options.rounds):
            lint.append(run(["lint"], work))
            build.append(run(["build", "-o", "x.pdf"], work))
            bare.append(run([], work))
    print(f"cold whole-process times, bundled handout, median of {options.rounds} "
          f"({os.cpu_count()} cores, Python {sys.version.split()[0]}, load average "
          f"{load:.1f} before, {os.getloadavg()[0]:.1f} after)")
    print(describe("lint", lint))
    print(describe("build", build))
    print(describe("python", bare) + "   (the interpreter alone: how busy the machine is)")
    ratio = statistics.median(w for w, _ in lint) / statistics.median(w for w, _ in build)
    print(f"lint/build wall ratio {ratio:.2f} (goal: lint under 0.5 s)")


if __name__ == "__main__":
    main()
