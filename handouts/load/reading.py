"""The one way handouts reads an input file: a regular file, with a hard cap.

`Path.read_bytes()` trusts the file: a FIFO blocks it forever, `/dev/zero`
grows memory without end, and `st_size` of a device or a file still being
written says nothing about what a read will return. Every loader (YAML,
rosters, fonts, logos, manifests) goes through `read_bytes` here instead.
"""

from __future__ import annotations

import hashlib
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


# What each input file held when it was last read, by its absolute path: the
# file's stat stamp then, and the sha256 of the bytes read. A fingerprint of
# a run's inputs (deliver.batch) takes its digests from here instead of
# reading every file again; a file whose stamp has changed is read again.
_digests: dict[str, tuple[tuple, str]] = {}


def _stamp(info: os.stat_result) -> tuple:
    return info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns


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
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise fail(f"expected a {what}, found {file_kind(info.st_mode)}")
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
    data = b"".join(chunks)
    _digests[os.path.abspath(path)] = (_stamp(info), hashlib.sha256(data).hexdigest())
    return data


def file_digest(path: str | os.PathLike[str], *, max_bytes: int, what: str = "file") -> str:
    """The sha256 (hex) of a file's bytes as a loader last read them (read_bytes), while the file is unchanged.

    Unchanged is what stat says: the same device, inode, size and
    modification time as when it was read. A file never read in this
    process, or changed since, is read now (bounded, as read_bytes reads).
    """
    key = os.path.abspath(path)
    known = _digests.get(key)
    if known is not None:
        try:
            if _stamp(os.stat(path)) == known[0]:
                return known[1]
        except OSError:
            pass  # read_bytes says why
    read_bytes(path, max_bytes=max_bytes, what=what)
    return _digests[key][1]

