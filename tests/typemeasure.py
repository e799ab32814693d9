"""Type as printed, read back from a handout PDF: sizes by kind of text, characters per line.

Shared by the type tests and `tools/measure-type.py`. Reads PDFs only
(pdfplumber); nothing here imports handouts. What each character is comes
from the structure tree (the PDF is tagged), never from its size alone:

- body: paragraphs and list items (P, LBody) outside tables, forms (Div)
  and captions, at the body size (the size most of them are set in);
- headings (H1-H3), table cells, captions, form labels (the signature
  block and write-in lines: a Div), list labels (Lbl);
- the footer and the running header: artifacts below and above the page's
  middle. Only the running header may be smaller than the patient text;
  every other character is text a patient reads.

Characters per line are counted over the body's lines, a line split into
runs where the gap between two characters is wider than two body sizes (a
table row's cells); a paragraph's last line is left out of the figures,
since it measures the paragraph, not the measure.
"""

from __future__ import annotations

import collections
import statistics
from dataclasses import dataclass, field
from pathlib import Path

import pdfplumber

BODY_ROLES = {"P", "LBody"}
HEADING_ROLES = {"H1", "H2", "H3"}
# Containers whose text is not running body text (a Div: the signature block,
# write-in lines, a boxed callout).
APART = {"Table": "table", "TD": "table", "TH": "table", "Div": "form", "Caption": "caption"}


def role_paths(page) -> dict[int, tuple[str, ...]]:
    """The structure roles above each marked-content id of `page`, outermost first."""
    paths: dict[int, tuple[str, ...]] = {}

    def walk(element, above: tuple[str, ...]) -> None:
        here = (*above, element.get("type", ""))
        for mcid in element.get("mcids") or ():
            paths[mcid] = here
        for child in element.get("children") or ():
            walk(child, here)

    for element in page.structure_tree:
        walk(element, ())
    return paths


def kind_of(char: dict, path: tuple[str, ...], page_height: float) -> str:
    """What a character is: body, heading, table, form, caption, label, small, footer or header.

    An artifact in the page's lower half is the footer; in its upper half
    it is the running header, or a table's header row repeated on a new
    page (`measure` tells the two apart).
    """
    if char.get("mcid") is None:
        return "header" if char["top"] < page_height / 2 else "footer"
    for role in reversed(path):
        if role in APART:
            return APART[role]
    leaf = path[-1] if path else ""
    if leaf in HEADING_ROLES:
        return "heading"
    if leaf == "Lbl":
        return "label"
    if leaf in BODY_ROLES:
        return "body"
    return leaf.lower() or "other"


@dataclass
class TypeFacts:
    """What one PDF prints, by kind of text."""

    pages: int
    body_size: float
    # kind -> sizes used (rounded to 0.01 pt), with a character count each
    sizes: dict[str, collections.Counter] = field(default_factory=dict)
    # characters in each full body line (a paragraph's last line left out)
    line_lengths: list[int] = field(default_factory=list)
    # every body line, last lines included
    all_line_lengths: list[int] = field(default_factory=list)
    # (page, size, text) of the smallest patient text's first occurrence
    smallest_where: tuple[int, float, str] = (0, 0.0, "")

    def smallest(self, *kinds: str) -> float:
        """The smallest size among `kinds` (all but the running header when none given)."""
        kinds = kinds or tuple(k for k in self.sizes if k != "header")
        found = [size for kind in kinds for size in self.sizes.get(kind, ())]
        return min(found) if found else 0.0

    def largest(self, *kinds: str) -> float:
        found = [size for kind in kinds for size in self.sizes.get(kind, ())]
        return max(found) if found else 0.0

    def per_line(self, quantile: float) -> float:
        """Characters per full body line at `quantile` (0.5: median)."""
        return _quantile(self.line_lengths, quantile)


def _quantile(values: list[int], q: float) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return float(values[0])
    ordered = sorted(values)
    position = q * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _runs(chars: list[dict], size: float) -> list[str]:
    """A line's text, split where the gap between characters is wider than two body sizes."""
    runs: list[list[str]] = []
    previous = None
    for char in sorted(chars, key=lambda c: c["x0"]):
        gap = char["x0"] - previous["x1"] if previous else 0.0
        if previous is None or gap > 2 * size:
            runs.append([])
        elif gap > 0.2 * size and previous["text"] != " " and char["text"] != " ":
            runs[-1].append(" ")  # a space drawn as a gap, not a character
        runs[-1].append(char["text"])
        previous = char
    return ["".join(run).strip() for run in runs if "".join(run).strip()]


def measure(path: str | Path) -> TypeFacts:
    """Read the type sizes and the body's line lengths of the PDF at `path`."""
    with pdfplumber.open(str(path)) as pdf:
        classified = []  # (page index, kind, char)
        for index, page in enumerate(pdf.pages):
            paths = role_paths(page)
            chars = [c for c in page.chars if c["text"].strip()]
            tagged_top = min((c["top"] for c in chars if c.get("mcid") is not None), default=page.height)
            for char in chars:
                kind = kind_of(char, paths.get(char.get("mcid"), ()), page.height)
                # The running header is regular type above the page's text; a
                # table's repeated header row is bold.
                if kind == "header" and ("Bold" in char["fontname"] or char["bottom"] > tagged_top):
                    kind = "table"
                classified.append((index, kind, char))
        body_sizes = collections.Counter(round(c["size"], 2) for _, kind, c in classified if kind == "body")
        body_size = body_sizes.most_common(1)[0][0] if body_sizes else 0.0
        facts = TypeFacts(pages=len(pdf.pages), body_size=body_size)
        for index, kind, char in classified:
            size = round(char["size"], 2)
            # Body-role text smaller than the body is a reference or a note.
            if kind == "body" and size < body_size - 0.05:
                kind = "small"
            facts.sizes.setdefault(kind, collections.Counter())[size] += 1
        smallest = facts.smallest()
        for index, kind, char in classified:
            if kind != "header" and round(char["size"], 2) == smallest:
                facts.smallest_where = (index + 1, smallest, kind)
                break
        # Body lines: each marked-content block's characters, line by line.
        blocks: dict[tuple[int, int], dict[float, list[dict]]] = collections.defaultdict(
            lambda: collections.defaultdict(list))
        for index, kind, char in classified:
            if kind == "body" and abs(char["size"] - body_size) < 0.05:
                lines = blocks[index, char["mcid"]]
                top = next((t for t in lines if abs(t - char["top"]) < body_size * 0.3), char["top"])
                lines[top].append(char)
        # Spaces are characters of a line too.
        for index, page in enumerate(pdf.pages):
            for char in page.chars:
                if char["text"] == " " and (index, char.get("mcid")) in blocks:
                    lines = blocks[index, char["mcid"]]
                    top = next((t for t in lines if abs(t - char["top"]) < body_size * 0.3), None)
                    if top is not None:
                        lines[top].append(char)
        for lines in blocks.values():
            tops = sorted(lines)
            for number, top in enumerate(tops):
                lengths = [len(run) for run in _runs(lines[top], body_size)]
                facts.all_line_lengths += lengths
                if number < len(tops) - 1:
                    facts.line_lengths += lengths
    return facts


def summary(facts: TypeFacts) -> dict[str, object]:
    """The figures the tool prints and the README quotes."""
    def sizes(*kinds: str) -> str:
        found = sorted({s for k in kinds for s in facts.sizes.get(k, ())})
        return "/".join(f"{s:g}" for s in found) or "-"

    return {
        "pages": facts.pages,
        "body pt": f"{facts.body_size:g}",
        "chars/line median": round(facts.per_line(0.5)),
        "chars/line p95": round(facts.per_line(0.95)),
        "lines": len(facts.line_lengths),
        "smallest patient pt": f"{facts.smallest():g} ({facts.smallest_where[2]})",
        "headings pt": sizes("heading"),
        "boxes and forms pt": sizes("form"),
        "list labels pt": sizes("label"),
        "table pt": sizes("table"),
        "references/small pt": sizes("small"),
        "caption pt": sizes("caption"),
        "footer pt": sizes("footer"),
        "running header pt": sizes("header"),
    }




# Atkinson Hyperlegible's x-height, as a share of the type size (the
# bundled pictures' labels are drawn in it).
X_HEIGHT = 0.50
# Ink is near-black and grey (no channel above INK_LEVEL, the channels within
# INK_TINT of each other): the bones' brown outline, the blue cartilage and
# the grey rule are not.
INK_LEVEL = 70
INK_TINT = 24


def _picture_image(image: dict):
    """The ink of an image pdfplumber found, as a Pillow image: 1 where ink (None if not RGB or grey)."""
    from PIL import Image

    stream = image["stream"]
    width, height = (int(v) for v in image["srcsize"])
    space = str(stream.get("ColorSpace", ""))
    data = stream.get_data()
    mode = "RGB" if "RGB" in space else "L" if "Gray" in space else None
    if mode is None or len(data) < width * height * len(mode):
        return None
    picture = Image.frombytes(mode, (width, height), data[: width * height * len(mode)])
    if mode == "L":
        return picture.point(lambda v: 1 if v < INK_LEVEL else 0)
    from PIL import ImageChops

    red, green, blue = picture.split()
    darkest = ImageChops.darker(ImageChops.darker(red, green), blue)
    lightest = ImageChops.lighter(ImageChops.lighter(red, green), blue)
    dark = lightest.point(lambda v: 255 if v < INK_LEVEL else 0)
    neutral = ImageChops.subtract(lightest, darkest).point(lambda v: 255 if v < INK_TINT else 0)
    return ImageChops.multiply(dark, neutral).point(lambda v: 1 if v else 0)


def _components(mask) -> list[tuple[int, int, int, int, int]]:
    """Connected runs of ink (8-neighbour) in a 0/1 image: (left, top, right, bottom, pixels) each."""
    width, height = mask.size
    ink = bytearray(mask.tobytes())
    found = []
    for start in range(width * height):
        if not ink[start]:
            continue
        ink[start] = 0
        stack = [start]
        left, top, right, bottom, count = width, height, 0, 0, 0
        while stack:
            at = stack.pop()
            y, x = divmod(at, width)
            count += 1
            left, right, top, bottom = min(left, x), max(right, x), min(top, y), max(bottom, y)
            for dy in (-1, 0, 1):
                row = y + dy
                if 0 <= row < height:
                    for dx in (-1, 0, 1):
                        col = x + dx
                        if 0 <= col < width and ink[row * width + col]:
                            ink[row * width + col] = 0
                            stack.append(row * width + col)
        found.append((left, top, right + 1, bottom + 1, count))
    return found


def label_x_heights(mask) -> list[float]:
    """The x-height in pixels of each line of text in a picture.

    Letters are runs of ink that fill a fair part of their box and are not
    much wider than tall (a leader line is either long and thin or
    diagonal); those whose heights overlap make a line,
    split where the horizontal gap is wider than 1.5 times the line's
    height. A line's x-height is its shortest letter that is not a dot, an
    accent or a hyphen (under 45% of its tallest).
    """
    glyphs = [c for c in _components(mask)
              if c[4] >= 0.12 * (c[2] - c[0]) * (c[3] - c[1]) and c[4] >= 20 and c[2] - c[0] <= 2.5 * (c[3] - c[1])]
    rows: list[list[tuple]] = []
    for glyph in sorted(glyphs, key=lambda c: (c[1] + c[3]) / 2):
        middle = (glyph[1] + glyph[3]) / 2
        if rows and min(c[1] for c in rows[-1]) <= middle <= max(c[3] for c in rows[-1]):
            rows[-1].append(glyph)
        else:
            rows.append([glyph])
    heights = []
    for row in rows:
        tall = max(c[3] - c[1] for c in row)
        pieces: list[list[tuple]] = []
        for glyph in sorted(row):
            if pieces and glyph[0] - max(c[2] for c in pieces[-1]) <= 1.5 * tall:
                pieces[-1].append(glyph)
            else:
                pieces.append([glyph])
        for piece in pieces:
            if len(piece) < 3:
                continue  # a dot, a bone spur: not a word
            top = max(c[3] - c[1] for c in piece)
            heights.append(min(c[3] - c[1] for c in piece if c[3] - c[1] >= 0.45 * top))
    return heights


def picture_label_sizes(path: str | Path, min_width: float = 144.0) -> list[float]:
    """For each picture at least `min_width` points wide (not the logo): its smallest label's size in points.

    Estimated from the letters' x-height in the image as placed in the PDF
    (pixels to points by the printed width), so it holds only for labels
    set in the bundled font.
    """
    sizes = []
    with pdfplumber.open(str(path)) as pdf:
        for page in pdf.pages:
            for image in page.images:
                if image["width"] < min_width:
                    continue
                mask = _picture_image(image)
                if mask is None:
                    continue
                heights = label_x_heights(mask)
                if heights:
                    scale = image["width"] / mask.size[0]
                    sizes.append(min(heights) / X_HEIGHT * scale)
    return sizes
