"""`handouts batch` under real operations: overlapping runs, two handouts in one
folder, killed parents, SIGTERM, leftovers of a killed run.

These start real `handouts batch` processes and interleave them at chosen
points (while another holds the folder), then check that every manifest
describes the files beside it byte for byte.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from helpers import invoke
from pypdf import PdfReader

LOCK_NAME = ".handouts.lock"  # documented in the README: operators see it
MANIFEST = "stem-cell-knee.manifest.json"


def write_roster(path: Path, count: int, changed: int = 0) -> None:
    """`count` providers; with `changed`, every `changed`-th one has a new phone number ((555) 020-...)."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "name", "credentials", "phone", "email", "location"])
        for i in range(count):
            exchange = "020" if changed and i % changed == 0 else "010"
            writer.writerow([f"p{i:03d}", f"Provider {i}", "MD", f"(555) {exchange}-{i:04d}",
                             f"p{i}@clinic.example", "Springfield"])


def start_batch(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "handouts", "batch", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for(condition, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def assert_manifest_matches_files(out: Path, manifest_name: str = MANIFEST, complete: bool = True) -> dict:
    """Every document the manifest lists is the file beside it, byte for byte; `complete`: no PDF is unlisted."""
    manifest = json.loads((out / manifest_name).read_text(encoding="utf-8"))
    listed = set()
    for doc in manifest["documents"]:
        data = (out / doc["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == doc["sha256"], f"{doc['file']} is not what the manifest says"
        assert len(data) == doc["bytes"]
        listed.add(doc["file"])
    prefix = manifest["handout"]["id"] + "--"
    if complete:
        assert {p.name for p in out.glob(f"{prefix}*.pdf")} == listed
    return manifest


def text_of(path: Path) -> str:
    return " ".join(" ".join(page.extract_text() or "" for page in PdfReader(path).pages).split())


def children_of(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry))
    return found


def alive(pid: int) -> bool:
    """Running, as opposed to gone or a zombie waiting for a reaper."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_overlapping_batches_are_refused_or_wait_and_the_manifest_always_matches(tmp_path):
    old, new = tmp_path / "old.csv", tmp_path / "new.csv"
    # Long enough a run (200 documents in one process) for the others to start while it holds the folder.
    write_roster(old, 200)
    write_roster(new, 200, changed=10)  # a new roster version: every 10th phone number changed
    out = tmp_path / "out"
    first = start_batch("--providers", str(old), "-d", str(out), "-j", "1")
    # Chosen point: the first run holds the folder and is half-way through its PDFs.
    wait_for(lambda: len(list(out.glob("*.pdf"))) >= 3 or first.poll() is not None)
    assert first.poll() is None, "the first batch ended before the test could overlap it"
    assert (out / LOCK_NAME).is_file()

    refused = subprocess.run([sys.executable, "-m", "handouts", "batch", "--providers", str(new), "-d", str(out),
                              "-j", "1"], capture_output=True, text=True, timeout=120, check=False)
    assert first.poll() is None, "the first batch ended before the second one asked for the folder"
    assert refused.returncode == 1, refused.stderr
    assert f"process {first.pid}" in refused.stderr and "since" in refused.stderr and "--wait" in refused.stderr
    assert "Traceback" not in refused.stderr

    waiting = start_batch("--providers", str(new), "-d", str(out), "-j", "1", "--wait", "300")
    assert first.communicate(timeout=300)[0] and first.returncode == 0
    stdout, stderr = waiting.communicate(timeout=300)
    assert waiting.returncode == 0, stderr
    assert "waiting" in stderr and f"process {first.pid}" in stderr, "the second batch did not wait for the first"
    assert "built 20, unchanged 180" in stdout

    manifest = assert_manifest_matches_files(out)
    assert len(manifest["documents"]) == 200
    for i in (0, 150, 190):
        assert f"(555) 020-{i:04d}" in text_of(out / f"stem-cell-knee--p{i:03d}.pdf")
    assert "(555) 010-0151" in text_of(out / "stem-cell-knee--p151.pdf")
    assert not (out / LOCK_NAME).exists()
    assert not list(out.glob(".*.part"))


def test_two_handouts_in_one_folder_keep_both_manifests(tmp_path, minimal_project):
    roster = tmp_path / "roster.csv"
    write_roster(roster, 3)
    out = tmp_path / "out"
    assert invoke(["batch", "--providers", str(roster), "-d", str(out), "-j", "1"]).exit_code == 0
    result = invoke(["batch", str(minimal_project), "--providers", str(roster), "-d", str(out), "-j", "1"])
    assert result.exit_code == 0, result.output

    knee = assert_manifest_matches_files(out, "stem-cell-knee.manifest.json")
    case = assert_manifest_matches_files(out, "case-handout.manifest.json")
    assert knee["handout"]["id"] == "stem-cell-knee" and case["handout"]["id"] == "case-handout"
    assert [d["file"] for d in knee["documents"]] == [f"stem-cell-knee--p{i:03d}.pdf" for i in range(3)]
    assert [d["file"] for d in case["documents"]] == [f"case-handout--p{i:03d}.pdf" for i in range(3)]
    assert "case-handout.manifest.json" in result.stdout

    again = invoke(["batch", "--providers", str(roster), "-d", str(out), "-j", "1"])
    assert "built 0, unchanged 3" in again.stdout, "the second handout's run spoilt the first one's manifest"


def test_a_manifest_json_of_an_earlier_version_is_reused_and_renamed(tmp_path):
    roster = tmp_path / "roster.csv"
    write_roster(roster, 3)
    out = tmp_path / "out"
    assert invoke(["batch", "--providers", str(roster), "-d", str(out), "-j", "1"]).exit_code == 0
    (out / MANIFEST).rename(out / "manifest.json")

    result = invoke(["batch", "--providers", str(roster), "-d", str(out), "-j", "1"])

    assert result.exit_code == 0, result.output
    assert "built 0, unchanged 3" in result.stdout
    assert not (out / "manifest.json").exists()
    assert_manifest_matches_files(out)


def test_a_manifest_json_of_another_handout_is_left_alone(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    other = {"handout": {"id": "other-handout", "version": "1", "reviewed": "2026-01-01", "fingerprint": "0" * 64},
             "documents": [], "failed": []}
    (out / "manifest.json").write_text(json.dumps(other), encoding="utf-8")
    roster = tmp_path / "roster.csv"
    write_roster(roster, 2)
    assert invoke(["batch", "--providers", str(roster), "-d", str(out), "-j", "1"]).exit_code == 0
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8")) == other


def test_a_rerun_removes_what_a_killed_run_left_and_takes_over_its_lock(tmp_path):
    roster = tmp_path / "roster.csv"
    write_roster(roster, 2)
    out = tmp_path / "out"
    out.mkdir()
    ours = [out / ".stem-cell-knee--p000.pdf.k3j_x9a2.part", out / f".{MANIFEST}.a8b7c6d5.part"]
    theirs = [out / ".notes.txt.a1b2c3d4.part", out / "stem-cell-knee--p000.pdf.part", out / ".keep.part"]
    for path in ours + theirs:
        path.write_bytes(b"%PDF-1.4 half a file")
    (out / LOCK_NAME).write_text(json.dumps({"pid": 999999, "host": "ward-3", "started": "2026-11-29 03:00:00 UTC",
                                             "purpose": "batch"}), encoding="utf-8")

    result = invoke(["batch", "--providers", str(roster), "-d", str(out), "-j", "1"])

    assert result.exit_code == 0, result.output
    assert not [p for p in ours if p.exists()], "a killed run's temporary file was left"
    assert all(p.exists() for p in theirs), "a file that handouts did not make was removed"
    assert "took over the lock" in result.stderr and "process 999999 on host ward-3" in result.stderr
    assert not (out / LOCK_NAME).exists()
    assert_manifest_matches_files(out)


def _start_and_reach_workers(tmp_path: Path, count: int = 80) -> tuple[subprocess.Popen, Path, list[int]]:
    roster = tmp_path / "roster.csv"
    write_roster(roster, count)
    out = tmp_path / "out"
    parent = start_batch("--providers", str(roster), "-d", str(out), "-j", "2")
    wait_for(lambda: len(list(out.glob("*.pdf"))) >= 4 or parent.poll() is not None)
    assert parent.poll() is None, "the batch ended before the test could stop it"
    workers = children_of(parent.pid)
    assert len(workers) >= 2, workers
    return parent, out, workers


def test_killing_the_parent_leaves_no_worker_running(tmp_path):
    parent, out, workers = _start_and_reach_workers(tmp_path)
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(alive(pid) for pid in workers):
        time.sleep(0.05)
    assert not [pid for pid in workers if alive(pid)], "workers outlived their parent by 5 s"

    # The next run takes over and finishes what was left.
    result = invoke(["batch", "--providers", str(tmp_path / "roster.csv"), "-d", str(out), "-j", "2"])
    assert result.exit_code == 0, result.output
    assert not list(out.glob(".*.part"))
    assert len(assert_manifest_matches_files(out)["documents"]) == 80


def test_sigterm_is_an_interruption_that_saves_the_manifest(tmp_path):
    parent, out, workers = _start_and_reach_workers(tmp_path)
    parent.send_signal(signal.SIGTERM)
    _, stderr = parent.communicate(timeout=60)

    assert parent.returncode == 143, stderr
    assert "interrupted" in stderr and "Traceback" not in stderr
    # Saved on the way out (the run is stopped long before it ends): every
    # PDF in the folder is listed and is the file the manifest says.
    # Documents the workers finished but never handed back are not in it.
    manifest = assert_manifest_matches_files(out)
    assert len(manifest["documents"]) < 80
    time.sleep(0.5)
    assert not [pid for pid in workers if alive(pid)]
    assert not (out / LOCK_NAME).exists()
    assert not list(out.glob(".*.part"))


def test_after_kill_9_every_pdf_in_the_folder_is_in_its_manifest(tmp_path):
    """A document gets its name only after a saved manifest lists it, so even kill -9 leaves none unlisted."""
    roster = tmp_path / "roster.csv"
    write_roster(roster, 80)
    out = tmp_path / "out"
    for reached in (4, 30):  # two kills at different points; the second run carries on from the first
        run = start_batch("--providers", str(roster), "-d", str(out), "-j", "2")
        wait_for(lambda: len(list(out.glob("*.pdf"))) >= reached or run.poll() is not None)
        assert run.poll() is None, "the batch ended before the test could kill it"
        time.sleep(0.3)  # between two manifest saves, with documents finished since the last
        run.kill()
        run.wait()
        manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        listed = {doc["file"] for doc in manifest["documents"]}
        present = {p.name for p in out.glob("stem-cell-knee--*.pdf")}
        assert present <= listed, f"complete PDFs the manifest does not list: {sorted(present - listed)}"
    result = invoke(["batch", "--providers", str(roster), "-d", str(out), "-j", "2"])
    assert result.exit_code == 0, result.output
    assert len(assert_manifest_matches_files(out)["documents"]) == 80
    assert not list(out.glob(".*.part"))
