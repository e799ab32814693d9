"""What `handouts serve` was started with: one frozen object the app, pages and workers read."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..deliver.email.settings import SmtpSettings, is_loopback


@dataclass(frozen=True)
class ServeOptions:
    """The server's settings; paths as given on the command line."""

    handouts: tuple[Path, ...]  # manifests
    host: str = "127.0.0.1"
    port: int = 8000
    users: Path | None = None
    certfile: Path | None = None
    keyfile: Path | None = None
    audit_log: Path = Path("handouts-audit.sqlite")
    ledger: Path = Path("email-ledger.sqlite")
    outbox: Path = Path("outbox")
    brand: Path | None = None
    providers: Path | None = None
    layout: str = "letter"
    workers: int = 2
    # Where lint and every copy the server makes keep what they work out from
    # the handout's files (load.cache): none of a patient's values go there.
    cache: Path | None = None
    smtp: SmtpSettings | None = field(default=None, repr=False)
    # Why e-mail is off, when `smtp` is None (shown on the page).
    smtp_missing: str = ""

    @property
    def loopback(self) -> bool:
        """Whether the server listens on this machine only."""
        return is_loopback(self.host)

    @property
    def tls(self) -> bool:
        return self.certfile is not None



def smtp_from(environ, **options) -> dict:
    """The server's SMTP settings (`smtp`), checked now; without a host e-mail is off and `smtp_missing` says how to turn it on.

    `options` are deliver.email.settings.smtp_settings's (host, port, sender, tls, user, ca_file).
    """
    from ..deliver.email.settings import smtp_settings

    if not (options.get("host") or environ.get("HANDOUTS_SMTP_HOST")):
        return {"smtp": None, "smtp_missing": "start the server with HANDOUTS_SMTP_HOST and HANDOUTS_SMTP_FROM set "
                                              "(or --smtp-host and --from)"}
    return {"smtp": smtp_settings(environ, **options)}
