"""Loading a handout with its brand and layout, every problem collected rather than raised.

What `lint` checks (whatever could be loaded) and what `pipeline.prepare`
builds from (only when nothing is wrong). Apart from `pipeline` so that a
cold lint loads none of the filling, rendering and writing a build needs.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..errors import BrandError, HandoutError, Problem, UsageError, display_path
from .catalog import FOLDER_NAME, Messages
from .catalog import messages as load_messages
from .overrides import check_overrides
from .templates import Templates, template_context
from ..layouts import Layout, load_layout
from ..load.brand import Brand, read_brand
from ..load.project import find_brand, resolve_handout
from ..load.roster import Provider
from ..sections import Handout, SourceText
from ..sections.load import read_handout


# 9999-12-31T23:59:59Z: dates past it cannot be written in a PDF or a template.
MAX_EPOCH = 253_402_300_799


def build_date() -> dt.date:
    """`today` for templates: from SOURCE_DATE_EPOCH when set, for reproducible builds.

    The variable is checked here rather than left to ReportLab, which also
    reads it (with `int()`) and would fail mid-render on `1e9` or `²`.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch:
        return dt.date.today()
    if not re.fullmatch(r"[0-9]{1,12}", epoch, re.ASCII) or int(epoch) > MAX_EPOCH:
        shown = epoch if len(epoch) <= 40 else epoch[:40] + "..."
        raise HandoutError([Problem("SOURCE_DATE_EPOCH", None,
                                    f"{shown!r} is not a whole number of seconds since 1970 up to "
                                    f"{MAX_EPOCH} (the end of 9999); unset it, or set it to a time "
                                    "such as $(git log -1 --format=%ct)")])
    return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).date()


def collect(problems: list[Problem], load, *args, **kwargs):
    """Run one loader; on a HandoutError keep its problems and carry on."""
    try:
        return load(*args, **kwargs)
    except HandoutError as exc:
        if isinstance(exc, UsageError):  # not the content's: stop at once
            raise
        problems.extend(exc.problems)
        return None


@dataclass(frozen=True)
class Loaded:
    """Whatever of a handout, its brand and layout could be loaded, and every problem found.

    `lint` checks what is here even when there are problems; `prepare`
    refuses to go on unless there are none.
    """

    manifest: Path
    handout: Handout | None
    texts: tuple[SourceText, ...]
    brand: Brand | None
    layout: Layout
    templates: Templates
    messages: Messages | None
    problems: tuple[Problem, ...]
    # The handout read without a problem of its own: what load_handout returns.
    whole: bool = False


# Where in brand.yml each `clinic` value is set, for messages.
CLINIC_KEYS = {"name": "meta.name", "link": "meta.link", "phone": "defaults.handouts.phone",
               "email": "defaults.handouts.email", "address": "defaults.handouts.address"}


def load_all(handout: str | Path | None = None, *, brand: str | Path | None = None,
             layout: str | Path | None = None, allow_outside: bool = False) -> Loaded:
    """Load a handout, its brand and layout, check its templates; collect problems, never raise them.

    Usage mistakes (an unknown handout, layout or --brand file) still raise.
    """
    manifest = resolve_handout(handout)
    loaded_layout = load_layout(layout)  # a bad name is a usage error; raise it first
    content, texts, problems, named_brand = read_handout(manifest, allow_outside=allow_outside)
    whole = content is not None and not problems
    collect(problems, build_date)
    brand_path = collect(problems, find_brand, manifest, named_brand, brand)
    # A brand with problems is still read as far as it goes (a bad colour
    # left at its default), so its errors hide none of the handout's own.
    loaded_brand = None
    if brand_path:
        read = collect(problems, read_brand, brand_path, allow_outside=allow_outside)
        if read is not None:
            loaded_brand, brand_problems = read
            problems.extend(brand_problems)
    templates = Templates()
    problems.extend(templates.check(texts))
    problems.extend(_size_problems(texts))
    problems.extend(check_overrides(manifest.parent))
    text = None
    if content is not None:
        text = collect(problems, load_messages, content.language, [manifest.parent / FOLDER_NAME])
        if loaded_brand is not None:
            problems.extend(_unset_clinic_values(content, texts, loaded_brand, templates))
    return Loaded(manifest=manifest, handout=content, texts=texts, brand=loaded_brand, layout=loaded_layout,
                  templates=templates, messages=text, problems=tuple(sorted(set(problems), key=problem_order)),
                  whole=whole)


def _unset_clinic_values(handout: Handout, texts, brand: Brand, templates: Templates) -> list[Problem]:
    """Every use of a clinic value the brand does not set, each at the line that uses it."""
    stand_in = Provider(id="-", name="-", credentials="-", phone="-", email="-", location="-")
    context = template_context(brand=brand, handout=handout, handout_title="-", provider=stand_in,
                               patient_name="-", today=build_date())
    problems = []
    for src in texts:
        for attribute, line in templates.unset_uses(src, context, "clinic"):
            key = CLINIC_KEYS.get(attribute)
            if key is None:
                continue  # not a clinic value at all: reported as an unknown variable
            problems.append(Problem(display_path(src.path), line,
                                    f"{src.field}: uses clinic.{attribute}, which {display_path(brand.path)} does "
                                    f"not set ({key}); set it there, or write "
                                    f"{{{{ clinic.{attribute} | default(\"...\") }}}}"))
    return problems



def settle_bold(brand: Brand, texts) -> Brand:
    """The brand with each family that has no bold face settled for this handout's `texts`.

    Headings and bold text print in the bundled Atkinson Hyperlegible Bold
    (a real bold face), unless the text holds characters it cannot draw
    (Greek, Cyrillic in a DejaVu family): then in the family's own regular
    weight, which can, as the font-fallback warning says.
    """
    import dataclasses

    from ..load.fonts import bundled_coverage

    families = [f for f in (brand.body_font, brand.heading_font) if f is not None and f.bold is None]
    if not families:
        return brand
    needed = {ord(c) for src in texts for c in src.text} | {ord(c) for _, v in _clinic_values(brand) if v for c in v}
    if needed <= bundled_coverage() | {9, 10, 13}:
        return brand

    def settled(family):
        if family is None or family.bold is not None:
            return family
        return dataclasses.replace(family, bold=family.regular, bold_from_regular=True)

    return dataclasses.replace(brand, body_font=settled(brand.body_font), heading_font=settled(brand.heading_font))


def text_coverage(brand: Brand | None) -> tuple[frozenset[int], str]:
    """The characters a handout's text can print in, and the family's name: what build checks each field against.

    The bundled family's come from its table (no font read, no ReportLab);
    a brand's own fonts are read and parsed (BrandError if they cannot be).
    """
    from ..load.fonts import BUNDLED_FAMILY, bundled_coverage, bundled_family, family_files

    if brand is None or (brand.body_font is None and brand.heading_font is None):
        return bundled_coverage(), BUNDLED_FAMILY
    _, body, _ = family_files(brand.body_font)
    heading = family_files(brand.heading_font)[1] if brand.heading_font else body
    return body & heading, (brand.body_font or bundled_family()).name


def font_problems(brand: Brand) -> list[Problem]:
    """Brand values (name, phone...) the brand's fonts cannot print, or the font files' own problems."""
    try:
        coverage, family = text_coverage(brand)
    except BrandError as exc:
        return list(exc.problems)
    return brand_coverage(brand, coverage, family)


def _size_problems(sources: list[SourceText]) -> list[Problem]:
    problems = []
    for src in sources:
        problem = filled_problem(src, src.text)
        if problem:
            problems.append(problem)
    return problems


def filled_problem(src: SourceText, text: str, blocks=None) -> Problem | None:
    """Why the field `src`, filled in as `text`, cannot print (at its line), or None.

    A Markdown body over the limits (load.commonmark.body_problem: lines,
    marks, nesting...), or a title, subtitle or reference text over
    MAX_ONE_PARAGRAPH characters. Build checks each field as it was written
    (when the handout loads) and as filled in for its reader; lint the same,
    filled in for a stand-in reader: one message, at one line, from both.
    `blocks`: see body_problem. A text over the 400,000 characters any field
    may hold is left to fill.templates, which refuses it.
    """
    from .templates import MAX_OUTPUT
    from ..load.commonmark import MAX_ONE_PARAGRAPH, body_problem

    if len(text) > MAX_OUTPUT:
        return None
    if not src.markdown:
        if len(text) <= MAX_ONE_PARAGRAPH:
            return None
        return Problem(display_path(src.path), src.line,
                       f"{src.field}: is {len(text):,} characters long; it prints as one paragraph, "
                       f"of at most {MAX_ONE_PARAGRAPH:,} characters")
    found = body_problem(text, blocks)
    if found is None:
        return None
    reason, offset = found
    return Problem(display_path(src.path), src.where(offset), f"{src.field}: {reason}")


def problem_order(problem: Problem) -> tuple:
    return (problem.path, problem.line or 0, problem.message)


# Every document of a batch checks the same section texts: remember the
# answers (the texts that name a reader change, and fall out).
@lru_cache(maxsize=512)
def unprintable(text: str, coverage: frozenset[int], family: str) -> str | None:
    from ..load.fonts import describe_characters, missing_characters
    from ..load.scripts import right_to_left

    missing = missing_characters(text, coverage)
    if missing:
        return f"the font {family} cannot print {describe_characters(missing)}"
    scripts = right_to_left(text)
    if scripts:
        return (f"right-to-left text in {scripts} cannot be printed in reading order yet; "
                "write this value in a left-to-right script (see docs/hostile-input.md, Text and scripts)")
    return None


def provider_problems(provider: Provider, coverage: frozenset[int], family: str,
                      roster_path: Path | None = None) -> list[Problem]:
    """A provider's values (name, phone...) the fonts cannot print, at the roster's row."""
    problems = []
    for key, value in provider.variables().items():
        reason = value and unprintable(value, coverage, family)
        if reason:
            where = display_path(roster_path) if roster_path else "roster"
            problems.append(Problem(where, provider.line or None, f"provider {provider.id!r}, {key}: {reason}"))
    return problems


def _clinic_values(brand: Brand) -> tuple[tuple[str, str | None], ...]:
    return (("meta.name", brand.name), ("defaults.handouts.address", brand.address),
            ("defaults.handouts.phone", brand.phone), ("defaults.handouts.email", brand.email),
            ("meta.link", brand.link))


def brand_coverage(brand: Brand, coverage: frozenset[int], family: str) -> list[Problem]:
    problems = []
    for key, value in _clinic_values(brand):
        reason = value and unprintable(value, coverage, family)
        if reason:
            problems.append(Problem(display_path(brand.path), None, f"{key}: {reason}"))
    return problems
