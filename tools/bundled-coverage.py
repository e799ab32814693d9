"""Write handouts/fonts/coverage.txt: the characters the bundled font family draws in all four styles.

    python tools/bundled-coverage.py

Build reads the coverage from the font files with ReportLab (125 ms);
lint reads this table instead, so that checking what a handout's text can
print costs it nothing. tests/test_lint.py checks the table against
ReportLab's reading: run this again whenever the bundled fonts change.
"""

from __future__ import annotations

from handouts.load.paths import package_path
from handouts.render.fonts import register_family


def ranges(points: list[int]) -> list[tuple[int, int]]:
    """Consecutive code points as (first, last) pairs."""
    spans: list[tuple[int, int]] = []
    for point in points:
        if spans and point == spans[-1][1] + 1:
            spans[-1] = (spans[-1][0], point)
        else:
            spans.append((point, point))
    return spans


def main() -> None:
    coverage = sorted(register_family(None).coverage)
    lines = [f"{first:04X}-{last:04X}" if first != last else f"{first:04X}" for first, last in ranges(coverage)]
    target = package_path("fonts", "coverage.txt")
    target.write_text("# Characters the bundled family draws in all four styles (tools/bundled-coverage.py)\n"
                      + "\n".join(lines) + "\n", encoding="ascii")
    print(f"wrote {target}: {len(coverage)} characters in {len(lines)} ranges")


if __name__ == "__main__":
    main()
