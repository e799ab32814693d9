"""A clinic's brand, read from a brand.yml file (the Quarto/Shiny format).

Only the parts a printed handout uses are read: `meta`, `logo`, `color`,
`typography` and `defaults.handouts`. Everything else in a brand.yml written
for Quarto is left alone, so one file serves the clinic's website and its
handouts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import BrandError, Problem, display_path
from .fields import Fields, describe
from .logo import Logo, LogoFile, read_logo  # noqa: F401 - Logo and LogoFile are part of the brand's model
from .outbound import checked_header_value, checked_link
from .paths import resolve_named
from .yamlfile import YamlDoc

_HEX = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
_THEME_COLORS = ("primary", "secondary", "foreground", "background")
_DEFAULT_COLORS = {"primary": "#1f4e79", "secondary": "#5b7f95", "foreground": "#1a1a1a", "background": "#ffffff"}


@dataclass(frozen=True)
class FontFamily:
    """TrueType files for one family; missing styles fall back to regular."""

    name: str
    regular: Path
    bold: Path | None = None
    italic: Path | None = None
    bold_italic: Path | None = None
    # Set when the family has no bold face and the handout's text needs
    # characters the bundled bold lacks: `bold` is then its regular file.
    bold_from_regular: bool = False


@dataclass(frozen=True)
class Brand:
    """The validated brand a handout is printed with."""

    name: str
    link: str | None
    phone: str | None
    email: str | None
    address: str | None
    logo: Logo | None
    primary: str
    secondary: str
    foreground: str
    background: str
    base_size: float | None
    body_font: FontFamily | None
    heading_font: FontFamily | None
    # The families typography.base and .headings name, whether or not their
    # files could be embedded (google, bunny and system fonts cannot).
    path: Path
    base_family: str | None = None
    heading_family: str | None = None
    # (line, family, message) for font files that cannot be embedded: left out, with a lint warning.
    font_notes: tuple[tuple[int | None, str, str], ...] = ()

    def clinic(self) -> dict[str, str | None]:
        """The `clinic` variable templates see."""
        return {
            "name": self.name,
            "link": self.link,
            "phone": self.phone,
            "email": self.email,
            "address": self.address,
        }


def parse_color(value: str) -> str | None:
    """Normalise a CSS colour (hex or name) to '#rrggbb', or None if invalid.

    Pillow's parser is used rather than ReportLab's toColor, which evaluates
    text (CVE-2023-33733) and must never see input.
    """
    text = value.strip() if isinstance(value, str) else value
    if isinstance(text, str) and _HEX.fullmatch(text):
        # The usual brand colour, read as Pillow reads it, without importing
        # Pillow's imaging core for it (a tenth of a cold lint).
        digits = text[1:].lower()
        return "#" + (digits if len(digits) == 6 else "".join(d * 2 for d in digits))
    from PIL import ImageColor

    try:
        rgb = ImageColor.getrgb(text)
    except (ValueError, AttributeError):
        return None
    return "#{:02x}{:02x}{:02x}".format(*rgb[:3])


def load_brand(path: Path, *, allow_outside: bool = False) -> Brand:
    """Load and validate a brand.yml, reporting every problem at once."""
    brand, problems = read_brand(path, allow_outside=allow_outside)
    if problems:
        raise BrandError(problems)
    return brand


def read_brand(path: Path, *, allow_outside: bool = False) -> tuple[Brand, list[Problem]]:
    """A brand.yml as far as it could be read, and every problem in it.

    What has a problem is left at its default (no logo, the default
    colour), so that lint can still check the handout's use of the clinic's
    values against it; only a file that cannot be read at all raises.
    """
    path = Path(path)
    top = Fields.open(path, "brand file", BrandError)
    doc, problems = top.doc, top.problems

    def asset(key: tuple, value: Any, what: str) -> Path | None:
        return top.path(key, value, what, allow_outside=allow_outside, must_exist=True)

    name, link = _meta(doc, top)
    logo = read_logo(doc, top, problems, asset)
    colors = _colors(doc, top)
    base_size, body_font, heading_font, font_notes = _typography(doc, top, problems, asset, allow_outside)
    contact = top.sub("defaults")
    handouts = contact.sub("handouts") if contact else None
    if handouts:
        handouts.unknown(("phone", "email", "address"))

    def contact_field(key: str) -> str | None:
        return handouts.text(key) if handouts else None

    # The e-mail is a mailto: link in the HTML editions and a dry run's sender.
    email = handouts.checked("email", lambda value: checked_link(f"mailto:{value}")) if handouts else None
    phone, address = contact_field("phone"), contact_field("address")
    return Brand(
        name=name or "",
        link=link,
        phone=phone,
        email=email,
        address=address,
        logo=logo,
        base_size=base_size,
        body_font=body_font,
        heading_font=heading_font,
        base_family=_family_name(top, "base"),
        heading_family=_family_name(top, "headings"),
        font_notes=font_notes,
        path=path,
        **colors,
    ), problems


def _meta(doc: YamlDoc, top: Fields) -> tuple[str | None, str | None]:
    # `meta` is optional in brand.yml: without a name the cover shows the
    # logo alone (or nothing), and lint warns.
    meta = top.sub("meta")
    if meta is None:
        return None, None
    # The name is an e-mail's sender name and the link a live link: both
    # checked as load.outbound checks every header value and link.
    name = None
    if isinstance(meta.raw("name"), dict):
        names = meta.sub("name")
        if names:
            full, short = names.checked("full", checked_header_value), names.checked("short", checked_header_value)
            name = full or short
    else:
        name = meta.checked("name", checked_header_value)
    link = None
    if isinstance(meta.raw("link"), dict):
        links = meta.sub("link")
        link = links.checked("home", checked_link) if links else None
    else:
        link = meta.checked("link", checked_link)
    return name, link


# The theme colours brand.yml defines; any of them may name another, or a palette entry.
_ALL_THEME_COLORS = ("foreground", "background", "primary", "secondary", "tertiary", "success", "info",
                     "warning", "danger", "light", "dark")
_MAX_REFERENCES = 20


def _colors(doc: YamlDoc, top: Fields) -> dict[str, str]:
    """Theme colours as brand.yml resolves them: through the palette and each other.

    A value naming a palette entry or another theme colour takes that
    colour, followed as far as it goes (`secondary: dark`, `dark: navy`,
    palette `navy: "#001f3f"`); names are looked up before CSS colour names,
    so a palette entry called `orange` prints the palette's orange. A theme
    colour of the same name as a palette entry wins, as in the brand-yml package.
    """
    result = dict(_DEFAULT_COLORS)
    color = top.sub("color")
    if color is None:
        return result
    defs: dict[str, Any] = {}
    pal = color.sub("palette")
    if pal:
        for name, value in pal.mapping.items():
            if not isinstance(value, str):
                pal.fail(f"palette colour '{name}' must be a colour such as \"#1f4e79\", found {describe(value)}", name)
            else:
                defs[str(name)] = value.strip()
    for name in _ALL_THEME_COLORS:
        value = color.raw(name)
        if isinstance(value, str):
            defs[name] = value.strip()
        elif value is not None and name in _THEME_COLORS:
            color.fail(f"'color.{name}' must name a palette colour or a hex value, found {describe(value)}", name)

    def resolve(value: str) -> str | None:
        seen = [value]
        while value in defs and len(seen) <= _MAX_REFERENCES:
            value = defs[value]
            if value in seen:
                return None
            seen.append(value)
        return parse_color(value)

    if pal:
        for name in pal.mapping:
            if str(name) in defs and resolve(str(name)) is None:
                pal.fail(f"palette colour '{name}' is {pal.mapping[name]!r}: not a colour, or a palette name "
                         "that leads to none (or back to itself)", name)
    for name in _THEME_COLORS:
        value = color.raw(name)
        if not isinstance(value, str):
            continue
        parsed = resolve(value.strip())
        if parsed is None:
            known = ", ".join(sorted(k for k in defs if k not in _ALL_THEME_COLORS)) or "none defined"
            color.fail(f"'color.{name}' is {value!r}: not a palette colour ({known}), another theme colour "
                       "or a hex value", name)
        else:
            result[name] = parsed
    return result


_URL = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)
_STYLE_NAMES = {(False, False): "regular", (True, False): "bold", (False, True): "italic", (True, True): "bold_italic"}


def _typography(doc: YamlDoc, top: Fields, problems: list[Problem], asset, allow_outside: bool):
    """The base size and the body and heading families, and notes on the font files that cannot be used.

    A file given as a web address, in a format other than TrueType (.woff2,
    .otf) or missing cannot be embedded: its family is left out with a note
    (lint's font-fallback warning), and text set in it prints in the
    bundled family. A file that is there but damaged is still an error.
    """
    notes: list[tuple[int | None, str, str]] = []
    typo = top.sub("typography")
    if typo is None:
        return None, None, None, ()
    families: dict[str, FontFamily] = {}
    unusable: dict[str, tuple[int | None, str]] = {}
    for index, entry in enumerate(typo.items("fonts") or []):
        if not isinstance(entry, dict) or entry.get("source", "file") != "file":
            continue  # google, bunny and system fonts cannot be embedded from here
        font = Fields(doc, problems, ("typography", "fonts", index))
        family = font.text("family", required=True)
        styles: dict[str, Path] = {}
        reasons: list[str] = []
        for f_index, file_entry in enumerate(font.items("files", required=True) or []):
            fkey = ("typography", "fonts", index, "files", f_index)
            spec = file_entry if isinstance(file_entry, dict) else {"path": file_entry}
            value = spec.get("path")
            reason = _unusable_font(top, (*fkey, "path") if isinstance(file_entry, dict) else fkey, value,
                                    allow_outside)
            if reason is None and isinstance(value, str):
                font_path = asset((*fkey, "path") if isinstance(file_entry, dict) else fkey, value, "font file")
                if font_path is None:
                    continue
                bold = str(spec.get("weight", 400)) in ("600", "700", "800", "900", "bold", "semibold")
                italic = str(spec.get("style", "normal")) == "italic"
                styles.setdefault(_STYLE_NAMES[(bold, italic)], font_path)
            elif reason:
                reasons.append(reason)
        if not family:
            continue
        if "regular" in styles:
            families[family] = FontFamily(name=family, **styles)
            if reasons:
                notes.append((font.line("files"), family, f"font family '{family}': {'; '.join(reasons)}; "
                                                  "that file is left out"))
        elif reasons or styles:
            why = "; ".join(reasons) if reasons else "it has no regular (weight 400, normal style) file"
            unusable[family] = (font.line("family"), why)

    def family_for(role: str) -> FontFamily | None:
        raw = typo.raw(role)
        name = raw if isinstance(raw, str) else (raw.get("family") if isinstance(raw, dict) else None)
        return families.get(name) if isinstance(name, str) else None

    used = {_family_name(top, role) for role in ("base", "headings")}
    for family, (line, why) in unusable.items():
        if family in used:
            roles = " and ".join(f"typography.{r}" for r in ("base", "headings") if _family_name(top, r) == family)
            notes.append((line, family, f"font family '{family}' cannot be embedded ({why}); {roles} prints in the "
                                "bundled Atkinson Hyperlegible instead; give its TrueType .ttf files"))
        else:
            notes.append((line, family, f"font family '{family}' cannot be embedded ({why}) and no text uses it "
                                "(typography.base and .headings name other families); it is ignored"))
    base_size = None
    base = typo.sub("base") if isinstance(typo.raw("base"), dict) else None
    if base is not None and base.has("size"):
        base_size = _font_size(base)
    return base_size, family_for("base"), family_for("headings"), tuple(notes)


def _unusable_font(top: Fields, key: tuple, value, allow_outside: bool) -> str | None:
    """Why a font file cannot be embedded (a web address, a web or OpenType font, not there), or None."""
    if not isinstance(value, str) or not value.strip():
        return None  # Fields.path reports it as an error
    shown = value if len(value) <= 80 else value[:77] + "..."
    if _URL.match(value.strip()) and not re.match(r"^[a-z]:[\\/]", value.strip(), re.IGNORECASE):
        return f"'{shown}' is a web address, and fonts are embedded from files beside the brand file"
    suffix = Path(value).suffix.lower()
    if suffix in (".woff", ".woff2", ".otf", ".eot", ".svg"):
        return f"'{shown}' is a {suffix[1:].upper()} font, and only TrueType .ttf files can be embedded"
    resolved, refusal = resolve_named(value, relative_to=top.doc.path, fence=top.doc.path.parent,
                                      allow_outside=allow_outside)
    if refusal is None and not resolved.exists():
        return f"'{shown}' is not there"
    return None  # a real file (or a refused path): checked, and its problems reported, as it is


def _family_name(top: Fields, role: str) -> str | None:
    """The family `typography.<role>` names: `base: Inter` or `base: {family: Inter}`."""
    typo = top.raw("typography")
    raw = typo.get(role) if isinstance(typo, dict) else None
    name = raw if isinstance(raw, str) else (raw.get("family") if isinstance(raw, dict) else None)
    return name.strip() if isinstance(name, str) and name.strip() else None


def _font_size(base: Fields) -> float | None:
    """brand.yml sizes are CSS: 16px, 1rem and 12pt are the same print size."""
    raw = base.raw("size")
    if isinstance(raw, str):
        text = raw.strip().lower()
        for unit, factor in (("px", 0.75), ("rem", 12.0), ("em", 12.0), ("pt", 1.0)):
            if text.endswith(unit):
                try:
                    value = float(text[: -len(unit)]) * factor
                except ValueError:
                    break
                if 7 <= value <= 36:
                    return value
                base.fail(f"'typography.base.size' must print between 7 and 36 pt, found {raw!r}", "size")
                return None
    return base.number("size", low=7, high=36)
