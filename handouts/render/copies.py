"""Shallow copies of flowables, for laying out what a cache shares.

Layout marks a flowable (its split state, its canvas), so every document
lays out copies of the flowables a process keeps (render.story), and the
keeping rules measure copies (render.keeping): several hundred copies per
document. `copy.copy` finds its way to a plain object's `__dict__`
through `__reduce_ex__` each time, which costs more than the copy; for
the flowables that need nothing more, `twin` copies the `__dict__` at once.
"""

from __future__ import annotations

import copy

_plain: dict[type, bool] = {}  # per class: does copy.copy do no more than copy the __dict__?


def twin(flowable):
    """What `copy.copy(flowable)` returns, made faster for plain classes."""
    cls = type(flowable)
    plain = _plain.get(cls)
    if plain is None:
        plain = _plain[cls] = _is_plain(cls)
    if not plain:
        return copy.copy(flowable)
    made = object.__new__(cls)
    made.__dict__.update(flowable.__dict__)
    return made


def _is_plain(cls: type) -> bool:
    # copy.copy's generic path for such a class is object.__reduce_ex__(4):
    # a new object of the class, its __dict__ updated from the original's.
    return (getattr(cls, "__copy__", None) is None and cls.__reduce_ex__ is object.__reduce_ex__
            and cls.__reduce__ is object.__reduce__ and cls.__getstate__ is object.__getstate__
            and getattr(cls, "__setstate__", None) is None and cls.__new__ is object.__new__
            and not any("__slots__" in vars(base) for base in cls.__mro__))
