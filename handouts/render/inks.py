"""Colours as the page prints them: RGB for screens and office printers, CMYK for a press.

An office build keeps the brand's sRGB colours. A print-ready build
(`--print-ready`) writes every colour as the inks a press lays down:

- a neutral colour (grey, black, white) prints on the black plate alone, as
  the K tint of the same lightness; anything darker than solid black ink
  (near-black body text, say) is 100% K. Text and rules in four inks would
  print fuzzy wherever the plates are a hair out of register.
- any other colour is converted through the bundled CMYK profile for
  offset on coated paper (FOGRA39; see handouts/data/icc/NOTICE.md),
  relative colorimetric with black-point compensation, the intent that
  keeps in-gamut brand colours as they are.
- crop marks are in registration colour (the Separation `All`), which
  prints on every plate so each plate can be trimmed and registered.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from reportlab.lib.colors import CMYKColor, CMYKColorSep, Color, HexColor, toColor

from ..load.brand import Brand
from ..load.contrast import text_colours
from ..load.paths import package_path

PROFILE_FILE = "FOGRA39L-coated.icc"
# The ICC registry's name for the printing condition the profile describes.
OUTPUT_CONDITION = "FOGRA39"
OUTPUT_CONDITION_INFO = "Offset printing on coated paper, ISO 12647-2:2004/Amd 1 (FOGRA39L)"
REGISTRY = "http://www.color.org"
# sRGB channels this close count as grey (JPEG-ish brand values like #1a1b1a).
_NEUTRAL_SPREAD = 6


def profile_path() -> Path:
    """The bundled CMYK output profile."""
    return package_path("data", "icc", PROFILE_FILE)


@lru_cache(maxsize=1)
def profile_bytes() -> bytes:
    """The profile as embedded in the PDF's output intent."""
    return profile_path().read_bytes()  # bundled with the package, not an input


@lru_cache(maxsize=1)
def _transforms():
    from PIL import ImageCms

    srgb = ImageCms.createProfile("sRGB")
    lab = ImageCms.createProfile("LAB", 5000)
    press = ImageCms.ImageCmsProfile(str(profile_path()))
    flags = ImageCms.Flags.BLACKPOINTCOMPENSATION
    to_press = ImageCms.buildTransform(srgb, press, "RGB", "CMYK",
                                       renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC, flags=flags)
    to_lab = ImageCms.buildTransform(srgb, lab, "RGB", "LAB", renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC)
    press_lab = ImageCms.buildTransform(press, lab, "CMYK", "LAB",
                                        renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC)
    return to_press, to_lab, press_lab


def _pixel(transform, mode: str, value: tuple[int, ...]) -> tuple[int, ...]:
    from PIL import Image, ImageCms

    return ImageCms.applyTransform(Image.new(mode, (1, 1), value), transform).getpixel((0, 0))


@lru_cache(maxsize=1)
def _black_ramp() -> tuple[int, ...]:
    """Lightness (L*, 0-255) the press prints for K alone at 0..255: falls as K rises."""
    press_lab = _transforms()[2]
    return tuple(_pixel(press_lab, "CMYK", (0, 0, 0, k))[0] for k in range(256))


def _rgb(hex_color: str) -> tuple[int, int, int]:
    value = hex_color.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


@lru_cache(maxsize=256)
def press_color(hex_color: str) -> CMYKColor:
    """A '#rrggbb' sRGB colour as the CMYK the press prints (see the module's rules)."""
    rgb = _rgb(hex_color)
    to_press, to_lab, _ = _transforms()
    if max(rgb) - min(rgb) <= _NEUTRAL_SPREAD:
        lightness = _pixel(to_lab, "RGB", rgb)[0]
        ramp = _black_ramp()
        # The least K that is at least as dark; none lighter than the paper,
        # solid K for anything darker than solid K can print.
        k = next((k for k in range(256) if ramp[k] <= lightness), 255)
        return CMYKColor(0, 0, 0, round(k / 255, 3))
    c, m, y, k = _pixel(to_press, "RGB", rgb)
    return CMYKColor(*(round(v / 255, 3) for v in (c, m, y, k)))


def press_image(image):
    """A Pillow image as CMYK through the press profile, and its alpha channel (or None if opaque).

    Same intent as the brand colours, so a logo's colours match the band
    it sits on.
    """
    from PIL import ImageCms

    alpha = None
    if image.mode in ("RGBA", "LA", "PA", "P") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        channel = rgba.getchannel("A")
        if channel.getextrema() != (255, 255):
            alpha = channel
        image = rgba
    if image.mode == "CMYK":
        return image, alpha
    return ImageCms.applyTransform(image.convert("RGB"), _transforms()[0]), alpha


def press_only(color) -> CMYKColor:
    """ReportLab's `enforceColorSpace` hook for print-ready pages.

    CMYK and separation colours pass unchanged; an RGB grey (ReportLab's
    own black, `setStrokeColorRGB(0, 0, 0)`) becomes its K tint; any other
    RGB colour is a bug and raises rather than reach the press.
    ReportLab's own "sep_cmyk" mode is not used: it takes any CMYK colour
    whose ReportLab RGB value is grey (every dark one, with c+k, m+k and
    y+k all over 1) for black and prints it as 100% K.
    """
    tc = toColor(color)
    if isinstance(tc, CMYKColor):
        return tc
    if isinstance(tc, Color) and tc.red == tc.green == tc.blue:
        return press_color("#{0:02x}{0:02x}{0:02x}".format(round(tc.red * 255)))
    raise ValueError(f"{tc!r} is RGB, which a print-ready page must not use")


@dataclass(frozen=True)
class Palette:
    """Every colour a handout prints with, ready for ReportLab.

    `press` is True for a print-ready build (CMYK, see the module's rules).
    `markup(color)` spells a colour for paragraph markup (`<link color=...>`).
    Bands and rules print in `primary` and `secondary`; text prints in `ink`
    (body), `accent` (headings, links) and `on_band` (on the primary band),
    which are the brand's colours or, where those fall below 4.5:1, shades
    of them that read (`load.contrast.text_colours`).
    """

    press: bool
    primary: Color
    secondary: Color
    foreground: Color
    background: Color
    black: Color
    registration: Color
    ink: Color
    accent: Color
    on_band: Color

    def convert(self, hex_color: str) -> Color:
        """Any other '#rrggbb' colour of the brand's (a tint, say), as printed."""
        return press_color(hex_color) if self.press else HexColor(hex_color)

    @staticmethod
    def markup(color: Color) -> str:
        """The colour as text paragraph markup accepts (hex, or cmyk(...))."""
        if isinstance(color, CMYKColor):
            return "cmyk({:g},{:g},{:g},{:g})".format(*color.cmyk())
        return color.hexval().replace("0x", "#")


@lru_cache(maxsize=16)
def palette(brand: Brand, press: bool) -> Palette:
    """The brand's colours for an office build (sRGB) or a print-ready one (CMYK)."""
    text = text_colours(brand.primary, brand.foreground, brand.background)
    if not press:
        return Palette(press=False, primary=HexColor(brand.primary), secondary=HexColor(brand.secondary),
                       foreground=HexColor(brand.foreground), background=HexColor(brand.background),
                       black=HexColor("#000000"), registration=HexColor("#000000"), ink=HexColor(text.body),
                       accent=HexColor(text.accent), on_band=HexColor(text.on_band))
    return Palette(press=True, primary=press_color(brand.primary), secondary=press_color(brand.secondary),
                   foreground=press_color(brand.foreground), background=press_color(brand.background),
                   black=CMYKColor(0, 0, 0, 1), registration=CMYKColorSep(1, 1, 1, 1, spotName="All"),
                   ink=press_color(text.body), accent=press_color(text.accent),
                   on_band=press_color(text.on_band))
