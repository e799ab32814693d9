"""Writing output files atomically.

A PDF is rendered to memory, written to a hidden temporary file beside its
target, flushed to disk, then renamed over the target: readers (a printer
queue, a mail job) see the old file or the new one, never half of one.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ..errors import OutputError, Problem, display_path


def write_atomic(path: Path, data: bytes, *, private: bool = False) -> None:
    """Write `data` to `path` so that no partial file can ever be seen there.

    `private` files (anything that may hold patient data) are owner-only.

    Raises OutputError (a user's problem, not a bug) when the folder cannot
    be made or written, or the target is a folder.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_dir():
            raise IsADirectoryError(21, "is a folder")
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    except OSError as exc:
        raise OutputError([Problem(display_path(path), None, f"cannot write here: {exc.strerror or exc}")]) from None
    try:
        _write_and_replace(fd, tmp, path, data, 0o600 if private else 0o644)
    except OSError as exc:
        raise OutputError([Problem(display_path(path), None, f"cannot write here: {exc.strerror or exc}")]) from None


def _write_and_replace(fd: int, tmp: str, path: Path, data: bytes, mode: int) -> None:
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        # Ctrl-C or a full disk: leave nothing behind but what was there.
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
