"""How large a picture in a section body prints: shared by the renderer and lint's resolution check.

Apart from `figures` (which needs ReportLab's Platypus) so that lint can
size pictures without importing ReportLab, as `logosize` does for the logo.
"""

from __future__ import annotations

from ..load.pictures import Picture

# A picture is never enlarged past this resolution on paper.
NATURAL_DPI = 96
# The tallest a picture prints, as a share of the column's width.
MAX_HEIGHT_RATIO = 0.5


def printed_size(picture: Picture, column: float) -> tuple[float, float]:
    """Width and height in points that `picture` prints at in a column `column` points wide."""
    width = min(column, picture.width_px / NATURAL_DPI * 72)
    height = width * picture.height_px / picture.width_px
    if height > column * MAX_HEIGHT_RATIO:
        height = column * MAX_HEIGHT_RATIO
        width = height * picture.width_px / picture.height_px
    return round(width, 2), round(height, 2)


def printed_dpi(picture: Picture, column: float) -> float:
    """Pixels per inch of `picture` as printed in a column `column` points wide."""
    width, _ = printed_size(picture, column)
    return picture.width_px / (width / 72)
