"""The email ledger: what was sent to whom, so that nothing is sent twice.

One SQLite row per patient and mailing moves `pending` → `sent` | `failed`.
A mailing is what the patient receives: the handout's id and version, the
language and layout of the edition, and the fingerprint of the content
that prints (deliver.content). `pending` is committed (and synced) before
the message body goes to the server and `sent` after the server's 250, so
a run that dies in between leaves a `pending` row: the message may or may
not have been delivered, and a rerun reports it rather than guessing.

One run at a time: a sending run holds flock(2) on the ledger file itself,
so the lock goes with the file, not with the name it was given: the same
ledger named through a symlink or a hard link is the same lock, and there
is no lock file beside it that a planted symlink could redirect.

The only contact data kept is the address a message went to; the rest is
opaque ids, states, times and the server's reply with the address masked.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from ...errors import display_path
from .ledgerfile import COLUMNS, LEGACY_PREFIX, claim, connect, hold, open_file, owner_only

PENDING, SENT, FAILED = "pending", "sent", "failed"
_KEY = "patient_id = ? AND handout_id = ? AND version = ? AND language = ? AND layout = ? AND content = ?"


@dataclass(frozen=True)
class Mailing:
    """What one patient is sent: a handout version's edition and the fingerprint of what it prints."""

    handout_id: str
    version: str
    language: str
    layout: str
    content: str

    @property
    def edition(self) -> str:
        """'letter/en': the layout and language, as the summary shows them."""
        return f"{self.layout}/{self.language}"

    def same_content(self, content: str) -> bool:
        """Whether a row's `content` counts as this mailing's (a first-schema row always does)."""
        return content == self.content or content.startswith(LEGACY_PREFIX)

    def _key(self, patient_id: str) -> tuple[str, ...]:
        return (patient_id, self.handout_id, self.version, self.language, self.layout, self.content)


@dataclass(frozen=True)
class Delivery:
    """One ledger row."""

    patient_id: str
    handout_id: str
    version: str
    language: str
    layout: str
    content: str
    address: str
    state: str
    attempts: int
    created_at: str
    updated_at: str
    smtp_code: int | None
    smtp_reply: str | None
    message_id: str | None

    @property
    def edition_key(self) -> tuple[str, str, str, str]:
        """(handout id, version, language, layout): the rows of one edition of one version."""
        return (self.handout_id, self.version, self.language, self.layout)


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


class Ledger:
    """An open ledger file. Use `open_ledger()` to get one."""

    def __init__(self, connection: sqlite3.Connection, path: Path):
        self._db = connection
        self.path = path

    def mark_pending(self, patient_id: str, mailing: Mailing, *, address: str, message_id: str) -> None:
        """Record, durably, that this message is about to go to the server."""
        now = _now()
        with self._db:
            self._db.execute(
                """INSERT INTO deliveries (patient_id, handout_id, version, language, layout, content, address,
                                           state, attempts, created_at, updated_at, message_id)
                   VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', 1, ?, ?, ?)
                   ON CONFLICT (patient_id, handout_id, version, language, layout, content) DO UPDATE SET
                       state = 'pending', attempts = attempts + 1, updated_at = excluded.updated_at,
                       address = excluded.address, message_id = excluded.message_id,
                       smtp_code = NULL, smtp_reply = NULL""",
                (*mailing._key(patient_id), address, now, now, message_id))

    def finish(self, patient_id: str, mailing: Mailing, state: str, code: int | None, reply: str) -> None:
        """Record the server's final answer for a pending row: `sent` or `failed`."""
        with self._db:
            self._db.execute(f"UPDATE deliveries SET state = ?, smtp_code = ?, smtp_reply = ?, updated_at = ? "
                             f"WHERE {_KEY}", (state, code, reply, _now(), *mailing._key(patient_id)))

    def fail_unsent(self, patient_id: str, mailing: Mailing, *, address: str, code: int | None, reply: str) -> None:
        """Record a failure that happened before any body reached the server."""
        now = _now()
        with self._db:
            self._db.execute(
                """INSERT INTO deliveries (patient_id, handout_id, version, language, layout, content, address,
                                           state, attempts, created_at, updated_at, smtp_code, smtp_reply)
                   VALUES (?, ?, ?, ?, ?, ?, ?, 'failed', 1, ?, ?, ?, ?)
                   ON CONFLICT (patient_id, handout_id, version, language, layout, content) DO UPDATE SET
                       state = 'failed', attempts = attempts + 1, updated_at = excluded.updated_at,
                       smtp_code = excluded.smtp_code, smtp_reply = excluded.smtp_reply""",
                (*mailing._key(patient_id), address, now, now, code, reply))

    def row_id(self, patient_id: str, mailing: Mailing) -> int | None:
        """The row recording this patient's mailing (SQLite's rowid), or None: what an audit log points at."""
        found = self._db.execute(f"SELECT rowid FROM deliveries WHERE {_KEY}", mailing._key(patient_id)).fetchone()
        return found[0] if found else None

    def rows(self) -> list[Delivery]:
        """Every row, oldest first."""
        return [Delivery(*row) for row in self._db.execute(
            f"SELECT {', '.join(COLUMNS)} FROM deliveries ORDER BY created_at, patient_id")]

    def summary(self) -> dict:
        """Counts per state for each handout version, language and layout, the contents each printed, the ids left pending."""
        editions: dict[tuple[str, str, str, str], dict] = {}
        for handout_id, version, language, layout, content, state, count in self._db.execute(
                "SELECT handout_id, version, language, layout, content, state, COUNT(*) FROM deliveries "
                "GROUP BY handout_id, version, language, layout, content, state "
                "ORDER BY handout_id, version, layout, language, MIN(created_at)"):
            edition = editions.setdefault((handout_id, version, language, layout), {
                "handout": handout_id, "version": version, "language": language, "layout": layout,
                "edition": f"{layout}/{language}", SENT: 0, FAILED: 0, PENDING: 0, "pending_ids": [],
                "contents": []})
            edition[state] += count
            contents = edition["contents"]
            if not contents or contents[-1]["content"] != content:
                contents.append({"content": content, SENT: 0, FAILED: 0, PENDING: 0})
            contents[-1][state] += count
        for patient_id, *key in self._db.execute(
                "SELECT patient_id, handout_id, version, language, layout FROM deliveries "
                "WHERE state = 'pending' ORDER BY patient_id"):
            editions[tuple(key)]["pending_ids"].append(patient_id)
        handouts = list(editions.values())
        totals = {state: sum(h[state] for h in handouts) for state in (SENT, FAILED, PENDING)}
        return {"ledger": str(self.path), "totals": totals, "handouts": handouts}


def default_ledger(outbox: Path) -> Path:
    """Where the ledger lives unless told: beside the outbox folder, not inside it.

    So emptying the outbox never forgets what was sent.
    """
    outbox = Path(outbox)
    return outbox.parent / "email-ledger.sqlite"


def check_ledger(path: str | os.PathLike[str]) -> None:
    """Refuse now, before a run writes anything, a ledger path that holds something other than a ledger file."""
    if os.path.lexists(path):
        os.close(open_file(Path(path), display_path(path), create=False))


@contextmanager
def open_ledger(path: str | os.PathLike[str], *, create: bool = True, wait: float | None = None) -> Iterator[Ledger]:
    """Open (or create, owner-only) the ledger and hold its run lock.

    A second run on the same ledger file, by whatever name, waits up to
    `wait` seconds (None or 0: not at all) and then refuses to start rather
    than risk a second copy of any message. Read-only callers (`--status`,
    a dry run) pass `create=False` and take no lock. A ledger others could
    read is made owner-only, with a warning; a ledger of the first schema
    is migrated.
    """
    path = Path(path)
    shown = display_path(path)
    fd = open_file(path, shown, create)
    try:
        if create:
            hold(fd, path, shown, wait)
        owner_only(fd, shown)
        with closing(connect(path, fd, shown)) as connection:
            if not create:
                yield Ledger(connection, path)
                return
            claim(connection, shown)
            try:
                yield Ledger(connection, path)
            finally:
                try:
                    with connection:
                        connection.execute("DELETE FROM holder")
                except sqlite3.Error:  # never in place of what went wrong first; the next run replaces it
                    pass
    finally:
        # Only after SQLite's connection is closed: closing any descriptor
        # of the file drops every fcntl lock this process holds on it,
        # SQLite's own included.
        os.close(fd)
