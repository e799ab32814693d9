"""One writer per output folder: a lock file inside the folder.

Two runs writing into one folder (a cron job that overran, two staff
members) would interleave their files and manifests, so that the manifest
no longer describes the files beside it. Whoever writes into a folder
(`batch`, `email` into its outbox) holds the folder's lock for the whole
run:

    with folder_lock(out, purpose="batch", wait=30):
        ...  # read the manifest, write the files, write the manifest

The lock is `flock(2)` on `.handouts.lock` inside the folder. The kernel
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
from ..load.reading import ReadError, read_bytes

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
    while True:
        fd = _open(path, folder)
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
        if _same_file(fd, path):
            break
        # The holder we waited for removed the file as it released it: the
        # lock we got is on a name no one else will open. Start again.
        os.close(fd)
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
        if _same_file(fd, path):
            try:
                path.unlink()
            except FileNotFoundError:
                pass
        os.close(fd)


def read_holder(folder: str | os.PathLike[str]) -> LockHolder | None:
    """Who the folder's lock file names, if anyone (it may be stale: only flock knows)."""
    try:
        return LockHolder.from_json(read_bytes(Path(folder) / LOCK_NAME, max_bytes=_HOLDER_LIMIT, what="lock file"))
    except ReadError:  # gone, being written, or not a file we made
        return None


def _open(path: Path, folder: Path) -> int:
    try:
        # 0644 less the umask: the file names a process, nothing private.
        return os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o644)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise OutputError([Problem(display_path(folder), None,
                                       f"{LOCK_NAME} is a symlink; remove it and run again")]) from None
        raise OutputError([Problem(display_path(folder), None,
                                   f"cannot create the lock file {LOCK_NAME}: {explain_os_error(exc, path)}")]) from None


def _same_file(fd: int, path: Path) -> bool:
    try:
        mine, named = os.fstat(fd), os.stat(path, follow_symlinks=False)
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
