#!/usr/bin/env python3
"""Coverage-guided fuzzing of the code that reads clinic files, templates and patients files.

The targets (the first input byte picks one, the rest is the file's bytes)
and what each does with its bytes are in targets.py, which replay.py shares.

The contract: a target either returns or raises handouts.errors.HandoutError
(or handouts.load.reading.ReadError, alias YamlReadError, from load_yaml).
Anything else is a finding. A finding does not stop the run: its input is
saved once per distinct (exception type, raising line) under fuzz/crashes/
with the traceback beside it, and the run goes on, so one shallow bug does
not hide the others. Set FUZZ_STOP_ON_CRASH=1 to let libFuzzer stop at the
first one.

Run (atheris):   python fuzz/fuzz_loaders.py -max_total_time=660 -dict=fuzz/yaml.dict \
                     /tmp/handouts-fuzz-corpus fuzz/seeds
Replay findings: python fuzz/replay.py fuzz/crashes/*.bin
Narrow a run:    FUZZ_TARGETS=brand,roster-csv python fuzz/fuzz_loaders.py ...
"""

from __future__ import annotations

import atexit
import hashlib
import os
import sys
import time
import traceback
from pathlib import Path

import atheris

HERE = Path(__file__).resolve().parent
CRASHES = HERE / "crashes"
STOP_ON_CRASH = os.environ.get("FUZZ_STOP_ON_CRASH") == "1"

sys.path.insert(0, str(HERE))
with atheris.instrument_imports(include=["handouts", "yaml", "csv", "json", "reportlab.pdfbase.ttfonts", "jinja2",
                                         "email_validator"]):
    import yaml  # noqa: F401 - instrumented for coverage

    from handouts.errors import HandoutError
    from handouts.load.yamlfile import YamlReadError
    from targets import ALL_TARGETS, Workspace, run

# FUZZ_TARGETS=brand,roster-csv narrows a run; the first byte then picks among those.
TARGETS = tuple(t for t in os.environ.get("FUZZ_TARGETS", ",".join(ALL_TARGETS)).split(",") if t in ALL_TARGETS) \
    or ALL_TARGETS


WS = Workspace()
stats = {"inputs": 0, "findings": 0, "distinct": 0, "started": time.monotonic()}
seen_keys: set[str] = set()


def run_target(index: int, data: bytes) -> None:
    """Feed `data` to target `index`; raise only what the contract forbids."""
    run(TARGETS[index % len(TARGETS)], data, WS)


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
