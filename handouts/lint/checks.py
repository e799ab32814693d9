"""Lint's checks, each on what was loaded: claims, links, dates, brand, completeness.

The checks on the fields as filled in (reading level, printable text, limits) are in lint.filled.

Every check has a stable code (`CODES`, documented in the README with why it
exists) and returns findings; `lint_handout` (in `__init__`) runs them all.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from ..errors import HandoutError, Problem, display_path
from ..layouts import Layout
from ..load.brand import Brand
from ..load.contrast import MIN_CONTRAST, text_colours
from ..load.outbound import link_problem
from ..sections import load_handout
from ..sections.model import Handout, SourceText
from .claims import find_claims
from .config import LintConfig
from .falsefriends import FALSE_FRIEND_CODES, check_false_friends
from .figures import FIGURE_CODES
from .findings import ERROR, WARNING, Finding
from .translation import TRANSLATION_CODES, check_translation

CORE_KINDS = ("how_it_works", "benefits", "side_effects", "alternatives", "lifestyle")
REVIEW_WARNING_DAYS = 60
MIN_LOGO_DPI = 300
# INFLESZ "normal" starts at 55 (Barrio-Cantalejo 2008).
MIN_INFLESZ = 55

# Comfortable type for older readers (issue #21): the built-in letter and A4
# keep to these; a clinic's own layout or brand is told when it does not.
SMALL_BODY, SMALL_TEXT = 12.0, 10.0

# code -> (severity, what it checks); the README's table is written from this.
CODES: dict[str, tuple[str, str]] = {
    "input": (ERROR, "anything build refuses: YAML, missing files, wrong types, template errors"),
    "readability": (WARNING, "a section body reads above --max-grade (Flesch-Kincaid; SMOG from 30 sentences), "
                             f"or a Spanish one below INFLESZ {MIN_INFLESZ} (Szigriszt-Pazos)"),
    "claim": (ERROR, "a phrase regulators treat as misleading for unproven therapies"),
    "missing-kind": (WARNING, "one of the five core section kinds is missing"),
    "unbalanced-benefits": (WARNING, "a benefits section with no evidence section or references"),
    "disclosure-incomplete": (WARNING, "the risk disclosure omits regulatory status, risks or alternatives"),
    "review-overdue": (ERROR, "review_due is in the past"),
    "review-due-soon": (WARNING, f"review_due is within {REVIEW_WARNING_DAYS} days"),
    "reviewed-in-future": (ERROR, "reviewed is later than today"),
    "unknown-variable": (ERROR, "a template uses a variable that does not exist"),
    "bad-link": (ERROR, "a link that is not http(s), mailto (one address) or tel"),
    "low-contrast": (WARNING, f"a text colour below {MIN_CONTRAST:g}:1 on its background (WCAG 2.1 AA): "
                              "that text prints in a darker shade that reads"),
    "logo-alt": (WARNING, "the logo has no alt text"),
    "consent-too-long": (ERROR, "the acknowledgment and signature lines do not fit on one page in some layout"),
    "decision-missing": (ERROR, "the risk disclosure declares no decision (the yes and no boxes' words)"),
    "logo-resolution": (WARNING, f"the logo prints under {MIN_LOGO_DPI} dpi"),
    "logo-contrast": (WARNING, "the logo shows on the band only on a panel behind it"),
    "brand-no-name": (WARNING, "the brand has no meta.name: the cover and footer print no clinic name"),
    "font-fallback": (WARNING, "a brand font that cannot be embedded (google, bunny, system) or has no bold face"),
    "comment-in-text": (ERROR, "text after ' #' in an unquoted text value, which YAML drops as a comment: the "
                               "value would print cut short"),
    "small-type": (WARNING, f"a layout or brand sets the body under {SMALL_BODY:g} pt, or any text under "
                            f"{SMALL_TEXT:g} pt"),
    **TRANSLATION_CODES,
    **FIGURE_CODES,
    **FALSE_FRIEND_CODES,
}


def _finding(code: str, path: str | Path, line: int | None, message: str) -> Finding:
    shown = path if isinstance(path, str) else display_path(path)
    return Finding(path=shown, line=line, severity=CODES[code][0], code=code, message=message)


def from_problems(problems: tuple[Problem, ...] | list[Problem]) -> list[Finding]:
    """Input problems (what build refuses) as lint errors, each with its code (`input`, `unknown-variable`)."""
    return [Finding.from_problem(problem) for problem in problems]


def check_claims(texts: list[SourceText], config: LintConfig, language: str = "en") -> list[Finding]:
    """Claim phrases in every text field, in the handout's language, less the ones lint.yaml allows."""
    findings = []
    for src in texts:
        shown = display_path(src.path)  # once per field: a body may hold thousands of claims
        for claim in find_claims(src, config.extra_phrases, language):
            if config.allowances and (config.allows(claim.name, src.path, claim.line)
                                      or config.allows(claim.text, src.path, claim.line)):
                continue
            findings.append(_finding("claim", shown, claim.line,
                                     f"{src.field}: \"{claim.text}\" is a claim regulators treat as misleading "
                                     f"for unproven therapies ({claim.name}); reword it, or allow it in lint.yaml "
                                     "with a reason"))
    return findings


def check_spanish_words(texts: list[SourceText], language: str, config: LintConfig, messages=None) -> list[Finding]:
    """False friends and calques in a Spanish edition's text and the Spanish catalogues it prints with."""
    if language.replace("_", "-").split("-")[0].lower() != "es":
        return []
    catalogues = tuple(path for path in (messages.files if messages is not None else ())
                       if path.stem.split("-")[0].lower() == "es")
    return check_false_friends(texts, catalogues, config.allows_word)


def check_comments(texts) -> list[Finding]:
    """Unquoted text fields whose end YAML took for a comment (`title: Our #1 choice`).

    An error: every text field prints, and would print cut short ("Our").
    A comment on a line of its own, or after a quoted value, is not text.
    """
    findings = []
    for src in texts:
        if src.comment:
            line, comment = src.comment
            findings.append(_finding("comment-in-text", src.path, line,
                                     f"{src.field}: '{comment}' is not printed: text after ' #' is a comment "
                                     "and is not printed; quote the value"))
    return findings


def check_currency(handout: Handout, today: dt.date) -> list[Finding]:
    """Review dates against today."""
    findings = []
    if handout.reviewed > today:
        findings.append(_finding("reviewed-in-future", handout.path, handout.line_of("reviewed"),
                                 f"'reviewed' is {handout.reviewed}, after today ({today})"))
    due = handout.review_due
    if due is not None:
        if due < today:
            findings.append(_finding("review-overdue", handout.path, handout.line_of("review_due"),
                                     f"clinical review was due {due} ({(today - due).days} days ago); "
                                     "review the content, then update 'reviewed', 'review_due' and 'version'"))
        elif (due - today).days <= REVIEW_WARNING_DAYS:
            findings.append(_finding("review-due-soon", handout.path, handout.line_of("review_due"),
                                     f"clinical review is due {due}, in {(due - today).days} days"))
    return findings


def check_links(texts: list[SourceText]) -> list[Finding]:
    """Links in Markdown bodies must be web, email or phone addresses."""
    from ..load.commonmark import checked_tokens  # every link kept a link, whatever its scheme

    findings = []
    for src in texts:
        if not src.markdown:
            continue
        body_lines = src.text.split("\n")
        for block in checked_tokens(src.text):
            if block.type != "inline":
                continue
            for child in block.children or ():
                if child.type == "link_open":
                    href = str(child.attrGet("href") or "")
                    problem = link_problem(href)  # the rule every edition's links follow
                    if problem:
                        first, last = block.map if block.map else (0, 1)
                        offset = next((n + 1 for n in range(first, last)
                                       if n < len(body_lines) and "(" in body_lines[n]
                                       and _href_in(href, body_lines[n])), first + 1)
                        findings.append(_finding("bad-link", src.path, src.where(offset, href[:20] or None),
                                                 f"{src.field}: link '{href}' {problem}"))
    return findings


def _href_in(href: str, line: str) -> bool:
    # markdown-it normalises the address (percent-encoding); compare a prefix.
    return href[:12].lower() in line.lower() or href.split(":", 1)[0].lower() + ":" in line.lower()


def check_brand(brand: Brand, layout: Layout) -> list[Finding]:
    """Text colours below 4.5:1 (printed in a shade that reads instead), type size, fonts, name and logo."""
    findings = [_finding("low-contrast", brand.path, None, sub.message())
                for sub in text_colours(brand.primary, brand.foreground, brand.background).substitutions]
    body = layout.body_size_for(brand.base_size)
    if body < SMALL_BODY:
        by = brand.path if brand.base_size and brand.base_size > layout.body_size else layout.path
        findings.append(_finding("small-type", by, None,
                                 f"the body prints at {body:g} pt in the {layout.name} layout; older readers "
                                 f"need {SMALL_BODY:g} pt or more"))
    if layout.min_size < SMALL_TEXT:
        findings.append(_finding("small-type", layout.path, None,
                                 f"min_size {layout.min_size:g}: footers, references and labels may print at "
                                 f"{layout.min_size:g} pt in the {layout.name} layout, under {SMALL_TEXT:g}"))
    for role, named, family in (("base", brand.base_family, brand.body_font),
                                ("headings", brand.heading_family, brand.heading_font)):
        if named and family is None and named not in {name for _, name, _ in brand.font_notes}:
            findings.append(_finding("font-fallback", brand.path, None,
                                     f"typography.{role}: the font family '{named}' has no font files here "
                                     "(google, bunny and system fonts cannot be embedded); printing in the "
                                     "bundled Atkinson Hyperlegible instead; give its .ttf files under "
                                     "typography.fonts with source: file"))
        elif family is not None and family.bold_from_regular:
            findings.append(_finding("font-fallback", brand.path, None,
                                     f"typography.{role}: the font family '{family.name}' has no bold face, and "
                                     "the handout has characters the bundled bold cannot draw, so headings and "
                                     "bold text print in the family's regular weight (not bold); "
                                     "add its bold .ttf (weight: 700) under typography.fonts"))
        elif family is not None and family.bold is None:
            findings.append(_finding("font-fallback", brand.path, None,
                                     f"typography.{role}: the font family '{family.name}' has no bold face; "
                                     "headings and bold text print in the bundled Atkinson Hyperlegible Bold; "
                                     "add its bold .ttf (weight: 700) under typography.fonts"))
    findings += [_finding("font-fallback", brand.path, line, message) for line, _, message in brand.font_notes]
    if not brand.name:
        findings.append(_finding("brand-no-name", brand.path, None,
                                 "the brand has no meta.name, so the cover shows "
                                 + ("the logo" if brand.logo else "no clinic name")
                                 + " and the footer no clinic; add meta: {name: ...}"))
    if brand.logo is not None:
        if not brand.logo.alt:
            findings.append(_finding("logo-alt", brand.path, None,
                                     "the logo has no alt text; give it as logo.images.<name>.alt"))
        findings += _logo_contrast(brand)
        from ..layouts.logosize import logo_box

        width = layout.width - layout.margin_left - layout.margin_right
        printed_w, _ = logo_box(brand.logo, layout.body_size_for(brand.base_size), width)
        dpi = brand.logo.width_px / (printed_w / 72)
        if dpi < MIN_LOGO_DPI and not brand.logo.light.svg:  # an SVG is drawn at 300 dpi whatever its size
            findings.append(_finding("logo-resolution", brand.logo.path, None,
                                     f"the logo prints at {dpi:.0f} dpi in the {layout.name} layout, under "
                                     f"{MIN_LOGO_DPI}; use an image at least "
                                     f"{int(printed_w / 72 * MIN_LOGO_DPI) + 1} pixels wide"))
    return findings


def _logo_contrast(brand: Brand) -> list[Finding]:
    """A logo none of whose variants shows on the cover band without a panel behind it."""
    from ..errors import HandoutError
    from ..load.logo import LOGO_CONTRAST, VISIBLE_SHARE, place_logo
    from ..load.reading import ReadError
    from ..load.svg import SvgError

    try:
        placed = place_logo(brand.logo, brand.primary, brand.background, brand.foreground)
    except (ReadError, SvgError, HandoutError):
        return []  # changed since the brand was loaded; build says why
    if placed.panel is None:
        return []
    subject = "neither variant of the logo shows" if brand.logo.dark else "the logo does not show"
    shown = (f"it prints on a {placed.panel} panel, where {placed.share:.0%} of it does"
             if placed.share >= VISIBLE_SHARE else
             f"it prints on a {placed.panel} panel, but only {placed.share:.0%} of it shows even there; "
             "give a logo variant in a colour that contrasts with the band")
    return [_finding("logo-contrast", placed.file.path, None,
                     f"{subject} on the cover band (color.primary {brand.primary}): less than "
                     f"{VISIBLE_SHARE:.0%} of its area contrasts {LOGO_CONTRAST:g}:1 with it; {shown}")]


def check_completeness(handout: Handout) -> list[Finding]:
    """Core kinds present, benefits balanced by evidence, disclosure complete."""
    findings = []
    kinds = {s.kind for s in handout.sections}
    for kind in CORE_KINDS:
        if kind not in kinds:
            findings.append(_finding("missing-kind", handout.path, handout.line_of("sections"),
                                     f"no '{kind}' section; patients expect {', '.join(CORE_KINDS)}"))
    has_refs = any(s.references for s in handout.sections)
    if "benefits" in kinds and "evidence" not in kinds and not has_refs:
        benefits = next(s for s in handout.sections if s.kind == "benefits")
        findings.append(_finding("unbalanced-benefits", benefits.path, benefits.body.line - 1 or 1,
                                 "benefits are claimed but the handout has no 'evidence' section or references"))
    disclosure = handout.risk_disclosure
    text = disclosure.body.text + "\n" + (disclosure.acknowledgment.text if disclosure.acknowledgment else "")
    needs = _DISCLOSURE_NEEDS.get(handout.language.split("-")[0].lower(), {})
    missing = [what for what, pattern in needs.items() if not re.search(pattern, text, re.IGNORECASE)]
    if missing:
        findings.append(_finding("disclosure-incomplete", disclosure.path, disclosure.body.line,
                                 f"the risk disclosure does not mention {', '.join(missing)}"))
    return findings


def check_decision(handout: Handout) -> list[Finding]:
    """A risk disclosure must word the choice its signer marks: a signature alone could mean yes or no."""
    disclosure = handout.risk_disclosure
    if disclosure.decision is not None:
        return []
    ack = disclosure.acknowledgment
    return [_finding("decision-missing", disclosure.path, ack.line if ack else disclosure.title.line,
                     "the risk disclosure declares no decision: add 'decision:' with 'yes:' and 'no:' "
                     "(the words by the two boxes the signer marks, e.g. \"Yes, I want ...\" and "
                     "\"No, I do not want ...\") and, under 'fill_in:', lines for what is being done")]


_DISCLOSURE_NEEDS: dict[str, dict[str, str]] = {
    "en": {
        "its regulatory status (FDA approval)": r"\bFDA\b|\bapprov|\bregulat|\bclear(ed|ance)\b",
        "its risks": r"\brisks?\b|\bharms?\b|\bside effects?\b",
        # "alternatives", "other choices", "another treatment", "other treatment
        # options", "no treatment", "choose not to have it".
        "the alternatives": r"\balternatives?\b|\b(?:other|another|different)\s+(?:\w+\s+)?"
                            r"(?:choices?|options?|treatments?|therap(?:y|ies)|ways?)\b"
                            r"|\bno\s+treatment\b|\b(?:choose|decide)\s+not\s+to\b",
    },
    "es": {
        "its regulatory status (FDA approval)": r"\bFDA\b|\baprob|\bregula|\bautoriza",
        "its risks": r"\briesgos?\b|\bdaños?\b|\befectos? secundarios?\b",
        "the alternatives": r"\balternativas?\b|\b(?:otr[oa]s?|distint[oa]s?)\s+(?:\w+\s+)?"
                            r"(?:opci[oó]n|opciones|tratamientos?|terapias?|formas?)\b"
                            r"|\b(?:ningún|sin)\s+tratamiento\b|\bno\s+tratarse\b|\b(?:elegir|decidir)\s+no\b",
    },
}


def check_against_original(handout: Handout, original: Handout | None = None) -> list[Finding]:
    """For a translation, how it departs from the handout it translates (nothing for an original).

    `original`, when the caller has already read it whole, saves reading it again.
    """
    from ..sections.translations import original_path

    path = original_path(handout.path) if handout.translates is not None else None
    if path is None:
        return []
    try:
        return check_translation(handout, original or load_handout(path))
    except HandoutError as exc:
        return from_problems(exc.problems)


