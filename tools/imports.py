"""The import graph between handouts' units (its folders and root modules), read from the source.

    python tools/imports.py          # every arrow, the cycles, and the arrows that point back up

Every import counts, wherever it is written: at the top of a module, inside
a function (imported late for speed) or under `if TYPE_CHECKING:`. Each unit
has a stage (STAGES); an arrow may only point to a unit of an earlier stage.
tests/test_architecture.py holds the package to it.
"""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from pathlib import Path

# The pipeline in order: a unit may import only units of a lower number.
# load, sections and layouts read a clinic's files (the section model and
# layouts are kept at the top of the package, and read through load);
# render and lint are beside each other, after fill: lint reads what load
# and fill make and never lays out, render never lints.
STAGES = {
    "errors": 0, "version": 0,
    "load": 1,
    "sections": 2, "layouts": 2,
    "fill": 3,
    "render": 4, "lint": 4,
    "pipeline": 5,
    "deliver": 6,
    "serve": 7,
    "__init__": 8,
    "cli": 9,
    "__main__": 10,
}


def unit_of(module: str) -> str:
    """'handouts.load.brand' -> 'load'; 'handouts' -> '__init__'."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def arrows(package: Path) -> list[tuple[str, str, str]]:
    """(from unit, to unit, "file:line") for every import of one unit by another in `package`."""
    found = []
    for path in sorted(package.rglob("*.py")):
        module = ".".join(path.relative_to(package.parent).with_suffix("").parts)
        if module.endswith(".__init__"):
            module = module.removesuffix(".__init__")
            home = module
        else:
            home = module.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            for target in _targets(node, home, package):
                if unit_of(module) != unit_of(target):
                    found.append((unit_of(module), unit_of(target), f"{path.relative_to(package)}:{node.lineno}"))
    return found


def _targets(node: ast.AST, home: str, package: Path) -> list[str]:
    """The package's modules (or names in them) an import statement reaches."""
    name = package.name
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names if alias.name.split(".")[0] == name]
    if not isinstance(node, ast.ImportFrom):
        return []
    if node.level:
        parts = home.split(".")
        base = ".".join(parts[: len(parts) - node.level + 1])
        target = f"{base}.{node.module}" if node.module else base
    else:
        target = node.module or ""
    if target.split(".")[0] != name:
        return []
    if target == name:  # `from handouts import x`: x is a unit of its own, or a name in __init__
        return [f"{name}.{alias.name}" if _is_module(package, alias.name) else name for alias in node.names]
    return [target]


def _is_module(package: Path, name: str) -> bool:
    return (package / name).is_dir() or (package / f"{name}.py").is_file()


def graph(found: list[tuple[str, str, str]]) -> dict[str, set[str]]:
    edges: dict[str, set[str]] = defaultdict(set)
    for source, target, _ in found:
        edges[source].add(target)
    return dict(edges)


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one unit (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(unit: str) -> None:
        index[unit] = low[unit] = len(index)
        stack.append(unit)
        on_stack.add(unit)
        for other in sorted(edges.get(unit, ())):
            if other not in index:
                visit(other)
                low[unit] = min(low[unit], low[other])
            elif other in on_stack:
                low[unit] = min(low[unit], index[other])
        if low[unit] == index[unit]:
            component = []
            while True:
                other = stack.pop()
                on_stack.discard(other)
                component.append(other)
                if other == unit:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for unit in sorted(edges):
        if unit not in index:
            visit(unit)
    return found


def back_arrows(found: list[tuple[str, str, str]]) -> list[str]:
    """Each import of a unit that is not of an earlier stage (or of a unit with no stage), with where it is."""
    wrong = []
    for source, target, where in found:
        if source not in STAGES or target not in STAGES:
            unknown = source if source not in STAGES else target
            wrong.append(f"{where}: {source} -> {target}: '{unknown}' has no stage in tools/imports.py STAGES")
        elif STAGES[target] >= STAGES[source]:
            wrong.append(f"{where}: {source} -> {target}: {target} is not an earlier stage than {source}")
    return wrong


def report(package: Path) -> list[str]:
    """What main prints: each unit's arrows in pipeline order, the cycles, and each arrow back up."""
    found = arrows(package)
    edges = graph(found)
    order = lambda u: (STAGES.get(u, 99), u)  # noqa: E731
    lines = [f"{unit} -> {', '.join(sorted(edges[unit], key=order))}" for unit in sorted(edges, key=order)]
    lines.append(f"cycles: {cycles(edges) or 'none'}")
    wrong = back_arrows(found)
    lines.append(f"arrows pointing back up: {len(wrong)}")
    return lines + ["  " + line for line in wrong]


def main() -> None:
    package = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent) / "handouts"
    print("\n".join(report(package)))


if __name__ == "__main__":
    main()
