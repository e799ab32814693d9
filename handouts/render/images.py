"""The logo as a flowable, decoded (or drawn, for an SVG), resampled and compressed once per process.

An image's PDF objects (the logo's, and the pictures' in render.figures) are
also kept in the run's cache (load.cache) when there is one, as the PDF holds
them: a cold build of a handout whose pictures have not changed reads them
back instead of decoding, resampling and compressing them again (most of
a cold build's picture time, 0.2 s for the bundled knee picture and logo).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from functools import lru_cache

from reportlab.platypus import (
    Flowable,
)

from ..errors import BrandError, Problem, display_path
from ..load.logo import LogoFile
from ..load.reading import ReadError
from .tagging import TaggedFlowable


class LogoFlowable(TaggedFlowable, Flowable):
    """The logo, its PDF image encoded once per process; a Figure whose /Alt the caller sets."""

    pdf_role = "Figure"

    def __init__(self, image: SharedImage, width: float, height: float):
        super().__init__()
        self.image, self.width, self.height = image, width, height

    def wrap(self, availWidth, availHeight):  # noqa: N803 - ReportLab's signature
        return self.width, self.height

    def draw(self) -> None:
        self.canv.draw_shared_image(self.image, 0, 0, self.width, self.height)  # render.pdf's canvas


@dataclass(frozen=True)
class SharedImage:
    """An image's PDF objects, compressed once and copied into each document.

    ReportLab's drawImage compresses the pixels again for every document
    (3.4 of 22 ms for the demo logo); these are the objects it would make,
    named as it names them, so the output is the same byte for byte. Only
    the handout's canvas draws them (render.pdf, `draw_shared_image`).
    """

    name: str
    image: object  # a PDFImageXObject, never registered with a document itself
    mask: object | None  # its soft mask (alpha), likewise


def _share_image(reader) -> SharedImage:
    from reportlab.pdfbase.pdfdoc import PDFImageXObject

    from .rlprivate import image_name as _digester

    pixels = reader.getRGBData()  # also splits off the alpha channel, as _dataA
    alpha = reader._dataA
    name = _digester(pixels + (alpha.getRGBData() if alpha else b"auto"))
    image = PDFImageXObject(name, reader, mask="auto")
    mask = vars(image).pop("_smask", None)
    return SharedImage(name, _encoded(image), _encoded(mask))


def _encoded(xobject):
    """`xobject` with its data already the bytes ReportLab writes for it, or as it was.

    ReportLab keeps an image's compressed data as text and encodes it to
    bytes each time a document is written: 13 ms per document for a
    picture of 270 KB, more than drawing a page. Encoded once here, with
    ReportLab's own encoder, it is written as it is, byte for byte the same.
    """
    from reportlab.pdfbase.pdfdoc import pdfdocEnc

    content = getattr(xobject, "streamContent", None)
    if isinstance(content, str):
        data = pdfdocEnc(content)
        if len(data) == len(content):  # the /Length written counts the text's characters
            xobject.streamContent = data
    return xobject


# Print resolution: logos are resampled down to this at their printed size.
LOGO_DPI = 300


def _share_press_image(image) -> SharedImage:
    """An image as the press prints it: CMYK through the press profile, its alpha as a soft mask."""
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfbase.pdfdoc import PDFImageXObject

    from .rlprivate import image_name as _digester

    from .inks import press_image

    cmyk, alpha = press_image(image)
    reader = ImageReader(cmyk)
    pixels = reader.getRGBData()  # CMYK bytes, despite the name
    mask = None
    if alpha is not None:
        alpha_reader = ImageReader(alpha)
        mask = PDFImageXObject(_digester(alpha_reader.getRGBData()), alpha_reader, mask=None)
    name = _digester(pixels + (alpha.tobytes() if alpha is not None else b"auto"))
    return SharedImage(name, _encoded(PDFImageXObject(name, reader, mask=None)), _encoded(mask))


def share_image(image, press: bool = False) -> SharedImage:
    """A Pillow image's PDF objects, made once for every document that draws it (CMYK with `press`)."""
    from reportlab.lib.utils import ImageReader

    return _share_press_image(image) if press else _share_image(ImageReader(image))


def remembered_image(kind: str, source: bytes, target: tuple[int, int], press: bool, make) -> SharedImage:
    """`make()`'s image, or the same PDF objects read back from the run's cache (load.cache).

    Found by the source file's bytes, the size it is resampled to and
    whether it prints in CMYK.
    """
    from ..load.cache import remember

    from reportlab import rl_config

    # The stream filters the objects are made with (render.pdf pins them) are part of what they are.
    key = source + f"\0{target[0]}x{target[1]}\0{int(press)}\0{rl_config.useA85}".encode()
    return remember(kind, key, make, dump=_image_data, load=_image_from)


# What an image XObject holds besides its stream, as ReportLab makes it (pdfdoc.PDFImageXObject).
_COLOR_SPACES = ("DeviceRGB", "DeviceGray", "DeviceCMYK")
_FILTERS = ("ASCII85Decode", "FlateDecode", "DCTDecode")


def _image_data(shared: SharedImage) -> dict:
    return {"name": shared.name, "image": _xobject_data(shared.image), "mask": _xobject_data(shared.mask)}


def _xobject_data(xobject) -> dict | None:
    if xobject is None:
        return None
    content = xobject.streamContent
    return {"name": xobject.name, "width": xobject.width, "height": xobject.height,
            "bits": xobject.bitsPerComponent, "space": xobject.colorSpace, "filters": list(xobject._filters),
            "mask": list(xobject.mask) if xobject.mask else None, "decode": getattr(xobject, "_decode", None),
            "transformed": getattr(xobject, "_dotrans", 0),
            "text": isinstance(content, str),
            "stream": base64.b64encode(content.encode("latin-1") if isinstance(content, str) else content).decode()}


def _image_from(data: dict) -> SharedImage:
    """Back from `_image_data`, checked as data (ValueError for any other shape: it is made again)."""
    if type(data) is not dict or type(data.get("name")) is not str:
        raise ValueError("not a cached image")
    image = _xobject_from(data["image"])
    if image is None:
        raise ValueError("not a cached image")
    return SharedImage(data["name"], image, _xobject_from(data["mask"]))


def _xobject_from(data: dict | None):
    from reportlab.pdfbase.pdfdoc import PDFImageXObject

    if data is None:
        return None
    width, height, mask, decode = data["width"], data["height"], data["mask"], data["decode"]
    if not (type(data["name"]) is str and type(width) is int and type(height) is int and 0 < width and 0 < height
            and data["bits"] == 8 and data["space"] in _COLOR_SPACES
            and type(data["filters"]) is list and all(f in _FILTERS for f in data["filters"])
            and (mask is None or (type(mask) is list and len(mask) == 6 and all(type(n) is int for n in mask)))
            and (decode is None or decode == [0, 1]) and data["transformed"] in (0, 1)
            and type(data["text"]) is bool and type(data["stream"]) is str):
        raise ValueError("not a cached image")
    stream = base64.b64decode(data["stream"], validate=True)
    xobject = PDFImageXObject(data["name"], mask=tuple(mask) if mask else None)
    xobject.width, xobject.height, xobject.bitsPerComponent = width, height, 8
    xobject.colorSpace, xobject._filters = data["space"], tuple(data["filters"])
    xobject.streamContent = stream.decode("latin-1") if data["text"] else stream
    if decode is not None:
        xobject._decode = decode
    if data["transformed"]:
        xobject._dotrans = 1
    return xobject


@lru_cache(maxsize=8)
def shared_logo(file: LogoFile, width: float, height: float, press: bool = False) -> SharedImage:
    """The logo decoded (an SVG drawn) once per process at 300 dpi at its printed size.

    A larger source adds nothing on paper but costs every document its
    decoding and compression (9 of 35 ms for the demo's 600 px logo).
    With `press` (print-ready) its colours are CMYK, as everything else.
    """
    from ..load.logo import logo_pixels
    from ..load.svg import SvgError

    from ..load.logo import logo_bytes

    target = (max(1, round(width / 72 * LOGO_DPI)), max(1, round(height / 72 * LOGO_DPI)))
    try:
        data = logo_bytes(file)
        return remembered_image("logo", data, target, press,
                                lambda: share_image(logo_pixels(file, *target, data=data), press))
    except ReadError as exc:  # changed since the brand was checked
        raise BrandError([exc.problem]) from None
    except SvgError as exc:
        raise BrandError([Problem(display_path(file.path), None, f"logo {exc}")]) from None
