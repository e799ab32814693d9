"""Worker processes for batches and e-mail runs.

ReportLab keeps process-wide state (its font registry and settings), so
documents are rendered in processes, never threads. Where the platform can
fork, workers are forked from the process that prepared the handout and
inherit it as it is, without pickling.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor


def can_fork() -> bool:
    """True where workers inherit the parent's prepared state by forking."""
    return "fork" in multiprocessing.get_all_start_methods()


def worker_pool(workers: int, initializer: Callable | None = None, initargs: tuple = ()) -> ProcessPoolExecutor:
    """A pool of `workers` processes, forked where possible."""
    context = multiprocessing.get_context("fork" if can_fork() else "spawn")
    return ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=initializer, initargs=initargs)
