"""One reader's handout: their values checked, then every template field filled.

A reader is the patient and provider a copy is printed for (either may be
none). Their values are checked against what the brand's fonts can print
before anything is filled; the filled handout is what every renderer
(PDF, HTML, the e-mail's page) lays out.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path

from ..errors import ContentError, Problem, display_path
from ..fill.filled import FilledDecision, FilledHandout, FilledReference, FilledSection
from ..fill.loading import build_date, filled_problem, provider_problems, unprintable
from ..fill.templates import template_context
from ..load.roster import Provider
from ..render.sharing import new_document
from ..sections import SourceText
from ..sections.model import pictures_of
from .prepare import Prepared


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
