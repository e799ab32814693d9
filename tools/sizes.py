"""Print the package's modules over 400 lines and functions over 100, largest first.

    python tools/sizes.py            # handouts/ beside this folder
    python tools/sizes.py --all      # every module and function, with its size

A function's size is its lines from `def` (decorators included) to its last
line; a nested function counts inside the one that holds it too.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

MODULE_LIMIT = 400
FUNCTION_LIMIT = 100


def sizes(package: Path) -> tuple[dict[str, int], dict[str, int]]:
    """{module path: lines} and {"module path name": lines} for every module and function of `package`."""
    modules: dict[str, int] = {}
    functions: dict[str, int] = {}
    for path in sorted(package.rglob("*.py")):
        name = str(path.relative_to(package.parent))
        text = path.read_text(encoding="utf-8")
        modules[name] = len(text.splitlines())
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
                functions[f"{name} {node.name}"] = node.end_lineno - first + 1
    return modules, functions


def main() -> None:
    package = Path(__file__).resolve().parent.parent / "handouts"
    modules, functions = sizes(package)
    everything = "--all" in sys.argv[1:]
    print(f"{len(modules)} modules, {sum(modules.values())} lines; {len(functions)} functions")
    print(f"modules over {MODULE_LIMIT} lines:")
    for name, lines in sorted(modules.items(), key=lambda item: -item[1]):
        if everything or lines > MODULE_LIMIT:
            print(f"  {lines:5}  {name}")
    print(f"functions over {FUNCTION_LIMIT} lines:")
    for name, lines in sorted(functions.items(), key=lambda item: -item[1]):
        if everything or lines > FUNCTION_LIMIT:
            print(f"  {lines:5}  {name}")


if __name__ == "__main__":
    main()
