"""Per-process caches that keep what documents share, and let each reader's own text pass through.

A batch renders hundreds of documents in one process, and caches the work
that is the same in every one of them (parsed Markdown pieces, inline
markup, laid-out paragraphs). With a plain LRU cache, each document's own
paragraphs (the ones naming its provider or patient, used by that document
alone) also stayed, until the cache was full: memory grew over the first
thousands of documents by the size of the caches, 20 MB and more.

Here a result is kept only once a second document asks for it. A document
counter (`new_document`, called as each document starts) tells them apart;
a result first made for one document waits in a small trial cache, which
one document's own text passes through and falls out of, and moves to the
kept cache when another document asks for it. The kept cache is bounded
too, for a run with many editions and layouts.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from functools import wraps
from typing import Any

# What is being rendered now: results first made in another document are shared.
_document = [0]


def new_document() -> None:
    """Mark the start of a reader's document (build.fill_reader): what the next ones ask for again is kept."""
    _document[0] += 1


def document_number() -> int:
    """Which reader's document is being rendered (new_document counts them)."""
    return _document[0]


def shared_cache(maxsize: int, trial: int = 128) -> Callable:
    """Like functools.lru_cache(maxsize), keeping only results that more than one document uses.

    `trial` bounds the results made for one document and not (yet) asked
    for by another: enough for the shared text's pieces to wait from one
    document to the next.
    """

    def decorate(function: Callable) -> Callable:
        kept: OrderedDict[Any, Any] = OrderedDict()
        trying: OrderedDict[Any, tuple[Any, int]] = OrderedDict()

        @wraps(function)
        def cached(*args):
            if args in kept:
                kept.move_to_end(args)
                return kept[args]
            found = trying.get(args)
            if found is not None:
                value, document = found
                if document != _document[0]:
                    del trying[args]
                    kept[args] = value
                    if len(kept) > maxsize:
                        kept.popitem(last=False)
                return value
            value = function(*args)
            trying[args] = (value, _document[0])
            if len(trying) > trial:
                trying.popitem(last=False)
            return value

        def cache_clear() -> None:
            kept.clear()
            trying.clear()

        def cache_info() -> tuple[int, int]:
            """(kept, on trial): how many results each holds."""
            return len(kept), len(trying)

        cached.cache_clear = cache_clear
        cached.cache_info = cache_info
        return cached

    return decorate
