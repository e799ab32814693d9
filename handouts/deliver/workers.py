"""Worker processes for batches and e-mail runs, which never outlive the run that started them.

ReportLab keeps process-wide state (its font registry and settings), so
documents are rendered in processes, never threads. Where the platform can
fork, workers are forked from the process that prepared the handout and
inherit it as it is, without pickling.

Workers wait on a pipe from their parent. When the parent is killed
(kill -9, the out-of-memory killer) nothing closes that pipe in time and
they would go on for minutes, writing into a folder whose lock the next run
has already taken over. So each worker asks the kernel to kill it when its
parent dies (Linux: prctl PR_SET_PDEATHSIG), or else watches its parent
from a thread, and checks once that the parent had not already gone.
"""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from concurrent.futures import Future, ProcessPoolExecutor

_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
_WATCH_SECONDS = 0.5

# A document allocates a few hundred thousand objects, which the collector
# looked through every 700 allocations, and through the caches filled by
# the first documents now and then: 4% of a batch's time. Every 10,000
# costs a few MB more between collections and half that time.
RENDERING_GC_THRESHOLDS = (10_000, 10, 10)


def collect_less() -> None:
    """Run the cyclic garbage collector less often while documents are rendered (batches, e-mail runs)."""
    gc.set_threshold(*RENDERING_GC_THRESHOLDS)


# Run less often, the collector left each finished document's structures
# (cycles through ReportLab's canvas and document) for its rare full
# collections, and a worker's memory rose by 7 MB over its first 1,000
# documents; a full collection every 20 documents keeps it flat for about
# a millisecond a document.
FULL_COLLECTION_EVERY = 20
_rendered = [0]


def document_done() -> None:
    """Count a document a worker finished; every FULL_COLLECTION_EVERY-th, collect all garbage."""
    _rendered[0] += 1
    if _rendered[0] % FULL_COLLECTION_EVERY == 0:
        gc.collect()


def can_fork() -> bool:
    """True where workers inherit the parent's prepared state by forking."""
    return "fork" in multiprocessing.get_all_start_methods()


# What a run's tasks read (the prepared editions, the roster, the options),
# kept the same way by a batch and an e-mail run: the run sets it for as
# long as it renders (`sharing`), its tasks read it (`run_state`), in this
# process or a worker. Workers forked meanwhile inherit it as it is, without
# pickling; spawned ones (other platforms) are handed a copy, or what the
# run gives instead (`worker_pool(..., spawned=...)`).
_run: dict = {}


def run_state() -> dict:
    """The state of the run this process works for (see `sharing`)."""
    return _run


@contextmanager
def sharing(state: dict) -> Iterator[dict]:
    """Make `state` the run's state while the block runs, here and in every worker started in it."""
    _run.clear()
    _run.update(state)
    try:
        yield _run
    finally:
        _run.clear()


def worker_pool(workers: int, initializer: Callable | None = None, initargs: tuple = (), *,
                spawned: dict | None = None) -> ProcessPoolExecutor:
    """A pool of `workers` processes, forked where possible, each ending when this process ends.

    Each worker works with the run's state (`sharing`): inherited by a forked
    worker, handed to a spawned one (`spawned`, else a copy of the state).
    """
    forking = can_fork()
    context = multiprocessing.get_context("fork" if forking else "spawn")
    state = None if forking else dict(_run if spawned is None else spawned)
    return ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_start_worker,
                               initargs=(os.getpid(), state, initializer, initargs))


def ahead(pool: ProcessPoolExecutor, function: Callable, items: Iterable, limit: int) -> Iterator:
    """`function(item)` for each item, in order, with at most `limit` submitted and not yet taken.

    The workers keep working while the caller handles each result (an SMTP
    connection sends one message while the next ones render), but no
    further ahead than `limit`: pool.map would render the whole run at
    once and hold every finished message in memory while a slow or
    rate-limited server took them one by one.
    """
    pending: deque[Future] = deque()
    for item in items:
        pending.append(pool.submit(function, item))
        if len(pending) >= limit:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def _start_worker(parent_pid: int, state: dict | None, initializer: Callable | None, initargs: tuple) -> None:
    die_with_parent(parent_pid)
    if state is not None:
        _run.clear()
        _run.update(state)
    if initializer is not None:
        initializer(*initargs)


def die_with_parent(parent_pid: int) -> None:
    """Call first thing in a worker: end this process as soon as `parent_pid` is gone.

    Also gives SIGTERM back its default action: a forked worker inherits
    the parent's handler (stop and save the manifest), which is the
    parent's job, not the worker's.
    """
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if not (sys.platform.startswith("linux") and _kill_me_with_parent()):
        threading.Thread(target=_watch, args=(parent_pid,), name="watch-parent", daemon=True).start()
    # The parent may have died before the request above was made.
    if os.getppid() != parent_pid:
        os._exit(1)


def _kill_me_with_parent() -> bool:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _watch(parent_pid: int) -> None:
    while os.getppid() == parent_pid:
        time.sleep(_WATCH_SECONDS)
    os._exit(1)
