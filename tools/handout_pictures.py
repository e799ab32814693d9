"""What the scripts that draw the bundled handout's pictures share: its folders, and saving each language's file.

Imported by tools/draw-knee-picture.py and tools/draw-call-chart.py (run as
scripts, so this folder is on their import path).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
FONTS = ROOT / "handouts" / "fonts"
OUT = ROOT / "handouts" / "data" / "handouts" / "stem-cell-knee" / "images"


def save(draw: Callable[[str], Image.Image], names: dict[str, str]) -> None:
    """Draw the picture in each language and save it as `names[language]`, in 64 colours (small, and exact)."""
    OUT.mkdir(parents=True, exist_ok=True)
    for language, name in names.items():
        image = draw(language).quantize(colors=64, dither=Image.Dither.NONE)
        image.save(OUT / name, optimize=True)
        print(OUT / name)
