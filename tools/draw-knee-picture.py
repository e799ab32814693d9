"""Draw the bundled handout's knee picture: a healthy knee beside a knee with osteoarthritis.

A plain, labelled front view of the joint: thigh bone, shin bone and the
cartilage that covers their ends; on the right the cartilage is worn thin
and patchy, the gap between the bones is narrower and small bone spurs
have grown at the edges. Simple shapes, not anatomy to scale: it shows the
one idea the section explains ("the smooth layer wears thin"). Written in
English and Spanish, with the bundled Atkinson Hyperlegible font:

    python tools/draw-knee-picture.py

writes handouts/data/handouts/stem-cell-knee/images/knee-cartilage.png and
knee-cartilage.es.png. Rerun it after changing a label; the section files
give the alt text.

The labels are for older eyes in every layout: a picture half as tall as
it is wide prints across the whole column (figuresize.py), 6.5 in in large
print, where a 72 px label on this 1800 px picture prints at 18.7 pt, the
large-print body size; in letter and A4 (a 5.3 in column) at 15 pt. So the
knees are drawn small, and the labels beside them large.
"""

from __future__ import annotations

from handout_pictures import FONTS, save
from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT, PANEL = 1800, 900, 900
# Label and title sizes in pixels: 18 pt or more across a 6.5 in column.
LABEL_PX, TITLE_PX = 72, 72
# Each knee is drawn on a canvas of its own (BONES), then scaled by SCALE
# and placed at KNEE_AT in its panel, leaving the panel's right part to the labels.
BONES = (560, 1400)
SCALE = 0.56
KNEE_AT = (24, 150)
# Room between two labels, and from the last to the bottom edge.
LABEL_GAP = 22
BONE, OUTLINE, CARTILAGE, INK, SPUR = "#efe4cc", "#5b4a36", "#2f7fc1", "#1a1a1a", "#c9b48f"

LABELS = {
    "en": {"healthy": "Healthy knee", "worn": "Knee with osteoarthritis", "thigh": "Thigh bone",
           "shin": "Shin bone", "cartilage": "Smooth\ncartilage", "worn_cartilage": "Worn\ncartilage",
           "spur": "Bone spur", "space": "Less space\nbetween bones"},
    # Fémur and tibia: the everyday Spanish names, one line each at this size.
    "es": {"healthy": "Rodilla sana", "worn": "Rodilla con artrosis", "thigh": "Fémur",
           "shin": "Tibia", "cartilage": "Cartílago liso", "worn_cartilage": "Cartílago\ndesgastado",
           "spur": "Espolón óseo", "space": "Menos espacio\nentre huesos"},
}


def _shape(draw_on) -> Image.Image:
    """A mask (L image) of a shape drawn by `draw_on(ImageDraw)` in white."""
    mask = Image.new("L", BONES, 0)
    draw_on(ImageDraw.Draw(mask))
    return mask


def _femur(cx: int, bottom: int) -> Image.Image:
    """The thigh bone's lower end: a shaft widening into two rounded knobs."""
    def draw(d: ImageDraw.ImageDraw) -> None:
        d.rectangle((cx - 75, 150, cx + 75, bottom - 120), fill=255)
        d.polygon([(cx - 75, bottom - 230), (cx - 195, bottom - 100), (cx + 195, bottom - 100),
                   (cx + 75, bottom - 230)], fill=255)
        for side in (-1, 1):
            d.ellipse((cx + side * 95 - 105, bottom - 190, cx + side * 95 + 105, bottom), fill=255)
    return _shape(draw)


def _tibia(cx: int, top: int) -> Image.Image:
    """The shin bone's upper end: a flat-topped plateau narrowing into the shaft."""
    def draw(d: ImageDraw.ImageDraw) -> None:
        d.rounded_rectangle((cx - 210, top, cx + 210, top + 90), radius=18, fill=255)
        d.polygon([(cx - 200, top + 60), (cx + 200, top + 60), (cx + 80, top + 200), (cx - 80, top + 200)], fill=255)
        d.rectangle((cx - 80, top + 150, cx + 80, BONES[1] + 20), fill=255)
    return _shape(draw)


def _fibula(cx: int, top: int) -> Image.Image:
    """The thin bone beside the shin bone."""
    return _shape(lambda d: d.rounded_rectangle((cx + 140, top + 110, cx + 190, BONES[1] + 20), radius=22, fill=255))


def _ring(mask: Image.Image, width: int) -> Image.Image:
    """The band `width` px wide just outside a shape."""
    from PIL import ImageChops, ImageFilter

    grown = mask.filter(ImageFilter.MaxFilter(2 * width + 1))
    return ImageChops.subtract(grown, mask)


def _only(mask: Image.Image, box: tuple[int, int, int, int], gaps: tuple = ()) -> Image.Image:
    """`mask` kept inside `box` only, less the vertical strips `gaps` (x ranges)."""
    keep = Image.new("L", mask.size, 0)
    d = ImageDraw.Draw(keep)
    d.rectangle(box, fill=255)
    for left, right in gaps:
        d.rectangle((left, 0, right, BONES[1]), fill=0)
    from PIL import ImageChops

    return ImageChops.multiply(mask, keep)


def _paint(image: Image.Image, bone: Image.Image) -> None:
    """A bone: filled, with a clean outline around its whole silhouette."""
    image.paste(OUTLINE, mask=_ring(bone, 3))
    image.paste(BONE, mask=bone)


def _label(draw: ImageDraw.ImageDraw, font, text: str, at: tuple[int, int], to: tuple[float, float]) -> None:
    """A label with a line from its left edge to the part it names."""
    draw.line([to, (at[0] - 14, at[1] + font.size // 2 + 6)], fill=INK, width=5)
    draw.ellipse((to[0] - 10, to[1] - 10, to[0] + 10, to[1] + 10), fill=INK)
    draw.multiline_text(at, text, font=font, fill=INK, spacing=8)


def _place(draw: ImageDraw.ImageDraw, font, labels: list, x: float) -> None:
    """Draw `labels` at `x`, each at its wished-for top or just below the one before."""
    below = 0
    for text, top, point in labels:
        top = max(top, below + LABEL_GAP)
        box = draw.multiline_textbbox((x, top), text, font=font, spacing=8)
        if box[2] > x - x % PANEL + PANEL - 8 or box[3] > HEIGHT - LABEL_GAP / 2:
            raise SystemExit(f"the label {text!r} runs off its panel: shorten it or break it in two lines")
        _label(draw, font, text, (x, top), point)
        below = box[3]


def _knee(worn: bool) -> tuple[Image.Image, int, int]:
    """One knee on its own canvas, and where its joint is: (image, centre x, bottom of the thigh bone)."""
    image = Image.new("RGB", BONES, "white")
    draw = ImageDraw.Draw(image)
    cx = 280
    gap = 24 if worn else 76  # the joint space: narrower once the cartilage wears
    knob_bottom, plateau = 560, 560 + gap
    femur, tibia, fibula = _femur(cx, knob_bottom), _tibia(cx, plateau), _fibula(cx, plateau)
    for bone in (fibula, tibia, femur):
        _paint(image, bone)
    # Cartilage: a band over the knobs' lower surfaces and the plateau's top;
    # worn, it is thinner, with bare bone showing through the gaps.
    thick = 8 if worn else 22
    gaps = ((cx - 150, cx - 110), (cx - 30, cx + 10), (cx + 90, cx + 130)) if worn else ()
    image.paste(CARTILAGE, mask=_only(_ring(femur, thick), (cx - 210, knob_bottom - 55, cx + 210, BONES[1]), gaps))
    image.paste(CARTILAGE, mask=_only(_ring(tibia, thick), (cx - 200, 0, cx + 200, plateau - 1), gaps))
    if worn:  # small spurs at the plateau's edges
        for side in (-1, 1):
            edge = cx + side * 206
            draw.polygon([(edge, plateau + 6), (edge + side * 40, plateau - 16), (edge, plateau + 44)],
                         fill=SPUR, outline=OUTLINE, width=3)
    return image, cx, knob_bottom


def draw_knees(language: str) -> Image.Image:
    """Both knees, side by side, labelled in `language`."""
    words = LABELS[language]
    bold = ImageFont.truetype(str(FONTS / "AtkinsonHyperlegible-Bold.ttf"), TITLE_PX)
    font = ImageFont.truetype(str(FONTS / "AtkinsonHyperlegible-Regular.ttf"), LABEL_PX)
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    # The bones' canvas from just above the top of the thigh bone's shaft.
    crop = (0, 130, BONES[0], BONES[1])
    size = (round((crop[2] - crop[0]) * SCALE), round((crop[3] - crop[1]) * SCALE))
    for panel, worn in ((0, False), (1, True)):
        left = panel * PANEL
        title = words["worn" if worn else "healthy"]
        draw.text((left + (PANEL - draw.textlength(title, font=bold)) / 2, 16), title, font=bold, fill=INK)
        knee, cx, knob_bottom = _knee(worn)
        x0, y0 = left + KNEE_AT[0], KNEE_AT[1]
        image.paste(knee.crop(crop).resize(size, Image.LANCZOS), (x0, y0))

        def at(x: float, y: float) -> tuple[float, float]:
            # A point of the knee's canvas, where it lands in the picture.
            return x0 + (x - crop[0]) * SCALE, y0 + (y - crop[1]) * SCALE

        gap = 24 if worn else 76
        cartilage = words["worn_cartilage" if worn else "cartilage"]
        # (text, where it would like its top, the point it names), top to bottom.
        labels = [(words["thigh"], 196, at(cx + 40, 300)), (cartilage, 300, at(cx + 170, knob_bottom - 30))]
        if worn:
            # The spur's label above the gap's, so their lines do not cross.
            labels += [(words["spur"], 470, at(cx + 222, knob_bottom + gap + 16)),
                       (words["space"], 580, at(cx + 55, knob_bottom + gap // 2)),
                       (words["shin"], 790, at(cx + 30, 1080))]
        else:
            labels.append((words["shin"], 640, at(cx + 30, 1000)))
        _place(draw, font, labels, left + KNEE_AT[0] + size[0] + 36)
    draw.line([(PANEL, 120), (PANEL, HEIGHT - 30)], fill="#9a9a9a", width=3)
    return image


def main() -> None:
    save(draw_knees, {"en": "knee-cartilage.png", "es": "knee-cartilage.es.png"})


if __name__ == "__main__":
    main()
