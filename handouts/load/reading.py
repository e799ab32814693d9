"""The one way handouts reads an input file: a regular file, with a hard cap.

`Path.read_bytes()` trusts the file: a FIFO blocks it forever, `/dev/zero`
grows memory without end, and `st_size` of a device or a file still being
written says nothing about what a read will return. Every loader (YAML,
rosters, fonts, logos, manifests) goes through `read_bytes` here instead.
"""

from __future__ import annotations

import os
import stat

from ..errors import Problem, display_path

# Caps by kind of file; each far above any real clinic's file.
TEXT_LIMIT = 1_000_000        # YAML content, rosters, layouts, lint.yaml
FONT_LIMIT = 32_000_000       # a full CJK TrueType font is about 20 MB
IMAGE_LIMIT = 50_000_000      # a 300 dpi logo is well under 5 MB
MANIFEST_LIMIT = 200_000_000  # a batch manifest: a few hundred bytes per provider

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class ReadError(Exception):
    """A file could not be read as input; carries one located problem."""

    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


def file_kind(mode: int) -> str:
    """'a folder', 'a named pipe (FIFO)'... for a non-regular file's st_mode."""
    for test, name in _KINDS:
        if test(mode):
            return name
    return "a special file"


def read_bytes(path: str | os.PathLike[str], *, max_bytes: int, what: str = "file") -> bytes:
    """The bytes of a regular file of at most `max_bytes`; ReadError otherwise.

    The file's type is checked before it is opened, so a FIFO is never
    opened (which would block); it is opened non-blocking and checked again
    in case it was swapped meanwhile, and at most `max_bytes + 1` bytes are
    read whatever its size claims.
    """
    shown = display_path(path)

    def fail(message: str) -> ReadError:
        return ReadError(Problem(shown, None, message))

    try:
        mode = os.stat(path).st_mode
        if not stat.S_ISREG(mode):
            raise fail(f"expected a {what}, found {file_kind(mode)}; give the path of a regular file")
        flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0)
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise fail(f"{what} not found") from None
    except OSError as exc:
        raise fail(f"cannot read {what}: {exc.strerror}") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise fail(f"expected a {what}, found {file_kind(os.fstat(fd).st_mode)}")
        chunks, total = [], 0
        while total <= max_bytes:
            chunk = os.read(fd, min(1 << 20, max_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError as exc:
        raise fail(f"cannot read {what}: {exc.strerror}") from None
    finally:
        os.close(fd)
    if total > max_bytes:
        size = os.path.getsize(path) if os.path.isfile(path) else total
        raise fail(f"{what} is {max(size, total):,} bytes, over the {max_bytes:,}-byte limit")
    return b"".join(chunks)

