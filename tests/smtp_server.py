"""A real SMTP server for the email tests: aiosmtpd on a free loopback port.

TLS certificates come from `trustme`, a private CA whose file the client is
given with --ca-file. The handler records every message it accepted, and can
be told to answer one recipient with a fault, drop the connection at the
n-th MAIL, or hold a message's reply (for kill and stop tests).
"""

from __future__ import annotations

import asyncio
import ssl
import threading
from dataclasses import dataclass, field
from email import message_from_bytes
from email.policy import default
from pathlib import Path

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from ports import free_port


@dataclass
class Received:
    """One message the server accepted (or was holding when the client died)."""

    sender: str
    recipients: list[str]
    data: bytes

    @property
    def message(self):
        return message_from_bytes(self.data, policy=default)


@dataclass
class Handler:
    """Records messages; faults are set by the tests before the run."""

    received: list[Received] = field(default_factory=list)
    rcpt_faults: dict[str, list[str]] = field(default_factory=dict)
    data_faults: dict[str, list[str]] = field(default_factory=dict)
    # The 250 reply to a message for an address, when not the usual one (a server quoting it back).
    data_replies: dict[str, str] = field(default_factory=dict)
    drop_at_mail: set[int] = field(default_factory=set)
    hold_for: str | None = None
    hold_marker: Path | None = None
    # Set: the held reply goes out as soon as the test sets it (else after 60 s).
    hold_release: threading.Event | None = None
    oauth: tuple[str, str] | None = None
    mechanisms: list[str] = field(default_factory=list)
    mail_count: int = 0
    sessions: set[int] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_MAIL(self, server, session, envelope, address, mail_options):  # noqa: N802
        with self.lock:
            self.mail_count += 1
            self.sessions.add(id(session))
            drop = self.mail_count in self.drop_at_mail
        if drop:
            # A server that goes away mid-run: close the socket, no reply.
            server.transport.close()
            return "421 4.3.2 closing"
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        faults = self.rcpt_faults.get(address)
        if faults:
            return faults.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        recipient = envelope.rcpt_tos[0]
        with self.lock:
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.content)))
        if self.hold_for == recipient:
            if self.hold_marker:
                self.hold_marker.write_text("holding")
            for _ in range(600):
                if self.hold_release is not None and self.hold_release.is_set():
                    break
                await asyncio.sleep(0.1)
        faults = self.data_faults.get(recipient)
        if faults:
            with self.lock:
                self.received.pop()
            return faults.pop(0)
        return self.data_replies.get(recipient, "250 2.0.0 Message accepted for delivery")

    async def auth_XOAUTH2(self, server, args):  # noqa: N802 - aiosmtpd finds auth_<MECHANISM>
        """XOAUTH2 as Microsoft 365 and Google speak it: base64 of user=...^Aauth=Bearer ...^A^A."""
        import base64

        self.mechanisms.append("XOAUTH2")
        if len(args) < 2 or self.oauth is None:
            return AuthResult(success=False, handled=False)
        user, token = self.oauth
        expected = f"user={user}\x01auth=Bearer {token}\x01\x01".encode()
        ok = base64.b64decode(args[1]) == expected
        return AuthResult(success=ok, handled=False, auth_data=user)

    def to(self, address: str) -> list[Received]:
        """Messages accepted for `address`."""
        with self.lock:
            return [r for r in self.received if address in r.recipients]


@dataclass
class Server:
    """A running server and what a client needs to reach it."""

    host: str
    port: int
    tls: str
    ca_file: Path
    handler: Handler
    controller: Controller

    @property
    def mechanisms(self) -> list[str]:
        """The sign-in mechanisms clients used, in order."""
        return self.handler.mechanisms

    def env(self, sender: str = "frontdesk@maplegrove.example.com") -> dict[str, str]:
        """HANDOUTS_SMTP_* variables pointing at this server."""
        return {"HANDOUTS_SMTP_HOST": self.host, "HANDOUTS_SMTP_PORT": str(self.port),
                "HANDOUTS_SMTP_TLS": self.tls, "HANDOUTS_SMTP_FROM": sender}


class _Authenticator:
    def __init__(self, user: str, password: str, mechanisms: list[str]):
        self.user, self.password, self.mechanisms = user, password, mechanisms

    def __call__(self, server, session, envelope, mechanism, auth_data):
        self.mechanisms.append(mechanism)
        if mechanism in ("LOGIN", "PLAIN"):
            ok = auth_data.login == self.user.encode() and auth_data.password == self.password.encode()
            return AuthResult(success=ok, handled=False)
        return AuthResult(success=False, handled=False)


def start_server(tmp: Path, *, tls: str = "none", handler: Handler | None = None, bad_cert: bool = False,
                 starttls_offered: bool = True, auth: tuple[str, str] | None = None,
                 oauth_token: str | None = None, smtputf8: bool = False) -> Server:
    """Start aiosmtpd on 127.0.0.1; `tls` is none, ssl or starttls.

    `bad_cert` signs the server's certificate with a CA the client is not
    given; `starttls_offered=False` runs a plain server for a client that
    asks for STARTTLS; `smtputf8` offers SMTPUTF8 (RFC 6531: international
    addresses), which aiosmtpd does not by default.
    """
    handler = handler or Handler()
    ca = trustme.CA()
    ca_file = tmp / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    signer = trustme.CA() if bad_cert else ca
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    signer.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    port = free_port()
    kwargs: dict = {"hostname": "127.0.0.1", "port": port, "ready_timeout": 10, "enable_SMTPUTF8": smtputf8}
    if auth:
        if oauth_token:
            handler.oauth = (auth[0], oauth_token)
        kwargs.update(authenticator=_Authenticator(*auth, handler.mechanisms), auth_require_tls=tls != "none",
                      auth_required=True)
    if tls == "ssl":
        kwargs["ssl_context"] = context
    elif tls == "starttls" and starttls_offered:
        kwargs.update(tls_context=context, require_starttls=True)
    controller = Controller(handler, **kwargs)
    controller.start()
    return Server("127.0.0.1", port, tls, ca_file, handler, controller)
