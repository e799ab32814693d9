"""One writer per output folder: a lock file inside the folder.

Two runs writing into one folder (a cron job that overran, two staff
members) would interleave their files and manifests, so that the manifest
no longer describes the files beside it. Whoever writes into a folder
(`batch`, `email` into its outbox) holds the folder's lock for the whole
run:

    with folder_lock(out, purpose="batch", wait=30):
        ...  # read the manifest, write the files, write the manifest

The lock is `flock(2)` on `.handouts.lock` inside the folder: the folder
is opened first and the lock file is found in it by that descriptor, so
every name that reaches the folder (a symlink to it, a bind mount) reaches
the same lock file. The lock file is created without following a symlink
(O_NOFOLLOW, O_EXCL), and anything there but a regular file (a symlink, a
FIFO, a folder) is refused, never followed, opened for reading or written.
The kernel
drops it when its holder exits, however it exits, so a lock left by a
killed run is never an obstacle: the next run takes it over and logs a
warning naming the dead holder. The file holds the holder's process id,
host, start time and purpose (JSON) for the message a second run shows; it
is removed when the lock is released.

flock works between processes of one machine on local file systems and, on
Linux, on NFS (as a POSIX lock); two machines writing into one folder on a
file system without locking are not protected.
"""

from __future__ import annotations

import datetime as dt
import errno
import fcntl
import json
import logging
import os
import socket
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..errors import (
    FolderBusyError,
    OutputError,
    Problem,
    display_path,
    explain_os_error,
)
from ..load.reading import ReadError, file_kind, read_bytes

log = logging.getLogger("handouts")

LOCK_NAME = ".handouts.lock"
_POLL_SECONDS = 0.1
_HOLDER_LIMIT = 4096  # a holder's JSON is about 120 bytes


@dataclass(frozen=True)
class LockHolder:
    """Who holds (or held) a folder's lock: read from the lock file, for messages."""

    pid: int
    host: str
    started: str
    purpose: str

    def describe(self) -> str:
        """'batch, process 4242 on host ward-3, since 2026-11-29 19:50:01 UTC'."""
        return f"{self.purpose}, process {self.pid} on host {self.host}, since {self.started}"

    def to_json(self) -> bytes:
        """The lock file's content."""
        return (json.dumps({"pid": self.pid, "host": self.host, "started": self.started,
                            "purpose": self.purpose}) + "\n").encode()

    @classmethod
    def from_json(cls, data: bytes) -> LockHolder | None:
        """The holder a lock file names; None for an empty or unreadable one (being written, say)."""
        try:
            raw = json.loads(data.decode("utf-8"))
            return cls(pid=int(raw["pid"]), host=str(raw["host"]), started=str(raw["started"]),
                       purpose=str(raw["purpose"]))
        except (ValueError, KeyError, TypeError, AttributeError):
            return None


@contextmanager
def folder_lock(folder: str | os.PathLike[str], *, purpose: str, wait: float | None = None) -> Iterator[LockHolder]:
    """Hold `folder`'s lock for the body of a `with` block; yields this process as the holder.

    `folder` must exist (deliver.files.make_folder). `purpose` names the
    run in a waiting run's message ("batch", "email"). When another process
    holds the lock, wait up to `wait` seconds for it (None or 0: not at all)
    and then raise FolderBusyError naming the holder's process, host and
    start time. A lock file left by a process that no longer holds the lock
    (killed) is taken over with a logged warning.
    """
    folder = Path(folder)
    path = folder / LOCK_NAME
    deadline = time.monotonic() + (wait or 0)
    told = False
    dir_fd = _open_folder(folder)
    try:
        while True:
            fd = _open(dir_fd, folder)
            if fd is None:
                continue  # removed between our two tries by a holder letting go
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                if time.monotonic() >= deadline:
                    raise _busy(folder, wait) from None
                if not told:
                    holder = read_holder(folder)
                    log.warning("%s: waiting up to %g s for another handouts run to finish writing here (%s)",
                                display_path(folder), wait, holder.describe() if holder else "details not yet written")
                    told = True
                time.sleep(_POLL_SECONDS)
                continue
            except OSError as exc:
                os.close(fd)
                raise OutputError([Problem(display_path(path), None, explain_os_error(exc, path))]) from None
            if _same_file(fd, dir_fd):
                break
            # The holder we waited for removed the file as it released it: the
            # lock we got is on a name no one else will open. Start again.
            os.close(fd)
        yield from _held(fd, dir_fd, folder, purpose)
    finally:
        os.close(dir_fd)


def _held(fd: int, dir_fd: int, folder: Path, purpose: str) -> Iterator[LockHolder]:
    """Name this process in the lock file, yield, then remove the file and let go."""
    try:
        stale = LockHolder.from_json(_read(fd))
        if stale is not None:
            log.warning("%s: took over the lock of a run that is no longer running (%s)",
                        display_path(folder), stale.describe())
        me = LockHolder(pid=os.getpid(), host=socket.gethostname(), purpose=purpose,
                        started=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC"))
        os.ftruncate(fd, 0)
        os.pwrite(fd, me.to_json(), 0)
        yield me
    finally:
        # Remove the file while still holding the lock, so that no one takes
        # it over as stale; then let go.
        if _same_file(fd, dir_fd):
            try:
                os.unlink(LOCK_NAME, dir_fd=dir_fd)
            except FileNotFoundError:
                pass
        os.close(fd)


def read_holder(folder: str | os.PathLike[str]) -> LockHolder | None:
    """Who the folder's lock file names, if anyone (it may be stale: only flock knows)."""
    try:
        return LockHolder.from_json(read_bytes(Path(folder) / LOCK_NAME, max_bytes=_HOLDER_LIMIT, what="lock file"))
    except ReadError:  # gone, being written, or not a file we made
        return None


def _open_folder(folder: Path) -> int:
    """The folder itself (a symlink to it followed), by descriptor: its lock file is found from here."""
    try:
        return os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError as exc:
        raise OutputError([Problem(display_path(folder), None, explain_os_error(exc, folder))]) from None


# Never through a symlink; never waiting on a FIFO to open (it is refused below).
_FLAGS = os.O_RDWR | os.O_CLOEXEC | os.O_NOFOLLOW | os.O_NONBLOCK


def _open(dir_fd: int, folder: Path) -> int | None:
    """The folder's lock file, created if missing; None if it vanished between two tries."""
    path = folder / LOCK_NAME
    try:
        try:
            # 0644 less the umask: the file names a process, nothing private.
            fd = os.open(LOCK_NAME, _FLAGS | os.O_CREAT | os.O_EXCL, 0o644, dir_fd=dir_fd)
        except FileExistsError:
            fd = os.open(LOCK_NAME, _FLAGS, dir_fd=dir_fd)
    except FileNotFoundError:
        return None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise OutputError([Problem(display_path(folder), None,
                                       f"{LOCK_NAME} is a symlink; remove it and run again")]) from None
        raise OutputError([Problem(display_path(folder), None,
                                   f"cannot create the lock file {LOCK_NAME}: {explain_os_error(exc, path)}")]) from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise OutputError([Problem(display_path(folder), None,
                                   f"{LOCK_NAME} is {file_kind(mode)}, not a lock file; remove it and run again")])
    return fd


def _same_file(fd: int, dir_fd: int) -> bool:
    try:
        mine, named = os.fstat(fd), os.stat(LOCK_NAME, dir_fd=dir_fd, follow_symlinks=False)
    except FileNotFoundError:
        return False
    return (mine.st_dev, mine.st_ino) == (named.st_dev, named.st_ino)


def _read(fd: int) -> bytes:
    return os.pread(fd, _HOLDER_LIMIT, 0)


def _busy(folder: Path, wait: float | None) -> FolderBusyError:
    holder = read_holder(folder)
    who = holder.describe() if holder else "its details are being written"
    waited = f" after waiting {wait:g} s" if wait else ""
    remedy = "try again later, or wait longer with --wait SECONDS" if wait else \
        "wait for it to finish, or pass --wait SECONDS to wait for it"
    return FolderBusyError([Problem(display_path(folder), None,
                                    f"another handouts run is writing into this folder{waited} ({who}); {remedy}")])
