"""The email ledger: what was sent to whom, so that nothing is sent twice.

One SQLite row per patient and handout fingerprint moves `pending` →
`sent` | `failed`. `pending` is committed (and synced) before the message
body goes to the server and `sent` after the server's 250, so a run that
dies in between leaves a `pending` row: the message may or may not have
been delivered, and a rerun reports it rather than guessing.

The only contact data kept is the address a message went to; the rest is
opaque ids, states, times and the server's reply with the address masked.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ...errors import OutputError, Problem, display_path

PENDING, SENT, FAILED = "pending", "sent", "failed"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS deliveries (
    patient_id   TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,
    handout_id   TEXT NOT NULL,
    version      TEXT NOT NULL,
    edition       TEXT NOT NULL,
    address      TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'failed')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    smtp_code    INTEGER,
    smtp_reply   TEXT,
    message_id   TEXT,
    PRIMARY KEY (patient_id, fingerprint)
);
"""


@dataclass(frozen=True)
class Delivery:
    """One ledger row."""

    patient_id: str
    fingerprint: str
    handout_id: str
    version: str
    edition: str
    address: str
    state: str
    attempts: int
    created_at: str
    updated_at: str
    smtp_code: int | None
    smtp_reply: str | None
    message_id: str | None


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


class Ledger:
    """An open ledger file. Use `open_ledger()` to get one."""

    def __init__(self, connection: sqlite3.Connection, path: Path):
        self._db = connection
        self.path = path

    def get(self, patient_id: str, fingerprint: str) -> Delivery | None:
        """The row for this patient and handout, if any."""
        row = self._db.execute("SELECT * FROM deliveries WHERE patient_id = ? AND fingerprint = ?",
                               (patient_id, fingerprint)).fetchone()
        return Delivery(*row) if row else None

    def mark_pending(self, *, patient_id: str, fingerprint: str, handout_id: str, version: str, edition: str,
                     address: str, message_id: str) -> None:
        """Record, durably, that this message is about to go to the server."""
        now = _now()
        with self._db:
            self._db.execute(
                """INSERT INTO deliveries (patient_id, fingerprint, handout_id, version, edition, address, state,
                                           attempts, created_at, updated_at, message_id)
                   VALUES (?, ?, ?, ?, ?, ?, 'pending', 1, ?, ?, ?)
                   ON CONFLICT (patient_id, fingerprint) DO UPDATE SET
                       state = 'pending', attempts = attempts + 1, updated_at = excluded.updated_at,
                       address = excluded.address, edition = excluded.edition, message_id = excluded.message_id,
                       smtp_code = NULL, smtp_reply = NULL""",
                (patient_id, fingerprint, handout_id, version, edition, address, now, now, message_id))

    def finish(self, patient_id: str, fingerprint: str, state: str, code: int | None, reply: str) -> None:
        """Record the server's final answer for a pending row: `sent` or `failed`."""
        with self._db:
            self._db.execute("UPDATE deliveries SET state = ?, smtp_code = ?, smtp_reply = ?, updated_at = ? "
                             "WHERE patient_id = ? AND fingerprint = ?",
                             (state, code, reply, _now(), patient_id, fingerprint))

    def fail_unsent(self, *, patient_id: str, fingerprint: str, handout_id: str, version: str, edition: str,
                    address: str, code: int | None, reply: str) -> None:
        """Record a failure that happened before any body reached the server."""
        now = _now()
        with self._db:
            self._db.execute(
                """INSERT INTO deliveries (patient_id, fingerprint, handout_id, version, edition, address, state,
                                           attempts, created_at, updated_at, smtp_code, smtp_reply)
                   VALUES (?, ?, ?, ?, ?, ?, 'failed', 1, ?, ?, ?, ?)
                   ON CONFLICT (patient_id, fingerprint) DO UPDATE SET
                       state = 'failed', attempts = attempts + 1, updated_at = excluded.updated_at,
                       smtp_code = excluded.smtp_code, smtp_reply = excluded.smtp_reply""",
                (patient_id, fingerprint, handout_id, version, edition, address, now, now, code, reply))

    def rows(self) -> list[Delivery]:
        """Every row, oldest first."""
        return [Delivery(*row) for row in
                self._db.execute("SELECT * FROM deliveries ORDER BY created_at, patient_id")]

    def summary(self) -> dict:
        """Counts per state for each handout version, edition and fingerprint, and the ids left pending."""
        handouts = []
        for handout_id, version, edition, fingerprint in self._db.execute(
                "SELECT DISTINCT handout_id, version, edition, fingerprint FROM deliveries "
                "ORDER BY handout_id, version, edition"):
            counts = dict(self._db.execute("SELECT state, COUNT(*) FROM deliveries WHERE fingerprint = ? "
                                           "GROUP BY state", (fingerprint,)).fetchall())
            pending = [pid for (pid,) in self._db.execute(
                "SELECT patient_id FROM deliveries WHERE fingerprint = ? AND state = 'pending' ORDER BY patient_id",
                (fingerprint,))]
            handouts.append({"handout": handout_id, "version": version, "edition": edition, "fingerprint": fingerprint,
                             "sent": counts.get(SENT, 0), "failed": counts.get(FAILED, 0),
                             "pending": counts.get(PENDING, 0), "pending_ids": pending})
        totals = {state: sum(h[state] for h in handouts) for state in (SENT, FAILED, PENDING)}
        return {"ledger": str(self.path), "totals": totals, "handouts": handouts}


def default_ledger(outbox: Path) -> Path:
    """Where the ledger lives unless told: beside the outbox folder, not inside it.

    So emptying the outbox never forgets what was sent.
    """
    outbox = Path(outbox)
    return outbox.parent / "email-ledger.sqlite"


@contextmanager
def open_ledger(path: Path, *, create: bool = True) -> Iterator[Ledger]:
    """Open (or create, owner-only) the ledger and hold its run lock.

    A second run on the same ledger refuses to start rather than risk a
    second copy of any message. Read-only callers (`--status`) pass
    `create=False` and take no lock.
    """
    path = Path(path)
    shown = display_path(path)
    if not create:
        if not path.is_file():
            raise OutputError([Problem(shown, None, "no email ledger here yet; nothing has been sent")])
        connection = _connect(path, shown)
        try:
            yield Ledger(connection, path)
        finally:
            connection.close()
        return
    lock_path = path.with_name(path.name + ".lock")
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        lock_fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise OutputError([Problem(shown, None, f"cannot create the email ledger here: {exc.strerror or exc}")]) \
            from None
    try:
        try:
            fcntl.flock(lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(lock_fd, 200, 0).decode("ascii", "replace").strip() or "another process"
            raise OutputError([Problem(shown, None, f"another email run is using this ledger ({holder}); "
                                                    "wait for it to finish, then run again")]) from None
        os.ftruncate(lock_fd, 0)
        os.pwrite(lock_fd, f"pid {os.getpid()}, started {_now()}".encode(), 0)
        # The ledger holds addresses: owner-only from its first byte.
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        os.close(fd)
        connection = _connect(path, shown)
        try:
            yield Ledger(connection, path)
        finally:
            connection.close()
    finally:
        os.close(lock_fd)


def _connect(path: Path, shown: str) -> sqlite3.Connection:
    try:
        connection = sqlite3.connect(path, timeout=10)
        # WAL with full sync: each commit (pending, then sent) is on disk
        # before the next step of the SMTP exchange starts.
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=FULL")
        connection.executescript(_SCHEMA)
    except sqlite3.DatabaseError as exc:
        raise OutputError([Problem(shown, None, f"not a handouts email ledger ({exc})")]) from None
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            os.chmod(side, 0o600)
    return connection
