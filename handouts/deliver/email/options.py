"""How an e-mail run sends, beside what it prints: one frozen object, as pipeline.options is for what to print.

`send_handouts` takes `options=` (pipeline.options.Options: the handout,
brand, layout...) and `email=` (this), or the fields of either as
keywords; the command line builds both once from its options.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

DEFAULT_MAX_ATTACHMENT = 10 * 1024 * 1024
# Waits before each retry of a 4xx reply or a lost connection: bounded, so
# one patient never holds the run for more than about half a minute.
RETRY_DELAYS = (2.0, 4.0, 8.0, 16.0)


@dataclass(frozen=True)
class EmailOptions:
    """Where messages go (an outbox, or SMTP with `send`), the ledger, the rate, and the messages' own settings.

    `outbox`: where a dry run writes each message as an .eml file (and the
    folder the run locks); `send`: send over SMTP instead; `ledger`: the
    record of what was sent (default: beside the outbox); `rate`: messages
    per minute at most; `resend_pending`: resend what a run that died
    mid-message left pending; `new_mailing`: send an edition that prints
    differently under a version already sent; `password_column`: the
    patients file's column holding each PDF's password; `subject`: the
    subject template; `sender`: a dry run's From (default: the brand's
    e-mail); `max_attachment`: the largest PDF, in bytes; `retry_delays`:
    the waits before each retry.
    """

    outbox: str | Path = "outbox"
    send: bool = False
    ledger: str | Path | None = None
    rate: float | None = None
    resend_pending: bool = False
    new_mailing: bool = False
    password_column: str = "password"
    subject: str | None = None
    sender: str | None = None
    max_attachment: int = DEFAULT_MAX_ATTACHMENT
    retry_delays: tuple[float, ...] = RETRY_DELAYS

    @classmethod
    def split(cls, email: EmailOptions | None, what: dict[str, Any]) -> tuple[EmailOptions, dict[str, Any]]:
        """`email` (or the defaults) with those of `what`'s keywords that are its fields; the other keywords."""
        names = {f.name for f in fields(cls)}
        own = {key: value for key, value in what.items() if key in names}
        base = email if email is not None else cls()
        return (replace(base, **own) if own else base), {k: v for k, v in what.items() if k not in names}
