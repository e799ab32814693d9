"""A message's page and PDF in base64, 76 characters a line (RFC 2045), made as cheaply as the C codec allows.

A run's PDFs of one edition begin with the same bytes: what names the
reader comes late in the file, and the bundled handout's copies for two
readers agree in their first 595 kB of 640. base64 turns each 57 bytes into one line of its
own, so the lines of a shared beginning are the same in every message, and
`SharedStart` takes them from the message before's.
"""

from __future__ import annotations

import base64
import itertools
import struct

# base64 text is cut into lines a block of 256 lines at a time, by struct in C.
_LINE = 76
_BYTES_A_LINE = 57  # what one line encodes
_BLOCK = struct.Struct(f"{_LINE}s" * 256)


def base64_lines(data: bytes) -> bytes:
    """`data` in base64, in lines of 76 characters each ending in CRLF: what
    `base64.encodebytes` gives with CRLF for LF.

    encodebytes encodes 57 bytes at a time in a Python loop (14,000 times for
    a one-megabyte message); here the C codec encodes it all at once and
    struct cuts the text into lines a block at a time (about half the time).
    """
    text = base64.b64encode(data)
    cut = len(text) - len(text) % _BLOCK.size
    lines = list(itertools.chain.from_iterable(_BLOCK.iter_unpack(memoryview(text)[:cut])))
    lines += [text[start:start + _LINE] for start in range(cut, len(text), _LINE)]
    lines.append(b"")
    return b"\r\n".join(lines) if data else b""


class SharedStart:
    """`base64_lines` for a run's attachments of one edition, each encoded only from where it parts from the last.

    It keeps the last attachment and its lines (in this process's memory,
    until the next message replaces them: as the messages waiting to be sent
    are kept), and takes the lines of what the next begins with alike, in
    whole lines' worth, from them: only bytes that are the next attachment's
    own reach its message.
    """

    def __init__(self) -> None:
        self._last = b""
        self._lines = b""

    def lines(self, data: bytes) -> bytes:
        """Exactly `base64_lines(data)`."""
        same = _alike(self._last, data) // _BYTES_A_LINE * _BYTES_A_LINE
        lines = self._lines[:same // _BYTES_A_LINE * (_LINE + 2)] + base64_lines(data[same:])
        self._last, self._lines = data, lines
        return lines


_COMPARED = 4096  # bytes compared at a time


def _alike(last: bytes, data: bytes) -> int:
    """How many bytes `data` begins with as `last` does: memory compared a block at a time, nothing copied."""
    view, end = memoryview(last), min(len(last), len(data))
    low = 0
    while low < end:
        high = min(low + _COMPARED, end)
        if not data.startswith(view[low:high], low):
            break  # they part in [low, high)
        low = high
    else:
        return end
    while high - low > 1:  # data begins with last[:low] and not with last[:high]
        middle = (low + high) // 2
        if data.startswith(view[low:middle], low):
            low = middle
        else:
            high = middle
    return low
