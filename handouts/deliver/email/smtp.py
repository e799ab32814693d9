"""One SMTP connection, reused for many messages, with TLS verified.

The send is split so that the caller can commit its ledger row between the
envelope (MAIL, RCPT) and the body (DATA): a failure before the body is
safe to retry; a connection lost after it leaves the message's fate unknown.
"""

from __future__ import annotations

import re
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass

from ...load.outbound import UnsafeValue, checked_address
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


class NotOffered(Exception):
    """The message needs an extension (SMTPUTF8) the server does not offer; nothing was sent."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _text(raw: bytes | str) -> str:
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    return " ".join(text.split())


def _data(conn: smtplib.SMTP, message: bytes) -> tuple[int, bytes]:
    """smtplib's DATA (`SMTP.data`, from its public parts), with the dot-stuffing done without a regex.

    smtplib runs `re.sub(rb"(?m)^\\.", ...)` over every message: 6 ms for a
    message of a megabyte, in the one process that talks to the server
    while the workers render, for lines that begin with a dot, which base64
    never does. The same stuffing (RFC 5321 4.5.2) is done here, a replace
    only when a line does begin with a dot (`_dot_starts_a_line`).
    """
    code, reply = conn.docmd("data")
    if code != 354:
        raise smtplib.SMTPDataError(code, reply)
    stuffed = message.replace(b"\n.", b"\n..") if _dot_starts_a_line(message) else message
    if stuffed.startswith(b"."):
        stuffed = b"." + stuffed
    if not stuffed.endswith(b"\r\n"):
        stuffed += b"\r\n"
    conn.send(stuffed + b".\r\n")
    return conn.getreply()


def _dot_starts_a_line(message: bytes) -> bool:
    """Whether a line after the first begins with a dot.

    Searched dot by dot (a one-byte search runs at memory speed): a message's
    few dots are in its headers and text, and searching for the two bytes
    "\\n." instead stops at each of a megabyte's 14,000 line ends (1.2 ms).
    """
    at = message.find(b".", 1)
    while at != -1:
        if message[at - 1] == 0x0A:
            return True
        at = message.find(b".", at + 1)
    return False


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

    def offers(self, extension: str) -> bool:
        """Whether the open connection's server offers an ESMTP extension ("smtputf8")."""
        return self._conn is not None and self._conn.has_extn(extension)

    def send(self, sender: str, recipient: str, message: bytes, before_body: Callable[[], None], *,
             smtputf8: bool = False) -> Reply:
        """Send one message; `before_body()` runs after RCPT is accepted and before DATA.

        `smtputf8` asks for SMTPUTF8, which an address with international
        characters before the @ needs. Returns the server's 250 reply.
        Raises NotOffered when the server does not offer SMTPUTF8 (nothing
        was sent), Refused for a 4xx/5xx answer and Lost when the connection
        breaks.
        """
        if self._conn is None:
            self.connect()
        conn = self._conn
        if smtputf8 and not conn.has_extn("smtputf8"):
            raise NotOffered(f"the address needs SMTPUTF8 (international characters before the @), which "
                             f"{self.settings.host} does not offer; nothing was sent to it")
        body_started = False
        try:
            code, text = conn.mail(sender, ["SMTPUTF8"] if smtputf8 else [])
            if code != 250:
                self._reset()
                raise Refused(Reply(code, _text(text)), "MAIL")
            code, text = conn.rcpt(recipient)
            if code not in (250, 251):
                self._reset()
                raise Refused(Reply(code, _text(text)), "RCPT")
            before_body()
            body_started = True
            code, text = _data(conn, message)
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


def mask_reply(text: str, address: str, name: str | None) -> str:
    """A server reply without the patient's address (whole, or any part of it) or name.

    Servers quote the address, or only its local part (`550 5.1.1 user
    jo.smith unknown`) or its domain (`no MX for example.net`), in any
    case: each is masked where it stands as a word of its own, in its
    written and its ASCII (IDNA) forms, before the ledger or a log sees it.
    """
    local, _, domain = address.rpartition("@")
    words, domains = {address, local, name}, {domain}
    try:
        checked = checked_address(address)
        words |= {str(checked), checked.local}
        domains |= {checked.domain, checked.ascii_domain}
    except UnsafeValue:  # not for a loaded patient; what is there is masked all the same
        pass
    # Each only where it is not part of a longer word ("ann" stays in "planned"); a
    # domain also where it ends a host name (mx.example.net).
    patterns = [(w, r"(?<![\w.+-])", r"(?![\w+-]|\.\w)") for w in words if w]
    patterns += [(d, r"(?<![\w-])", r"(?![\w-])") for d in domains if d]
    for part, before, after in sorted(patterns, key=lambda p: len(p[0]), reverse=True):
        if _may_occur(part, text):
            text = re.sub(before + re.escape(part) + after, "<recipient>", text, flags=re.IGNORECASE)
    return text


# The characters beyond ASCII that re.IGNORECASE matches with an ASCII letter
# (Python's case folding: the dotted and dotless i, the Kelvin sign, the long s).
ASCII_FOLDS = {"\u0130": "i", "\u0131": "i", "\u212a": "k", "\u017f": "s"}


def _may_occur(part: str, text: str) -> bool:
    """False only where `part` cannot match in `text` under re.IGNORECASE: a reply in ASCII
    (most are) holds none of a name's other letters.

    Compiling each patient's patterns cost the process that talks to the
    server 2 ms a message, for replies ("250 2.0.0 Ok: queued as ...") that
    quote nobody.
    """
    if not text.isascii():
        return True
    folded = []
    for char in part:
        if char.isascii():
            folded.append(char.lower())
        elif char in ASCII_FOLDS:
            folded.append(ASCII_FOLDS[char])
        else:
            return False
    return "".join(folded) in text.lower()
