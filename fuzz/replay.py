#!/usr/bin/env python3
"""Replay saved fuzz findings: python fuzz/replay.py fuzz/crashes/*.bin

Each .bin file is one input: its first byte names the target (an index into
fuzz_loaders.ALL_TARGETS), the rest is the file's bytes. Prints, per input,
whether the loader now keeps its contract (returns, or raises HandoutError /
YamlReadError) or still raises something else, with the traceback.
Exit 1 while any input still breaks the contract. Needs no atheris.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import traceback
from pathlib import Path

ALL_TARGETS = ("yaml", "manifest", "section", "roster-csv", "roster-yaml", "brand", "layout", "font",
               "layout-build", "merge-manifest")
GOOD_SECTION = b"kind: benefits\ntitle: What it does\nbody: |\n  Some text.\n"
GOOD_DISCLOSURE = b"kind: risk_disclosure\ntitle: Risks\nbody: |\n  It can hurt.\n"
DEMO_BRAND = Path(__file__).resolve().parent.parent / "handouts" / "data" / "brands" / "demo" / "brand.yml"
GOOD_SHARD = (b'{"handout": {"id": "knee", "fingerprint": "ab12"}, '
              b'"documents": [{"provider": "dr-a", "file": "knee--dr-a.pdf"}], "failed": []}')
GOOD_MANIFEST = (b'title: Knee\nversion: "1.0"\nreviewed: 2026-01-01\n'
                 b"sections:\n  - sections/fuzzed.yaml\nrisk_disclosure: sections/risk.yaml\n")


def run(target: str, data: bytes, root: Path) -> None:
    from handouts.build import prepare, render_handout
    from handouts.deliver.batch import merge_manifests
    from handouts.layouts import load_layout
    from handouts.render.fonts import parse_font
    from handouts.load.brand import load_brand
    from handouts.load.roster import load_roster
    from handouts.load.yamlfile import load_yaml
    from handouts.sections import load_handout

    (root / "sections").mkdir(exist_ok=True)
    (root / "sections" / "risk.yaml").write_bytes(GOOD_DISCLOSURE)
    (root / "sections" / "fuzzed.yaml").write_bytes(GOOD_SECTION)
    (root / "section-manifest.yaml").write_bytes(GOOD_MANIFEST)
    (root / "sections" / "one.yaml").write_bytes(GOOD_SECTION)
    (root / "good.yaml").write_bytes(GOOD_MANIFEST.replace(b"sections/fuzzed.yaml", b"sections/one.yaml"))
    (root / "good-shard.json").write_bytes(GOOD_SHARD)
    names = {"yaml": "doc.yaml", "manifest": "handout.yaml", "section": "sections/fuzzed.yaml",
             "roster-csv": "providers.csv", "roster-yaml": "providers.yaml", "brand": "brand.yml",
             "layout": "layout.yaml", "font": "font.ttf", "layout-build": "layout.yaml",
             "merge-manifest": "shard.json"}
    path = root / names[target]
    path.write_bytes(data)
    {"yaml": lambda: load_yaml(path), "manifest": lambda: load_handout(path),
     "section": lambda: load_handout(root / "section-manifest.yaml"),
     "roster-csv": lambda: load_roster(path), "roster-yaml": lambda: load_roster(path),
     "brand": lambda: load_brand(path), "layout": lambda: load_layout(path),
     "font": lambda: parse_font(data, path, "ReplayFont"),
     "layout-build": lambda: render_handout(prepare(root / "good.yaml", brand=DEMO_BRAND, layout=path)),
     "merge-manifest": lambda: merge_manifests([path, root / "good-shard.json"])}[target]()


def main(files: list[str]) -> int:
    from handouts.errors import HandoutError
    from handouts.load.yamlfile import YamlReadError

    broken = 0
    for name in files:
        raw = Path(name).read_bytes()
        target, data = ALL_TARGETS[raw[0] % len(ALL_TARGETS)], raw[1:]
        root = Path(tempfile.mkdtemp(prefix="handouts-replay-"))
        try:
            run(target, data, root)
            print(f"ok       {name} ({target}): loaded")
        except (HandoutError, YamlReadError) as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            print(f"ok       {name} ({target}): {first}")
        except Exception as exc:  # still a finding
            broken += 1
            print(f"FINDING  {name} ({target}): {type(exc).__name__}: {exc}")
            traceback.print_exception(exc, limit=-3)
        finally:
            shutil.rmtree(root, ignore_errors=True)
    print(f"{len(files)} inputs, {broken} still break the contract")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
