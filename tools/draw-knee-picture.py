"""Draw the bundled handout's knee picture: a healthy knee beside a knee with osteoarthritis.

A plain, labelled front view of the joint: thigh bone, shin bone and the
cartilage that covers their ends; on the right the cartilage is worn thin
and patchy, the gap between the bones is narrower and small bone spurs
have grown at the edges. Simple shapes, not anatomy to scale: it shows the
one idea the section explains ("the smooth layer wears thin"). Written in
English and Spanish, with the bundled Atkinson Hyperlegible font:

    python tools/draw-knee-picture.py

writes handouts/data/handouts/stem-cell-knee/images/knee-cartilage.png and
knee-cartilage.es.png (1800x1100 px: 5.7 in wide at 314 dpi on a letter
page). Rerun it after changing a label; the section files give the alt text.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
FONTS = ROOT / "handouts" / "fonts"
OUT = ROOT / "handouts" / "data" / "handouts" / "stem-cell-knee" / "images"

WIDTH, HEIGHT, PANEL = 1800, 1100, 900
BONE, OUTLINE, CARTILAGE, INK, SPUR = "#efe4cc", "#5b4a36", "#2f7fc1", "#1a1a1a", "#c9b48f"

LABELS = {
    "en": {"healthy": "Healthy knee", "worn": "Knee with osteoarthritis", "thigh": "Thigh bone",
           "shin": "Shin bone", "cartilage": "Smooth\ncartilage", "worn_cartilage": "Worn\ncartilage",
           "spur": "Bone spur", "space": "Less space\nbetween bones"},
    "es": {"healthy": "Rodilla sana", "worn": "Rodilla con artrosis", "thigh": "Hueso del\nmuslo",
           "shin": "Hueso de\nla pierna", "cartilage": "Cartílago\nliso", "worn_cartilage": "Cartílago\ngastado",
           "spur": "Espolón\nóseo", "space": "Menos espacio\nentre huesos"},
}


def _shape(draw_on) -> Image.Image:
    """A mask (L image) of a shape drawn by `draw_on(ImageDraw)` in white."""
    mask = Image.new("L", (WIDTH, HEIGHT), 0)
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
        d.rectangle((cx - 80, top + 150, cx + 80, HEIGHT + 20), fill=255)
    return _shape(draw)


def _fibula(cx: int, top: int) -> Image.Image:
    """The thin bone beside the shin bone."""
    return _shape(lambda d: d.rounded_rectangle((cx + 140, top + 110, cx + 190, HEIGHT + 20), radius=22, fill=255))


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
        d.rectangle((left, 0, right, HEIGHT), fill=0)
    from PIL import ImageChops

    return ImageChops.multiply(mask, keep)


def _paint(image: Image.Image, bone: Image.Image) -> None:
    """A bone: filled, with a clean outline around its whole silhouette."""
    image.paste(OUTLINE, mask=_ring(bone, 3))
    image.paste(BONE, mask=bone)


def _label(draw: ImageDraw.ImageDraw, font, text: str, at: tuple[int, int], to: tuple[int, int]) -> None:
    """A label with a line from its left edge to the part it names."""
    draw.line([to, (at[0] - 12, at[1] + font.size // 2 + 4)], fill=INK, width=4)
    draw.ellipse((to[0] - 9, to[1] - 9, to[0] + 9, to[1] + 9), fill=INK)
    draw.multiline_text(at, text, font=font, fill=INK, spacing=6)


def draw_knees(language: str) -> Image.Image:
    """Both knees, side by side, labelled in `language`."""
    words = LABELS[language]
    bold = ImageFont.truetype(str(FONTS / "AtkinsonHyperlegible-Bold.ttf"), 56)
    font = ImageFont.truetype(str(FONTS / "AtkinsonHyperlegible-Regular.ttf"), 44)
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    for panel, worn in ((0, False), (1, True)):
        cx = panel * PANEL + 290
        gap = 24 if worn else 76  # the joint space: narrower once the cartilage wears
        knob_bottom, plateau = 560, 560 + gap
        title = words["worn" if worn else "healthy"]
        draw.text((panel * PANEL + (PANEL - draw.textlength(title, font=bold)) / 2, 28), title, font=bold, fill=INK)
        femur, tibia, fibula = _femur(cx, knob_bottom), _tibia(cx, plateau), _fibula(cx, plateau)
        for bone in (fibula, tibia, femur):
            _paint(image, bone)
        # Cartilage: a band over the knobs' lower surfaces and the plateau's top;
        # worn, it is thinner, with bare bone showing through the gaps.
        thick = 8 if worn else 22
        gaps = ((cx - 150, cx - 110), (cx - 30, cx + 10), (cx + 90, cx + 130)) if worn else ()
        image.paste(CARTILAGE, mask=_only(_ring(femur, thick), (cx - 210, knob_bottom - 55, cx + 210, HEIGHT), gaps))
        plateau_top = _only(_ring(tibia, thick), (cx - 200, 0, cx + 200, plateau - 1), gaps)
        image.paste(CARTILAGE, mask=plateau_top)
        if worn:  # small spurs at the plateau's edges
            for side in (-1, 1):
                edge = cx + side * 206
                draw.polygon([(edge, plateau + 6), (edge + side * 40, plateau - 16), (edge, plateau + 44)],
                             fill=SPUR, outline=OUTLINE, width=3)
        x = panel * PANEL + 520
        _label(draw, font, words["thigh"], (x, 200), (cx + 75, 260))
        cartilage = words["worn_cartilage" if worn else "cartilage"]
        _label(draw, font, cartilage, (x, 340), (cx + 170, knob_bottom - 30))
        if worn:
            _label(draw, font, words["space"], (x, 465), (cx + 55, knob_bottom + gap // 2))
            _label(draw, font, words["spur"], (x + 60, 660), (cx + 216, plateau + 16))
        _label(draw, font, words["shin"], (x, 900), (cx + 60, 920))
    draw.line([(PANEL, 110), (PANEL, HEIGHT - 40)], fill="#9a9a9a", width=3)
    return image


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for language, name in (("en", "knee-cartilage.png"), ("es", "knee-cartilage.es.png")):
        image = draw_knees(language).quantize(colors=64, dither=Image.Dither.NONE)
        image.save(OUT / name, optimize=True)
        print(OUT / name)


if __name__ == "__main__":
    main()
