"""What to build, the same for every reader of a run: one frozen object instead of loose keywords.

Build, print, batch and e-mail each print a handout (in a brand, layout
and language, print-ready or not) past the same checks (content outside
its folder, lint errors). The command line makes one `Options` from its
shared options (cli); each library entry point takes `options=` or the
same names as keywords (`build_handout(layout="a4")`), and hands the one
object on: to `prepare_checked` (`prepare_keywords`) and to `Editions`.
What belongs to one channel (an output file, a printer, a roster, the
formats of a batch, SMTP settings) stays that channel's own parameter.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Options:
    """The handout to print and how: brand, layout, language, print-ready, and what may pass."""

    handout: str | Path | None = None
    brand: str | Path | None = None
    layout: str | Path | None = None
    # The edition to print (es, es-MX); a batch's or a mailing's default for rows without one.
    language: str | None = None
    print_ready: bool = False
    allow_outside: bool = False
    allow_lint_errors: bool = False
    # A folder where what was worked out from the inputs (the lint gate's
    # results, pictures compressed) is kept for the next run (load.cache); None keeps nothing.
    cache: str | Path | None = None

    @classmethod
    def of(cls, handout: str | Path | None = None, options: Options | None = None, **what: Any) -> Options:
        """`options` (or the defaults) with `handout` and any of the fields given as keywords.

        A keyword that is no field raises TypeError, as a misspelt keyword would.
        """
        base = options if options is not None else cls()
        if handout is not None:
            what["handout"] = handout
        return replace(base, **what) if what else base

    def prepare_keywords(self) -> dict[str, Any]:
        """Everything but the handout and the cache, as `prepare_checked` takes it."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name not in ("handout", "cache")}
