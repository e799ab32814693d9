"""`handouts lint`: readable, balanced, complete and current handouts.

Every check has a stable code (`checks.CODES`, documented in the README with
why it exists). `lint_handout()` runs them all on a handout and its
translations; `edition_findings()` runs them on one edition, without the
slower readability pass: what `build`, `batch`, `print` and `email` refuse
to print past (lint.gate).

Lint reads what load and fill make, and never lays a page out: whether the
signed page fits is measured by the caller's `measure` (pipeline.lint,
which renders), passed in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from ..errors import BrandError, HandoutError, Problem, display_path
from ..layouts import Layout, builtin_layouts, load_layout
from ..fill.loading import Loaded, font_problems, load_all, provider_problems, text_coverage
from ..sections.model import Handout
from .checks import (
    CODES,
    check_against_original,
    check_brand,
    check_claims,
    check_comments,
    check_completeness,
    check_currency,
    check_decision,
    check_links,
    check_spanish_words,
    from_problems,
)
from .config import LintConfig, load_lint_config
from .consent import consent_inputs, consent_too_long, needs_measuring
from .figures import INFO, check_figures
from .filled import check_limits, check_printable, check_readability
from .findings import ERROR, Finding, sort_key

# Lays the signed page out in each layout: {layout name: lines too many} for those it does not fit.
MeasureConsent = Callable[[Loaded, tuple[Layout, ...]], dict[str, int]]

__all__ = ["CODES", "INFO", "Finding", "edition_findings", "lint_handout"]


def edition_findings(loaded: Loaded, *, measure: MeasureConsent, today: dt.date | None = None) -> list[Finding]:
    """Every finding lint makes of one edition but reading level: what build, batch, print and email report.

    The signed page is measured (`measure`) in the layout the edition prints
    in (lint measures it in every layout). Reading level is left to
    `handouts lint`: it is the one slow check, and never an error.
    """
    return sorted(set(_check(loaded, today=today or dt.date.today(), max_grade=0.0, readability=False,
                             layouts=(loaded.layout,), measure=measure)), key=sort_key)


def lint_handout(handout: str | Path | None = None, *, brand: str | Path | None = None,
                 layout: str | Path | None = None, max_grade: float = 8.0,
                 today: dt.date | None = None, allow_outside: bool = False,
                 readability: bool = True, images: bool = False, cache: str | Path | None = None,
                 measure: MeasureConsent) -> list[Finding]:
    """Every finding for a handout, each once, sorted by file and line.

    `measure` lays the signed page out (pipeline.lint.measure_consent; the
    public `handouts.lint_handout` passes it).

    With `images`, every picture in the sections is listed too, with its
    alt text and printed size (severity `info`, code `image`).

    With `cache` (a folder), what was worked out from each text (its parse,
    reading level and claims) is kept there and read back by the next lint
    of the same handout for every text that has not changed (load.cache);
    the findings are the same either way.

    Input problems that stop a build come back as `input` errors instead of
    being raised, and every check runs on whatever could be loaded: a
    missing brand or a broken section file hides nothing else. Usage
    mistakes (an unknown handout or layout name) still raise.
    """
    from ..load.project import resolve_handout
    from ..load.cache import LintCache, using

    today = today or dt.date.today()
    manifest = resolve_handout(handout)
    with using(LintCache.open(Path(cache), manifest) if cache is not None else None):
        findings = _lint_all(manifest, brand=brand, layout=layout, max_grade=max_grade, today=today,
                             allow_outside=allow_outside, images=images, readability=readability,
                             measure=measure)
    return sorted(set(findings), key=sort_key)


def _lint_all(manifest: Path, *, brand, layout, max_grade: float, today: dt.date, allow_outside: bool,
              images: bool, readability: bool, measure: MeasureConsent) -> list[Finding]:
    """The findings of a handout and every translation of it, unsorted."""
    from ..sections.translations import original_path, translations

    options = dict(brand=brand, layout=layout, max_grade=max_grade, today=today, allow_outside=allow_outside,
                   images=images, readability=readability, measure=measure)
    findings, loaded = _lint_one(manifest, **options)
    # An original brings its translations along: one run checks every edition,
    # each against the original as read here (as load_handout reads it: no --allow-outside).
    if original_path(manifest) is None:
        original = loaded.handout if loaded.whole and not allow_outside else None
        for path in translations(manifest).values():
            findings += _lint_one(path, original=original, **options)[0]
    findings += from_problems(_roster_problems(manifest, loaded))
    return findings


def _roster_problems(manifest: Path, loaded: Loaded) -> list[Problem]:
    """Problems in the roster beside the handout (providers.csv or .yaml), if it has one.

    Its rows, and any provider's values the handout's fonts cannot print
    (which `batch` and `build --provider` refuse).
    """
    from ..errors import NotFoundError
    from ..load.project import find_roster
    from ..load.roster import load_roster

    try:
        path = find_roster(manifest, None, needed_by="lint")
        providers = load_roster(path)
        coverage, family = text_coverage(loaded.brand)
    except NotFoundError:
        return []
    except HandoutError as exc:  # the roster's rows, or the brand's fonts (reported with the brand)
        return [] if isinstance(exc, BrandError) else list(exc.problems)
    return [problem for provider in providers for problem in provider_problems(provider, coverage, family, path)]


def _lint_one(manifest: Path, *, brand, layout, max_grade: float, today: dt.date, allow_outside: bool,
              measure: MeasureConsent, images: bool = False, readability: bool = True,
              original: Handout | None = None) -> tuple[list[Finding], Loaded]:
    """Every finding for one edition of a handout (an original or a translation), and what was loaded.

    The signed page is measured in every built-in layout and the one given:
    a roster names no layout, and a patients file only built-in ones.
    """
    loaded = load_all(manifest, brand=brand, layout=layout, allow_outside=allow_outside)
    return _check(loaded, today=today, max_grade=max_grade, readability=readability, images=images,
                  original=original, measure=measure), loaded


def _check(loaded: Loaded, *, today: dt.date, max_grade: float, readability: bool, measure: MeasureConsent,
           layouts: tuple[Layout, ...] | None = None, images: bool = False, original: Handout | None = None
           ) -> list[Finding]:
    """Every check on what was loaded of one edition, whatever else failed to load.

    The signed page is measured in `layouts` (None: the one loaded and every built-in one).
    """
    from ..sections.translations import language_of_name

    findings = from_problems(loaded.problems)
    try:
        config = load_lint_config(loaded.manifest)
    except HandoutError as exc:
        findings += from_problems(exc.problems)
        config = LintConfig()
    texts = list(loaded.texts)
    language = loaded.handout.language if loaded.handout else (language_of_name(loaded.manifest) or "en")
    findings += check_claims(texts, config, language)
    findings += check_spanish_words(texts, language, config, loaded.messages)
    findings += check_links(texts)
    findings += check_comments(texts)
    if loaded.brand is not None:
        findings += from_problems(font_problems(loaded.brand))
        from ..fill.loading import settle_bold

        findings += check_brand(settle_bold(loaded.brand, texts), loaded.layout)
    try:
        findings += check_printable(loaded, *text_coverage(loaded.brand))
    except BrandError:
        pass  # the brand's font files: reported just above
    findings += check_limits(loaded)
    if loaded.handout is None:
        return findings
    findings += check_currency(loaded.handout, today)
    findings += check_decision(loaded.handout)
    brand_file = display_path(loaded.brand.path) if loaded.brand else None
    only_brand = all(p.path == brand_file for p in loaded.problems)
    if only_brand:
        # With a section left out for its problems, "no such kind" would
        # be a second finding for one mistake.
        findings += check_completeness(loaded.handout)
    findings += check_against_original(loaded.handout, original)
    if readability:
        findings += check_readability(loaded, max_grade)
    findings += check_figures(loaded.handout, loaded.layout, listing=images)
    if only_brand and loaded.brand is not None and needs_measuring(loaded.handout, loaded.layout, loaded.messages):
        # Measuring the signed page means laying it out: only for a signed
        # page long enough to need it, in a handout that fills in (a
        # brand's own errors leave it printable with their defaults).
        findings += _measure_consent(loaded, layouts, measure)
    return findings


def _measure_consent(loaded: Loaded, layouts: tuple[Layout, ...] | None, measure: MeasureConsent) -> list[Finding]:
    """The signed page measured (`measure`, which lays it out) in `layouts`, through lint's cache.

    Laying the page out loads the renderer (half a second); a lint after an
    edit elsewhere reads the answer back instead. What is kept is how far
    it runs over in each layout, not findings: a path is shown from where
    lint runs.
    """
    from ..load.cache import remember

    if layouts is None:
        named = {loaded.layout.name: loaded.layout}
        for name in builtin_layouts():
            named.setdefault(name, load_layout(name))
        layouts = tuple(named.values())

    try:
        over = remember("consent", consent_inputs(loaded, layouts), lambda: measure(loaded, layouts),
                        load=lambda data: {str(name): int(lines) for name, lines in data.items()})
    except HandoutError as exc:
        return from_problems(exc.problems)
    return [consent_too_long(loaded.handout, over)] if over else []
