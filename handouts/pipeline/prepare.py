"""Building handouts: load and validate → fill templates → render → write.

`prepare()` does everything that is the same for every reader of a handout
(loading, validation, compiling templates, registering fonts) once;
`render_handout()` does the per-reader part. `build_handout()` joins them for
the one-document case the `build` command needs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import unicodedata
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from ..version import __version__
from ..deliver.files import check_target, write_atomic
from ..errors import BrandError, ContentError, HandoutError, OutputError, Problem, display_path
from ..fill.catalog import Messages
from ..fill.filled import FilledDecision, FilledHandout, FilledReference, FilledSection
from ..fill.overrides import html_folder
from ..fill.templates import Templates, template_context
from ..layouts import Layout
from ..load.brand import Brand
from ..load.project import find_roster, resolve_handout
from ..load.roster import Provider, find_provider, load_roster
# Loading with every problem collected lives apart, so that lint loads none
# of the filling and writing below; its names are kept importable from here.
from ..fill.loading import (MAX_EPOCH, Loaded, brand_coverage, build_date, collect, filled_problem,  # noqa: F401
                      font_problems, load_all, problem_order, provider_problems, settle_bold,
                      unprintable)
from ..render.sharing import new_document
from ..sections import Handout, SourceText
from ..sections.model import pictures_of
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


@dataclass(frozen=True)
class BuildResult:
    """What a build wrote."""

    path: Path
    pages: int
    size: int
    sha256: str
    handout_id: str = ""
    version: str = ""


def creator() -> str:
    """The PDF Creator entry: which handouts version made the file."""
    return f"handouts {__version__}"


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
    from ..lint import ERROR, edition_findings

    loaded, prepared, problems = _prepare(handout, **options)
    findings = edition_findings(loaded, prepared)
    # What never prints, allowed or not: input problems, and a consent split from its signatures.
    refused = [*problems, *(Problem(f.path, f.line, f.message) if f.code in INPUT_CODES else as_refusal(f)
                            for f in findings if f.severity == ERROR and f.code in (*INPUT_CODES, *NEVER_PRINTED))]
    errors = [as_refusal(f) for f in findings
              if f.severity == ERROR and f.code not in (*INPUT_CODES, *NEVER_PRINTED)]
    if refused:
        raise HandoutError(sorted(set(refused + ([] if allow_lint_errors else errors)), key=problem_order))
    # Warnings go to the log (stderr, one line each; -q hides them), so a
    # 24-dpi logo or a cut-off title does not print unnoticed.
    for finding in findings:
        if finding.severity != ERROR:
            log.warning("%s", str(finding).replace(": warning: ", ": ", 1))
    if errors and allow_lint_errors:
        for problem in errors:
            log.warning("printing despite lint error: %s", problem)
    elif errors:
        raise ContentError([*errors, Problem(display_path(loaded.manifest), None,
                                             "refusing to build a handout with lint errors (see 'handouts lint'; "
                                             "--allow-lint-errors overrides)")])
    assert prepared is not None
    return prepared


# Lint's codes for what build refuses as input (printed as build prints them, without a code).
INPUT_CODES = ("input", "unknown-variable")
# Lint errors --allow-lint-errors does not print past: a signature page apart from what is signed for.
NEVER_PRINTED = ("consent-too-long",)


def as_refusal(finding) -> Problem:
    """A lint error as build refuses with it: `path:line: error: code: message`, the line lint prints."""
    return Problem(finding.path, finding.line, f"{finding.severity}: {finding.code}: {finding.message}")


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


def check_reader(prepared: Prepared, provider: Provider | None, patient_name: str | None,
                 roster_path: Path | None = None) -> list[Problem]:
    """Problems with one reader's own values: text the fonts cannot print."""
    problems = []
    if provider is not None:
        problems += provider_problems(provider, prepared.coverage, prepared.font_family, roster_path)
    if patient_name:
        from ..load.fonts import describe_private, missing_characters

        # A patient's name is never quoted, not even one character of it.
        missing = missing_characters(patient_name, prepared.coverage)
        if missing:
            problems.append(Problem("--patient-name", None, (
                f"the font {prepared.font_family} cannot print {describe_private(missing, 'the name')}; "
                "use a brand font that covers that script (typography.fonts in brand.yml)")))
        else:
            reason = unprintable(patient_name, prepared.coverage, prepared.font_family)
            if reason:  # right-to-left: named by script and code point, never quoted
                problems.append(Problem("--patient-name", None, reason))
    return problems


def fill(prepared: Prepared, *, provider: Provider | None = None, patient_name: str | None = None,
         today: dt.date | None = None) -> FilledHandout:
    """Fill every template field for one reader; all problems are raised together."""
    handout, templates = prepared.handout, prepared.templates
    problems: list[Problem] = []
    context = template_context(brand=prepared.brand, handout=handout, provider=provider,
                               patient_name=patient_name, today=today or build_date())

    def render(src: SourceText | None) -> str | None:
        if src is None:
            return None
        try:
            text = templates.render(src, context)
        except ContentError as exc:
            problems.extend(exc.problems)
            return ""
        reason = unprintable(text, prepared.coverage, prepared.font_family)
        if reason:
            problems.append(Problem(display_path(src.path), src.line, f"{src.field}: {reason}"))
        elif text is not src.text and (too_big := filled_problem(src, text, _blocks)):
            problems.append(too_big)  # filled in past the limits (checked as written when loaded)
            return ""
        return text

    title = render(handout.title) or ""
    context["handout"]["title"] = title

    def section(s) -> FilledSection:
        refs = tuple(FilledReference(text=render(r.text), url=r.url, language=r.language) for r in getattr(s, "references", ()))
        return FilledSection(kind=getattr(s, "kind", "risk_disclosure"), title=render(s.title) or "",
                             body=render(s.body) or "", references=refs, pictures=pictures_of(s.figures),
                             write_in=getattr(s, "write_in", 0))

    sections = tuple(section(s) for s in handout.sections)
    disclosure = section(handout.risk_disclosure)
    acknowledgment = render(handout.risk_disclosure.acknowledgment)
    fill_in = tuple(render(label) or "" for label in handout.risk_disclosure.fill_in)
    decision = _fill_decision(handout.risk_disclosure.decision, render)
    subtitle = render(handout.subtitle)
    if not problems and not disclosure.body.strip():
        disclosure_src = handout.risk_disclosure.body
        problems.append(Problem(display_path(disclosure_src.path), disclosure_src.line,
                                "the risk disclosure's body is empty once filled in; a handout cannot be built without it"))
    if problems:
        raise ContentError(problems)
    return FilledHandout(
        id=handout.id, version=handout.version, reviewed=handout.reviewed, review_due=handout.review_due,
        language=handout.language, title=title, subtitle=subtitle, sections=sections,
        disclosure=disclosure, acknowledgment=acknowledgment,
        provider_name=provider.name if provider else None,
        provider_credentials=provider.credentials if provider else None,
        provider_phone=provider.phone if provider else None,
        patient_name=" ".join(patient_name.split()) if patient_name else None,
        fill_in=fill_in,
        decision=decision,
        messages=prepared.messages,
    )


def _blocks(text: str) -> list:
    """A filled body's block tokens from the pieces its rendering parses too (render.blocks)."""
    from ..render.blocks import body_tokens

    return body_tokens(text, {})


def _fill_decision(decision, render) -> FilledDecision | None:
    """The decision as printed, in the handout's own words (None when it declares none)."""
    if decision is None:
        return None
    return FilledDecision(yes=render(decision.yes) or "", no=render(decision.no) or "",
                          fill_in=tuple(render(label) or "" for label in decision.fill_in))


def fill_reader(prepared: Prepared, *, provider: Provider | None = None, patient_name: str | None = None,
                today: dt.date | None = None, roster_path: Path | None = None) -> FilledHandout:
    """The handout filled for one reader, after checking that reader's values.

    Raises ContentError when a provider's or the patient's value cannot be
    printed; the message names the option or row, never the value.
    """
    # A reader's document starts here (its filled bodies are parsed from
    # here on): what the next readers ask for again is shared (render.sharing).
    new_document()
    # Typed or pasted names arrive composed or decomposed; print (and hash) one form.
    patient_name = unicodedata.normalize("NFC", patient_name) if patient_name else patient_name
    problems = check_reader(prepared, provider, patient_name, roster_path)
    if problems:
        raise ContentError(problems)
    return fill(prepared, provider=provider, patient_name=patient_name, today=today)


def render_filled(prepared: Prepared, filled: FilledHandout, *, today: dt.date | None = None) -> tuple[bytes, int]:
    """The PDF of a handout already filled for its reader, and its page count.

    A signed page that would split across pages is refused with lint's
    `consent-too-long` error: nothing is printed split.
    """
    from ..render.keeping import SignedPageTooLong
    from ..render.pdf import render_pdf

    try:
        return render_pdf(filled, brand=prepared.brand, layout=prepared.layout, creator=creator(),
                          print_ready=prepared.print_ready, common=_common(prepared, today or build_date()))
    except SignedPageTooLong as exc:
        from ..lint.consent import consent_too_long, lines_over

        lines = lines_over(exc.points, prepared.brand, prepared.layout)
        finding = consent_too_long(prepared.handout, {prepared.layout.name: lines}, reader=True)
        raise ContentError([as_refusal(finding)]) from None


def render_handout(prepared: Prepared, *, provider: Provider | None = None,
                   patient_name: str | None = None, today: dt.date | None = None,
                   roster_path: Path | None = None) -> tuple[bytes, int]:
    """One reader's PDF as bytes, and its page count."""
    filled = fill_reader(prepared, provider=provider, patient_name=patient_name, today=today,
                         roster_path=roster_path)
    return render_filled(prepared, filled, today=today)


def render_handout_html(prepared: Prepared, *, provider: Provider | None = None,
                        patient_name: str | None = None, today: dt.date | None = None,
                        roster_path: Path | None = None) -> bytes:
    """One reader's accessible HTML edition, as UTF-8 bytes (see render.html)."""
    from ..render.html import render_html

    filled = fill_reader(prepared, provider=provider, patient_name=patient_name, today=today,
                         roster_path=roster_path)
    return render_html(filled, brand=prepared.brand, override=html_templates(prepared))


def html_templates(prepared: Prepared) -> Path:
    """Where a clinic's own HTML templates go: html/ beside its handout.yaml."""
    return html_folder(prepared.handout.path.parent)


FORMATS = ("pdf", "html")


def parse_formats(text: str) -> tuple[str, ...]:
    """'pdf', 'html' or 'pdf,html' as a tuple in that order; anything else is a usage error."""
    from ..errors import NotFoundError

    wanted = [part.strip().lower() for part in text.split(",") if part.strip()]
    unknown = [part for part in wanted if part not in FORMATS]
    if not wanted or unknown:
        raise NotFoundError(f"--format takes pdf, html or pdf,html; found {text!r}")
    return tuple(f for f in FORMATS if f in wanted)


@lru_cache(maxsize=4)
def _common(prepared: Prepared, today: dt.date) -> FilledHandout | None:
    """The handout for no reader in particular: the text every copy shares.

    Filled with empty reader values rather than none, since templates may
    require them; None if it still cannot be filled, and then each copy
    encodes its own text (correct, just not shared).
    """
    blank = Provider(id="", name="", credentials="", phone="", email="", location="")
    try:
        return fill(prepared, provider=blank, patient_name="", today=today)
    except HandoutError:
        return None


def shared_title(prepared: Prepared) -> str:
    """The handout's title filled for no reader in particular.

    What a message's subject names: the same for every patient, so it can
    never carry one patient's details.
    """
    common = _common(prepared, build_date())
    return common.title if common is not None else prepared.handout.title.text


def input_files(prepared: Prepared, roster: Path | None = None) -> list[Path]:
    """Every file a build reads: content, lint.yaml, brand, logo, fonts, layout, roster."""
    brand = prepared.brand
    files = [*prepared.handout.source_files(), prepared.handout.path.parent / "lint.yaml",
             brand.path, prepared.layout.path, *prepared.messages.files]
    if brand.logo:
        files += [f.path for f in brand.logo.files()]
    for family in (brand.body_font, brand.heading_font):
        if family:
            files += [p for p in (family.regular, family.bold, family.italic, family.bold_italic) if p]
    if roster:
        files.append(roster)
    return files


def default_output(prepared: Prepared, fmt: str = "pdf") -> str:
    """`<id>.pdf`, or `<id>.<language>.pdf` for a translation, so editions do not overwrite each other."""
    handout = prepared.handout
    return f"{handout.id}.{handout.language}.{fmt}" if handout.translates is not None else f"{handout.id}.{fmt}"


def refuse_overwriting_inputs(target: Path, prepared: Prepared, roster: Path | None = None) -> None:
    """An output path that is one of the inputs would destroy the clinic's content."""
    resolved = target.resolve()
    for path in input_files(prepared, roster):
        if path.exists() and path.resolve() == resolved:
            raise OutputError([Problem(display_path(target), None,
                                       "refusing to overwrite an input file with the output; choose another -o")])


@dataclass(frozen=True)
class Rendered:
    """One handout rendered in memory, not yet written anywhere."""

    data: bytes
    pages: int
    prepared: Prepared
    roster: Path | None


def render_one(handout: str | Path | None = None, *, brand: str | Path | None = None,
               layout: str | Path | None = None, providers: str | Path | None = None,
               provider_id: str | None = None, patient_name: str | None = None, print_ready: bool = False,
               allow_outside: bool = False, allow_lint_errors: bool = False,
               today: dt.date | None = None, fmt: str = "pdf", language: str | None = None) -> Rendered:
    """Load, check and render one handout to bytes (a PDF, or `fmt="html"` the HTML edition), writing nothing.

    Every input problem is raised together; a handout with lint errors is
    refused unless `allow_lint_errors`.
    """
    if provider_id is not None:
        providers = find_roster(resolve_handout(handout), providers, needed_by="--provider")
    problems: list[Problem] = []
    prepared = collect(problems, prepare_checked, handout, brand=brand, layout=layout, print_ready=print_ready,
                       allow_outside=allow_outside, language=language, allow_lint_errors=allow_lint_errors)
    provider = None
    if providers is not None:
        found: list[Problem] = []
        roster = collect(found, load_roster, Path(providers))
        if roster is not None and provider_id is not None:
            provider = collect(found, find_provider, roster, provider_id, Path(providers))
        problems += sorted(set(found), key=problem_order)
    if problems:
        raise HandoutError(problems)
    assert prepared is not None
    roster_path = Path(providers) if providers else None
    if fmt == "html":
        data, pages = render_handout_html(prepared, provider=provider, patient_name=patient_name, today=today,
                                          roster_path=roster_path), 0
    else:
        data, pages = render_handout(prepared, provider=provider, patient_name=patient_name, today=today,
                                     roster_path=roster_path)
    return Rendered(data=data, pages=pages, prepared=prepared, roster=roster_path)


def build_handout(handout: str | Path | None = None, *, output: str | Path | None = None,
                  brand: str | Path | None = None, layout: str | Path | None = None,
                  providers: str | Path | None = None, provider_id: str | None = None,
                  patient_name: str | None = None, print_ready: bool = False,
                  allow_outside: bool = False, allow_lint_errors: bool = False,
                  today: dt.date | None = None, fmt: str = "pdf", language: str | None = None) -> BuildResult:
    """Build one handout, a PDF or (`fmt="html"`) the HTML edition, and write it atomically.

    `output` defaults to `<handout id>.pdf` (or `.html`) in the working folder,
    with the language for a translation (`<id>.es.pdf`). Nothing is
    written unless every input is valid, the handout has no lint errors
    (unless `allow_lint_errors`), and the PDF rendered completely.
    """
    if output is not None:
        check_target(Path(output))  # a device or FIFO at -o: refused before any work
    rendered = render_one(handout, brand=brand, layout=layout, providers=providers, provider_id=provider_id,
                          patient_name=patient_name, print_ready=print_ready, allow_outside=allow_outside,
                          allow_lint_errors=allow_lint_errors, today=today, fmt=fmt, language=language)
    prepared, data = rendered.prepared, rendered.data
    target = Path(output) if output is not None else Path.cwd() / default_output(prepared, fmt)
    refuse_overwriting_inputs(target, prepared, rendered.roster)
    # A copy printed for a patient is theirs: owner-only whatever the umask.
    write_atomic(target, data, private=bool(patient_name))
    return BuildResult(path=target, pages=rendered.pages, size=len(data), sha256=hashlib.sha256(data).hexdigest(),
                       handout_id=prepared.handout.id, version=prepared.handout.version)
