"""The ledger's file: opened without surprises, locked by identity, owner-only, at the current schema.

`open_file` refuses anything but a regular file (a FIFO is never waited
on); `hold` takes flock(2) on the file itself, so every name of the file
(a symlink, a hard link) is the same lock; `connect` opens SQLite on the
file's real name (its -wal and -shm go beside that one) and brings an
older ledger to the current schema.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import logging
import os
import socket
import sqlite3
import stat
import time
import urllib.parse
from contextlib import closing
from pathlib import Path

from ...errors import OutputError, Problem, explain_os_error
from ...load.reading import file_kind
from ..lock import LockHolder

log = logging.getLogger("handouts")

# PRAGMA user_version. 0: the first ledgers (rows keyed by a fingerprint of
# every input, the edition as "layout/language"); 2: rows keyed by mailing.
SCHEMA_VERSION = 2
# What a first-schema row's content becomes: its old fingerprint, marked. It
# counts as the content of its handout version and edition, whatever prints
# now: those ledgers cannot say what was printed, and re-mailing everyone on
# an upgrade is what this schema exists to prevent.
LEGACY_PREFIX = "v1:"
_POLL_SECONDS = 0.1

COLUMNS = ("patient_id", "handout_id", "version", "language", "layout", "content", "address", "state", "attempts",
           "created_at", "updated_at", "smtp_code", "smtp_reply", "message_id")
SCHEMA = """
CREATE TABLE IF NOT EXISTS deliveries (
    patient_id   TEXT NOT NULL,
    handout_id   TEXT NOT NULL,
    version      TEXT NOT NULL,
    language     TEXT NOT NULL,
    layout       TEXT NOT NULL,
    content      TEXT NOT NULL,
    address      TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'failed')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    smtp_code    INTEGER,
    smtp_reply   TEXT,
    message_id   TEXT,
    PRIMARY KEY (patient_id, handout_id, version, language, layout, content)
);
CREATE TABLE IF NOT EXISTS holder (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    holder       TEXT NOT NULL
);
"""


def open_file(path: Path, shown: str, create: bool) -> int:
    """A descriptor of the ledger file (made 0600 when new), refusing anything but a regular file."""
    # O_NONBLOCK: a FIFO named as the ledger is refused below, not waited on.
    flags = (os.O_RDWR if create else os.O_RDONLY) | os.O_CLOEXEC | os.O_NONBLOCK
    try:
        if create:
            try:
                path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                # The ledger holds addresses: owner-only from its first byte.
                fd = os.open(path, flags | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                fd = os.open(path, flags)
        else:
            fd = os.open(path, flags)
    except FileNotFoundError:
        if os.path.islink(path):
            raise OutputError([Problem(shown, None, "is a symlink to nothing; name the ledger file itself")]) from None
        if create:
            raise OutputError([Problem(shown, None, "cannot create the email ledger here: its folder is missing")]) \
                from None
        raise OutputError([Problem(shown, None, "no email ledger here yet; nothing has been sent")]) from None
    except OSError as exc:
        raise OutputError([Problem(shown, None, explain_os_error(exc, path))]) from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise OutputError([Problem(shown, None, f"is {file_kind(mode)}, not an email ledger; name a file")])
    return fd


def hold(fd: int, path: Path, shown: str, wait: float | None) -> None:
    """flock the ledger file, waiting up to `wait` seconds for another run to let go."""
    deadline = time.monotonic() + (wait or 0)
    told = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            holder = holder_of(path)
            who = holder.describe() if holder else "another process"
            if time.monotonic() >= deadline:
                waited = f" after waiting {wait:g} s" if wait else ""
                remedy = "try again later, or wait longer with --wait SECONDS" if wait else \
                    "wait for it to finish, or pass --wait SECONDS to wait for it"
                raise OutputError([Problem(shown, None, f"another email run is using this ledger{waited} "
                                                        f"({who}); {remedy}")]) from None
            if not told:
                log.warning("%s: waiting up to %g s for another email run to finish with this ledger (%s)",
                            shown, wait, who)
                told = True
            time.sleep(_POLL_SECONDS)
        except OSError as exc:
            raise OutputError([Problem(shown, None, f"cannot lock the email ledger: {exc.strerror or exc}")]) \
                from None


def holder_of(path: Path) -> LockHolder | None:
    """The run holding the ledger, as it wrote itself into it; None when that cannot be read.

    Read from the main file alone (`immutable`): another name for the file
    (a hard link) has no -wal or -shm beside it, and the holder wrote itself
    there with a checkpoint. Best effort, for a message.
    """
    uri = f"file:{urllib.parse.quote(os.path.realpath(path))}?immutable=1"
    try:
        with closing(sqlite3.connect(uri, uri=True, timeout=1)) as db:
            row = db.execute("SELECT holder FROM holder WHERE id = 1").fetchone()
    except sqlite3.Error:
        return None
    return LockHolder.from_json(row[0].encode()) if row and isinstance(row[0], str) else None


def claim(connection: sqlite3.Connection, shown: str) -> None:
    """Write this run into the ledger, for the message a second run shows."""
    stale = connection.execute("SELECT holder FROM holder WHERE id = 1").fetchone()
    if stale and (old := LockHolder.from_json(str(stale[0]).encode())) is not None:
        log.warning("%s: took over the ledger from a run that is no longer running (%s)", shown, old.describe())
    me = LockHolder(pid=os.getpid(), host=socket.gethostname(), purpose="email",
                    started=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC"))
    with connection:
        connection.execute("INSERT OR REPLACE INTO holder (id, holder) VALUES (1, ?)", (me.to_json().decode(),))
    connection.execute("PRAGMA wal_checkpoint(FULL)")  # into the main file, where `holder_of` reads it


def owner_only(fd: int, shown: str) -> None:
    """A ledger others could read (made by hand, copied, an old version's) is made 0600: it holds addresses."""
    mode = stat.S_IMODE(os.fstat(fd).st_mode)
    if not mode & 0o077:
        return
    try:
        os.fchmod(fd, 0o600)
    except OSError:
        log.warning("%s: others can read this ledger (%04o), and it holds patients' addresses; "
                    "make it owner-only (chmod 600)", shown, mode)
        return
    log.warning("%s: others could read this ledger (%04o); made owner-only (0600): it holds patients' addresses",
                shown, mode)


def connect(path: Path, fd: int, shown: str) -> sqlite3.Connection:
    # The file's own name, not a symlink's: SQLite keeps its -wal and -shm
    # files beside the name it opens, and two names would mean two of them.
    real = os.path.realpath(path)
    try:
        connection = sqlite3.connect(real, timeout=10)
    except sqlite3.Error as exc:
        raise OutputError([Problem(shown, None, f"cannot open the email ledger ({exc})")]) from None
    try:
        if not os.path.samestat(os.stat(real), os.fstat(fd)):
            raise OutputError([Problem(shown, None, "the ledger file was replaced while it was being opened; "
                                                    "run again")])
        # WAL with full sync: each commit (pending, then sent) is on disk
        # before the next step of the SMTP exchange starts.
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=FULL")
        migrate(connection, shown)
    except sqlite3.DatabaseError as exc:
        connection.close()
        raise OutputError([Problem(shown, None, f"not a handouts email ledger ({exc})")]) from None
    except BaseException:
        connection.close()
        raise
    for suffix in ("-wal", "-shm"):
        side = Path(real + suffix)
        if side.exists():
            os.chmod(side, 0o600)
    return connection


def migrate(db: sqlite3.Connection, shown: str) -> None:
    """Bring the ledger to SCHEMA_VERSION: create it, or convert the first schema's rows."""
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version == SCHEMA_VERSION:
        return
    if version > SCHEMA_VERSION:
        raise OutputError([Problem(shown, None, f"this ledger was written by a newer handouts (ledger format "
                                                f"{version}); use that version")])
    columns = {row[1] for row in db.execute("PRAGMA table_info(deliveries)")}
    if columns and not {"fingerprint", "edition"} <= columns:
        raise OutputError([Problem(shown, None, "not a handouts email ledger (its deliveries table is "
                                                "of another shape)")])
    db.isolation_level = None  # the steps below are one transaction of their own
    try:
        db.execute("BEGIN IMMEDIATE")
        if columns:
            db.execute("ALTER TABLE deliveries RENAME TO deliveries_v1")
        for statement in SCHEMA.split(";"):
            if statement.strip():
                db.execute(statement)
        if columns:
            old = db.execute("SELECT patient_id, fingerprint, handout_id, version, edition, address, state, attempts, "
                             "created_at, updated_at, smtp_code, smtp_reply, message_id FROM deliveries_v1")
            for pid, fingerprint, handout_id, hversion, edition, *rest in old.fetchall():
                layout, _, language = str(edition).rpartition("/")
                db.execute(f"INSERT INTO deliveries ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})",
                           (pid, handout_id, hversion, language, layout, LEGACY_PREFIX + fingerprint, *rest))
            db.execute("DROP TABLE deliveries_v1")
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise
    finally:
        db.isolation_level = ""
