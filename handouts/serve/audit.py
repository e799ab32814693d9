"""The audit log: every print, e-mail and download the server made, for the compliance officer.

SQLite, owner-only (0600, created so and made so if found otherwise), one
row per action: when, which member of staff, what (print, email,
download), the outcome, and which edition of which handout (id, version,
language, layout and the fingerprint of what prints, deliver.content), with
the printer queue and job or the e-mail ledger's row. No patient's name or
address is ever written here: the ledger row is where the e-mail's address
lives, as for `handouts email`.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import stat
import threading
from contextlib import closing
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from ..errors import OutputError, Problem, display_path, explain_os_error

_SCHEMA = """CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY,
    time TEXT NOT NULL,
    user TEXT NOT NULL,
    action TEXT NOT NULL,
    outcome TEXT NOT NULL,
    handout_id TEXT,
    version TEXT,
    fingerprint TEXT,
    layout TEXT,
    language TEXT,
    printer TEXT,
    job TEXT,
    copies INTEGER,
    ledger_row INTEGER,
    detail TEXT
)"""


@dataclass(frozen=True)
class Entry:
    """One audit row (`id` and `time` are set when it is written)."""

    user: str
    action: str
    outcome: str
    handout_id: str | None = None
    version: str | None = None
    fingerprint: str | None = None
    layout: str | None = None
    language: str | None = None
    printer: str | None = None
    job: str | None = None
    copies: int | None = None
    ledger_row: int | None = None
    detail: str | None = None
    id: int | None = None
    time: str | None = None

    def line(self) -> str:
        """One line for `handouts serve --audit`."""
        what = f"{self.handout_id} {self.version} {self.layout}/{self.language}" if self.handout_id else "-"
        where = ""
        if self.printer:
            where = f" printer {self.printer} job {self.job} x{self.copies}"
        if self.ledger_row is not None:
            where += f" ledger row {self.ledger_row}"
        content = f" content {self.fingerprint[:12]}" if self.fingerprint else ""
        detail = f" ({self.detail})" if self.detail else ""
        return f"{self.id}\t{self.time}\t{self.user}\t{self.action}\t{self.outcome}\t{what}{content}{where}{detail}"


_COLUMNS = tuple(f.name for f in fields(Entry) if f.name not in ("id", "time"))


class AuditLog:
    """An open audit log; writes are serialised (one connection, one lock) and committed at once."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._db = _open(self.path)

    def close(self) -> None:
        self._db.close()

    def append(self, entry: Entry) -> int:
        """Write one row, durably; returns its id."""
        values = asdict(entry)
        now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        with self._lock, self._db:
            cursor = self._db.execute(
                f"INSERT INTO audit (time, {', '.join(_COLUMNS)}) VALUES (?, {', '.join('?' * len(_COLUMNS))})",
                (now, *(values[c] for c in _COLUMNS)))
            return int(cursor.lastrowid)

    def entries(self, limit: int | None = None) -> list[Entry]:
        """The rows, newest first."""
        return read(self._db, limit)


def read(db: sqlite3.Connection, limit: int | None = None) -> list[Entry]:
    query = f"SELECT id, time, {', '.join(_COLUMNS)} FROM audit ORDER BY id DESC"
    rows = db.execute(query + (" LIMIT ?" if limit else ""), (limit,) if limit else ()).fetchall()
    return [Entry(**dict(zip(("id", "time", *_COLUMNS), row))) for row in rows]


def list_audit(path: str | os.PathLike[str]) -> list[Entry]:
    """Every row of an audit log, newest first (`handouts serve --audit`)."""
    path = Path(path)
    if not path.is_file():
        raise OutputError([Problem(display_path(path), None, "no audit log here (handouts serve writes it when "
                                                             "it prints, e-mails or downloads)")])
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        try:
            return read(db)
        except sqlite3.DatabaseError as exc:
            raise OutputError([Problem(display_path(path), None, f"not an audit log ({exc})")]) from None


def _open(path: Path) -> sqlite3.Connection:
    """Open (creating owner-only) the log; one that others could read is made owner-only."""
    shown = display_path(path)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    except OSError as exc:
        raise OutputError([Problem(shown, None, explain_os_error(exc, path))]) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OutputError([Problem(shown, None, "the audit log must be a regular file")])
        if info.st_mode & 0o077:
            os.fchmod(fd, 0o600)
    finally:
        os.close(fd)
    db = sqlite3.connect(path, check_same_thread=False, isolation_level="DEFERRED")
    try:
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = FULL")
        db.execute(_SCHEMA)
        db.commit()
    except sqlite3.DatabaseError as exc:
        db.close()
        raise OutputError([Problem(shown, None, f"not an audit log ({exc})")]) from None
    return db
