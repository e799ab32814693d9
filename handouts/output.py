"""Writing output files atomically.

A PDF is rendered to memory, written to a hidden temporary file beside its
target, flushed to disk, then renamed over the target: readers (a printer
queue, a mail job) see the old file or the new one, never half of one.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` so that no partial file can ever be seen there."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        # Ctrl-C or a full disk: leave nothing behind but what was there.
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
