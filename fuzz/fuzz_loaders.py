#!/usr/bin/env python3
"""Coverage-guided fuzzing of the loaders that read clinic files.

Targets (the first input byte picks one, the rest is the file's bytes):

  0  handouts.load.yamlfile.load_yaml           any YAML file
  1  handouts.sections.load_handout        a fuzzed handout.yaml beside valid sections
  2  handouts.sections.load_handout        a valid manifest naming a fuzzed section file
  3  handouts.load.roster.load_roster           a fuzzed providers.csv
  4  handouts.load.roster.load_roster           a fuzzed providers.yaml
  5  handouts.load.brand.load_brand             a fuzzed brand.yml (beside a valid logo)
  6  handouts.layouts.load_layout          a fuzzed layout file
  7  handouts.render.fonts.parse_font      a fuzzed .ttf (parsed, then a trial subset)
  8  handouts.build.render_handout         a small valid handout laid out with a fuzzed layout file
  9  handouts.deliver.batch.merge_manifests  a fuzzed shard manifest merged with a valid one

The contract: a loader either returns or raises handouts.errors.HandoutError
(or handouts.load.reading.ReadError, alias YamlReadError, from load_yaml). Anything else is a
finding. A finding does not stop the run: its input is saved once per
distinct (exception type, raising line) under fuzz/crashes/ with the
traceback beside it, and the run goes on, so one shallow bug does not hide
the others. Set FUZZ_STOP_ON_CRASH=1 to let libFuzzer stop at the first one.

Run (atheris):   python fuzz/fuzz_loaders.py -max_total_time=660 -dict=fuzz/yaml.dict \
                     /tmp/handouts-fuzz-corpus fuzz/seeds
Replay findings: python fuzz/replay.py fuzz/crashes/*.bin
Narrow a run:    FUZZ_TARGETS=brand,roster-csv python fuzz/fuzz_loaders.py ...
"""

from __future__ import annotations

import atexit
import hashlib
import os
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path

import atheris

HERE = Path(__file__).resolve().parent
CRASHES = HERE / "crashes"
STOP_ON_CRASH = os.environ.get("FUZZ_STOP_ON_CRASH") == "1"

with atheris.instrument_imports(include=["handouts", "yaml", "csv", "json", "reportlab.pdfbase.ttfonts"]):
    import yaml  # noqa: F401 - instrumented for coverage

    from handouts.build import prepare, render_handout
    from handouts.deliver.batch import merge_manifests
    from handouts.errors import HandoutError
    from handouts.layouts import load_layout
    from handouts.load.brand import load_brand
    from handouts.load.roster import load_roster
    from handouts.load.yamlfile import YamlReadError, load_yaml
    from handouts.render.fonts import parse_font
    from handouts.sections import load_handout

ALL_TARGETS = ("yaml", "manifest", "section", "roster-csv", "roster-yaml", "brand", "layout", "font",
               "layout-build", "merge-manifest")
# FUZZ_TARGETS=brand,roster-csv narrows a run; the first byte then picks among those.
TARGETS = tuple(t for t in os.environ.get("FUZZ_TARGETS", ",".join(ALL_TARGETS)).split(",") if t in ALL_TARGETS) \
    or ALL_TARGETS

GOOD_SECTION = b"kind: benefits\ntitle: What it does\nbody: |\n  Some text.\n"
GOOD_DISCLOSURE = b"kind: risk_disclosure\ntitle: Risks\nbody: |\n  It can hurt.\n"
GOOD_MANIFEST = (b'title: Knee\nversion: "1.0"\nreviewed: 2026-01-01\n'
                 b"sections:\n  - sections/one.yaml\nrisk_disclosure: sections/risk.yaml\n")
DEMO_BRAND = Path(__file__).resolve().parent.parent / "handouts" / "data" / "brands" / "demo" / "brand.yml"
GOOD_SHARD = (b'{"handout": {"id": "knee", "fingerprint": "ab12"}, '
              b'"documents": [{"provider": "dr-a", "file": "knee--dr-a.pdf"}], "failed": []}')
# A 1x1 PNG, so brand files that name logo.png reach the image checks.
TINY_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082")


class Workspace:
    """A scratch project the targets write their fuzzed file into."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="handouts-fuzz-"))
        atexit.register(shutil.rmtree, self.root, True)
        (self.root / "sections").mkdir()
        (self.root / "sections" / "risk.yaml").write_bytes(GOOD_DISCLOSURE)
        (self.root / "sections" / "one.yaml").write_bytes(GOOD_SECTION)
        (self.root / "logo.png").write_bytes(TINY_PNG)
        self.good_manifest = self.root / "good.yaml"
        self.good_manifest.write_bytes(GOOD_MANIFEST)
        self.section_manifest = self.root / "section-manifest.yaml"
        self.section_manifest.write_bytes(GOOD_MANIFEST.replace(b"sections/one.yaml", b"sections/fuzzed.yaml"))
        self.good_shard = self.root / "good-shard.json"
        self.good_shard.write_bytes(GOOD_SHARD)

    def write(self, name: str, data: bytes) -> Path:
        path = self.root / name
        path.write_bytes(data)
        return path


WS = Workspace()
stats = {"inputs": 0, "findings": 0, "distinct": 0, "started": time.monotonic()}
seen_keys: set[str] = set()


def run_target(index: int, data: bytes) -> None:
    """Feed `data` to target `index`; raise only what the contract forbids."""
    target = TARGETS[index % len(TARGETS)]
    if target == "yaml":
        load_yaml(WS.write("doc.yaml", data))
    elif target == "manifest":
        load_handout(WS.write("handout.yaml", data))
    elif target == "section":
        WS.write("sections/fuzzed.yaml", data)
        load_handout(WS.section_manifest)
    elif target == "roster-csv":
        load_roster(WS.write("providers.csv", data))
    elif target == "roster-yaml":
        load_roster(WS.write("providers.yaml", data))
    elif target == "brand":
        load_brand(WS.write("brand.yml", data))
    elif target == "layout":
        load_layout(WS.write("layout.yaml", data))
    elif target == "font":
        parse_font(data, WS.write("font.ttf", data), "FuzzFont")
    elif target == "layout-build":
        prepared = prepare(WS.good_manifest, brand=DEMO_BRAND, layout=WS.write("layout.yaml", data))
        render_handout(prepared)
    elif target == "merge-manifest":
        merge_manifests([WS.write("shard.json", data), WS.good_shard])


def finding_key(index: int, exc: BaseException) -> str:
    """(target, exception type, innermost frame): one saved input per distinct bug."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = f"{Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else "?"
    return f"{TARGETS[index % len(TARGETS)]}|{type(exc).__name__}|{where}"


def record(index: int, data: bytes, exc: BaseException) -> None:
    stats["findings"] += 1
    key = finding_key(index, exc)
    if key in seen_keys:
        return
    seen_keys.add(key)
    stats["distinct"] += 1
    CRASHES.mkdir(exist_ok=True)
    target = TARGETS[index % len(TARGETS)]
    tag = bytes([ALL_TARGETS.index(target)])  # replayable whatever FUZZ_TARGETS was
    digest = hashlib.sha1(tag + data).hexdigest()[:10]
    stem = f"{target}-{type(exc).__name__}-{digest}"
    (CRASHES / f"{stem}.bin").write_bytes(tag + data)
    (CRASHES / f"{stem}.txt").write_text(
        f"key: {key}\ninput (after the target byte): {data!r}\n\n"
        + "".join(traceback.format_exception(exc)), encoding="utf-8")
    print(f"\n=== FINDING {key} -> fuzz/crashes/{stem}.bin", file=sys.stderr, flush=True)


def TestOneInput(raw: bytes) -> None:  # noqa: N802 - atheris' name
    if not raw:
        return
    stats["inputs"] += 1
    if time.monotonic() - stats.setdefault("reported", stats["started"]) > 60:
        stats["reported"] = time.monotonic()
        summary()
    index, data = raw[0], raw[1:]
    try:
        run_target(index, data)
    except (HandoutError, YamlReadError):
        pass
    except Exception as exc:  # the finding
        if STOP_ON_CRASH:
            raise
        record(index, data, exc)


def summary() -> None:
    elapsed = time.monotonic() - stats["started"]
    rate = stats["inputs"] / elapsed if elapsed else 0.0
    print(f"\nfuzz_loaders: {stats['inputs']} inputs in {elapsed:.0f} s ({rate:.0f}/s); "
          f"{stats['findings']} findings, {stats['distinct']} distinct: {sorted(seen_keys)}",
          file=sys.stderr, flush=True)


def main() -> None:
    atexit.register(summary)
    atheris.Setup(sys.argv, TestOneInput)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
