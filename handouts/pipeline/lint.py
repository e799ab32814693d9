"""Lint with the signed page laid out: what `handouts lint` and the lint gate run.

Lint (lint/) reads what load and fill make and never lays a page out;
whether the acknowledgment, the decision and the signature lines share one
page is known only by laying the page out, which is done here and passed to lint as its
`measure`. The renderer is imported only for a signed page long enough to
need measuring, so a cold lint of most handouts never loads it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from .. import lint
from ..fill.loading import Loaded
from ..layouts import Layout
from ..lint.consent import SAMPLE_PATIENT, lines_over
from ..lint.findings import Finding

if TYPE_CHECKING:
    from .prepare import Prepared


def lint_handout(handout: str | Path | None = None, **options) -> list[Finding]:
    """Every finding for a handout and its translations, each once, sorted by file and line.

    The options are lint.lint_handout's (brand, layout, max_grade, today,
    allow_outside, readability, images, cache); the signed page is laid out
    to be measured wherever lint needs it.
    """
    return lint.lint_handout(handout, measure=measure_consent, **options)


def edition_findings(loaded: Loaded, prepared: Prepared | None = None, *,
                     today: dt.date | None = None) -> list[Finding]:
    """lint.edition_findings for one edition; `prepared`, when there is one, saves preparing it again."""
    return lint.edition_findings(loaded, today=today,
                                 measure=lambda loaded, layouts: measure_consent(loaded, layouts, prepared))


def measure_consent(loaded: Loaded, layouts: tuple[Layout, ...], prepared: Prepared | None = None) -> dict[str, int]:
    """{layout name: lines too many} for each of `layouts` the signed page of `loaded` does not fit."""
    from .prepare import prepared_from  # laying out: only for a long signed page

    if prepared is None:
        prepared, _ = prepared_from(replace(loaded, problems=()))
        if prepared is None:
            return {}  # the brand's fonts: reported by lint
    return overflows(prepared, layouts)


def overflows(prepared: Prepared, layouts: Iterable[Layout]) -> dict[str, int]:
    """{layout name: lines too many} for each of `layouts` the prepared signed page does not fit.

    Measured for a patient with a long name (the page's header then takes
    two lines); large print is where a page fills first.
    """
    from ..render.pdf import consent_overflow  # with the filling below: only for a long signed page
    from .reader import fill

    filled = fill(prepared, patient_name=SAMPLE_PATIENT)
    over = {}
    for layout in layouts:
        points = consent_overflow(filled, brand=prepared.brand, layout=layout)
        if points > 0:
            over[layout.name] = lines_over(points, prepared.brand, layout)
    return over
