"""A free loopback port for the servers the tests start (SMTP, CUPS)."""

from __future__ import annotations

import socket


def free_port() -> int:
    """A port nothing listens on now: bind to port 0, read the port, close.

    aiosmtpd's port=0 does not report the port it got, and cupsd needs one
    written into its configuration before it starts.
    """
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
