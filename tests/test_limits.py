"""The limits a field is held to, and lint holding it to the same ones build does.

A body may have at most MAX_LINES lines, MAX_MARKS Markdown marks, of them
MAX_OPENINGS that may open a link, MAX_ITEMS list items, MAX_CELLS table
cells, and lists or quotes MAX_DEPTH deep; any
field fills in to at most 400,000 characters (load.commonmark,
fill.templates). Build refuses a field over a limit, as written or as filled
in; lint must report the same message at the same file and line, or a
handout lints clean and then does not build. The times these limits keep
down are printed by benchmarks/hostile_scaling.py, not tested here.
"""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

import pytest

from handouts.errors import HandoutError
from handouts import build_handout, lint_handout
from handouts.load.commonmark import (
    MAX_CELLS,
    MAX_DEPTH,
    MAX_ITEMS,
    MAX_LINES,
    MAX_MARKS,
    MAX_ONE_BLOCK,
    MAX_ONE_PARAGRAPH,
    MAX_OPENINGS,
    body_problem,
    checked_tokens,
    size_problem,
)

BASE = Path(__file__).resolve().parent / "hostile" / "base"
LOGO = Path(str(resources.files("handouts"))) / "data" / "brands" / "demo" / "logo.png"


def _nested(depth: int) -> str:
    return "\n".join(" " * (2 * level) + f"- level {level}" for level in range(depth))


def test_lines_up_to_the_limit_pass_and_one_more_is_refused():
    assert size_problem("x\n" * (MAX_LINES - 1) + "x") is None
    assert size_problem("x\n" * MAX_LINES + "x").startswith(f"has {MAX_LINES + 1:,} lines;")


def test_marks_up_to_the_limit_pass_and_one_more_is_refused():
    assert size_problem("*a" * MAX_MARKS) is None
    assert size_problem("*a" * MAX_MARKS + "_").startswith(f"holds {MAX_MARKS + 1:,} of the characters")


def test_link_openings_up_to_the_limit_pass_and_escaped_ones_open_nothing():
    assert size_problem("[a] " * MAX_OPENINGS) is None
    assert size_problem("[a] " * MAX_OPENINGS + "<").startswith(f"holds {MAX_OPENINGS + 1:,} '[' and '<'")
    # `\[` prints a bracket and opens no link (a provider's value is escaped so)
    assert size_problem("\\[" * (MAX_OPENINGS + 1)) is None
    # `\\[` is an escaped backslash, then a bracket that may open one
    assert size_problem("\\\\[" * (MAX_OPENINGS + 1)) is not None


def test_nesting_as_deep_as_the_indent_passes_and_one_more_is_refused_at_its_line():
    assert body_problem(_nested(MAX_DEPTH)) is None
    reason, line = body_problem("Intro.\n\n" + _nested(MAX_DEPTH + 1))
    assert reason.startswith(f"lists or quotes are nested {MAX_DEPTH + 1} levels deep")
    assert line == 2 + MAX_DEPTH + 1  # the line of the list that goes too deep
    assert body_problem(">" * (MAX_DEPTH + 1) + " quote")[0].startswith("lists or quotes are nested")


def _table(rows: int) -> str:
    return "| a | b |\n| --- | --- |\n" + "\n".join(f"| {r} | x |" for r in range(rows))


def test_list_items_and_table_cells_up_to_the_limits_pass_and_one_more_is_refused():
    assert body_problem("\n".join("- x" for _ in range(MAX_ITEMS))) is None
    assert body_problem("\n".join("- x" for _ in range(MAX_ITEMS + 1)))[0].startswith(
        f"has {MAX_ITEMS + 1:,} list items;")
    assert body_problem(_table(MAX_CELLS // 2 - 1)) is None  # the header row's cells count too
    assert body_problem(_table(MAX_CELLS // 2))[0].startswith(f"has {MAX_CELLS + 2:,} table cells;")


@pytest.mark.parametrize("body, what, line, limit", [
    ("Intro.\n\n### {}", "a heading", 3, MAX_ONE_PARAGRAPH),
    ("Intro.\n\n| a | b |\n| --- | --- |\n| x | {} |", "a table cell", 5, MAX_ONE_BLOCK),
    ("Intro.\n\n```\n{}\n```", "a code block", 3, MAX_ONE_BLOCK),
], ids=["heading", "table cell", "code block"])
def test_a_heading_cell_or_code_block_is_one_paragraph_of_at_most_the_limit(body, what, line, limit):
    assert body_problem(body.format("w" * limit)) is None
    assert body_problem(body.format("w" * (limit + 1))) == (
        f"{what} holds {limit + 1:,} characters; it prints as one paragraph, "
        f"of at most {limit:,} characters", line)


def test_a_body_over_the_limits_is_not_parsed_for_the_checks():
    # Parsing it is the minutes the limits are there to spare.
    assert checked_tokens("[" * (MAX_OPENINGS + 1)) == ()
    assert checked_tokens("[" * MAX_OPENINGS) != ()


def _project(tmp_path: Path, body: str, title: str = "How it works") -> Path:
    project = tmp_path / "proj"
    shutil.copytree(BASE, project)
    shutil.copy2(LOGO, project / "logo.png")
    # A literal block: the body's line N is the file's line N + 3.
    lines = "".join(f"  {line}\n" for line in body.split("\n"))
    (project / "sections" / "one.yaml").write_text(
        f"kind: how_it_works\ntitle: '{title}'\nbody: |\n{lines}", encoding="utf-8")
    return project


def _refusals(project: Path, tmp_path: Path) -> tuple[set, set]:
    """(what build refuses, what lint reports as input errors), each as (path, line, message)."""
    with pytest.raises(HandoutError) as refused:
        build_handout(project, output=tmp_path / "out.pdf", allow_lint_errors=True)
    assert not (tmp_path / "out.pdf").exists()
    built = {(p.path, p.line, p.message) for p in refused.value.problems}
    linted = {(f.path, f.line, f.message) for f in lint_handout(project, readability=False)
              if f.code == "input"}
    return built, linted


OVER_THE_LIMITS = {
    "lines": "\n".join(f"- item {i}" for i in range(MAX_LINES + 1)),
    "marks": "*a" * (MAX_MARKS + 1),
    "openings": "See [this] " * (MAX_OPENINGS + 1),
    "nesting": "The steps:\n\n" + _nested(MAX_DEPTH + 1),
    "list items": "\n".join(f"{i}. Step" for i in range(1, MAX_ITEMS + 2)),
    "table cells": _table(MAX_CELLS // 2),
    "a long table cell": "| a | b |\n| --- | --- |\n| x | " + "word " * 5_000 + "|",
    "characters": "knee shot pain walk rest " * 17_000,
    "filled-in characters": '{{ "x" * 300000 }}{{ "y" * 300000 }}',
    "filled-in marks": 'Intro.\n\n{{ "*" * 6000 }}',
    "the sandbox's output cap": '{{ "x" * 399999 }}{{ "x" * 399999 }}{{ "x" * 399999 }}',
}


@pytest.mark.parametrize("body", OVER_THE_LIMITS.values(), ids=OVER_THE_LIMITS.keys())
def test_lint_reports_what_build_refuses_with_the_same_message_at_the_same_line(body, tmp_path, monkeypatch):
    project = _project(tmp_path, body)
    monkeypatch.chdir(tmp_path)
    built, linted = _refusals(project, tmp_path)
    assert len(built) == 1 and built == linted
    path, line, message = built.pop()
    # At the body's first line (file line 4), or at the line that goes too deep or holds the long cell.
    body_line = 3 + MAX_DEPTH if "nested" in message else 3 if "table cell holds" in message else 1
    assert (path, line) == ("proj/sections/one.yaml", 3 + body_line)


@pytest.mark.parametrize("title", ["x" * (MAX_ONE_PARAGRAPH + 1), '{{ "x" * %d }}' % (MAX_ONE_PARAGRAPH + 1)],
                         ids=["as written", "filled in"])
def test_a_title_longer_than_one_paragraph_may_be_is_refused_alike(title, tmp_path, monkeypatch):
    project = _project(tmp_path, "A short body.", title=title)
    monkeypatch.chdir(tmp_path)
    built, linted = _refusals(project, tmp_path)
    assert built == linted == {("proj/sections/one.yaml", 2, f"title: is {MAX_ONE_PARAGRAPH + 1:,} characters long; "
                                f"it prints as one paragraph, of at most {MAX_ONE_PARAGRAPH:,} characters")}
