"""Lint's checks on the fields as filled in: reading level, printable text, the limits build keeps.

Each fills the handout's templates as build would, for no reader in
particular or for a stand-in one, and reports what build would refuse or
what reads too hard; a field that cannot be filled is skipped (its problem
is an input error, reported by the other checks).
"""

from __future__ import annotations

from ..errors import HandoutError, Problem, display_path
from ..load.brand import Brand
from ..fill.loading import Loaded, build_date, filled_problem, unprintable
from .checks import MIN_INFLESZ, _finding, from_problems
from .findings import Finding


def check_readability(loaded: Loaded, max_grade: float) -> list[Finding]:
    """Sections whose filled-in body reads above `max_grade` (Spanish: below INFLESZ 55).

    Languages with no formula here (other than English and Spanish) are not measured.

    Each body is filled on its own, for no reader in particular; a body
    that cannot be filled (its problem is reported as an input error) is
    skipped, and the others are still measured.
    """
    from ..fill.templates import template_context
    from .readability import measure, measure_spanish

    handout = loaded.handout
    if handout is None:
        return []
    language = handout.language.split("-")[0].lower()
    if language not in ("en", "es"):
        return []
    clinic = loaded.brand or _NoBrand()
    context = template_context(brand=clinic, handout=handout, handout_title="", today=build_date())
    findings = []
    for section in [*handout.sections, handout.risk_disclosure]:
        try:
            title = loaded.templates.render(section.title, context)
            body = loaded.templates.render(section.body, context)
        except HandoutError:
            continue
        if language == "es":
            spanish = measure_spanish(body)
            if spanish.sentences and spanish.inflesz < MIN_INFLESZ:
                hardest = " | ".join(f'"{s}"' for s in spanish.hardest)
                findings.append(_finding("readability", section.path, section.body.line,
                                         f"section '{title}' reads at INFLESZ {spanish.inflesz:.1f} "
                                         f"(Szigriszt-Pazos; {spanish.band}), below {MIN_INFLESZ} (normal); "
                                         f"hardest sentences: {hardest}"))
            continue
        reading = measure(body)
        if reading.grade() > max_grade:
            hardest = " | ".join(f'"{s}"' for s in reading.hardest)
            findings.append(_finding("readability", section.path, section.body.line,
                                     f"section '{title}' reads at grade {reading.grade():.1f} "
                                     f"(Flesch-Kincaid {reading.fk_grade:.1f}, SMOG {reading.smog:.1f}), "
                                     f"above {max_grade:g}; hardest sentences: {hardest}"))
    return findings


def check_printable(loaded: Loaded, coverage: frozenset[int], family: str) -> list[Finding]:
    """Every field, filled in for no reader in particular, that holds text the fonts cannot print.

    The same check build makes of each filled field, with its message, so a
    Chinese character or a stray control character is found here, not only
    when printing. A field that cannot be filled is skipped (its problem
    is reported as an input error).
    """
    from ..fill.templates import template_context

    if loaded.handout is None:
        return []
    context = template_context(brand=loaded.brand or _NoBrand(), handout=loaded.handout, handout_title="",
                               today=build_date())
    problems = []
    for src in loaded.texts:
        try:
            text = loaded.templates.render(src, context)
        except HandoutError:
            continue
        reason = unprintable(text, coverage, family)
        if reason:
            problems.append(Problem(display_path(src.path), src.line, f"{src.field}: {reason}"))
    return from_problems(problems)


def check_limits(loaded: Loaded) -> list[Finding]:
    """Template fields that build would refuse once filled in: too long, past a cap of the sandbox, or a body past the Markdown limits.

    Filled in for a stand-in reader with every value set ("-"), so what is
    found does not depend on who reads: the field's own text makes it too
    big, as build finds for every reader, with the same message at the same
    line. Fields without template syntax were checked as written when the
    handout loaded.
    """
    from ..fill.templates import TOO_LONG, has_template_syntax, template_context
    from ..load.roster import Provider

    if loaded.handout is None:
        return []
    stand_in = Provider(id="-", name="-", credentials="-", phone="-", email="-", location="-")
    context = template_context(brand=_StandInClinic(loaded.brand), handout=loaded.handout, handout_title="-",
                               provider=stand_in, patient_name="-", today=build_date())
    problems = []
    for src in loaded.texts:
        if not has_template_syntax(src.text):
            continue
        try:
            text = loaded.templates.render(src, context)
        except HandoutError as exc:
            # Its size, or a cap of the sandbox (output, repetition, loops,
            # time: fill.sandbox words these "unsafe template expression"),
            # reached with every value set: the template's own doing. Other
            # failures may come of the stand-in values themselves.
            problems += [p for p in exc.problems if p.message.endswith(TOO_LONG) or _UNSAFE in p.message]
            continue
        problem = filled_problem(src, text)
        if problem is not None:
            problems.append(problem)
    return from_problems(problems)


_UNSAFE = ": unsafe template expression: "


class _StandInClinic:
    """The brand's clinic values, with "-" for any it does not set (or for all, with no brand)."""

    def __init__(self, brand: Brand | None):
        self._values = brand.clinic() if brand is not None else {}

    def clinic(self) -> dict:
        return {key: self._values.get(key) or "-" for key in ("name", "link", "phone", "email", "address")}


class _NoBrand:
    """Stands in for a brand that could not be loaded: no clinic values."""

    def clinic(self) -> dict:
        return {}
