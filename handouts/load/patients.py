"""Patient lists for `handouts email`: a CSV or YAML export, validated row by row.

A patient list is protected health information. Messages about it name the
file, the line and the patient's opaque id, never a name, an address or a
password, so a log or a terminal scrollback leaks nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Problem, RosterError, display_path
from .outbound import UnsafeValue, checked_address, header_value_problem
from .rows import read_rows

COLUMNS = ("id", "name", "email", "provider", "layout", "password", "unencrypted_ok", "language")
REQUIRED = ("id", "email")
_PATIENT_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")
_YES = {"yes", "y", "true", "1"}
_NO = {"no", "n", "false", "0", ""}
MAX_FIELD = 300


class PatientsError(RosterError):
    """A patients file is wrong: nothing is written or sent."""


@dataclass(frozen=True)
class Patient:
    """One patient row; `line` is where it stands in its file, for messages."""

    id: str
    email: str
    name: str | None = None
    provider: str | None = None
    layout: str | None = None
    language: str | None = None
    password: str | None = field(default=None, repr=False)
    unencrypted_ok: bool = False
    line: int = 0


# Where problems with patients given as values are reported (a web form's rows, numbered from 1).
FORM = "the form"


def load_patients(path: Path | tuple[Mapping[str, str], ...], *, provider_ids: frozenset[str] | None = None,
                  layouts: frozenset[str] = frozenset(), password_column: str = "password") -> tuple[Patient, ...]:
    """Load and validate a patients file; every bad row is reported at once.

    `provider_ids` are the roster's ids (None when no roster was given: then
    a row naming a provider is an error). `layouts` are the layout names a
    row may ask for. `password_column` names the column holding each
    patient's PDF password. `path` may instead be rows of the file's
    columns given as values (a web form's, `handouts serve`), checked by
    the same rules and reported as FORM.
    """
    if isinstance(path, tuple):
        return patients_from_values(path, where=FORM, provider_ids=provider_ids, layouts=layouts)
    path = Path(path)
    columns = tuple(password_column if c == "password" else c for c in COLUMNS)
    rows, problems = read_rows(path, columns=columns, required=REQUIRED, what="patients file", noun="patient",
                               error=PatientsError)
    return _checked(rows, problems, display_path(path), provider_ids=provider_ids, layouts=layouts,
                    password_column=password_column)


def patients_from_values(rows: tuple[Mapping[str, str], ...], *, where: str,
                         provider_ids: frozenset[str] | None = None,
                         layouts: frozenset[str] = frozenset()) -> tuple[Patient, ...]:
    """Patients given as values rather than a file (a web form's fields), checked by the same rules.

    Each row's problems are reported at `where` (the form's name), numbered
    from 1 like a file's lines; a value in a column the patients file does
    not know is refused as there.
    """
    problems: list[Problem] = []
    numbered = []
    for number, row in enumerate(rows, 1):
        unknown = sorted(set(row) - set(COLUMNS))
        if unknown:
            problems.append(Problem(where, number, f"unknown column(s): {', '.join(unknown)}"))
        numbered.append((number, dict(row)))
    return _checked(numbered, problems, where, provider_ids=provider_ids, layouts=layouts,
                    password_column="password")


def _checked(rows, problems: list[Problem], shown: str, *, provider_ids: frozenset[str] | None,
             layouts: frozenset[str], password_column: str) -> tuple[Patient, ...]:
    seen: dict[str, int] = {}
    patients = []
    for line, row in rows:
        values = {("password" if k == password_column else k): (v if isinstance(v, str) else "")
                  for k, v in row.items()}
        found = _row_problems(values, provider_ids, layouts, seen, line)
        problems += [Problem(shown, line, message) for message in found]
        pid = values.get("id", "").strip()
        if pid and pid not in seen:
            seen[pid] = line
        if not found:
            patients.append(_patient(values, line))
    if problems:
        raise PatientsError(sorted(problems, key=lambda p: (p.line or 0, p.message)))
    if not patients:
        raise PatientsError([Problem(shown, None, "the patients file holds no patients")])
    return tuple(patients)


def _row_problems(values: dict[str, str], provider_ids: frozenset[str] | None, layouts: frozenset[str],
                  seen: dict[str, int], line: int) -> list[str]:
    pid = values.get("id", "").strip()
    who = f"patient {pid!r}" if pid and _PATIENT_ID.match(pid) else "this row"
    found = []
    for column, value in values.items():
        # A line break in a value could start a new mail header.
        if "\r" in value or "\n" in value:
            found.append(f"{who}: '{column}' holds a line break; remove it")
        elif len(value) > MAX_FIELD:
            found.append(f"{who}: '{column}' is {len(value)} characters, over {MAX_FIELD}")
        elif column == "name" and header_value_problem(value):
            # A subject may name the patient: the name is checked as every header value is.
            found.append(f"{who}: 'name' {header_value_problem(value)}; remove it")
    if not pid:
        found.append("row is missing 'id'")
    elif not _PATIENT_ID.match(pid):
        found.append("the patient id may hold only letters, digits, '.', '_' and '-' (at most 64)")
    elif pid in seen:
        found.append(f"duplicate patient id {pid!r} (first on line {seen[pid]})")
    address = values.get("email", "").strip()
    if not address:
        found.append(f"{who}: 'email' is missing")
    else:
        try:
            checked_address(address)  # the same check as when the message is made and sent
        except UnsafeValue as exc:
            found.append(f"{who}: 'email' {exc.reason}")
    provider = values.get("provider", "").strip()
    if provider:
        if provider_ids is None:
            found.append(f"{who}: names a provider but no roster was given (--providers)")
        elif provider not in provider_ids:
            found.append(f"{who}: no provider with id {provider!r} in the roster")
    layout = values.get("layout", "").strip()
    if layout and layout not in layouts:
        found.append(f"{who}: unknown layout {layout!r}; use one of {', '.join(sorted(layouts))}")
    language = values.get("language", "").strip()
    if language and not _LANGUAGE.match(language):
        found.append(f"{who}: 'language' must be a language code such as en or es, found {language!r}")
    if values.get("unencrypted_ok", "").strip().lower() not in _YES | _NO:
        found.append(f"{who}: 'unencrypted_ok' must be yes or no")
    return found


def _patient(values: dict[str, str], line: int) -> Patient:
    def text(column: str) -> str | None:
        return " ".join(values.get(column, "").split()) or None

    return Patient(id=values["id"].strip(), email=values["email"].strip(), name=text("name"),
                   provider=text("provider"), layout=text("layout"), language=text("language"),
                   password=values.get("password") or None,
                   unencrypted_ok=values.get("unencrypted_ok", "").strip().lower() in _YES, line=line)


def patients_source(path: Path | tuple[Mapping[str, str], ...]) -> str:
    """How messages name where patients came from: the file, or FORM."""
    return FORM if isinstance(path, tuple) else display_path(path)
