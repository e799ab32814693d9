"""The lint gate: what build, print, batch and email refuse to print past, and what they only log.

Input problems and a signed page split from its signatures never print;
other lint errors stop a run unless a clinic allows them, knowingly
(--allow-lint-errors); warnings are logged. Lint's findings come in
(pipeline.lint.edition_findings makes them, the signed page laid out).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

from ..errors import ContentError, HandoutError, Problem, display_path
from ..fill.loading import problem_order
from .findings import ERROR, Finding

log = logging.getLogger("handouts")


def enforce_lint(findings: Iterable[Finding], problems: list[Problem], manifest: Path, *,
                 allow_lint_errors: bool = False) -> None:
    """Raise with every input problem and lint error of an edition at once; log its warnings.

    `problems` are the input problems found preparing it, `manifest` the
    edition's manifest (named by the refusal). With `allow_lint_errors` lint
    errors are logged as warnings instead; input problems and a consent
    split from its signatures are refused all the same.
    """
    findings = list(findings)
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
        raise ContentError([*errors, Problem(display_path(manifest), None,
                                             "refusing to build a handout with lint errors (see 'handouts lint'; "
                                             "--allow-lint-errors overrides)")])


# Lint's codes for what build refuses as input (printed as build prints them, without a code).
INPUT_CODES = ("input", "unknown-variable")
# Lint errors --allow-lint-errors does not print past: a signature page apart from what is signed for.
NEVER_PRINTED = ("consent-too-long",)


def as_refusal(finding) -> Problem:
    """A lint error as build refuses with it: `path:line: error: code: message`, the line lint prints."""
    return Problem(finding.path, finding.line, f"{finding.severity}: {finding.code}: {finding.message}")
