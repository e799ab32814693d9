"""One SMTP connection, reused for many messages, with TLS verified.

The send is split so that the caller can commit its ledger row between the
envelope (MAIL, RCPT) and the body (DATA): a failure before the body is
safe to retry; a connection lost after it leaves the message's fate unknown.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass

from .settings import SmtpConfigError, SmtpSettings


@dataclass(frozen=True)
class Reply:
    """The server's answer to a message."""

    code: int
    text: str

    @property
    def transient(self) -> bool:
        """4xx: try again later."""
        return 400 <= self.code < 500


class Refused(Exception):
    """The server answered a message with a 4xx or 5xx reply."""

    def __init__(self, reply: Reply, stage: str):
        super().__init__(f"{reply.code} {reply.text}")
        self.reply, self.stage = reply, stage


class Lost(Exception):
    """The connection broke; `after_body` says whether the body may have arrived."""

    def __init__(self, after_body: bool, reason: str):
        super().__init__(reason)
        self.after_body, self.reason = after_body, reason


def _text(raw: bytes | str) -> str:
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    return " ".join(text.split())


class SmtpClient:
    """A connection that (re)opens itself on demand and is closed with `close()`."""

    def __init__(self, settings: SmtpSettings):
        self.settings = settings
        self._conn: smtplib.SMTP | None = None

    def _context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(cafile=str(self.settings.ca_file) if self.settings.ca_file else None)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        return context

    def connect(self) -> None:
        """Open, secure and authenticate a connection.

        Raises SmtpConfigError for what no retry can mend: a certificate
        that does not verify, a server without STARTTLS when it was asked
        for, credentials refused. Raises Lost when the server cannot be
        reached.
        """
        s = self.settings
        try:
            if s.tls == "ssl":
                conn: smtplib.SMTP = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=self._context())
            else:
                conn = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
            conn.ehlo()
            if s.tls == "starttls":
                if not conn.has_extn("starttls"):
                    conn.close()
                    raise SmtpConfigError(f"{s.host}:{s.port} does not offer STARTTLS "
                                          "(use --tls ssl if it speaks TLS from the start)")
                conn.starttls(context=self._context())
                conn.ehlo()
            self._login(conn)
        except ssl.SSLCertVerificationError as exc:
            raise SmtpConfigError(f"{s.host}:{s.port}: the server's certificate does not verify "
                                  f"({exc.verify_message}); --ca-file names a private CA") from None
        except ssl.SSLError as exc:
            raise SmtpConfigError(f"{s.host}:{s.port}: TLS failed ({exc.reason})") from None
        except smtplib.SMTPAuthenticationError as exc:
            raise SmtpConfigError(f"{s.host}:{s.port}: sign-in refused ({exc.smtp_code} {_text(exc.smtp_error)}); "
                                  "check the user and HANDOUTS_SMTP_PASSWORD or the OAuth2 token") from None
        except smtplib.SMTPNotSupportedError as exc:
            raise SmtpConfigError(f"{s.host}:{s.port}: {exc}") from None
        except smtplib.SMTPConnectError as exc:
            raise Lost(False, f"the server refused the connection ({exc.smtp_code})") from None
        except (OSError, smtplib.SMTPServerDisconnected) as exc:
            raise Lost(False, f"cannot reach {s.host}:{s.port} ({type(exc).__name__})") from None
        self._conn = conn

    def _login(self, conn: smtplib.SMTP) -> None:
        s = self.settings
        token = s.bearer_token()
        if token:
            # XOAUTH2, for Microsoft 365 and Google Workspace, which are
            # switching off password sign-in for SMTP.
            initial = f"user={s.user}\x01auth=Bearer {token}\x01\x01"
            conn.auth("XOAUTH2", lambda challenge=None: initial if challenge is None else "")
        elif s.password:
            conn.login(s.user or "", s.password)

    def send(self, sender: str, recipient: str, message: bytes, before_body: Callable[[], None]) -> Reply:
        """Send one message; `before_body()` runs after RCPT is accepted and before DATA.

        Returns the server's 250 reply. Raises Refused for a 4xx/5xx answer
        and Lost when the connection breaks.
        """
        if self._conn is None:
            self.connect()
        conn = self._conn
        body_started = False
        try:
            code, text = conn.mail(sender)
            if code != 250:
                self._reset()
                raise Refused(Reply(code, _text(text)), "MAIL")
            code, text = conn.rcpt(recipient)
            if code not in (250, 251):
                self._reset()
                raise Refused(Reply(code, _text(text)), "RCPT")
            before_body()
            body_started = True
            code, text = conn.data(message)
            if code != 250:
                # smtplib raises for a refused DATA command but returns
                # the reply to the body as it is.
                self._reset()
                raise Refused(Reply(code, _text(text)), "DATA")
            return Reply(code, _text(text))
        except smtplib.SMTPDataError as exc:
            # The server answered: the message was not accepted, so it is
            # safe to try again (4xx) or give up (5xx).
            self._reset()
            raise Refused(Reply(exc.smtp_code, _text(exc.smtp_error)), "DATA") from None
        except smtplib.SMTPResponseException as exc:
            self._drop()
            if exc.smtp_code == 421:
                raise Lost(body_started, "the server closed the connection (421)") from None
            raise Refused(Reply(exc.smtp_code, _text(exc.smtp_error)), "DATA" if body_started else "MAIL") from None
        except (OSError, smtplib.SMTPServerDisconnected) as exc:
            self._drop()
            raise Lost(body_started, f"connection lost ({type(exc).__name__})") from None

    def _reset(self) -> None:
        try:
            self._conn.rset()
        except (OSError, smtplib.SMTPException):
            self._drop()

    def _drop(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except OSError:
                pass
        self._conn = None

    def close(self) -> None:
        """Say QUIT if the connection is still up."""
        if self._conn is not None:
            try:
                self._conn.quit()
            except (OSError, smtplib.SMTPException):
                pass
        self._drop()
