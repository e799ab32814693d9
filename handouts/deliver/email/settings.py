"""SMTP settings: from options, else the environment, checked before anything is sent.

The password and OAuth2 token come only from the environment (or a command
the clinic configures), never from an option, so they never show in a
process list or shell history; they are never logged or put in a message.
"""

from __future__ import annotations

import ipaddress
import shlex
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ...errors import HandoutError, Problem
from ...load.outbound import UnsafeValue, checked_address

TLS_MODES = ("ssl", "starttls", "none")
DEFAULT_PORTS = {"ssl": 465, "starttls": 587, "none": 25}
ENV = "HANDOUTS_SMTP_"


class SmtpConfigError(HandoutError):
    """SMTP settings are missing or unsafe: nothing was sent."""


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to send. Secrets are kept out of `repr`."""

    host: str
    port: int
    sender: str
    tls: str = "starttls"
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    oauth_token: str | None = field(default=None, repr=False)
    oauth_command: tuple[str, ...] | None = field(default=None, repr=False)
    ca_file: Path | None = None
    timeout: float = 30.0

    def bearer_token(self) -> str | None:
        """The OAuth2 token: given, or fetched fresh from the clinic's command.

        Running the command each time lets the clinic's own tool refresh
        the token; it runs without a shell and with a timeout.
        """
        if self.oauth_token:
            return self.oauth_token
        if not self.oauth_command:
            return None
        try:
            done = subprocess.run(list(self.oauth_command), capture_output=True, timeout=self.timeout, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise SmtpConfigError(f"{ENV}OAUTH_COMMAND could not run ({type(exc).__name__})") from None
        token = done.stdout.decode("utf-8", "replace").strip()
        if done.returncode != 0 or not token:
            raise SmtpConfigError(f"{ENV}OAUTH_COMMAND exited {done.returncode} without printing a token")
        return token


def smtp_settings(environ: Mapping[str, str], *, host: str | None = None, port: int | None = None,
                  sender: str | None = None, tls: str | None = None, user: str | None = None,
                  ca_file: str | Path | None = None, timeout: float = 30.0) -> SmtpSettings:
    """Settings from the given options, falling back to HANDOUTS_SMTP_* in `environ`.

    Every missing or unsafe setting is reported at once. `none` (no TLS)
    is allowed only to a loopback address, such as a local relay.
    """
    problems: list[Problem] = []

    def pick(value, name: str) -> str | None:
        return value if value not in (None, "") else (environ.get(ENV + name) or None)

    host = pick(host, "HOST")
    given_sender = bool(sender)
    sender = pick(sender, "FROM")
    tls = (pick(tls, "TLS") or "starttls").lower()
    user = pick(user, "USER")
    port_text = pick(str(port) if port is not None else None, "PORT")
    if not host:
        problems.append(Problem("smtp", None, f"no SMTP host: give --smtp-host or set {ENV}HOST"))
    if not sender:
        problems.append(Problem("smtp", None, f"no sender address: give --from or set {ENV}FROM"))
    else:
        try:
            checked_address(sender)  # the one address check (load.outbound), as for every patient
        except UnsafeValue as exc:
            problems.append(Problem("--from" if given_sender else f"{ENV}FROM", None, f"the sender {exc.reason}"))
    if tls not in TLS_MODES:
        problems.append(Problem("smtp", None, f"{ENV}TLS must be one of {', '.join(TLS_MODES)}, found {tls!r}"))
        tls = "starttls"
    number = DEFAULT_PORTS[tls]
    if port_text:
        try:
            number = int(port_text)
            if not 0 < number < 65536:
                raise ValueError
        except ValueError:
            problems.append(Problem("smtp", None, f"SMTP port must be a number from 1 to 65535, found {port_text!r}"))
    if host and tls == "none" and not is_loopback(host):
        problems.append(Problem("smtp", None, f"refusing to send without TLS to {host}: 'none' is only for a "
                                              "relay on this machine (localhost, 127.0.0.1, ::1)"))
    password = environ.get(ENV + "PASSWORD") or None
    token = environ.get(ENV + "OAUTH_TOKEN") or None
    command_text = environ.get(ENV + "OAUTH_COMMAND") or None
    command = None
    if command_text:
        try:
            command = tuple(shlex.split(command_text))
        except ValueError:
            problems.append(Problem("smtp", None, f"{ENV}OAUTH_COMMAND is not a valid command line"))
    if (password or token or command) and not user:
        problems.append(Problem("smtp", None, f"a password or token is set but no user: set {ENV}USER or --smtp-user"))
    if ca_file is not None and not Path(ca_file).is_file():
        problems.append(Problem(str(ca_file), None, "CA file not found"))
    if problems:
        raise SmtpConfigError(problems)
    return SmtpSettings(host=host, port=number, sender=sender, tls=tls, user=user, password=password,
                        oauth_token=token, oauth_command=command, ca_file=Path(ca_file) if ca_file else None,
                        timeout=timeout)


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses, without a DNS lookup."""
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
