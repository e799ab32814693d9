"""The signed page: the acknowledgment and signatures must fit on one page."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING

from ..errors import display_path
from ..layouts import Layout
from .findings import ERROR, Finding

if TYPE_CHECKING:
    from ..build import Prepared

# A name as long as many real ones, so the page's header takes two lines.
SAMPLE_PATIENT = "Maria Guadalupe Example-Sample"


# An acknowledgment this short fits the signed page of every built-in layout
# (the bundled ones, 425 and 452 characters, fit large print with room to
# spare); only a longer one, or one printed in a clinic's own layout file,
# is laid out to be measured, so a cold lint of such a handout never loads
# the renderer. Whatever is not measured here is still checked on every
# copy as it is printed (render.keeping.SignedPage).
SHORT_CHARACTERS = 500
SHORT_LINES = 6


def needs_measuring(handout, layout: Layout) -> bool:
    """Whether only laying the signed page out can say if it fits: a long acknowledgment, or a clinic's layout."""
    acknowledgment = handout.risk_disclosure.acknowledgment
    if acknowledgment is None:
        return False
    text = acknowledgment.text.strip()
    return len(text) > SHORT_CHARACTERS or len(text.splitlines()) > SHORT_LINES or not layout.builtin


def check_consent(prepared: Prepared, layouts: Iterable[Layout]) -> list[Finding]:
    """An error when the acknowledgment and the signature lines cannot share a page in one of `layouts`.

    Measured for a patient with a long name (the page's header then takes
    two lines); large print is where a page fills first.
    """
    from ..build import fill  # with the renderer below: only for a long acknowledgment
    from ..render.pdf import consent_overflow

    if prepared.handout.risk_disclosure.acknowledgment is None:
        return []
    filled = fill(prepared, patient_name=SAMPLE_PATIENT)
    over = {}
    for layout in layouts:
        points = consent_overflow(filled, brand=prepared.brand, layout=layout)
        if points > 0:
            over[layout.name] = lines_over(points, prepared.brand, layout)
    return [consent_too_long(prepared.handout, over)] if over else []


def lines_over(points: float, brand, layout: Layout) -> int:
    """Points a signed page runs over, as the body lines they are in `layout`."""
    return math.ceil(points / (layout.body_size_for(brand.base_size) * layout.line_spacing))


def consent_too_long(handout, over: dict[str, int], *, reader: bool = False) -> Finding:
    """The one finding for a signed page too long in some layouts ({layout name: lines too many}).

    Lint reports it; build, print, batch and email refuse with it, whether
    measured before rendering or found while rendering one reader's copy
    (`reader`: then it is that copy's names, in the page's header and under
    the signatures, that take the room).
    """
    source = handout.risk_disclosure.acknowledgment or handout.risk_disclosure.body
    whose = " with this copy's patient and provider names" if reader else ""
    listed = ", ".join(f"{name}: {lines} line(s) too many{whose}" for name, lines in over.items())
    return Finding(display_path(source.path), source.line, ERROR, "consent-too-long",
                   "the acknowledgment and the signature lines do not fit on one page "
                   f"({listed}); shorten the acknowledgment, or move text into the body")
