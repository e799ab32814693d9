"""A handout prepared once: loaded, checked, its templates compiled and its fonts registered.

`prepare()` does everything that is the same for every reader of a handout
(loading, validation, compiling templates, registering fonts) once;
`prepare_checked()` also refuses an edition with lint errors (lint.gate).
Filling and rendering for each reader follow (pipeline.reader,
pipeline.produce).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from pathlib import Path

from ..errors import BrandError, HandoutError, Problem
from ..fill.catalog import Messages
from ..fill.loading import Loaded, brand_coverage, load_all, problem_order, settle_bold
from ..fill.templates import Templates
from ..layouts import Layout
from ..load.brand import Brand
from ..load.project import resolve_handout
from ..sections import Handout
from ..sections.translations import choose_edition

log = logging.getLogger("handouts")


@dataclass(frozen=True)
class Prepared:
    """A validated handout with its brand and layout, ready to render many times."""

    handout: Handout
    brand: Brand
    layout: Layout
    templates: Templates
    coverage: frozenset[int]
    font_family: str
    print_ready: bool
    # The fixed texts (labels, footer) in the handout's language.
    messages: Messages


def prepare(handout: str | Path | None = None, *, brand: str | Path | None = None,
            layout: str | Path | None = None, print_ready: bool = False,
            allow_outside: bool = False, language: str | None = None) -> Prepared:
    """Load and validate a handout, its brand and layout, and compile its templates.

    `language` picks a translation beside the manifest (`handout.es.yaml`
    for es or es-MX); without one the handout's own language prints and a
    warning is logged. Problems in every input are gathered and raised
    together as one HandoutError, so a content editor sees them all in one run.
    Lint's findings are not checked: `prepare_checked` does that too.
    """
    _, prepared, problems = _prepare(handout, brand=brand, layout=layout, print_ready=print_ready,
                                     allow_outside=allow_outside, language=language)
    if problems:
        raise HandoutError(sorted(set(problems), key=problem_order))
    assert prepared is not None
    return prepared


def prepare_checked(handout: str | Path | None = None, *, allow_lint_errors: bool = False,
                    **options) -> Prepared:
    """`prepare`, refused with every error `handouts lint` reports for this edition, all at once.

    What build, print, batch and email print from: input problems, lint
    errors (claims, an overdue review, a bad link, a signed page too long
    for the layout printed...) and template problems come out together,
    never one round of fixes at a time. Lint warnings are logged. With
    `allow_lint_errors` lint errors are logged as warnings instead, so a
    clinic can still print in an emergency, knowingly; input problems and a
    consent split from its signatures are never allowed.
    """
    from ..lint.gate import enforce_lint
    from .lint import edition_findings

    loaded, prepared, problems = _prepare(handout, **options)
    enforce_lint(edition_findings(loaded, prepared), problems, loaded.manifest, allow_lint_errors=allow_lint_errors)
    assert prepared is not None
    return prepared


def _prepare(handout: str | Path | None, *, brand: str | Path | None = None, layout: str | Path | None = None,
             print_ready: bool = False, allow_outside: bool = False, language: str | None = None
             ) -> tuple[Loaded, Prepared | None, list[Problem]]:
    """What was loaded of the edition to print, the prepared handout (None if it has problems), and the problems."""
    edition = choose_edition(resolve_handout(handout), language)
    if edition.fell_back:
        log.warning("%s", edition.fallback_message("--language"))
    loaded = load_all(edition.manifest, brand=brand, layout=layout, allow_outside=allow_outside)
    prepared, problems = prepared_from(loaded, print_ready=print_ready)
    if prepared is not None:
        prepared = replace(prepared, messages=_regional(prepared.messages, edition.requested))
    return loaded, prepared, problems


def prepared_from(loaded: Loaded, *, print_ready: bool = False) -> tuple[Prepared | None, list[Problem]]:
    """A handout loaded without problems, prepared to render (its fonts registered); else None and the problems."""
    problems = list(loaded.problems)
    brand = settle_bold(loaded.brand, loaded.texts) if loaded.brand is not None else None
    coverage: frozenset[int] = frozenset()
    family = ""
    if brand is not None:
        try:
            coverage, family = register_fonts(brand)
        except BrandError as exc:  # a font file that is not a usable TrueType font
            problems.extend(exc.problems)
        else:
            problems.extend(brand_coverage(brand, coverage, family))
    if problems:
        return None, problems
    return Prepared(handout=loaded.handout, brand=brand, layout=loaded.layout, templates=loaded.templates,
                    coverage=coverage, font_family=family, print_ready=print_ready,
                    messages=loaded.messages), []


def _regional(text: Messages, requested: str | None) -> Messages:
    """The catalogue in the region asked for: `--language es-MX` prints handout.es.yaml with es-MX numbers and dates."""
    if not requested or requested == text.language:
        return text
    asked = requested.replace("_", "-").split("-")
    if len(asked) < 2 or asked[0].lower() != text.language.replace("_", "-").split("-")[0].lower():
        return text
    return replace(text, language="-".join(asked))


def register_fonts(brand: Brand) -> tuple[frozenset[int], str]:
    """Register the brand's fonts; the characters both can print, and the body family's name."""
    from ..render.fonts import register_family

    body = register_family(brand.body_font)
    heading = register_family(brand.heading_font) if brand.heading_font else body
    return body.coverage & heading.coverage, body.family

