"""The logo as a flowable, decoded (or drawn, for an SVG), resampled and compressed once per process."""

from __future__ import annotations

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
        draw = getattr(self.canv, "draw_shared_image", None)
        if draw is None:  # some other canvas: let ReportLab encode it
            self.canv.drawImage(self.image.reader, 0, 0, self.width, self.height, mask="auto")
        else:
            draw(self.image, 0, 0, self.width, self.height)


@dataclass(frozen=True)
class SharedImage:
    """An image's PDF objects, compressed once and copied into each document.

    ReportLab's drawImage compresses the pixels again for every document
    (3.4 of 22 ms for the demo logo); these are the objects it would make,
    named as it names them, so the output is the same byte for byte.
    """

    reader: object
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
    return SharedImage(reader, name, _encoded(image), _encoded(mask))


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
    return SharedImage(reader, name, _encoded(PDFImageXObject(name, reader, mask=None)), _encoded(mask))


def share_image(image, press: bool = False) -> SharedImage:
    """A Pillow image's PDF objects, made once for every document that draws it (CMYK with `press`)."""
    from reportlab.lib.utils import ImageReader

    return _share_press_image(image) if press else _share_image(ImageReader(image))


@lru_cache(maxsize=8)
def shared_logo(file: LogoFile, width: float, height: float, press: bool = False) -> SharedImage:
    """The logo decoded (an SVG drawn) once per process at 300 dpi at its printed size.

    A larger source adds nothing on paper but costs every document its
    decoding and compression (9 of 35 ms for the demo's 600 px logo).
    With `press` (print-ready) its colours are CMYK, as everything else.
    """
    from ..load.logo import logo_pixels
    from ..load.svg import SvgError

    target = (max(1, round(width / 72 * LOGO_DPI)), max(1, round(height / 72 * LOGO_DPI)))
    try:
        image = logo_pixels(file, *target)
    except ReadError as exc:  # changed since the brand was checked
        raise BrandError([exc.problem]) from None
    except SvgError as exc:
        raise BrandError([Problem(display_path(file.path), None, f"logo {exc}")]) from None
    return share_image(image, press)
