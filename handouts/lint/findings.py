"""Lint findings: where, how bad, which check, and what to do."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import INPUT, Problem

ERROR, WARNING = "error", "warning"


@dataclass(frozen=True, init=False)
class Finding(Problem):
    """One lint finding, printed as `path:line: severity: code: message`: a located problem with a severity.

    Made as `Finding(path, line, severity, code, message)`; an input problem
    becomes one with `from_problem`, keeping its code.
    """

    code: str = field(default=INPUT)  # compared, unlike a Problem's: two checks may flag the same words
    severity: str = ERROR

    def __init__(self, path: str, line: int | None, severity: str, code: str, message: str):
        for name, value in (("path", path), ("line", line), ("severity", severity), ("code", code),
                            ("message", message)):
            object.__setattr__(self, name, value)

    @classmethod
    def from_problem(cls, problem: Problem, severity: str = ERROR) -> Finding:
        return cls(problem.path, problem.line, severity, problem.code, problem.message)

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.severity}: {self.code}: {self.message}"

    def as_dict(self) -> dict:
        """The JSON form: path, line, severity, code, message."""
        return {"path": self.path, "line": self.line, "severity": self.severity, "code": self.code,
                "message": self.message}


def sort_key(finding: Finding) -> tuple:
    """Findings sort by file, then line, then code."""
    return (finding.path, finding.line or 0, finding.code, finding.message)
