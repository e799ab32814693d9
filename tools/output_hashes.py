"""Print the SHA-256 of a fixed set of builds, to show a change of code changes no output.

    python tools/output_hashes.py > before.txt     # on the old code
    python tools/output_hashes.py > after.txt      # on the new code
    diff before.txt after.txt                      # nothing: byte-identical

Each build runs the real `handouts` command (python -m handouts) in a
folder of its own, with SOURCE_DATE_EPOCH fixed so that the dates printed
are the same whenever it runs: the bundled handout as built by default, in
large print, in Spanish, in A4 for a provider and a patient, print-ready,
as the HTML edition; a batch of the demo roster (every PDF and the
manifest); and an e-mail dry run (each .eml file, less what is new in
every message: its Date, Message-ID and MIME boundaries).
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

EPOCH = "1767225600"  # 2026-01-01
PATIENTS = ("id,name,email,provider,layout,unencrypted_ok\n"
            "p01,Ana Pérez,ana@example.com,dr-nunez,,yes\n"
            "p02,Bo O'Hara,bo@example.com,,large-print,yes\n")
BUILDS = {
    "default": ["build", "-o", "out.pdf"],
    "large-print": ["build", "--layout", "large-print", "-o", "out.pdf"],
    "spanish": ["build", "--language", "es", "-o", "out.pdf"],
    "a4-provider-patient": ["build", "clinic", "--layout", "a4", "--provider", "dr-odegaard",
                            "--patient-name", "Zoë Ångström", "-o", "out.pdf"],
    "print-ready": ["build", "--print-ready", "-o", "out.pdf"],
    "html": ["build", "--format", "html", "-o", "out.html"],
}
_VARYING = re.compile(rb"^(Date|Message-ID): .*$", re.M)
_BOUNDARY = re.compile(rb"===============[0-9a-f]+==")  # random: decimal, or 32 hex digits since #26


def handouts(args: list[str], cwd: Path) -> None:
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
    result = subprocess.run([sys.executable, "-m", "handouts", "-q", *args], cwd=cwd, env=env,
                            capture_output=True, text=True)
    if result.returncode:
        sys.exit(f"handouts {' '.join(args)} exited {result.returncode}:\n{result.stderr}")


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        handouts(["init", "clinic"], root)
        for name, args in BUILDS.items():
            folder = root / name
            folder.mkdir()
            (folder / "clinic").symlink_to(root / "clinic")
            handouts(args, folder)
            out = next(folder.glob("out.*"))
            print(f"{sha(out.read_bytes())}  {name}")
        handouts(["batch", "clinic", "-d", "batch", "--format", "pdf,html", "-j", "2"], root)
        for path in sorted((root / "batch").iterdir()):
            print(f"{sha(path.read_bytes())}  batch/{path.name}")
        (root / "patients.csv").write_text(PATIENTS, encoding="utf-8")
        handouts(["email", "clinic", "--patients", "patients.csv", "--outbox", "outbox", "-j", "1"], root)
        for path in sorted((root / "outbox").glob("*.eml")):
            message = _BOUNDARY.sub(b"BOUNDARY", _VARYING.sub(rb"\1: -", path.read_bytes()))
            print(f"{sha(message)}  email/{path.name}")


if __name__ == "__main__":
    main()
