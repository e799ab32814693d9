"""Pictures in section bodies: their resolution on paper, and (`lint --images`) a list of them with their alt text.

A picture prints as wide as the column but is never enlarged past 96 dpi
(layouts.figuresize), so it never prints coarser than that; between 96 and
150 dpi it looks soft on paper, and lint says so with the size that would
print sharply. The listing lets a reviewer read every picture's alt text,
the words a screen reader says instead of the picture, without opening
the PDF's structure tree.
"""

from __future__ import annotations

from ..errors import display_path
from ..layouts import Layout
from ..layouts.figuresize import MAX_HEIGHT_RATIO, NATURAL_DPI, printed_dpi, printed_size
from ..sections.model import Handout
from .findings import WARNING, Finding

INFO = "info"
MIN_PICTURE_DPI = 150
# A picture printing narrower or shorter than this (2.5 mm) is a speck, not a picture.
MIN_PRINTED_INCHES = 0.1

# code -> (severity, what it checks); merged into lint's CODES.
FIGURE_CODES: dict[str, tuple[str, str]] = {
    "image-resolution": (WARNING, f"a picture in a section prints under {MIN_PICTURE_DPI} dpi"),
}
# Listed by `lint --images` only; never a problem, so --strict ignores it.
LISTING_CODE = "image"


def check_figures(handout: Handout, layout: Layout, *, listing: bool = False) -> list[Finding]:
    """Pictures printing under 150 dpi in `layout`'s column; with `listing`, every picture and its alt text."""
    column = layout.width - layout.margin_left - layout.margin_right
    findings = []
    for part in (*handout.sections, handout.risk_disclosure):
        shown = display_path(part.path)
        for use in part.figures:
            picture = use.picture
            width, height = printed_size(picture, column)
            dpi = printed_dpi(picture, column)
            size = f"{_inches(width)} x {_inches(height)} in"
            if listing:
                caption = f'; caption "{use.caption}"' if use.caption else ""
                findings.append(Finding(shown, use.line, INFO, LISTING_CODE,
                                        f"{picture.src}: {picture.width_px}x{picture.height_px} px {picture.format}, "
                                        f"prints {size} at {dpi:.0f} dpi in the {layout.name} layout; "
                                        f'alt text "{use.alt}"{caption}'))
            if dpi < MIN_PICTURE_DPI:
                # With enough pixels it would print this wide: the column, or less if tall.
                full = min(column, column * MAX_HEIGHT_RATIO * picture.width_px / picture.height_px)
                wanted = int(full / 72 * MIN_PICTURE_DPI) + 1
                if min(width, height) / 72 < MIN_PRINTED_INCHES:
                    findings.append(Finding(shown, use.line, WARNING, "image-resolution",
                                            f"picture '{picture.src}' is {picture.width_px}x{picture.height_px} "
                                            f"pixels: too small to print (it would print {size}, never enlarged "
                                            f"past {NATURAL_DPI} dpi); use one at least {wanted} pixels wide"))
                    continue
                findings.append(Finding(shown, use.line, WARNING, "image-resolution",
                                        f"picture '{picture.src}' prints at {dpi:.0f} dpi ({size}) in the "
                                        f"{layout.name} layout, under {MIN_PICTURE_DPI}: it will look soft on "
                                        f"paper; use one at least {wanted} pixels wide"))
    return findings


def _inches(points: float) -> str:
    """A printed length in inches, with the digits that keep a small one from reading 0.0."""
    inches = points / 72
    return f"{inches:.1f}" if inches >= 1 else f"{inches:.2f}"
