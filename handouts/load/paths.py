"""Resolving the paths that input files name, and keeping them inside.

A section list or brand file copied from elsewhere can name
`../../etc/passwd` or a symlink out of the project; the content folder is
the fence, and only `allow_outside` opens it.
"""

from __future__ import annotations

from pathlib import Path

# handouts is installed as plain files (pip never zips a package), so its
# data sit in this folder's parent; importlib.resources would say the same
# and cost a cold lint 10 ms of imports (tempfile, shutil, zipfile, lzma).
_PACKAGE = Path(__file__).resolve().parent.parent


def package_path(*parts: str) -> Path:
    """A file or folder shipped inside the handouts package (layouts, fonts, data)."""
    return _PACKAGE.joinpath(*parts)


def resolve_named(named: str, *, relative_to: Path, fence: Path, allow_outside: bool) -> tuple[Path, str | None]:
    """Resolve a path written in a file, relative to that file's folder.

    Returns the resolved path and, when the path leaves `fence` (after
    following symlinks) and that is not allowed, a reason to refuse it.
    """
    # No expanduser: "~" in content is a character, not the home folder.
    raw = Path(named)
    candidate = raw if raw.is_absolute() else relative_to.parent / raw
    resolved = candidate.resolve()
    if allow_outside:
        return resolved, None
    fence = fence.resolve()
    if raw.is_absolute():
        return resolved, f"absolute path '{named}' is not allowed; write it relative to this file (or pass --allow-outside)"
    if not resolved.is_relative_to(fence):
        return resolved, f"path '{named}' leads outside the folder {fence.name}/ (pass --allow-outside to permit it)"
    return resolved, None
