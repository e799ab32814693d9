"""`lint.yaml` beside a manifest: a clinic's extra phrases and allowed findings.

```yaml
claims:
  add:                         # more phrases to flag, matched as words
    - stem cell miracle
  allow:                       # one finding allowed in one place, with a reason
    - phrase: cure
      file: sections/evidence.yaml
      line: 14                 # optional: any line of that file when absent
      reason: Quotes the FTC order against a clinic that promised a cure.
```
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ..errors import ContentError
from ..load.fields import Fields

CONFIG_NAME = "lint.yaml"


@dataclass(frozen=True)
class Allowance:
    """Permission for one claim phrase in one file (and line), with a reason."""

    phrase: str
    file: Path
    line: int | None
    reason: str


@dataclass(frozen=True)
class LintConfig:
    """A clinic's lint settings; empty when there is no lint.yaml."""

    extra_phrases: tuple[str, ...] = ()
    allowances: tuple[Allowance, ...] = ()
    path: Path | None = None

    def allows(self, phrase: str, file: Path, line: int | None) -> bool:
        """Whether a claim finding of `phrase` at file:line is allowed."""
        for allowance in self.allowances:
            if allowance.phrase.lower() != phrase.lower():
                continue
            if allowance.file.resolve() != file.resolve():
                continue
            if allowance.line is None or allowance.line == line:
                return True
        return False


def load_lint_config(manifest: Path) -> LintConfig:
    """Read lint.yaml beside the manifest, if there is one."""
    path = manifest.parent / CONFIG_NAME
    if not os.path.lexists(path):  # anything else there (a folder, a FIFO) is refused by the reader
        return LintConfig()
    top = Fields.open(path, "lint config", ContentError)
    doc, problems = top.doc, top.problems
    top.unknown(("claims",))
    claims = top.sub("claims")
    extra: list[str] = []
    allowances: list[Allowance] = []
    if claims is not None:
        claims.unknown(("add", "allow"))
        for index, phrase in enumerate(claims.items("add") or []):
            if not isinstance(phrase, str) or not phrase.strip():
                problems.append(doc.problem("each phrase under 'claims.add' must be text", "claims", "add", index))
            else:
                extra.append(phrase.strip())
        for index, _ in enumerate(claims.items("allow") or []):
            entry = Fields(doc, problems, ("claims", "allow", index), what="an allowance")
            if not entry.ok:
                continue
            entry.unknown(("phrase", "file", "line", "reason"))
            phrase = entry.text("phrase", required=True)
            file = entry.text("file", required=True)
            reason = entry.text("reason", required=True)
            line = entry.number("line", low=1, high=1_000_000)
            if phrase and file and reason:
                allowances.append(Allowance(phrase=phrase, file=manifest.parent / file,
                                            line=int(line) if line else None, reason=reason))
    if problems:
        raise ContentError(problems)
    return LintConfig(extra_phrases=tuple(extra), allowances=tuple(allowances), path=path)
