"""No partial output: a refused or interrupted build leaves the folder as it was.

A file already at the -o path (a sentinel) must keep its bytes whatever goes
wrong; no hidden `.part` file may be left beside it.
"""

from __future__ import annotations

import errno
import os

import pypdf
import pytest
from helpers import assert_clean, invoke, snapshot

SENTINEL = b"an older handout that must survive a failed build\n"


def break_disclosure(project):
    (project / "sections" / "risk.yaml").write_text(
        "kind: risk_disclosure\ntitle: Case Risks\nbody: '   '\n", encoding="utf-8")


def empty_once_filled(project):
    (project / "sections" / "risk.yaml").write_text(
        "kind: risk_disclosure\ntitle: Case Risks\nbody: '{{ patient.name | default(\"\") }}'\n", encoding="utf-8")


def drop_disclosure(project):
    manifest = project / "handout.yaml"
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text("".join(ln for ln in text.splitlines(True) if not ln.startswith("risk_disclosure")),
                        encoding="utf-8")


def bad_roster(project):
    (project / "roster.csv").write_text("id,name\ndr-a,\n", encoding="utf-8")


def unknown_template_variable(project):
    (project / "sections" / "intro.yaml").write_text(
        "kind: how_it_works\ntitle: Case Intro\nbody: Ask {{ provder.name }}.\n", encoding="utf-8")


def overdue_review(project):
    manifest = project / "handout.yaml"
    text = manifest.read_text(encoding="utf-8").replace("reviewed: 2025-01-15", "reviewed: 2019-01-15")
    manifest.write_text(text + "review_due: 2020-01-15\n", encoding="utf-8")


FAILURES = [
    pytest.param(drop_disclosure, [], 1, id="no-risk-disclosure"),
    pytest.param(break_disclosure, [], 1, id="blank-disclosure-body"),
    pytest.param(unknown_template_variable, [], 1, id="unknown-variable"),
    pytest.param(empty_once_filled, [], 1, id="fails-while-filling-templates"),
    pytest.param(overdue_review, [], 1, id="lint-error-overdue-review"),
    pytest.param(bad_roster, ["--providers", "roster.csv", "--provider", "dr-a"], 1, id="bad-roster"),
    pytest.param(lambda p: None, ["--layout", "no-such-layout"], 2, id="usage-error"),
]


@pytest.mark.parametrize(("breakage", "extra", "code"), FAILURES)
def test_failed_build_leaves_existing_output_untouched(minimal_project, monkeypatch, breakage, extra, code):
    monkeypatch.chdir(minimal_project)
    breakage(minimal_project)
    target = minimal_project / "case-handout.pdf"
    target.write_bytes(SENTINEL)
    before = snapshot(minimal_project)

    result = invoke(["build", ".", *extra])

    assert_clean(result)
    assert result.exit_code == code, result.output
    assert target.read_bytes() == SENTINEL
    assert snapshot(minimal_project) == before
    assert not list(minimal_project.rglob("*.part"))


@pytest.mark.parametrize(("breakage", "extra", "code"), FAILURES)
def test_failed_build_writes_nothing(minimal_project, monkeypatch, breakage, extra, code):
    monkeypatch.chdir(minimal_project)
    breakage(minimal_project)
    before = snapshot(minimal_project)

    result = invoke(["build", ".", "-o", "out/handout.pdf", *extra])

    assert result.exit_code == code
    assert snapshot(minimal_project) == before, "a refused build created files or folders"


def test_successful_build_replaces_existing_output(minimal_project, monkeypatch):
    monkeypatch.chdir(minimal_project)
    target = minimal_project / "case-handout.pdf"
    target.write_bytes(SENTINEL)

    result = invoke(["build", "."])

    assert result.exit_code == 0, result.output
    assert target.read_bytes().startswith(b"%PDF-")
    assert len(pypdf.PdfReader(str(target)).pages) == 2
    assert not [p.name for p in minimal_project.iterdir() if p.name.startswith(".")], "hidden temp file left"


def test_written_pdf_is_readable_by_others(minimal_project, monkeypatch):
    # mkstemp makes 0600 files; under the usual umask the renamed PDF must be an ordinary 0644 file.
    monkeypatch.chdir(minimal_project)
    old = os.umask(0o022)
    try:
        assert invoke(["build", "."]).exit_code == 0
    finally:
        os.umask(old)
    assert (minimal_project / "case-handout.pdf").stat().st_mode & 0o777 == 0o644


def test_disk_full_while_writing_leaves_nothing_partial(minimal_project, monkeypatch):
    """A write that fails half-way (disk full) removes its temp file and keeps the old PDF."""
    monkeypatch.chdir(minimal_project)
    target = minimal_project / "case-handout.pdf"
    target.write_bytes(SENTINEL)
    before = snapshot(minimal_project)

    def disk_full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", disk_full)
    result = invoke(["build", "."])

    assert "Traceback" not in result.stderr
    assert target.read_bytes() == SENTINEL
    assert snapshot(minimal_project) == before
    # A full disk is the user's problem to fix, not a bug in handouts (exit 3).
    assert "internal error" not in result.stderr
    assert "case-handout.pdf" in result.stderr
    assert result.exit_code == 1, result.stderr


def test_unwritable_output_is_an_input_problem_not_a_bug(minimal_project, monkeypatch):
    """-o under a path that is a file: exit 1 naming the path, not 'internal error ... bug' (exit 3)."""
    monkeypatch.chdir(minimal_project)
    (minimal_project / "notes.txt").write_text("a file, not a folder\n", encoding="utf-8")
    before = snapshot(minimal_project)

    result = invoke(["build", ".", "-o", "notes.txt/handout.pdf"])

    assert_clean(result)
    assert snapshot(minimal_project) == before
    assert "internal error" not in result.stderr
    assert "notes.txt" in result.stderr
    assert result.exit_code == 1, result.stderr


@pytest.mark.parametrize("victim", [
    "handout.yaml",
    "sections/intro.yaml",
    "sections/risk.yaml",
    "brand.yml",
    "roster.csv",
    "half-letter.yaml",
], ids=["manifest", "section", "risk-disclosure", "brand", "roster", "layout"])
def test_output_never_overwrites_an_input_file(minimal_project, monkeypatch, victim):
    """`-o` naming one of the build's own inputs is refused; the clinic's content survives."""
    monkeypatch.chdir(minimal_project)
    (minimal_project / "roster.csv").write_text("id,name\ndr-a,Alice Adams\n", encoding="utf-8")
    (minimal_project / "half-letter.yaml").write_text("page: [5.5in, 8.5in]\nmargins: 0.5in\n", encoding="utf-8")
    before = snapshot(minimal_project)

    result = invoke(["build", ".", "--providers", "roster.csv", "--provider", "dr-a",
                     "--layout", "half-letter.yaml", "-o", victim])

    assert_clean(result)
    assert snapshot(minimal_project) == before, f"the build overwrote its own input {victim}"
    assert result.exit_code in (1, 2)
    assert victim in result.stderr
