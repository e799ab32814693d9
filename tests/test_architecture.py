"""The package's layering, computed from its source: every import points down the pipeline.

load → fill → render → pipeline → deliver, with lint beside render (reading
only what load and fill make), and the CLI and the public API on top
(tools/imports.py holds each unit's stage). Every import counts, at the top
of a module, inside a function or under TYPE_CHECKING. The same check run
on a copy of the package with one import planted shows it would fail.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers import load_tool

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "handouts"


imports = load_tool("imports")


def test_every_unit_has_a_stage():
    units = {imports.unit_of(".".join(p.relative_to(ROOT).with_suffix("").parts))
             for p in PACKAGE.rglob("*.py")}
    assert units - set(imports.STAGES) == set()


def test_the_import_graph_is_acyclic_and_points_down_the_pipeline():
    found = imports.arrows(PACKAGE)
    assert found, "no imports found: the graph is not being read"
    assert imports.cycles(imports.graph(found)) == []
    assert imports.back_arrows(found) == []


def test_docs_architecture_shows_the_graph_as_it_is():
    """docs/architecture.md's arrows are the ones the source has (the __main__ -> cli line aside)."""
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    shown = [line for line in imports.report(PACKAGE) if not line.startswith("__main__")]
    assert "\n".join(shown) in text, "\n".join(shown)


def test_lint_reads_only_load_and_fill():
    reached = imports.graph(imports.arrows(PACKAGE))["lint"]
    assert reached <= {"errors", "load", "sections", "layouts", "fill"}, reached


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    """Plant one import in a copy of the package; give back what the check says of it."""
    def plant(module: str, line: str) -> tuple[list, list]:
        copy = tmp_path_factory.mktemp("planted") / "handouts"
        shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "data", "fonts"))
        path = copy / module
        path.write_text(path.read_text(encoding="utf-8") + f"\n\ndef _planted():\n    {line}\n", encoding="utf-8")
        found = imports.arrows(copy)
        return imports.back_arrows(found), imports.cycles(imports.graph(found))
    return plant


# Render and lint are of the same stage, neither importing the other: an
# arrow between them is refused though it closes no cycle.
@pytest.mark.parametrize(("module", "line", "arrow", "closes_cycle"), [
    ("lint/checks.py", "from ..render.pdf import render_pdf", "lint -> render", False),
    ("load/brand.py", "from ..fill.templates import Templates", "load -> fill", True),
    ("render/story.py", "from ..lint.consent import consent_too_long", "render -> lint", False),
    ("pipeline/prepare.py", "from ..deliver.files import write_atomic", "pipeline -> deliver", True),
    ("fill/templates.py", "import handouts.cli", "fill -> cli", True),
    ("deliver/batch.py", "from .. import build_handout", "deliver -> __init__", True),
], ids=["lint-renders", "load-fills", "render-lints", "pipeline-delivers", "fill-imports-cli", "deliver-public-api"])
def test_a_planted_arrow_back_up_the_pipeline_fails(planted, module, line, arrow, closes_cycle):
    wrong, cycles = planted(module, line)
    assert any(f"{module}:" in w and arrow in w for w in wrong), wrong
    assert bool(cycles) == closes_cycle, cycles


def test_a_new_folder_must_be_given_a_stage(tmp_path):
    copy = tmp_path / "handouts"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "data", "fonts"))
    (copy / "extras").mkdir()
    (copy / "extras" / "__init__.py").write_text("from ..load.brand import Brand\n", encoding="utf-8")
    wrong = imports.back_arrows(imports.arrows(copy))
    assert any("'extras' has no stage" in w for w in wrong), wrong
