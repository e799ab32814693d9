"""The signed page: the acknowledgment and signatures must fit on one page."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from ..errors import display_path
from ..layouts import builtin_layouts, load_layout
from .findings import ERROR, Finding

if TYPE_CHECKING:
    from ..build import Prepared

# A name as long as many real ones, so the page's header takes two lines.
SAMPLE_PATIENT = "Maria Guadalupe Example-Sample"


# An acknowledgment this short fits the signed page of every built-in layout
# (the bundled ones, 425 and 452 characters, fit large print with room to
# spare); only a longer one is laid out to be measured, so a cold lint of
# such a handout never loads the renderer.
SHORT_CHARACTERS = 500
SHORT_LINES = 6


def needs_measuring(handout) -> bool:
    """Whether the acknowledgment is long enough that only laying it out can say if it fits."""
    acknowledgment = handout.risk_disclosure.acknowledgment
    if acknowledgment is None:
        return False
    text = acknowledgment.text.strip()
    return len(text) > SHORT_CHARACTERS or len(text.splitlines()) > SHORT_LINES


def check_consent(prepared: Prepared) -> list[Finding]:
    """An error when the acknowledgment and the signature lines cannot share a page.

    Checked in the chosen layout and every built-in one, since the same
    content prints in all of them; large print is where a page fills first.
    """
    from ..build import fill  # with the renderer below: only for a long acknowledgment
    from ..render.pdf import consent_overflow

    disclosure = prepared.handout.risk_disclosure
    if disclosure.acknowledgment is None:
        return []
    filled = fill(prepared, patient_name=SAMPLE_PATIENT)
    layouts = {prepared.layout.name: prepared.layout}
    for name in builtin_layouts():
        layouts.setdefault(name, load_layout(name))
    over = []
    for name, layout in layouts.items():
        points = consent_overflow(filled, brand=prepared.brand, layout=layout)
        if points > 0:
            line = layout.body_size_for(prepared.brand.base_size) * layout.line_spacing
            over.append(f"{name}: {math.ceil(points / line)} line(s) too many")
    if not over:
        return []
    source = disclosure.acknowledgment
    return [Finding(display_path(source.path), source.line, ERROR, "consent-too-long",
                    "the acknowledgment and the signature lines do not fit on one page "
                    f"({', '.join(over)}); shorten the acknowledgment, or move text into the body")]
