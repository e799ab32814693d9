"""No module over 400 lines and no function over 100 (tools/sizes.py), with no exceptions; no function of the
library with more than 12 parameters (it takes an options object instead).

Issue #23 divided the last ones over the limits (mailing.py, lint/checks.py,
render/html, markdown_flowables, build_batch, read_handout) by what their
parts do; anything that grows past a limit now is divided the same way.
"""

from __future__ import annotations

import ast
from pathlib import Path

from helpers import load_tool

ROOT = Path(__file__).resolve().parent.parent
# A command (cli/) receives each of its options as a parameter: click's way, not the library's.
PARAMETER_LIMIT = 12


sizes = load_tool("sizes")


def over(found: dict[str, int], limit: int, unit: str = "lines") -> list[str]:
    return [f"{name}: {size} {unit} (limit {limit})" for name, size in sorted(found.items()) if size > limit]


def test_no_module_or_function_over_its_limit():
    modules, functions = sizes.sizes(ROOT / "handouts")
    assert over(modules, sizes.MODULE_LIMIT) == []
    assert over(functions, sizes.FUNCTION_LIMIT) == []


def test_a_module_grown_past_the_limit_is_found(tmp_path):
    package = tmp_path / "handouts"
    package.mkdir()
    (package / "big.py").write_text("x = 1\n" * 401 + "def f():\n" + "    y = 1\n" * 100, encoding="utf-8")
    modules, functions = sizes.sizes(package)
    assert over(modules, sizes.MODULE_LIMIT) == ["handouts/big.py: 502 lines (limit 400)"]
    assert over(functions, sizes.FUNCTION_LIMIT) == ["handouts/big.py f: 101 lines (limit 100)"]


def parameters(package: Path) -> dict[str, int]:
    """{"module path name": how many parameters} for every function outside the command line (cli/)."""
    found = {}
    for path in sorted(package.rglob("*.py")):
        name = str(path.relative_to(package.parent))
        if name.startswith(f"{package.name}/cli/"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                a = node.args
                found[f"{name} {node.name}"] = (len(a.posonlyargs) + len(a.args) + len(a.kwonlyargs)
                                                + (a.vararg is not None) + (a.kwarg is not None))
    return found


def test_no_function_takes_more_than_twelve_parameters():
    assert over(parameters(ROOT / "handouts"), PARAMETER_LIMIT, "parameters") == []


def test_a_function_with_thirteen_parameters_is_found(tmp_path):
    package = tmp_path / "handouts"
    (package / "cli").mkdir(parents=True)
    (package / "run.py").write_text("def f(a, b, c, d, e, f, g, h, i, j, k, *, l, **m):\n    pass\n", encoding="utf-8")
    (package / "cli" / "command.py").write_text("def c(" + ", ".join(f"o{i}" for i in range(20)) + "):\n    pass\n",
                                                encoding="utf-8")
    assert over(parameters(package), PARAMETER_LIMIT, "parameters") == ["handouts/run.py f: 13 parameters (limit 12)"]
