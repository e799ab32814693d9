"""What an output file may be: its permissions, what it may replace, where it may go.

Patient copies are owner-only whatever the umask, other files follow the
umask, a replaced file never gains a permission, and nothing but a regular
file is ever written over. Messages name the path and the remedy, never a
patient's name.
"""

from __future__ import annotations

import os
import stat
from contextlib import contextmanager
from pathlib import Path

import pytest
from helpers import DEMO_ROSTER, assert_clean, invoke, snapshot


@contextmanager
def umask(mask: int):
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize(("mask", "expected"), [(0o022, 0o644), (0o027, 0o640), (0o077, 0o600)],
                         ids=["umask-022", "umask-027", "umask-077"])
def test_a_handout_without_a_patient_follows_the_umask(minimal_project, monkeypatch, mask, expected):
    monkeypatch.chdir(minimal_project)
    with umask(mask):
        result = invoke(["build", ".", "-o", "handout.pdf"])
    assert result.exit_code == 0, result.output
    assert mode_of(minimal_project / "handout.pdf") == expected


@pytest.mark.parametrize("mask", [0o022, 0o000, 0o077], ids=["umask-022", "umask-000", "umask-077"])
def test_a_patient_copy_is_owner_only_whatever_the_umask(minimal_project, monkeypatch, mask):
    monkeypatch.chdir(minimal_project)
    with umask(mask):
        result = invoke(["build", ".", "--patient-name", "Ana Pérez", "-o", "ana.pdf"])
    assert result.exit_code == 0, result.output
    assert mode_of(minimal_project / "ana.pdf") == 0o600


@pytest.mark.parametrize(("existing", "mask"), [(0o600, 0o022), (0o640, 0o002)], ids=["0600", "0640"])
def test_replacing_a_file_never_adds_a_permission(minimal_project, monkeypatch, existing, mask):
    monkeypatch.chdir(minimal_project)
    target = minimal_project / "handout.pdf"
    target.write_bytes(b"old")
    target.chmod(existing)
    with umask(mask):
        result = invoke(["build", ".", "-o", "handout.pdf"])
    assert result.exit_code == 0, result.output
    assert target.read_bytes().startswith(b"%PDF-")
    assert mode_of(target) == existing


def _fifo(folder: Path) -> Path:
    path = folder / "queue.pdf"
    os.mkfifo(path)
    return path


def _link_to_null(folder: Path) -> Path:
    path = folder / "null.pdf"
    path.symlink_to("/dev/null")
    return path


def _link_to_fifo(folder: Path) -> Path:
    os.mkfifo(folder / "pipe")
    path = folder / "pipe.pdf"
    path.symlink_to(folder / "pipe")
    return path


@pytest.mark.parametrize("make", [_fifo, _link_to_null, _link_to_fifo], ids=["fifo", "symlink-to-dev-null",
                                                                              "symlink-to-fifo"])
def test_a_special_file_at_the_output_path_is_refused_and_left_alone(minimal_project, monkeypatch, make):
    monkeypatch.chdir(minimal_project)
    node = make(minimal_project)
    before = os.lstat(node)
    target_before = os.stat(node)
    listing = sorted(os.listdir(minimal_project))

    result = invoke(["build", ".", "-o", node.name])

    assert_clean(result)
    assert result.exit_code == 1, result.output
    assert node.name in result.stderr
    assert "only regular files" in result.stderr
    after, target_after = os.lstat(node), os.stat(node)
    assert (after.st_ino, after.st_mode) == (before.st_ino, before.st_mode), "the node was replaced"
    assert (target_after.st_ino, target_after.st_mode) == (target_before.st_ino, target_before.st_mode)
    assert sorted(os.listdir(minimal_project)) == listing, "a temporary file was left behind"


def test_a_special_output_path_is_refused_before_the_handout_is_rendered(minimal_project, monkeypatch):
    monkeypatch.chdir(minimal_project)
    _fifo(minimal_project)
    # An unknown provider would stop the run while preparing: the output path is checked first.
    result = invoke(["build", ".", "--provider", "nobody", "-o", "queue.pdf"])
    assert result.exit_code == 1, result.output
    assert "queue.pdf: refusing to write over a FIFO" in result.stderr and "nobody" not in result.stderr


def test_a_symlink_to_a_regular_file_is_still_written(minimal_project, monkeypatch):
    monkeypatch.chdir(minimal_project)
    (minimal_project / "real.pdf").write_bytes(b"old")
    (minimal_project / "link.pdf").symlink_to("real.pdf")
    result = invoke(["build", ".", "-o", "link.pdf"])
    assert result.exit_code == 0, result.output
    assert (minimal_project / "link.pdf").read_bytes().startswith(b"%PDF-")


# A folder that cannot be created: tests run as root, so "permission denied"
# cannot be staged; a regular file where a folder should be can.
@pytest.mark.parametrize("args", [
    ["build", ".", "-o", "notes.txt/handout.pdf"],
    ["build", ".", "-o", "notes.txt/deeper/handout.pdf"],
    ["batch", ".", "--providers", str(DEMO_ROSTER), "-d", "notes.txt/out", "-j", "1"],
    ["init", "notes.txt/clinic"],
], ids=["build-o", "build-o-deeper", "batch-d", "init"])
def test_a_file_where_a_folder_should_be_is_named_with_the_remedy(minimal_project, monkeypatch, args):
    monkeypatch.chdir(minimal_project)
    (minimal_project / "notes.txt").write_text("a file, not a folder\n", encoding="utf-8")
    before = snapshot(minimal_project)

    result = invoke(["-q", *args])  # -q: lint warnings aside, the one line of the refusal

    assert_clean(result)
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "'notes.txt' is a file, not a folder; choose another path" in lines[0]
    assert "File exists" not in result.stderr and "internal error" not in result.stderr
    assert snapshot(minimal_project) == before


@pytest.mark.parametrize(("name", "script", "code"), [
    ("王小明", "CJK", "U+738B"),
    ("Ana محمد", "Arabic", "U+0645"),
    ("Дмитрий 王", "CJK, Cyrillic", "U+0414"),
], ids=["cjk", "arabic", "cyrillic-and-cjk"])
def test_an_unprintable_patient_name_is_never_quoted(minimal_project, monkeypatch, name, script, code):
    monkeypatch.chdir(minimal_project)
    before = snapshot(minimal_project)

    result = invoke(["build", ".", "--patient-name", name, "-o", "p.pdf"])

    assert_clean(result)
    assert result.exit_code == 1
    assert "--patient-name" in result.stderr
    assert script in result.stderr and code in result.stderr
    for word in name.split():
        assert word not in result.stderr and word not in result.stdout
    unprintable = [c for c in name if not c.isascii() and not c.isspace()]
    assert not [c for c in unprintable if c in result.stderr], "a character of the name was quoted"
    assert snapshot(minimal_project) == before
