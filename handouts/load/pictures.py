"""Picture files that section bodies show: checked before anything decodes them.

A picture is a PNG or JPEG inside the handout's folder. What a file is comes
from its first bytes, never its name (an SVG or a GIF renamed `.png` is
refused), and its pixel size is read from its header by this module, so a
decompression bomb (a small file claiming 200 megapixels) is refused with
its real size before Pillow allocates anything.
"""

from __future__ import annotations

import io
import re
import struct
from dataclasses import dataclass
from pathlib import Path

from .reading import IMAGE_LIMIT, ReadError, read_bytes

# A 20 x 25 cm picture at 300 dpi is 7 MP; phone photos are 12 to 50 MP.
MAX_PICTURE_PIXELS = 40_000_000
MAX_PICTURE_SIDE = 20_000
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"
# JPEG start-of-frame markers (baseline, progressive...): they carry the size.
_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


@dataclass(frozen=True)
class Picture:
    """A checked picture file: its bytes as read once, its format and its size as printed (after EXIF rotation)."""

    src: str
    path: Path
    data: bytes
    format: str  # "PNG" or "JPEG"
    width_px: int
    height_px: int

    def __repr__(self) -> str:  # the bytes would fill a screen
        return f"Picture({self.src!r}, {self.format}, {self.width_px}x{self.height_px})"


class PictureError(Exception):
    """Why a file cannot be shown as a picture: one sentence."""


def sniff(data: bytes) -> str | None:
    """'PNG' or 'JPEG' from a file's first bytes, or None."""
    if data.startswith(PNG_MAGIC):
        return "PNG"
    if data.startswith(JPEG_MAGIC):
        return "JPEG"
    return None


def _kind_of(data: bytes) -> str:
    """What a file that is not PNG or JPEG looks like, for the message."""
    head = data[:512].lstrip()
    for magic, name in ((b"GIF8", "a GIF image"), (b"RIFF", "a WebP (or other RIFF) file"), (b"BM", "a BMP image"),
                        (b"II*\x00", "a TIFF image"), (b"MM\x00*", "a TIFF image"), (b"%PDF", "a PDF")):
        if head.startswith(magic):
            return name
    if b"<svg" in head.lower() or head.startswith(b"<?xml"):
        return "an SVG or other XML file"
    if not data:
        return "an empty file"
    try:
        data[:512].decode("utf-8")
    except UnicodeDecodeError:
        return "not a PNG or JPEG image"
    return "a text file"


def header_size(data: bytes, fmt: str) -> tuple[int, int]:
    """(width, height) in pixels from a PNG's IHDR or a JPEG's frame header, without decoding."""
    if fmt == "PNG":
        if len(data) < 24 or data[12:16] != b"IHDR":
            raise PictureError("is damaged: its PNG header is missing")
        return struct.unpack(">II", data[16:24])
    index = 2
    while index + 4 <= len(data):
        if data[index] != 0xFF:
            raise PictureError("is damaged: its JPEG header cannot be read")
        marker = data[index + 1]
        if marker == 0xFF:  # fill byte
            index += 1
            continue
        if marker in (0x01, *range(0xD0, 0xD8)):  # markers with no length
            index += 2
            continue
        length = struct.unpack(">H", data[index + 2:index + 4])[0]
        if marker in _SOF:
            if index + 9 > len(data):
                break
            height, width = struct.unpack(">HH", data[index + 5:index + 9])
            return width, height
        if marker == 0xDA or length < 2:  # image data before any frame header
            break
        index += 2 + length
    raise PictureError("is damaged: its JPEG header gives no size")


def read_picture(src: str, path: Path) -> Picture:
    """Read and check one picture file; PictureError (or ReadError) says why it cannot print."""
    data = read_bytes(path, max_bytes=IMAGE_LIMIT, what="file")
    fmt = sniff(data)
    if fmt is None:
        raise PictureError(f"is {_kind_of(data)}, whatever its name says; use a PNG or JPEG file")
    width, height = header_size(data, fmt)
    if not width or not height:
        raise PictureError(f"is damaged: its header says {width}x{height} pixels")
    if width * height > MAX_PICTURE_PIXELS or max(width, height) > MAX_PICTURE_SIDE:
        raise PictureError(f"is {width}x{height} pixels, over the limit of {MAX_PICTURE_PIXELS // 1_000_000} "
                           f"megapixels and {MAX_PICTURE_SIDE:,} pixels a side; 2000 pixels across is plenty")
    shown_width, shown_height = decoded_size(data, fmt)
    return Picture(src=src, path=path, data=data, format=fmt, width_px=shown_width, height_px=shown_height)


def decoded_size(data: bytes, fmt: str) -> tuple[int, int]:
    """Decode a PNG or JPEG whose header size is within limits, to prove it whole; its size as printed.

    The size is after EXIF rotation. PictureError says why a file does not
    decode. Through lint's cache, a file decoded whole before, byte for
    byte, is not decoded again (nor Pillow imported for it).
    """
    from .cache import remember

    return remember("decoded", data, lambda: _decoded_size(data, fmt), dump=list, load=_checked_size)


def _checked_size(size: object) -> tuple[int, int]:
    """A decoded size read back from lint's cache: two whole numbers of pixels within the limits, or ValueError."""
    if not (isinstance(size, list) and len(size) == 2 and all(type(n) is int for n in size)
            and all(0 < n <= MAX_PICTURE_SIDE for n in size) and size[0] * size[1] <= MAX_PICTURE_PIXELS):
        raise ValueError("not a picture size")
    return size[0], size[1]


def _decoded_size(data: bytes, fmt: str) -> tuple[int, int]:
    from PIL import Image, ImageOps

    width, height = header_size(data, fmt)
    try:
        with Image.open(io.BytesIO(data), formats=[fmt]) as image:
            if image.size != (width, height):
                raise PictureError("is damaged: its header and its contents disagree on its size")
            image.load()  # a truncated file fails here, not halfway through a PDF
            shown = ImageOps.exif_transpose(image)
    except PictureError:
        raise
    except (Image.DecompressionBombError, OSError, SyntaxError, ValueError, struct.error) as exc:
        raise PictureError(f"is damaged or truncated ({_reason(exc)})") from None
    return shown.width, shown.height


def _reason(exc: Exception) -> str:
    """Pillow's words for what is wrong, without the Python objects some of its messages name."""
    from PIL import UnidentifiedImageError

    if isinstance(exc, UnidentifiedImageError):  # "cannot identify image file <_io.BytesIO object at 0x...>"
        return "its data cannot be read as an image"
    text = re.sub(r"<[^<>]* object at 0x[0-9a-fA-F]+>", "the file", str(exc))
    return " ".join(text.split())[:200] or type(exc).__name__


__all__ = ["MAX_PICTURE_PIXELS", "Picture", "PictureError", "ReadError", "decoded_size", "header_size", "read_picture",
           "sniff"]
