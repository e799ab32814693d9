"""handouts: branded, print-ready PDF patient handouts from YAML content.

The library API is imported lazily so that `handouts --version` and `--help`
start without loading ReportLab.
"""

from __future__ import annotations

from .version import __version__

__all__ = ["HandoutError", "__version__", "build_handout", "prepare", "render_handout"]


def __getattr__(name: str):
    if name in ("build_handout", "prepare", "render_handout"):
        from .pipeline import prepare as build

        return getattr(build, name)
    if name == "HandoutError":
        from .errors import HandoutError

        return HandoutError
    raise AttributeError(f"module 'handouts' has no attribute {name!r}")
