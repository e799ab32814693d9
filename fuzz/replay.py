#!/usr/bin/env python3
"""Replay saved fuzz findings: python fuzz/replay.py fuzz/crashes/*.bin

Each .bin file is one input: its first byte names the target (an index into
targets.ALL_TARGETS), the rest is the file's bytes. Prints, per input,
whether the target now keeps its contract (returns, or raises HandoutError /
YamlReadError) or still raises something else, with the traceback.
Exit 1 while any input still breaks the contract. Needs no atheris.
"""

from __future__ import annotations

import sys
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def main(files: list[str]) -> int:
    from targets import ALL_TARGETS, Workspace, run

    from handouts.errors import HandoutError
    from handouts.load.yamlfile import YamlReadError

    broken = 0
    for name in files:
        raw = Path(name).read_bytes()
        target, data = ALL_TARGETS[raw[0] % len(ALL_TARGETS)], raw[1:]
        try:
            run(target, data, Workspace())
            print(f"ok       {name} ({target}): loaded")
        except (HandoutError, YamlReadError) as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            print(f"ok       {name} ({target}): {first}")
        except Exception as exc:  # still a finding
            broken += 1
            print(f"FINDING  {name} ({target}): {type(exc).__name__}: {exc}")
            traceback.print_exception(exc, limit=-3)
    print(f"{len(files)} inputs, {broken} still break the contract")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
