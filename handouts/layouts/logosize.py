"""How large the logo prints: shared by the cover and lint's resolution check.

Apart from `images` (which needs ReportLab's Platypus) so that lint can
size the logo without importing ReportLab.
"""

from __future__ import annotations

from ..load.logo import Logo, LogoFile


def logo_box(logo: Logo | LogoFile, body_size: float, width: float) -> tuple[float, float]:
    """Printed width and height of the logo, in points, on a page `width` wide."""
    height = min(body_size * 5.5, 1.1 * 72)
    logo_width = height * logo.width_px / logo.height_px
    if logo_width > width * 0.35:
        logo_width = width * 0.35
        height = logo_width * logo.height_px / logo.width_px
    return logo_width, height
