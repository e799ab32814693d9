"""The clinic's logo: read from any of brand.yml's logo forms, checked, and measured against what it sits on.

brand.yml gives a logo as a path, a named image, `{path, alt}` or
`{light, dark}` at each of `small`, `medium` and `large`. The largest size
given is printed (a printed page has room for it), in PNG, JPEG or SVG.
Where it has a light and a dark variant (for light and dark backgrounds),
the one printed is the one that shows against the colour behind it: the
primary-colour band of the PDF's cover, the page of the HTML edition.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import Problem, display_path
from .fields import Fields, describe
from .pictures import PictureError, decoded_size, header_size, sniff
from .reading import IMAGE_LIMIT, ReadError, read_bytes
from .contrast import luminance
from .svg import SVG_LIMIT, SvgError, check_svg, is_svg, rasterise
from .yamlfile import YamlDoc

MAX_LOGO_PIXELS = 40_000_000
LOGO_FORMATS = ("PNG", "JPEG")
# A logo shows against what it is printed on when this much of its area
# contrasts 3:1 with it, WCAG 2.1's figure for graphics (1.4.11).
LOGO_CONTRAST = 3.0
VISIBLE_SHARE = 0.5
_MEASURE_HEIGHT = 100  # pixels: enough to weigh thin strokes, quick to count
SAME_COLOUR = 1.15     # a pixel this close (contrast ratio) to the colour behind the logo is seen as it


@dataclass(frozen=True)
class LogoFile:
    """One logo image: a PNG, JPEG or SVG file and its size (pixels; CSS pixels for an SVG)."""

    path: Path
    width_px: int
    height_px: int
    svg: bool = False


@dataclass(frozen=True)
class Logo:
    """The clinic logo: its variant for light backgrounds, for dark ones, and its alt text."""

    light: LogoFile
    alt: str | None
    dark: LogoFile | None = None

    # The variant for light backgrounds stands for the logo where one is enough.
    @property
    def path(self) -> Path:
        return self.light.path

    @property
    def width_px(self) -> int:
        return self.light.width_px

    @property
    def height_px(self) -> int:
        return self.light.height_px

    def files(self) -> tuple[LogoFile, ...]:
        return (self.light,) if self.dark is None else (self.light, self.dark)


def read_logo(doc: YamlDoc, top: Fields, problems: list[Problem], asset) -> Logo | None:
    """The logo to print, from any of brand.yml's logo forms, with its dark variant when it has one."""
    raw = top.raw("logo")
    if raw is None:
        return None
    images: dict[str, Any] = {}
    chosen, key = raw, ("logo",)
    if isinstance(raw, dict):
        logo = top.sub("logo")
        images = raw.get("images") or {}
        if not isinstance(images, dict):
            logo.fail(f"'logo.images' must be a mapping of names to paths, found {describe(images)}", "images")
            return None
        # A printed page has room for the large logo; fall back to smaller.
        sizes = [size for size in ("large", "medium", "small") if raw.get(size) is not None]
        if not sizes:
            logo.fail("'logo' names no image: give 'large', 'medium' or 'small'")
            return None
        chosen, key = raw[sizes[0]], ("logo", sizes[0])
    variants = {"light": chosen}
    if isinstance(chosen, dict) and ("light" in chosen or "dark" in chosen):
        variants = {mode: chosen[mode] for mode in ("light", "dark") if chosen.get(mode) is not None}
        key_of = {mode: (*key, mode) for mode in variants}
    else:
        key_of = {"light": key}
    files: dict[str, LogoFile] = {}
    alt = None
    for mode, value in variants.items():
        entry_key, value, entry_alt = _resolve(key_of[mode], value, images)
        alt = alt or entry_alt
        path = asset(entry_key, value, "logo")
        checked = _check_image(doc, entry_key, path, problems) if path is not None else None
        if checked is not None:
            files[mode] = checked
    if len(files) != len(variants):
        return None
    # Only a dark variant given: it is all there is, and is measured like any other.
    light = files.get("light") or files["dark"]
    dark = files.get("dark") if "light" in files else None
    return Logo(light=light, dark=dark, alt=alt)


def _resolve(key: tuple, chosen: Any, images: dict[str, Any]) -> tuple[tuple, Any, str | None]:
    """(key, path, alt) of one logo entry, through named images and `{path, alt}`."""
    alt = None
    if isinstance(chosen, str) and chosen in images:
        key = ("logo", "images", chosen)
        chosen = images[chosen]
    if isinstance(chosen, dict):
        alt = chosen.get("alt") if isinstance(chosen.get("alt"), str) else None
        key, chosen = (*key, "path"), chosen.get("path")
    return key, chosen, alt


def _check_image(doc: YamlDoc, key: tuple, path: Path, problems: list[Problem]) -> LogoFile | None:
    """The logo file checked by its bytes: a PNG or JPEG within limits, or an SVG that is only a drawing."""
    def refuse(message: str) -> None:
        problems.append(doc.problem(f"logo '{display_path(path)}' {message}", *key))

    try:
        data = read_bytes(path, max_bytes=IMAGE_LIMIT, what="logo")
    except ReadError as exc:
        problems.append(doc.problem(f"logo '{display_path(path)}': {exc.problem.message}", *key))
        return None
    fmt = sniff(data)
    if fmt is None and (is_svg(data) or path.suffix.lower() == ".svg"):
        try:
            info = check_svg(data)
        except SvgError as exc:
            refuse(str(exc))
            return None
        return LogoFile(path, max(1, round(info.width)), max(1, round(info.height)), svg=True)
    if fmt is not None:
        try:
            width, height = header_size(data, fmt)
        except PictureError:
            width = height = 0  # let Pillow say what it makes of it, below
        if width and height:
            if width * height > MAX_LOGO_PIXELS:
                refuse(f"is {width}x{height} pixels, over the {MAX_LOGO_PIXELS // 1_000_000}-megapixel limit")
                return None
            try:
                decoded_size(data, fmt)  # decoded once (and never again while unchanged, in lint's cache)
            except PictureError as exc:
                refuse(str(exc))
                return None
            return LogoFile(path, width, height)
    return _check_other(data, path, refuse)


def _check_other(data: bytes, path: Path, refuse) -> LogoFile | None:
    """Not a PNG or JPEG by its first bytes (or a header our reading cannot size): Pillow names what it is."""
    from PIL import Image, UnidentifiedImageError

    saved_limit, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, None
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            if width * height > MAX_LOGO_PIXELS:
                refuse(f"is {width}x{height} pixels, over the {MAX_LOGO_PIXELS // 1_000_000}-megapixel limit")
                return None
            if image.format not in LOGO_FORMATS:
                refuse(f"is {image.format}; use PNG, JPEG or SVG")
                return None
            image.load()
    except (UnidentifiedImageError, Image.DecompressionBombError):
        refuse("is not a PNG, JPEG or SVG image")
        return None
    except (OSError, SyntaxError, ValueError) as exc:
        refuse(f"is damaged or truncated ({exc})")
        return None
    finally:
        Image.MAX_IMAGE_PIXELS = saved_limit
    return LogoFile(path, width, height)


def logo_bytes(file: LogoFile) -> bytes:
    """The logo file's bytes, within its kind's limit (ReadError otherwise)."""
    return read_bytes(file.path, max_bytes=SVG_LIMIT if file.svg else IMAGE_LIMIT, what="logo")


def logo_pixels(file: LogoFile, width_px: int, height_px: int, data: bytes | None = None):
    """The logo as an RGB or RGBA Pillow image at most width_px x height_px (a raster is never enlarged).

    `data` is the file's bytes when the caller has read them (`logo_bytes`).
    """
    from PIL import Image

    data = logo_bytes(file) if data is None else data
    if file.svg:
        return rasterise(check_svg(data), width_px, height_px)
    with Image.open(io.BytesIO(data)) as source:
        image = source.convert("RGBA") if source.mode in ("P", "LA", "PA") else source.copy()
    if image.width > width_px and image.height > height_px:
        image = image.resize((width_px, height_px), Image.LANCZOS)
    return image


@lru_cache(maxsize=64)
def visible_share(file: LogoFile, color: str) -> float:
    """The share of the logo's area that contrasts 3:1 or more with `color` ('#rrggbb').

    Through lint's cache, the same file's bytes on the same colour are not
    measured again (nor Pillow imported for them): lint warns about logo
    contrast on every run, and an editor's lint should not decode the logo.
    """
    from .cache import remember

    data = logo_bytes(file)
    key = data + f"\0{color}\0{file.svg}\0{file.width_px}x{file.height_px}".encode()
    return remember("logo-share", key, lambda: _visible_share(file, color), load=_checked_share)


def _checked_share(share: object) -> float:
    """A share read back from lint's cache: a number from 0 to 1, or ValueError."""
    if type(share) not in (int, float) or not 0 <= share <= 1:
        raise ValueError("not a share")
    return float(share)


def _visible_share(file: LogoFile, color: str) -> float:
    """visible_share, worked out.

    Measured on its opaque pixels (an SVG drawn first). A plate of the
    colour behind it, reaching the image's border (a JPEG's white square,
    printed on white), is seen as that colour and not counted as logo: the
    logo shows by what is drawn on it. ReadError or SvgError if the file
    changed since it was checked.
    """
    from PIL import Image, ImageDraw

    from .contrast import contrast_ratio

    image = logo_pixels(file, max(1, round(_MEASURE_HEIGHT * file.width_px / file.height_px)),
                        _MEASURE_HEIGHT).convert("RGBA")
    ratios: dict[tuple[int, int, int], float] = {}

    def ratio(r: int, g: int, b: int) -> float:
        if (r, g, b) not in ratios:
            ratios[(r, g, b)] = contrast_ratio(f"#{r:02x}{g:02x}{b:02x}", color)
        return ratios[(r, g, b)]

    raw = image.tobytes()
    pixels = list(zip(raw[0::4], raw[1::4], raw[2::4], raw[3::4]))
    # 255: opaque; 128: opaque in the colour behind; 0: transparent.
    kinds = Image.frombytes("L", image.size, bytes(0 if a < 128 else 255 if ratio(r, g, b) >= SAME_COLOUR else 128
                                                   for r, g, b, a in pixels))
    width, height = image.size
    for xy in [(x, y) for x in range(width) for y in (0, height - 1)] + \
              [(x, y) for y in range(height) for x in (0, width - 1)]:
        if kinds.getpixel(xy) == 128:
            ImageDraw.floodfill(kinds, xy, 0)
    total = passing = 0
    for (r, g, b, a), kind in zip(pixels, kinds.tobytes()):
        if kind:
            total += a
            passing += a if ratio(r, g, b) >= LOGO_CONTRAST else 0
    return passing / total if total else 0.0


@dataclass(frozen=True)
class Placement:
    """Which variant of the logo prints on a colour, and whether it needs a panel behind it."""

    file: LogoFile
    share: float          # of the logo's area at 3:1 or more against what is behind it
    panel: str | None     # a panel colour drawn behind the logo, or None


def place_logo(logo: Logo, color: str, paper: str = "#ffffff", ink: str = "#000000") -> Placement:
    """The variant that shows best on `color`; on a panel of `paper` (or `ink`) when none reaches VISIBLE_SHARE."""
    best = max(((visible_share(f, color), f) for f in logo.files()), key=lambda pair: pair[0])
    if best[0] >= VISIBLE_SHARE:
        return Placement(best[1], best[0], None)
    # Neither variant shows on the colour: a panel behind the logo, in the
    # paper colour (white when the paper is dark) unless the logo hardly
    # shows even there (a white logo) and shows better on the ink colour.
    white = paper if luminance(paper) > 0.5 else "#ffffff"
    dark = ink if luminance(ink) < 0.2 else "#000000"
    on_white = max(((visible_share(f, white), f) for f in logo.files()), key=lambda pair: pair[0])
    on_dark = max(((visible_share(f, dark), f) for f in logo.files()), key=lambda pair: pair[0])
    if on_white[0] >= VISIBLE_SHARE / 2 or on_white[0] >= on_dark[0]:
        return Placement(on_white[1], on_white[0], white)
    return Placement(on_dark[1], on_dark[0], dark)
