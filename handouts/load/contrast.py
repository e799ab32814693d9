"""WCAG contrast, and the colours a brand's text prints in so that it keeps 4.5:1.

A light brand colour (orange, sky blue) makes a good band or rule but
unreadable headings on white paper. Instead of refusing such a brand, the
band and rules keep the brand colour and the text takes the nearest shade
of it that reads: the colour mixed towards black (or towards white on a
dark page) by the least amount that reaches 4.5:1. Lint reports each
substitution as a `low-contrast` warning naming the colour and the shade.
The PDF (office and print-ready) and the HTML edition all print the same
shades, because they all take them from `text_colours()`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

MIN_CONTRAST = 4.5
_BLACK, _WHITE = "#000000", "#ffffff"


def luminance(color: str) -> float:
    """WCAG 2.1 relative luminance of a '#rrggbb' colour, from 0 (black) to 1 (white)."""
    channels = [int(color[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first: str, second: str) -> float:
    """WCAG contrast ratio of two '#rrggbb' colours, from 1 to 21."""
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _mix(color: str, target: str, amount: float) -> str:
    pairs = [(int(color[i:i + 2], 16), int(target[i:i + 2], 16)) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(c + (t - c) * amount):02x}" for c, t in pairs)


@lru_cache(maxsize=64)
def readable_shade(color: str, background: str, minimum: float = MIN_CONTRAST) -> str:
    """`color` if it keeps `minimum`:1 on `background`, else the least-mixed shade of it that does.

    The shade moves towards black, or towards white when white contrasts
    more with the background (a dark page): it keeps the colour's hue, and
    black or white itself always reaches 4.5:1 on one side.
    """
    if contrast_ratio(color, background) >= minimum:
        return color
    target = _BLACK if contrast_ratio(_BLACK, background) >= contrast_ratio(_WHITE, background) else _WHITE
    low, high = 0.0, 1.0  # mixed `high` passes, `low` does not; contrast grows with the amount
    for _ in range(24):
        middle = (low + high) / 2
        if contrast_ratio(_mix(color, target, middle), background) >= minimum:
            high = middle
        else:
            low = middle
    return _mix(color, target, high)


@dataclass(frozen=True)
class Substitution:
    """One text colour replaced by a shade that reads: what for, and the figures."""

    what: str
    key: str          # the brand.yml key of the colour, 'color.primary'
    color: str
    on_key: str
    on: str
    shade: str

    def message(self) -> str:
        """The lint warning's words: the colour, its contrast, and the shade printed instead."""
        side = "darker" if luminance(self.shade) < luminance(self.color) else "lighter"
        return (f"{self.what}: {self.key} {self.color} on {self.on_key} {self.on} has contrast "
                f"{contrast_ratio(self.color, self.on):.2f}:1, below {MIN_CONTRAST:g}:1; this text prints "
                f"in the {side} shade {self.shade} ({contrast_ratio(self.shade, self.on):.2f}:1) instead; "
                "bands and rules keep the brand's colours")


@dataclass(frozen=True)
class TextColours:
    """The '#rrggbb' colours text prints in, each keeping 4.5:1 on what is behind it."""

    body: str         # body text, on the page background
    accent: str       # headings and links: the primary colour or a shade of it, on the page
    on_band: str      # the cover's clinic details and table heads, on the primary band
    substitutions: tuple[Substitution, ...]


@lru_cache(maxsize=16)
def text_colours(primary: str, foreground: str, background: str) -> TextColours:
    """The text colours for a brand's primary, foreground and background colours."""
    body = readable_shade(foreground, background)
    accent = readable_shade(primary, background)
    # Text on the band: the page colour as designed; else the body text
    # colour (dark on a light band reads best); else a shade of the page
    # colour away from the band.
    on_band = next((c for c in (background, body) if contrast_ratio(c, primary) >= MIN_CONTRAST),
                   None) or readable_shade(background, primary)
    subs = []
    if body != foreground:
        subs.append(Substitution("body text", "color.foreground", foreground, "color.background", background, body))
    if accent != primary:
        subs.append(Substitution("headings and links", "color.primary", primary, "color.background", background,
                                 accent))
    if on_band != background:
        subs.append(Substitution("the cover's clinic details and table heads", "color.background", background,
                                 "color.primary", primary, on_band))
    return TextColours(body=body, accent=accent, on_band=on_band, substitutions=tuple(subs))
