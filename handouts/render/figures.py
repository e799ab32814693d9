"""Pictures in section bodies, printed as figures.

Size: as wide as the column, keeping the picture's shape, but never wider
than the picture at 96 dpi (a screen pixel's size; enlarged more, pixels
show) and never taller than half the column's width (a tall
picture would take the page). Where the rest of a page is a little too
short for it, it prints smaller to stay there (down to `shrink` of its
size; never in large print, whose labels must keep their size), rather
than move on and leave that much of the page empty: on a cover with a
provider and a patient named, that was 40% of the page. Where even that
does not fit, it floats: the text after it fills the page, and the picture
goes to the top of the next page (`FloatingPictures`), as books do. A picture that would print under 150 dpi is
reported by lint (see lint.figures). The pixels are resampled down to
300 dpi at the printed size, so a 12-megapixel photo does not make a
20 MB handout, and a print-ready build prints them in CMYK like the rest.

Structure: a Figure element with the alt text as /Alt and, with a caption
(the Markdown title, `![alt](file.png "Caption")`), a Caption element after
it, both where a paragraph there would be; drawn as one flowable, so the
caption never parts from its picture.
"""

from __future__ import annotations

import copy
import io
import math
from functools import lru_cache

from reportlab.platypus import Flowable, Spacer

from ..load.pictures import Picture
from ..layouts.figuresize import printed_size
from .images import SharedImage, remembered_image, share_image
from .tagging import TaggedFlowable, tagged

# Pixels are resampled down to this at the printed size.
PRINT_DPI = 300


@lru_cache(maxsize=32)
def caption_style(base):
    """`base` centred: a caption sits under the middle of its picture."""
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.styles import ParagraphStyle

    return ParagraphStyle(f"{base.name}-caption", parent=base, alignment=TA_CENTER)


@lru_cache(maxsize=16)
def shared_picture(picture: Picture, width: float, height: float, press: bool) -> SharedImage:
    """The picture decoded once per process, turned upright, resampled to 300 dpi at its printed size.

    Read back from the run's cache when it was made before (render.images.remembered_image).
    """
    target = (max(1, round(width / 72 * PRINT_DPI)), max(1, round(height / 72 * PRINT_DPI)))
    return remembered_image("picture", picture.data, target, press, lambda: _made(picture, target, press))


def _made(picture: Picture, target: tuple[int, int], press: bool) -> SharedImage:
    from PIL import Image, ImageOps

    with Image.open(io.BytesIO(picture.data), formats=[picture.format]) as source:
        image = ImageOps.exif_transpose(source)
        has_alpha = image.mode in ("RGBA", "LA", "PA", "P") and (
            image.mode != "P" or "transparency" in image.info)
        if image.mode not in ("RGB", "RGBA", "L") or (image.mode == "L" and press):
            image = image.convert("RGBA" if has_alpha else "RGB")
        else:
            image = image.copy()
    if image.width > target[0] and image.height > target[1]:
        image = image.resize(target, Image.LANCZOS)
    return share_image(image, press)


class PictureFlowable(TaggedFlowable, Flowable):
    """One picture in the column's middle, with its caption under it when it has one.

    A TaggedFlowable for where it sits (`pdf_parents`), but it opens no
    element of its own: it draws a Figure and a Caption, side by side.
    """

    pdf_role = "Figure"

    def __init__(self, picture: Picture, alt: str, caption: Flowable | None, press: bool, space: float,
                 shrink: float = 1.0):
        super().__init__()
        self.picture, self.alt, self.caption, self.press = picture, alt, caption, press
        self.shrink = shrink
        self.may_float = True
        # Air above and below, as between paragraphs; half that between picture and caption.
        self.spaceBefore = self.spaceAfter = space
        self.gap = space / 2
        self.image_size = (0.0, 0.0)

    def __copy__(self) -> PictureFlowable:
        # Each document lays out its own copy, caption included.
        twin = object.__new__(type(self))
        twin.__dict__.update(self.__dict__)
        if self.caption is not None:
            twin.caption = copy.copy(self.caption)
        return twin

    def nested_flowables(self) -> list[Flowable]:
        """The caption's paragraph, for the font planner."""
        return [self.caption] if self.caption is not None else []

    def wrap(self, availWidth, availHeight):  # noqa: N803 - ReportLab's signature
        width, height = printed_size(self.picture, availWidth)
        below = self.gap + self.caption.wrap(availWidth, availHeight)[1] if self.caption is not None else 0.0
        room = availHeight - below
        if height > room >= height * self.shrink:
            # Smaller, to stay on this page (rounded down, to fit).
            scale = math.floor(room / height * 1000) / 1000
            width, height = round(width * scale, 2), round(height * scale, 2)
        self.image_size = (width, height)
        self.width, self.height = availWidth, height + below
        return self.width, self.height

    def split(self, availWidth, availHeight):  # noqa: N803 - ReportLab's signature
        """Too tall for the rest of the page: float to the top of the next one (see FloatingPictures)."""
        doc = getattr(self.canv, "_doctemplate", None)
        if self.may_float and isinstance(doc, FloatingPictures) and not doc.frame._atTop:
            doc.float_picture(self)
            return [Spacer(0, 0)]  # what follows takes this place
        return []

    def drawOn(self, canvas, x, y, _sW=0):  # noqa: N802 - ReportLab's name
        return Flowable.drawOn(self, canvas, x, y, _sW)  # no element of its own: see draw

    def draw(self) -> None:
        canvas = self.canv
        width, height = self.image_size
        x, y = (self.width - width) / 2, self.height - height
        with tagged(canvas, "Figure", parents=self.pdf_parents, alt=self.alt):
            self._draw_image(x, y, width, height)
        if self.caption is not None:
            self.caption.pdf_parents = self.pdf_parents
            self.caption.drawOn(canvas, 0, 0)

    def _draw_image(self, x: float, y: float, width: float, height: float) -> None:
        # render.pdf's canvas, which copies the shared objects into its document
        self.canv.draw_shared_image(shared_picture(self.picture, width, height, self.press), x, y, width, height)


class FloatingPictures:
    """A document template's part that puts floated pictures at the top of the next frame.

    Mixed into the handout's BaseDocTemplate: a picture that does not fit
    (PictureFlowable.split) waits here and is laid out first in the next
    frame. `FlushPictures` in the story puts any still waiting where it
    stands, so none crosses into the risk disclosure.
    """

    def float_picture(self, picture: Flowable) -> None:
        self._floating = [*getattr(self, "_floating", []), picture]

    def take_floating(self) -> list[Flowable]:
        """The pictures waiting for a frame, now taken."""
        waiting, self._floating = getattr(self, "_floating", []), []
        return waiting

    def handle_frameBegin(self, resume=0, pageTopFlowables=None):  # noqa: N802 - ReportLab's name
        super().handle_frameBegin(resume, pageTopFlowables)
        self._hanging.extend(self.take_floating())

    def filterFlowables(self, flowables):  # noqa: N802 - ReportLab's name
        if flowables and isinstance(flowables[0], FlushPictures):
            waiting = self.take_floating()
            for picture in waiting:
                picture.may_float = False  # here, or at the top of the next page of this part
            flowables[0:0] = waiting


class FlushPictures(Flowable):
    """Where floated pictures still waiting are laid out: before the risk disclosure's page break."""

    def wrap(self, availWidth, availHeight):  # noqa: N803 - ReportLab's signature
        return 0, 0

    def draw(self) -> None:
        pass


def figure_for(children, pictures: dict[str, Picture], caption_paragraph, press: bool,
               space: float, shrink: float = 1.0) -> PictureFlowable | None:
    """The figure for a paragraph (its inline tokens, `children`) that is one picture the handout checked, or None.

    `caption_paragraph(text)` makes the caption's tagged paragraph. A
    picture the loader did not check (none can reach here: it refuses them)
    prints as its alt text instead, never as a file read now.
    """
    shown = [c for c in children or () if c.type not in ("softbreak", "hardbreak")
             and not (c.type == "text" and not c.content.strip())]
    if len(shown) != 1 or shown[0].type != "image":
        return None
    image = shown[0]
    picture = pictures.get(str(image.attrGet("src") or ""))
    alt = " ".join(image.content.split())
    if picture is None or not alt:
        return None
    title = " ".join(str(image.attrGet("title") or "").split())
    caption = caption_paragraph(title) if title else None
    return PictureFlowable(picture, alt, caption, press, space, shrink)
