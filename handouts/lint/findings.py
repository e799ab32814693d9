"""Lint findings: where, how bad, which check, and what to do."""

from __future__ import annotations

from dataclasses import asdict, dataclass

ERROR, WARNING = "error", "warning"


@dataclass(frozen=True)
class Finding:
    """One lint finding, printed as `path:line: severity: code: message`."""

    path: str
    line: int | None
    severity: str
    code: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.severity}: {self.code}: {self.message}"

    def as_dict(self) -> dict:
        """The JSON form: path, line, severity, code, message."""
        return asdict(self)


def sort_key(finding: Finding) -> tuple:
    """Findings sort by file, then line, then code."""
    return (finding.path, finding.line or 0, finding.code, finding.message)
