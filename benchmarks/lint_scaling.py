"""Lint and layout time against input size: both must grow linearly.

    python benchmarks/lint_scaling.py [--skip-layout] [--phrases 20000]

Prints:
- `handouts lint` time (in this process, after one warm-up) for one section
  whose body repeats a claim ("It may cure you. ") to 10 KB, 100 KB and 1 MB
  (just under the 1 MB file limit), and the 1 MB / 100 KB ratio (goal: at
  most 15; linear is 10). Before issue 10 the claim check rescanned the text
  from its start for every match: 8,000 repeats took 32.5 s and 975 KB over
  25 minutes;
- lint time of the bundled handout with --phrases clinic phrases in lint.yaml
  (was 57 s for 20,000);
- layout (render) time of one paragraph of 10 KB, 100 KB and 400 KB of plain
  words, and the 400 KB / 100 KB ratio (linear is 4).
Nothing here asserts: it prints figures to compare across changes.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from handouts import lint_handout

CLAIM = "It may cure you. "
WORDS = ("knee", "shot", "pain", "walk", "rest", "ice", "cells", "study", "doctor", "week", "swelling", "brace")


def project(folder: Path) -> Path:
    """A copy of `handouts init` output to mutate."""
    from click.testing import CliRunner

    from handouts.cli import cli

    target = folder / "clinic"
    result = CliRunner().invoke(cli, ["init", str(target)])
    assert result.exit_code == 0, result.output
    return target


def set_body(clinic: Path, body: str) -> None:
    """Make sections/cost.yaml one section with `body`."""
    data = {"kind": "cost", "title": "Cost", "body": body}
    (clinic / "sections" / "cost.yaml").write_text(
        yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10**9), encoding="utf-8")


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def lint_sizes(clinic: Path) -> None:
    times = {}
    set_body(clinic, CLAIM * 10)
    lint_handout(clinic)  # warm-up: imports, fonts
    for label, size in (("10 KB", 10_000), ("100 KB", 100_000), ("1 MB", 975_000)):
        set_body(clinic, CLAIM * (size // len(CLAIM)))
        times[label] = timed(lambda: lint_handout(clinic))
        print(f"lint, body of {label:>6} repeating a claim: {times[label]:7.2f} s", flush=True)
    print(f"lint ratio 1 MB / 100 KB: {times['1 MB'] / times['100 KB']:.1f} (goal <= 15; linear is 10)")


def lint_phrases(clinic: Path, count: int) -> None:
    rng = random.Random(10)
    letters = "abcdefghijklmnopqrstuvwxyz"
    phrases = {" ".join("".join(rng.choice(letters) for _ in range(rng.randint(4, 9)))
                        for _ in range(rng.randint(1, 3))) for _ in range(count)}
    set_body(clinic, "Most people pay for this treatment themselves.")
    (clinic / "lint.yaml").write_text(yaml.safe_dump({"claims": {"add": sorted(phrases)}}), encoding="utf-8")
    seconds = timed(lambda: lint_handout(clinic))
    (clinic / "lint.yaml").unlink()
    print(f"lint with {len(phrases):,} phrases in lint.yaml: {seconds:7.2f} s")


def layout_sizes(clinic: Path) -> None:
    from handouts import build_handout

    times = {}
    for label, size in (("10 KB", 10_000), ("100 KB", 100_000), ("400 KB", 395_000)):
        words, length = [], 0
        while length < size:
            word = WORDS[len(words) % len(WORDS)]
            words.append(word)
            length += len(word) + 1
        set_body(clinic, " ".join(words) + ".")
        times[label] = timed(lambda: build_handout(clinic, output=clinic / "out.pdf", allow_lint_errors=True))
        print(f"build, one paragraph of {label:>6}: {times[label]:7.2f} s", flush=True)
    print(f"layout ratio 400 KB / 100 KB: {times['400 KB'] / times['100 KB']:.1f} (linear is 4)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--phrases", type=int, default=20_000)
    parser.add_argument("--skip-layout", action="store_true")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="lint-scaling-"))
    try:
        clinic = project(folder)
        lint_sizes(clinic)
        lint_phrases(clinic, args.phrases)
        if not args.skip_layout:
            layout_sizes(clinic)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
