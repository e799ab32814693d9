"""Page layouts: small YAML files naming a page size, margins and type size.

The built-in layouts (`letter`, `a4`, `large-print`) live beside this file;
a clinic passes its own file to `--layout`. Every layout prints one
left-aligned column: justified text and narrow columns are harder to read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import LayoutError, NotFoundError
from ..load.fields import Fields
from ..load.paths import package_path

LAYOUT_KEYS = ("name", "page", "margins", "body_size", "min_body_size", "min_size", "line_spacing",
               "footer_in_margin")
_PAGES = {"letter": (612.0, 792.0), "a4": (595.2756, 841.8898), "legal": (612.0, 1008.0)}
_UNITS = {"pt": 1.0, "in": 72.0, "mm": 72.0 / 25.4, "cm": 72.0 / 2.54}
# Below this the text is fine print; nothing, the risk disclosure least of
# all, may be printed smaller.
SMALLEST_BODY = 9.0
# The smallest type a patient reads (footer, references, labels) unless a
# layout file says otherwise: older eyes need 10 pt or more.
SMALLEST_TEXT = 10.0
# A6 (105 x 148 mm), in points: on anything smaller a disclosure paragraph
# no longer fits on one page at a readable size.
_SMALLEST_PAGE = (297.0, 419.0)


@dataclass(frozen=True)
class Layout:
    """A validated page layout; lengths in points."""

    name: str
    width: float
    height: float
    margin_top: float
    margin_right: float
    margin_bottom: float
    margin_left: float
    body_size: float
    min_body_size: float
    line_spacing: float
    path: Path
    # The smallest type on the page (references, labels, footer): by default
    # the body's floor, and never under min_body_size's own floor.
    min_size: float = SMALLEST_TEXT
    # The running footer in the bottom margin rather than above it, so the
    # text keeps the whole area inside the margins (large print).
    footer_in_margin: bool = False

    def body_size_for(self, brand_size: float | None) -> float:
        """The body size to print: the brand's if it has one, never below the floor."""
        return max(brand_size or self.body_size, self.min_body_size)

    @property
    def builtin(self) -> bool:
        """Whether this is one of the layouts that ship with handouts (not a clinic's file)."""
        return self.path.parent == package_path("layouts")


def builtin_layouts() -> list[str]:
    """Names of the layouts that ship with handouts."""
    folder = package_path("layouts")
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml"))


def resolve_layout(name_or_path: str | Path | None) -> Path:
    """The file for a built-in layout name or a path; default `letter`."""
    if name_or_path is None:
        name_or_path = "letter"
    text = str(name_or_path)
    if text in builtin_layouts():
        return package_path("layouts", f"{text}.yaml")
    path = Path(text)
    if path.exists():
        return path
    raise NotFoundError(
        f"no layout file or built-in layout named '{text}'; built-in layouts: {', '.join(builtin_layouts())}"
    )


def _length(fields: Fields, name: str, raw: object, key: tuple) -> float | None:
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return float(raw)
    if isinstance(raw, str):
        match = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*(pt|in|mm|cm)?\s*", raw)
        if match:
            return float(match.group(1)) * _UNITS[match.group(2) or "pt"]
    fields.problems.append(fields.doc.problem(f"'{name}' must be a length such as 0.75in, 20mm or 54pt, found {raw!r}", *key))
    return None


def load_layout(name_or_path: str | Path | None = None) -> Layout:
    """Load a built-in layout by name, or a clinic's layout file."""
    path = resolve_layout(name_or_path)
    fields = Fields.open(path, "layout file", LayoutError)
    problems = fields.problems
    fields.unknown(LAYOUT_KEYS)
    name = fields.text("name") or path.stem
    width = height = None
    page = fields.raw("page") if fields.has("page") else "letter"
    if isinstance(page, str) and page.lower() in _PAGES:
        width, height = _PAGES[page.lower()]
    elif isinstance(page, list) and len(page) == 2:
        width = _length(fields, "page[1]", page[0], ("page", 0))
        height = _length(fields, "page[2]", page[1], ("page", 1))
    else:
        fields.fail(f"'page' must be one of {', '.join(_PAGES)} or [width, height], found {page!r}", "page")
    margins = fields.raw("margins") if fields.has("margins") else "0.75in"
    if isinstance(margins, dict):
        sub = fields.sub("margins")
        sub.unknown(("top", "right", "bottom", "left"))
        sides = [_length(fields, f"margins.{s}", margins.get(s, "0.75in"), ("margins", s)) for s in ("top", "right", "bottom", "left")]
    else:
        one = _length(fields, "margins", margins, ("margins",))
        sides = [one] * 4
    body_size = fields.number("body_size", low=SMALLEST_BODY, high=36) or 11.0
    min_body = fields.number("min_body_size", low=SMALLEST_BODY, high=36) or SMALLEST_BODY
    # Unless given, nothing prints under the body's floor (large print's 18 pt
    # holds for footers and references too), and never under 10 pt.
    min_size = fields.number("min_size", low=SMALLEST_BODY, high=36) or max(min_body, SMALLEST_TEXT)
    spacing = fields.number("line_spacing", low=1.0, high=3.0) or 1.4
    in_margin = fields.raw("footer_in_margin") if fields.has("footer_in_margin") else False
    if not isinstance(in_margin, bool):
        fields.fail(f"'footer_in_margin' must be true or false, found {in_margin!r}", "footer_in_margin")
        in_margin = False
    if width is not None and height is not None and None not in sides:
        if min(width, height) < _SMALLEST_PAGE[0] or max(width, height) < _SMALLEST_PAGE[1] \
                or max(width, height) > 2000:
            fields.fail(f"page size {width:.0f} x {height:.0f} pt is not a printable page: use at least "
                        "A6 (105 x 148 mm) and at most 2000 pt a side", "page")
        elif sides[1] + sides[3] > width * 0.5 or sides[0] + sides[2] > height * 0.5:
            fields.fail("margins take more than half the page", "margins")
        elif min(sides) < 18:
            fields.fail("margins under 0.25in get cut off by office printers", "margins")
    if problems:
        raise LayoutError(problems)
    return Layout(
        name=name, width=width, height=height,
        margin_top=sides[0], margin_right=sides[1], margin_bottom=sides[2], margin_left=sides[3],
        body_size=max(body_size, min_body, min_size), min_body_size=max(min_body, min_size), line_spacing=spacing,
        path=path, footer_in_margin=in_margin, min_size=min_size,
    )
