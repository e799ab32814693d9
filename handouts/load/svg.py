"""SVG logos: checked to be self-contained drawings, then rasterised by resvg.

Most organisations ship their logo as SVG, and an SVG is a document that
can reach out: entities (a billion laughs, or `/etc/passwd` pulled into the
text), `<image>` and `xlink:href` to files and URLs, `@import` in a style
sheet, scripts. Before any renderer sees one, `check_svg` parses it with
defusedxml (no DTD, no entities, no external references) and walks every
element, refusing scripts, event attributes, foreign objects and any
reference that leaves the file (only `#fragment` links, and PNG or JPEG
images inside the file as `data:` URIs, are kept), under a byte and an
element cap. resvg, a renderer with no script engine and no network
access, then draws it with the bundled fonts only, so the same SVG gives the
same pixels on any machine.
"""

from __future__ import annotations

import base64
import io
import math
import re
from dataclasses import dataclass

from .pictures import MAX_PICTURE_PIXELS, PictureError, header_size, sniff

SVG_LIMIT = 1_000_000     # bytes: real logos are 1-100 KB
MAX_ELEMENTS = 20_000     # the brand-yml logos have 10-200
MAX_UNITS = 100_000       # a side of the drawing, in its own units
_SVG_NS = "{http://www.w3.org/2000/svg}"
_REFUSED = {"script": "a script", "foreignObject": "a foreignObject (HTML inside the drawing)",
            "iframe": "an iframe", "handler": "a script handler", "listener": "a script listener"}
_HREF = ("href", "{http://www.w3.org/1999/xlink}href")
_URL = re.compile(r"url\(\s*(['\"]?)(.*?)\1\s*\)", re.IGNORECASE | re.DOTALL)
_IMPORT = re.compile(r"@import", re.IGNORECASE)
_DATA_IMAGE = re.compile(r"data:image/(png|jpeg|jpg);base64,", re.IGNORECASE)
_LENGTH = re.compile(r"\s*([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*(px|pt|pc|mm|cm|in)?\s*$")
_UNIT_PX = {None: 1.0, "px": 1.0, "pt": 4 / 3, "pc": 16.0, "mm": 96 / 25.4, "cm": 96 / 2.54, "in": 96.0}


class SvgError(Exception):
    """Why an SVG cannot be printed as a logo: one sentence, without the file's name."""


@dataclass(frozen=True)
class SvgInfo:
    """A checked SVG: its text and its drawing's size in CSS pixels."""

    text: str
    width: float
    height: float


def is_svg(data: bytes) -> bool:
    """Whether a file's first bytes look like XML or SVG (not PNG or JPEG)."""
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<?xml", b"<svg", b"<!--", b"<!doctype"))


def check_svg(data: bytes) -> SvgInfo:
    """The SVG's text and size, or SvgError saying what in it cannot be printed."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, fromstring

    if len(data) > SVG_LIMIT:
        raise SvgError(f"is {len(data):,} bytes, over the {SVG_LIMIT:,}-byte limit for an SVG logo")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SvgError("is not UTF-8 text; save the SVG as UTF-8") from None
    if "<?xml-stylesheet" in text:
        raise SvgError("links a style sheet (<?xml-stylesheet?>); an SVG logo must be self-contained")
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise SvgError("has a DOCTYPE or entity declarations, which are refused (they can expand without "
                       "limit or read other files); remove the <!DOCTYPE ...> part") from None
    except ParseError as exc:
        raise SvgError(f"is not well-formed XML ({exc})") from None
    if root.tag != _SVG_NS + "svg":
        raise SvgError("is not an SVG drawing (its root element is not <svg>)")
    count = 0
    for element in root.iter():
        count += 1
        if count > MAX_ELEMENTS:
            raise SvgError(f"has more than {MAX_ELEMENTS:,} elements; simplify the drawing")
        _check_element(element)
    width, height = _size(root)
    return SvgInfo(text=text, width=width, height=height)


def _check_element(element) -> None:
    tag = element.tag.rsplit("}", 1)[-1] if isinstance(element.tag, str) else ""
    if tag in _REFUSED:
        raise SvgError(f"holds {_REFUSED[tag]}; an SVG logo is printed as a drawing and may hold no scripts")
    for name, value in element.attrib.items():
        local = name.rsplit("}", 1)[-1].lower()
        if local.startswith("on"):
            raise SvgError(f"has an event attribute ({local}) on <{tag}>, which runs a script; remove it")
        if name in _HREF:
            _check_href(tag, value)
        elif "url(" in value.lower():
            _check_css(value, f"the {local} of <{tag}>")
    if tag == "style" and element.text:
        _check_css(element.text, "a <style> sheet")


def _check_href(tag: str, value: str) -> None:
    value = value.strip()
    if value.startswith("#"):
        return
    if tag == "image" and _DATA_IMAGE.match(value):
        _check_embedded(value)
        return
    shown = value if len(value) <= 60 else value[:57] + "..."
    raise SvgError(f"<{tag}> refers to '{shown}' outside the file; an SVG logo must be self-contained "
                   "(only #id links and PNG or JPEG images embedded as data: URIs are printed)")


def _check_embedded(uri: str) -> None:
    """A PNG or JPEG inside the SVG: decodable, and not a decompression bomb."""
    try:
        data = base64.b64decode(uri.split(",", 1)[1], validate=False)
    except ValueError:
        raise SvgError("embeds an image whose base64 data is damaged") from None
    fmt = sniff(data)
    if fmt is None:
        raise SvgError("embeds an image that is not PNG or JPEG")
    try:
        width, height = header_size(data, fmt)
    except PictureError as exc:
        raise SvgError(f"embeds an image that {exc}") from None
    if width * height > MAX_PICTURE_PIXELS:
        raise SvgError(f"embeds a {width}x{height}-pixel image, over the "
                       f"{MAX_PICTURE_PIXELS // 1_000_000}-megapixel limit")


def _check_css(css: str, where: str) -> None:
    if _IMPORT.search(css):
        raise SvgError(f"{where} has an @import, which fetches another file; an SVG logo must be self-contained")
    for match in _URL.finditer(css):
        target = match.group(2).strip()
        if not target.startswith("#"):
            shown = target if len(target) <= 60 else target[:57] + "..."
            raise SvgError(f"{where} refers to url({shown}) outside the file; only url(#id) is printed")


def _size(root) -> tuple[float, float]:
    """The drawing's width and height in CSS pixels: from width/height, else the viewBox."""
    box = None
    raw = root.get("viewBox")
    if raw is not None:
        try:
            parts = [float(p) for p in raw.replace(",", " ").split()]
        except ValueError:
            parts = []
        if len(parts) != 4 or not all(math.isfinite(p) for p in parts) or parts[2] <= 0 or parts[3] <= 0:
            raise SvgError(f"has viewBox {raw[:60]!r}; it must be four numbers with a positive width and height")
        box = (parts[2], parts[3])
        if max(box) > MAX_UNITS:
            raise SvgError(f"has a viewBox of {box[0]:g} x {box[1]:g} units, over {MAX_UNITS:,} a side")
    width, height = _length(root.get("width")), _length(root.get("height"))
    if width and height:
        size = (width, height)
    elif box is not None:
        # One side given: the other follows the viewBox's proportions.
        scale = (width / box[0]) if width else (height / box[1]) if height else 1.0
        size = (box[0] * scale, box[1] * scale)
    else:
        raise SvgError("has no size: give the <svg> a viewBox (or width and height)")
    if max(size) > MAX_UNITS:
        raise SvgError(f"is {size[0]:g} x {size[1]:g} pixels, over {MAX_UNITS:,} a side")
    if min(size) <= 0 or max(size) / min(size) > 50:
        raise SvgError(f"is {size[0]:g} x {size[1]:g}: too thin a shape for a logo")
    return size


def _length(raw: str | None) -> float | None:
    """A width or height attribute in CSS pixels; None for a missing or relative (%) one."""
    if raw is None:
        return None
    match = _LENGTH.match(raw)
    if not match:
        return None  # "100%", "auto": the viewBox decides
    value = float(match.group(1)) * _UNIT_PX[match.group(2)]
    return value if math.isfinite(value) else None


def rasterise(info: SvgInfo, width_px: int, height_px: int):
    """The SVG drawn into (at most) width_px x height_px pixels, as an RGBA Pillow image.

    Only the bundled fonts are given to resvg (no system fonts), so text in a
    logo draws the same everywhere; the SVG was checked to reach nothing
    outside itself, and resvg is given no folder to resolve paths in.
    """
    import resvg_py
    from PIL import Image

    from .paths import package_path

    fonts = [str(package_path("fonts", name)) for name in
             ("AtkinsonHyperlegible-Regular.ttf", "AtkinsonHyperlegible-Bold.ttf")]
    try:
        png = resvg_py.svg_to_bytes(svg_string=info.text, width=max(1, width_px), height=max(1, height_px),
                                    skip_system_fonts=True, font_files=fonts,
                                    font_family="Atkinson Hyperlegible")
    except ValueError as exc:
        raise SvgError(f"could not be drawn ({exc})") from None
    with Image.open(io.BytesIO(bytes(png))) as image:
        return image.convert("RGBA")
