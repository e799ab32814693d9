"""Draw the bundled handout's call chart: which number to call after a knee shot.

Three rows, most urgent first, each a list of warning signs and, on the
right, what to do about them in white on the row's colour: call 911 now;
call the clinic the same day; rest, use ice and keep watching. The colours
only repeat what the words say (the words carry it in black and white
too). It is the "visual for the call/911 decision" PEMAT-P asks for (item
26, docs/pemat.md). Written in English and Spanish with the bundled
Atkinson Hyperlegible font:

    python tools/draw-call-chart.py

writes handouts/data/handouts/stem-cell-knee/images/when-to-call.png and
when-to-call.es.png (1800x900 px: 7 in wide at 257 dpi on a letter page,
6.5 in at 277 dpi in large print). Its type is 72 px, so it prints at 20 pt
in letter and A4 and at 18.7 pt in large print, the size the large-print
layout promises. Rerun it after changing a row; the section files give the
alt text, which says the same as the chart.
"""

from __future__ import annotations

from handout_pictures import FONTS, save
from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT, SIZE = 1800, 900, 72
SPLIT, ARROW = 1080, 90  # where the signs end, and the arrow's width
INK = "#1a1a1a"
# (band colour: white text on it keeps 4.5:1 or more; tint behind the signs)
COLOURS = (("#a4262c", "#fbe9ea"), ("#8f4700", "#fdf0e1"), ("#1e6b30", "#e8f4ea"))

ROWS = {
    "en": (("Trouble breathing, chest pain, sudden weakness, or fainting", "Call 911 now"),
           ("Fever, chills, or a red, hot, or more swollen knee", "Call the clinic today"),
           ("Mild soreness that gets better each day", "Rest, use ice, and watch")),
    "es": (("Dificultad para respirar, dolor en el pecho, debilidad repentina o desmayo", "Llame al 911 ahora"),
           ("Fiebre, escalofríos o rodilla roja, caliente o más hinchada", "Llame hoy a la clínica"),
           ("Dolor leve que mejora cada día", "Descanse, use hielo y vigile")),
}


def _lines(draw: ImageDraw.ImageDraw, text: str, font, width: float) -> list[str]:
    """`text` broken into lines no wider than `width`, between words."""
    lines: list[str] = []
    for word in text.split():
        if lines and draw.textlength(f"{lines[-1]} {word}", font=font) <= width:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return lines


def _block(draw: ImageDraw.ImageDraw, lines: list[str], font, left: float, top: float, bottom: float,
           fill: str, width: float | None = None) -> None:
    """Lines centred vertically between `top` and `bottom` (and horizontally in `width`, when given)."""
    step = SIZE * 1.18
    y = (top + bottom) / 2 - step * len(lines) / 2 + SIZE * 0.05
    for line in lines:
        x = left + ((width - draw.textlength(line, font=font)) / 2 if width else 0)
        draw.text((x, y), line, font=font, fill=fill)
        y += step


def draw_chart(language: str) -> Image.Image:
    """The three rows, in `language`."""
    regular = ImageFont.truetype(str(FONTS / "AtkinsonHyperlegible-Regular.ttf"), SIZE)
    bold = ImageFont.truetype(str(FONTS / "AtkinsonHyperlegible-Bold.ttf"), SIZE)
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    edge, gap = 4, 18  # the outlines inside the picture; air between rows
    row = (HEIGHT - 2 * edge - 2 * gap) / 3
    for index, ((signs, action), (band, tint)) in enumerate(zip(ROWS[language], COLOURS)):
        top = edge + index * (row + gap)
        bottom = top + row
        draw.rounded_rectangle((edge, top, SPLIT, bottom), radius=24, fill=tint, outline=band, width=6)
        lines = _lines(draw, signs, regular, SPLIT - 80)
        assert len(lines) <= 3, f"{signs!r} needs {len(lines)} lines"
        _block(draw, lines, regular, 40, top, bottom, INK)
        middle = (top + bottom) / 2
        draw.polygon([(SPLIT + 14, middle - 46), (SPLIT + ARROW - 10, middle), (SPLIT + 14, middle + 46)], fill=band)
        left = SPLIT + ARROW
        draw.rounded_rectangle((left, top, WIDTH - edge, bottom), radius=24, fill=band)
        lines = _lines(draw, action, bold, WIDTH - left - 60)
        assert len(lines) <= 3, f"{action!r} needs {len(lines)} lines"
        _block(draw, lines, bold, left, top, bottom, "white", WIDTH - left)
    return image


def main() -> None:
    save(draw_chart, {"en": "when-to-call.png", "es": "when-to-call.es.png"})


if __name__ == "__main__":
    main()
