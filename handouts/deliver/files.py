"""Writing output files atomically, with the right permissions, and only over files.

A PDF is rendered to memory, written to a hidden temporary file beside its
target, flushed to disk, then renamed over the target: readers (a printer
queue, a mail job) see the old file or the new one, never half of one.

Permissions: a file gets what the umask allows (0666 minus the umask, so
0644 by default), a file that may hold patient data (`private=True`) gets
0600 whatever the umask, and a file being replaced never gains a permission
bit its predecessor did not have. Only regular files (or symlinks to them)
are ever replaced: a device, FIFO, socket or folder at the target is refused
and left as it was.
"""

from __future__ import annotations

import errno
import fnmatch
import os
import stat
import tempfile
from pathlib import Path

from ..errors import OutputError, Problem, display_path, explain_os_error

PART_SUFFIX = ".part"


def write_atomic(path: Path, data: bytes, *, private: bool = False) -> None:
    """Write `data` to `path` so that no partial file can ever be seen there.

    `private` makes the file owner-only (0600) whatever the umask: use it for
    anything that may hold patient data. Raises OutputError (a user's
    problem, not a bug) when the folder cannot be made or written, or the
    target is not a regular file.
    """
    path = Path(path)
    publish(stage(path, data, private=private), path)


def stage(path: Path, data: bytes, *, private: bool = False) -> Path:
    """The first half of `write_atomic`: `data` in a hidden temporary file beside `path`, on disk.

    The file already has its final permissions; `publish` gives it its
    name. Until then it is `.<name>.<random>.part`, which a reader never
    takes for the file and `remove_stale_parts` removes if the run dies.
    """
    path = Path(path)
    _make_folder(path.parent, private=False, shown=path)
    existing = _existing_mode(path)
    mode = 0o600 if private else 0o666 & ~current_umask()
    if existing is not None:
        mode &= existing  # never loosen what the old file allowed
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=PART_SUFFIX)
    except OSError as exc:
        raise OutputError([Problem(_shown(path), None, explain_os_error(exc, path))]) from None
    try:
        _write(fd, tmp, data, mode)
    except OSError as exc:
        raise OutputError([Problem(_shown(path), None, explain_os_error(exc, path))]) from None
    return Path(tmp)


def publish(staged: Path, path: Path) -> None:
    """The second half of `write_atomic`: rename a `stage`d file over `path` (removed if that fails)."""
    try:
        os.replace(staged, path)
    except OSError as exc:
        Path(staged).unlink(missing_ok=True)
        raise OutputError([Problem(_shown(Path(path)), None, explain_os_error(exc, path))]) from None


def check_target(path: Path) -> None:
    """Raise OutputError now if `path` exists and is not a regular file (or a symlink to one).

    `write_atomic` refuses it anyway; calling this first saves rendering a
    document that could never be written (`-o /dev/null`, a FIFO).
    """
    _existing_mode(Path(path))


def make_folder(folder: Path, *, private: bool = False) -> None:
    """Create `folder` (and its parents) unless it exists; `private` makes a new one 0700.

    Raises OutputError naming the folder and what to do when it cannot be
    made (a file in the way, no permission, a read-only disk).
    """
    _make_folder(Path(folder), private=private, shown=Path(folder))


def _make_folder(folder: Path, *, private: bool, shown: Path) -> None:
    try:
        if folder.is_dir():
            return
        folder.mkdir(parents=True, exist_ok=True, mode=0o700 if private else 0o777)
    except OSError as exc:
        raise OutputError([Problem(_shown(shown), None, explain_os_error(exc, folder))]) from None


def remove_stale_parts(folder: Path, name_pattern: str) -> list[Path]:
    """Remove the hidden temporary files a killed run left for targets matching `name_pattern`.

    Only files named `.<name>.<random>.part` (what `write_atomic` makes) for
    a `<name>` matching the glob `name_pattern` are removed, and only regular
    files. Call it only while holding the folder's lock (deliver.lock), so
    that no live writer's temporary file is taken. Returns what was removed.
    """
    removed = []
    pattern = f".{name_pattern}.*{PART_SUFFIX}"
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    for name in names:
        if not fnmatch.fnmatchcase(name, pattern):
            continue
        path = Path(folder) / name
        try:
            if stat.S_ISREG(path.lstat().st_mode):
                path.unlink()
                removed.append(path)
        except FileNotFoundError:
            pass
    return removed


def current_umask() -> int:
    """The process's umask, read without changing it where the system allows."""
    try:
        with open("/proc/self/status", encoding="ascii") as handle:  # the kernel's, not an input
            for line in handle:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    # Elsewhere the only way is to set it and put it back.
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _existing_mode(path: Path) -> int | None:
    """The permission bits of the regular file at `path`, None if there is none; refuse anything else."""
    try:
        info = path.stat()  # follows a symlink: what matters is what it points to
    except FileNotFoundError:
        return None  # nothing there, or a dangling symlink: replaced like a missing file
    except OSError as exc:
        raise OutputError([Problem(_shown(path), None, explain_os_error(exc, path))]) from None
    if stat.S_ISREG(info.st_mode):
        return stat.S_IMODE(info.st_mode)
    if stat.S_ISDIR(info.st_mode):
        raise OutputError([Problem(_shown(path), None, explain_os_error(
            OSError(errno.EISDIR, os.strerror(errno.EISDIR)), path))])
    kind = _kind(info.st_mode)
    via = " (through a symlink)" if path.is_symlink() else ""
    raise OutputError([Problem(_shown(path), None,
                               f"refusing to write over a {kind}{via}: only regular files are replaced; "
                               "choose a file name")])


def _shown(path: Path) -> str:
    """`path` for a message, its last part as given: a symlink is named, not what it points to."""
    folder = display_path(path.parent)
    return path.name if folder == "." else os.path.join(folder, path.name)


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    if stat.S_ISSOCK(mode):
        return "socket"
    return "special file"


def _write(fd: int, tmp: str, data: bytes, mode: int) -> None:
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            # mkstemp made the file 0600; set the mode before it gets its name.
            os.fchmod(handle.fileno(), mode)
            os.fsync(handle.fileno())
    except BaseException:
        # Ctrl-C or a full disk: leave nothing behind but what was there.
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
