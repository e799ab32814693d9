"""A minimal SMTP sink for email_send.py: accepts every message and counts it, reading each one whole.

aiosmtpd (the tests' server) reads a message a line at a time in Python;
at a megabyte a message in 76-character lines that costs it about as
much CPU as handouts spends composing the message, on the same two cores.
A relay a clinic uses (Postfix, Exchange) does that work in C, elsewhere.
This sink answers the commands `handouts email` sends over plain SMTP on
loopback and reads the body with one `readuntil` (C-level buffer search),
so the time measured is handouts' own. Benchmarks only: no TLS, no
checks, nothing kept but a count.
"""

from __future__ import annotations

import asyncio
import socket
import threading

_END = b"\r\n.\r\n"
_LIMIT = 64 * 1024 * 1024


class Sink:
    """The sink, serving on 127.0.0.1:`port` in a thread of its own until `stop()`."""

    def __init__(self):
        self.received = 0
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()
        self._ready.wait(10)

    def env(self, sender: str = "frontdesk@maplegrove.example.com") -> dict[str, str]:
        """HANDOUTS_SMTP_* variables pointing at this sink."""
        return {"HANDOUTS_SMTP_HOST": "127.0.0.1", "HANDOUTS_SMTP_PORT": str(self.port),
                "HANDOUTS_SMTP_TLS": "none", "HANDOUTS_SMTP_FROM": sender}

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(
            asyncio.start_server(self._session, "127.0.0.1", self.port, limit=_LIMIT))
        self._ready.set()
        try:
            self._loop.run_forever()
        finally:
            server.close()

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"220 sink ready\r\n")
        while True:
            line = await reader.readline()
            if not line:
                break
            verb = line[:4].upper()
            if verb == b"EHLO":
                writer.write(b"250-sink\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")
            elif verb == b"DATA":
                writer.write(b"354 go on\r\n")
                await writer.drain()
                await reader.readuntil(_END)  # the whole message, found by C
                self.received += 1
                writer.write(b"250 2.0.0 accepted\r\n")
            elif verb == b"QUIT":
                writer.write(b"221 bye\r\n")
                await writer.drain()
                break
            else:  # HELO, MAIL, RCPT, RSET, NOOP
                writer.write(b"250 ok\r\n")
            await writer.drain()
        writer.close()

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
