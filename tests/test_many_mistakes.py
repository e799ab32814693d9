"""A handout folder with mistakes in every file, reported in one run.

tests/data/many-mistakes holds nine mistakes across the manifest, two
sections, the brand, the roster and templates. `lint` lists every one with
its file and line, and `build` refuses with the same list.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from helpers import assert_clean, invoke

FOLDER = Path(__file__).parent / "data" / "many-mistakes"

# (file, line, words from the message): one per mistake.
MISTAKES = [
    ("brand.yml", 4, "'color.primary' is 'not-a-colour'"),
    ("handout.yaml", 3, "unknown key 'subtitel' (did you mean \"subtitle\"?)"),
    ("handout.yaml", 6, "review-overdue: clinical review was due 2020-01-01"),
    ("providers.csv", 3, "row has 4 fields; the header has 3"),
    ("providers.csv", 4, "provider id 'bad id!'"),
    ("sections/benefits.yaml", 4, "unknown variable 'provder'"),
    ("sections/benefits.yaml", 5, "claim: body: \"guaranteed\""),
    ("sections/benefits.yaml", 6, "bad-link: body: link 'javascript:alert(1)'"),
    ("sections/how-it-works.yaml", 2, "a colon followed by a space starts a new key; put the title in quotes"),
]


@pytest.fixture
def project(tmp_path, monkeypatch):
    work = tmp_path / "many-mistakes"
    shutil.copytree(FOLDER, work)
    monkeypatch.chdir(work)
    return work


def located(lines: list[str]) -> set[tuple[str, int]]:
    found = set()
    for line in lines:
        match = re.match(r"^(\S+?):(\d+): ", line)
        if match:
            found.add((match.group(1), int(match.group(2))))
    return found


def test_lint_lists_every_mistake_with_file_and_line(project):
    result = invoke(["lint", "."])
    assert_clean(result)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    for path, line, words in MISTAKES:
        assert any(ln.startswith(f"{path}:{line}: error: ") and words in ln for ln in lines), \
            f"{path}:{line} {words!r} not in:\n{result.stdout}"
    assert len({(p, n) for p, n, _ in MISTAKES}) >= 8
    # The manifest, section files (templates among them), the brand and the roster.
    assert {p.split("/")[0] for p, _, _ in MISTAKES} == {"handout.yaml", "sections", "brand.yml", "providers.csv"}


def test_build_refuses_with_the_same_list(project):
    lint = invoke(["lint", "."])
    build = invoke(["build", ".", "--provider", "dr-a"])
    assert_clean(build)
    assert build.exit_code == 1
    errors = [ln for ln in lint.stdout.splitlines() if ": error: " in ln]
    refusals = [ln for ln in build.stderr.splitlines() if not ln.startswith("handouts: warning:")]
    assert located(refusals) == located(errors)
    for path, line, words in MISTAKES:
        assert any(ln.startswith(f"{path}:{line}: ") and words in ln for ln in refusals), (path, line)
    assert sorted(p.name for p in project.iterdir()) == ["brand.yml", "handout.yaml", "providers.csv", "sections"]
