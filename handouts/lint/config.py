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
false_friends:
  allow:                       # a Spanish false friend kept where it is meant
    - word: oficina            # the word as the false-friend list names it
      file: sections/contact.es.yaml   # optional: every file when absent
      line: 7                  # optional
      reason: The clinic's billing office, not the clinic.
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
    """Permission for one claim phrase (or false friend) in one file (and line), with a reason.

    A false friend's allowance may name no file: the word is then allowed everywhere.
    """

    phrase: str
    file: Path | None
    line: int | None
    reason: str

    def covers(self, phrase: str, file: Path, line: int | None) -> bool:
        """Whether this allowance covers `phrase` at file:line."""
        return (self.phrase.lower() == phrase.lower()
                and (self.file is None or self.file.resolve() == Path(file).resolve())
                and (self.line is None or self.line == line))


@dataclass(frozen=True)
class LintConfig:
    """A clinic's lint settings; empty when there is no lint.yaml."""

    extra_phrases: tuple[str, ...] = ()
    allowances: tuple[Allowance, ...] = ()
    path: Path | None = None

    # False friends lint.yaml keeps (`false_friends: allow:`).
    word_allowances: tuple[Allowance, ...] = ()

    def allows(self, phrase: str, file: Path, line: int | None) -> bool:
        """Whether a claim finding of `phrase` at file:line is allowed."""
        return any(allowance.covers(phrase, file, line) for allowance in self.allowances)

    def allows_word(self, word: str, file: Path, line: int | None) -> bool:
        """Whether the false friend `word` at file:line is allowed."""
        return any(allowance.covers(word, file, line) for allowance in self.word_allowances)


def load_lint_config(manifest: Path) -> LintConfig:
    """Read lint.yaml beside the manifest, if there is one."""
    path = manifest.parent / CONFIG_NAME
    if not os.path.lexists(path):  # anything else there (a folder, a FIFO) is refused by the reader
        return LintConfig()
    top = Fields.open(path, "lint config", ContentError)
    doc, problems = top.doc, top.problems
    top.unknown(("claims", "false_friends"))
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
    words = _word_allowances(top, manifest.parent)
    if problems:
        raise ContentError(problems)
    return LintConfig(extra_phrases=tuple(extra), allowances=tuple(allowances), path=path,
                      word_allowances=words)


def _word_allowances(top: Fields, folder: Path) -> tuple[Allowance, ...]:
    """`false_friends: allow:`: a word, a reason, and optionally a file and line."""
    section = top.sub("false_friends")
    if section is None:
        return ()
    section.unknown(("allow",))
    found = []
    for index, _ in enumerate(section.items("allow") or []):
        entry = Fields(top.doc, top.problems, ("false_friends", "allow", index), what="an allowance")
        if not entry.ok:
            continue
        entry.unknown(("word", "file", "line", "reason"))
        word = entry.text("word", required=True)
        file = entry.text("file")
        reason = entry.text("reason", required=True)
        line = entry.number("line", low=1, high=1_000_000)
        if word and reason:
            found.append(Allowance(phrase=word, file=folder / file if file else None,
                                   line=int(line) if line else None, reason=reason))
    return tuple(found)
