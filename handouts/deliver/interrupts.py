"""Holding Ctrl-C and SIGTERM back while a step that must not be cut in two runs.

Some steps are one fact in two places: a message the server accepted and
its ledger row saying so; a batch's manifest and the files it lists. An
interruption between the two halves leaves them disagreeing (a message
recorded `pending` that was delivered). Inside `held()` the two signals
wait (they are blocked, not lost) and arrive as the block ends, raising
KeyboardInterrupt (or the CLI's SIGTERM exception) there as usual, after
both halves are done. kill -9 cannot be held: the ledger's `pending` state
and the manifest's hashes cover that.

Only the main thread can hold them: Python runs signal handlers there.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_SIGNALS = {signal.SIGINT, signal.SIGTERM}


@contextmanager
def held() -> Iterator[None]:
    """Ctrl-C and SIGTERM arriving during the block are delivered when it ends."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "pthread_sigmask"):
        yield
        return
    before = signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)
