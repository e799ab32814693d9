"""No module over 400 lines and no function over 100 (tools/sizes.py), with no exceptions.

Issue #23 divided the last ones over the limits (mailing.py, lint/checks.py,
render/html, markdown_flowables, build_batch, read_handout) by what their
parts do; anything that grows past a limit now is divided the same way.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _tool():
    spec = importlib.util.spec_from_file_location("sizes_tool", ROOT / "tools" / "sizes.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


sizes = _tool()


def over(found: dict[str, int], limit: int) -> list[str]:
    return [f"{name}: {lines} lines (limit {limit})" for name, lines in sorted(found.items()) if lines > limit]


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
