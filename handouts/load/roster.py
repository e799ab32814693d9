"""Provider rosters: a CSV export or a YAML list, validated row by row."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import asdict, dataclass
from pathlib import Path

from ..errors import Problem, RosterError, display_path
from .fields import describe, did_you_mean
from .yamlfile import YamlReadError, load_yaml, read_text

COLUMNS = ("id", "name", "credentials", "phone", "email", "location")
REQUIRED = ("id", "name")
_PROVIDER_ID = re.compile(r"^[A-Za-z0-9._-]+$")
MAX_FIELD = 300


@dataclass(frozen=True)
class Provider:
    """One provider from a roster; every value is plain text, never a template."""

    id: str
    name: str
    credentials: str | None = None
    phone: str | None = None
    email: str | None = None
    location: str | None = None
    line: int = 0

    def variables(self) -> dict[str, str | None]:
        """The `provider` variable templates see."""
        values = asdict(self)
        values.pop("line")
        return values


def load_roster(path: Path) -> tuple[Provider, ...]:
    """Load a roster (.csv, or .yaml/.yml) and report every bad row at once."""
    path = Path(path)
    if path.suffix.lower() in (".yaml", ".yml"):
        rows = _yaml_rows(path)
    else:
        rows = _csv_rows(path)
    return _validate(path, rows)


def _csv_rows(path: Path) -> list[tuple[int, dict]]:
    try:
        text = read_text(path, what="roster")
    except YamlReadError as exc:
        raise RosterError([exc.problem]) from None
    shown = display_path(path)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise RosterError([Problem(shown, 1, f"cannot read CSV header: {exc}")]) from None
    if not header or not any(h.strip() for h in header):
        raise RosterError([Problem(shown, 1, f"roster is empty; expected a header row: {','.join(COLUMNS)}")])
    header = [h.strip().lower() for h in header]
    problems = []
    for column in header:
        if column not in COLUMNS:
            problems.append(Problem(shown, 1, f"unknown column '{column}'{did_you_mean(column, COLUMNS)}; "
                                              f"columns are {','.join(COLUMNS)}"))
    for column in REQUIRED:
        if column not in header:
            problems.append(Problem(shown, 1, f"missing required column '{column}'"))
    if len(set(header)) != len(header):
        problems.append(Problem(shown, 1, "a column appears twice in the header"))
    if problems:
        raise RosterError(problems)
    rows = []
    line = 1
    try:
        for values in reader:
            start = line + 1
            line = reader.line_num
            if not any(v.strip() for v in values):
                continue
            if len(values) != len(header):
                problems.append(Problem(shown, start, f"row has {len(values)} fields; the header has {len(header)}"))
                continue
            rows.append((start, dict(zip(header, values))))
    except csv.Error as exc:
        problems.append(Problem(shown, reader.line_num, f"cannot read CSV: {exc}"))
    if problems:
        raise RosterError(problems)
    return rows


def _yaml_rows(path: Path) -> list[tuple[int, dict]]:
    try:
        doc = load_yaml(path, what="roster")
    except YamlReadError as exc:
        raise RosterError([exc.problem]) from None
    if not isinstance(doc.data, list):
        raise RosterError([doc.problem(f"a YAML roster must be a list of providers, found {describe(doc.data)}")])
    rows, problems = [], []
    for index, entry in enumerate(doc.data):
        line = doc.line(index) or 0
        if not isinstance(entry, dict):
            problems.append(Problem(doc.shown, line, f"each provider must be a mapping of keys, found {describe(entry)}"))
            continue
        row = {}
        for key, value in entry.items():
            if key not in COLUMNS:
                problems.append(Problem(doc.shown, doc.line(index, key), f"unknown key '{key}'{did_you_mean(str(key), COLUMNS)}"))
            elif value is not None and not isinstance(value, str):
                problems.append(Problem(doc.shown, doc.line(index, key), f"'{key}' must be text, found {describe(value)}"))
            else:
                row[key] = value or ""
        rows.append((line, row))
    if problems:
        raise RosterError(problems)
    return rows


def _validate(path: Path, rows: list[tuple[int, dict]]) -> tuple[Provider, ...]:
    shown = display_path(path)
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    providers = []
    for line, row in rows:
        values = {k: " ".join(v.split()) if isinstance(v, str) else "" for k, v in row.items()}
        bad = False
        for column in REQUIRED:
            if not values.get(column):
                problems.append(Problem(shown, line, f"row is missing '{column}'"))
                bad = True
        for column, value in values.items():
            if len(value) > MAX_FIELD:
                problems.append(Problem(shown, line, f"'{column}' is {len(value)} characters, over {MAX_FIELD}"))
                bad = True
        pid = values.get("id", "")
        if pid and not _PROVIDER_ID.match(pid):
            problems.append(Problem(shown, line, f"provider id {pid!r} may hold only letters, digits, '.', '_' and '-'"))
            bad = True
        elif pid in seen:
            problems.append(Problem(shown, line, f"duplicate provider id {pid!r} (first on line {seen[pid]})"))
            bad = True
        if pid and pid not in seen:
            seen[pid] = line
        if not bad:
            providers.append(Provider(line=line, **{k: (values.get(k) or None) for k in COLUMNS}))  # type: ignore[arg-type]
    if problems:
        raise RosterError(problems)
    if not providers:
        raise RosterError([Problem(shown, None, "roster holds no providers")])
    return tuple(providers)


def find_provider(providers: tuple[Provider, ...], provider_id: str, roster_path: Path) -> Provider:
    """The provider with `provider_id`, or a RosterError naming the roster."""
    for provider in providers:
        if provider.id == provider_id:
            return provider
    ids = [p.id for p in providers]
    raise RosterError([Problem(display_path(roster_path), None,
                               f"no provider with id {provider_id!r}{did_you_mean(provider_id, ids)}")])
