"""Checks of a translation against the handout it translates.

A translation is reviewed on its own, but it must say the same things: the
same section kinds in the same order, the same risk-disclosure fields, the
same template variables (a Spanish acknowledgment without the patient's
name is a weaker consent), and it must follow the original's version.
"""

from __future__ import annotations

from ..errors import display_path
from ..fill.templates import template_variables
from ..sections.model import Handout, SourceText
from .findings import Finding

# code -> (severity, what it checks); merged into lint's CODES.
TRANSLATION_CODES: dict[str, tuple[str, str]] = {
    "translation-outdated": ("warning", "the original's version moved on since the version the translation names"),
    "translation-sections": ("error", "section kinds differ from the original's, or are in another order"),
    "translation-disclosure": ("error", "the risk disclosure has other fields than the original's "
                                        "(acknowledgment, fill_in, decision)"),
    "translation-variables": ("warning", "a template variable of the original is missing from the translation"),
}


def _finding(code: str, path, line: int | None, message: str) -> Finding:
    shown = path if isinstance(path, str) else display_path(path)
    return Finding(path=shown, line=line, severity=TRANSLATION_CODES[code][0], code=code, message=message)


def variables(src: SourceText | None) -> set[str]:
    """The variables a template field uses, as `provider.name` or `today`."""
    return template_variables(src)


def _entry_line(handout: Handout, index: int) -> int | None:
    lines = handout.section_lines
    return lines[index] if index < len(lines) else handout.line_of("sections")


def check_translation(translation: Handout, original: Handout) -> list[Finding]:
    """Every way `translation` departs from `original`, located in the translation's files."""
    findings = []
    where = translation.path
    if translation.translates is not None and translation.translates != original.version:
        findings.append(_finding(
            "translation-outdated", where, translation.line_of("translates"),
            f"translates version {translation.translates} of {display_path(original.path)}, which is now at "
            f"version {original.version}; update the translation, then 'translates' and its 'version'"))
    findings += _sections(translation, original)
    findings += _disclosure(translation, original)
    findings += _variables(translation, original)
    return findings


def _sections(translation: Handout, original: Handout) -> list[Finding]:
    ours = [s.kind for s in translation.sections]
    theirs = [s.kind for s in original.sections]
    if ours == theirs:
        return []
    findings = []
    remaining = list(ours)
    for index, kind in enumerate(theirs):
        if kind in remaining:
            remaining.remove(kind)
            continue
        source = display_path(original.sections[index].path)
        findings.append(_finding("translation-sections", translation.path, translation.line_of("sections"),
                                 f"no '{kind}' section; the original has one as section {index + 1} ({source})"))
    spare = list(theirs)
    for index, kind in enumerate(ours):
        if kind in spare:
            spare.remove(kind)
            continue
        findings.append(_finding("translation-sections", translation.path, _entry_line(translation, index),
                                 f"section {index + 1} is a '{kind}' section the original does not have"))
    if not findings:
        for index, (mine, original_kind) in enumerate(zip(ours, theirs)):
            if mine != original_kind:
                findings.append(_finding(
                    "translation-sections", translation.path, _entry_line(translation, index),
                    f"section {index + 1} is '{mine}' but the original's section {index + 1} is "
                    f"'{original_kind}'; keep the original's order ({', '.join(theirs)})"))
                break
    return findings


def _disclosure(translation: Handout, original: Handout) -> list[Finding]:
    ours, theirs = translation.risk_disclosure, original.risk_disclosure
    findings = []
    for name in ("acknowledgment", "fill_in"):
        mine, other = getattr(ours, name, None), getattr(theirs, name, None)
        if bool(mine) != bool(other):
            what = "has no" if other and not mine else "has a"
            findings.append(_finding(
                "translation-disclosure", ours.path, ours.title.line,
                f"the risk disclosure {what} '{name}' but the original's "
                f"({display_path(theirs.path)}) {'does' if other else 'does not'}"))
        elif isinstance(mine, tuple) and isinstance(other, tuple) and len(mine) != len(other):
            findings.append(_finding(
                "translation-disclosure", ours.path, ours.title.line,
                f"'{name}' has {len(mine)} entries; the original's has {len(other)}"))
    mine, other = ours.decision, theirs.decision
    if mine is not None and other is not None and len(mine.fill_in) != len(other.fill_in):
        findings.append(_finding(
            "translation-disclosure", ours.path, mine.line,
            f"'decision.fill_in' has {len(mine.fill_in)} entries; the original's has {len(other.fill_in)}"))
    elif mine is None and other is not None:
        findings.append(_finding(
            "translation-disclosure", ours.path, ours.title.line,
            f"the risk disclosure has no 'decision' but the original's ({display_path(theirs.path)}) does"))
    return findings


def _fields(section) -> list[SourceText]:
    fields = [section.title, section.body, getattr(section, "acknowledgment", None)]
    decision = getattr(section, "decision", None)
    fields += decision.texts() if decision else []
    fields += [r.text for r in getattr(section, "references", ()) if r.text]
    return [f for f in fields if f is not None]


def _variables(translation: Handout, original: Handout) -> list[Finding]:
    findings = []
    pairs = [(translation.title, [translation.title] + ([translation.subtitle] if translation.subtitle else []),
              [original.title] + ([original.subtitle] if original.subtitle else []))]
    by_kind: dict[str, list] = {}
    for section in original.sections:
        by_kind.setdefault(section.kind, []).append(section)
    for section in translation.sections:
        matches = by_kind.get(section.kind)
        if matches:
            pairs.append((section.body, _fields(section), _fields(matches.pop(0))))
    pairs.append((translation.risk_disclosure.body, _fields(translation.risk_disclosure),
                  _fields(original.risk_disclosure)))
    for anchor, mine, theirs in pairs:
        missing = set().union(*map(variables, theirs)) - set().union(*map(variables, mine))
        if missing:
            names = ", ".join("{{ " + name + " }}" for name in sorted(missing))
            findings.append(_finding("translation-variables", anchor.path, anchor.line,
                                     f"{anchor.field}: the original uses {names}; the translation does not"))
    return findings
