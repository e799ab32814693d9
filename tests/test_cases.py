"""Golden and hostile cases: every folder under tests/cases/ is one test.

A case folder is a small handout project (handout.yaml, sections/,
brand.yml, maybe a roster or a layout file) plus `case.yaml`:

    about: one line saying what the case shows
    args: [build, .]          # the command line, run inside a copy of the folder
    exit_code: 1
    stderr: [...]             # substrings stderr must hold, e.g. "sections/risk.yaml:3: ..."
    problems: 1               # optional: exactly this many lines on stderr
    located: false            # optional, failures: no `path:line:` is expected
    # success cases:
    output: case-handout.pdf  # the PDF the build must write (and nothing else)
    pages: [2, 3]             # page count range, inclusive
    page_size: [396, 612]     # optional, points
    body_size: 12             # optional: the most common type size on page 1
    text: [...]               # substrings of the whole text
    first_page: [...]         # substrings of page 1
    last_page: [...]          # substrings of the last page
    absent: [...]             # substrings that must appear nowhere

Every failing case also checks: no traceback, and the folder is exactly as
it was (no PDF, no `.part` file, nothing else). Every succeeding case checks
that only the PDF was added and that its fonts are embedded.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pdfcheck
import pypdf
import pytest
import yaml
from helpers import assert_clean, invoke, snapshot

CASES = Path(__file__).parent / "cases"
CASE_KEYS = {"about", "args", "exit_code", "stderr", "problems", "located", "output", "pages", "page_size",
             "body_size", "text", "first_page", "last_page", "absent"}
LOCATED = re.compile(r"^\S+:\d+: \S")
WARNING = "handouts: warning: "


def load_cases() -> list:
    params = []
    for folder in sorted(p for p in CASES.iterdir() if (p / "case.yaml").is_file()):
        spec = yaml.safe_load((folder / "case.yaml").read_text(encoding="utf-8"))
        params.append(pytest.param(folder, spec, id=folder.name))
    return params


def test_cases_folder_is_not_empty():
    assert len(load_cases()) >= 20


@pytest.mark.parametrize(("folder", "spec"), load_cases())
def test_case_yaml_is_well_formed(folder, spec):
    assert set(spec) <= CASE_KEYS, f"unknown keys in {folder.name}/case.yaml: {set(spec) - CASE_KEYS}"
    assert spec.get("about"), "say what the case shows"
    assert isinstance(spec["args"], list) and spec["args"]
    assert spec["exit_code"] in (0, 1, 2)
    if spec["exit_code"] == 0:
        assert spec.get("output") and spec.get("pages")
    else:
        assert spec.get("stderr"), "a failing case must say what stderr holds"


@pytest.mark.parametrize(("folder", "spec"), load_cases())
def test_case(folder, spec, tmp_path, monkeypatch):
    work = tmp_path / folder.name
    shutil.copytree(folder, work)
    (work / "case.yaml").unlink()
    monkeypatch.chdir(work)
    before = snapshot(work)

    result = invoke([str(a) for a in spec["args"]])

    assert_clean(result)
    assert result.exit_code == spec["exit_code"], f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    after = snapshot(work)
    if spec["exit_code"] == 0:
        check_success(work, spec, result, before, after)
    else:
        check_failure(spec, result, before, after)


def check_failure(spec, result, before, after) -> None:
    stderr = result.stderr
    for expected in spec["stderr"]:
        assert expected in stderr, f"{expected!r} not in stderr:\n{stderr}"
    assert before == after, "a refused build changed the folder (output or .part file left?)"
    assert result.stdout == "", "a refused build printed to stdout"
    # Lint warnings (one `handouts: warning:` line each) come before the refusal.
    lines = [line for line in stderr.splitlines() if line.strip() and not line.startswith(WARNING)]
    if "problems" in spec:
        assert len(lines) == spec["problems"], f"expected {spec['problems']} problem lines:\n{stderr}"
    if spec.get("located", spec["exit_code"] == 1):
        # Every problem reads like a compiler's: `path:line: message`.
        assert all(LOCATED.match(line) for line in lines), f"every problem needs path:line:\n{stderr}"


def check_success(work: Path, spec, result, before, after) -> None:
    output = work / spec["output"]
    # Small case folders lack some core sections: lint warnings, and nothing else.
    assert all(line.startswith(WARNING) for line in result.stderr.splitlines()), result.stderr
    assert Path(result.stdout.strip()).resolve() == output.resolve()
    added = sorted(set(after) - set(before))
    expected_added = sorted({spec["output"], *(p.as_posix() for p in Path(spec["output"]).parents if str(p) != ".")})
    assert added == expected_added, f"build added {added}"
    assert {k: v for k, v in after.items() if k in before} == before, "a build changed its input files"

    reader = pypdf.PdfReader(str(output))
    low, high = spec["pages"]
    assert low <= len(reader.pages) <= high
    assert pdfcheck.font_problems(reader) == []
    if "page_size" in spec:
        _, _, width, height = pdfcheck.box(reader.pages[0], "mediabox")
        assert (width, height) == pytest.approx(tuple(spec["page_size"]), abs=1)
    if "body_size" in spec:
        assert pdfcheck.body_size(output, 0) == pytest.approx(spec["body_size"], abs=0.05)
    pages = pdfcheck.page_texts(output)
    everything = " ".join(pages)
    for expected in spec.get("text", []):
        assert expected in everything
    for expected in spec.get("first_page", []):
        assert expected in pages[0]
    for expected in spec.get("last_page", []):
        assert expected in pages[-1]
    for unwanted in spec.get("absent", []):
        assert unwanted not in everything
