"""The signed page: what is done, the acknowledgment, the decision and the signatures fit on one page.

Lint decides when only laying the page out can tell (`needs_measuring`),
what the measure depends on (`consent_inputs`, for lint's cache) and what
to say when it does not fit; the laying out is pipeline.lint's.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from ..errors import display_path
from ..layouts import Layout
from .findings import ERROR, Finding

# A name as long as many real ones, so the page's header takes two lines.
SAMPLE_PATIENT = "Maria Guadalupe Example-Sample"


# A signed page this short, in ordinary words, fits every built-in layout
# (tests/test_consent.py lays out text at these limits in each, in both
# bundled languages, with a long patient name): only a longer one, one
# whose fixed texts come from a clinic's own message catalogue, or one
# printed in a clinic's own layout file, is laid out to be measured, so a
# cold lint of such a handout never loads the renderer. Whatever is not
# measured here is still checked on every copy as it is printed
# (render.keeping.SignedPage). The bundled handout's signed page is longer;
# lint keeps its measure in its cache (see lint._measure_consent).
SHORT_CHARACTERS = 120
SHORT_LINES = 3
SHORT_CHOICE = 40
SHORT_FILL_IN = 3
SHORT_LABEL = 24


def needs_measuring(handout, layout: Layout, messages=None) -> bool:
    """Whether only laying the signed page out can say if it fits.

    A long acknowledgment, long decision words or write-in lines, a clinic's
    own catalogue (its decision heading may be long) or a clinic's layout.
    """
    from ..fill.catalog import bundled_folder

    if not layout.builtin:
        return True
    if messages is not None and any(path.parent != bundled_folder() for path in messages.files):
        return True
    disclosure = handout.risk_disclosure
    acknowledgment, decision = disclosure.acknowledgment, disclosure.decision
    if acknowledgment is not None:
        text = acknowledgment.text.strip()
        if len(text) > SHORT_CHARACTERS or len(text.splitlines()) > SHORT_LINES:
            return True
    if decision is None:
        return False
    labels = decision.fill_in
    return (max(len(decision.yes.text), len(decision.no.text)) > SHORT_CHOICE or len(labels) > SHORT_FILL_IN
            or any(len(label.text) > SHORT_LABEL for label in labels))


def consent_inputs(loaded, layouts: Iterable[Layout]) -> str:
    """What the signed page's measure in `layouts` depends on, as text for lint's cache to key it by.

    The manifest (title and version head the page), the disclosure, the
    brand and its fonts, the message catalogues and the layouts, each by
    its size and time, and the package's code and data that lay the page out.
    """
    files = [loaded.manifest, loaded.handout.risk_disclosure.path, *(layout.path for layout in layouts)]
    if loaded.brand is not None:
        files.append(loaded.brand.path)
        for family in (loaded.brand.body_font, loaded.brand.heading_font):
            files += [f for f in (family.regular, family.bold, family.italic, family.bold_italic) if f] if family else []
    files += list(loaded.messages.files) if loaded.messages else []
    names = ",".join(layout.name for layout in layouts)
    return "\n".join([names, *(_stamp(Path(path)) for path in files), _package_stamp()])


def _stamp(path: Path) -> str:
    try:
        info = path.stat()
    except OSError:
        return f"{path}:-"
    return f"{path}:{info.st_size}:{info.st_mtime_ns}"


# The parts of the package that lay out the signed page: its own modules and
# the rendering, filling, loading and layout code, the fonts and catalogues.
_LAYING_OUT = ("", "render", "render/html", "fill", "load", "sections", "layouts", "fonts", "data/messages")


@lru_cache(maxsize=1)
def _package_stamp() -> str:
    package = Path(__file__).resolve().parent.parent
    return "\n".join(_stamp(entry) for folder in _LAYING_OUT for entry in sorted((package / folder).iterdir())
                     if entry.is_file())


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
                   "the acknowledgment, the decision and the signature lines do not fit on one page "
                   f"({listed}); shorten the acknowledgment or the decision's words, or move text into the body")
