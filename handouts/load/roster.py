"""Provider rosters: a CSV export or a YAML list, validated row by row."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from pathlib import Path

from ..errors import Problem, RosterError, display_path
from .fields import did_you_mean
from .rows import read_rows

COLUMNS = ("id", "name", "credentials", "phone", "email", "location", "language")
REQUIRED = ("id", "name")
_PROVIDER_ID = re.compile(r"^[A-Za-z0-9._-]+$")
# Each file a batch writes is named `<handout id>--<provider id>.pdf`, and
# written first as `.<that name>.<random>.part`: a name holds 255 bytes.
MAX_PROVIDER_ID = 64
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")
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
    # The language this provider's copies print in (a batch's `language` column).
    language: str | None = None

    def variables(self) -> dict[str, str | None]:
        """The `provider` variable templates see."""
        values = asdict(self)
        values.pop("line")
        values.pop("language")
        return values


def load_roster(path: Path) -> tuple[Provider, ...]:
    """Load a roster (.csv, or .yaml/.yml) and report every bad row at once."""
    path = Path(path)
    rows, problems = read_rows(path, columns=COLUMNS, required=REQUIRED, what="roster", noun="provider",
                               error=RosterError)
    return _validate(path, rows, problems)


def _validate(path: Path, rows: list[tuple[int, dict]], problems: list[Problem]) -> tuple[Provider, ...]:
    shown = display_path(path)
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
        elif len(pid) > MAX_PROVIDER_ID:
            shown_id = pid if len(pid) <= 40 else pid[:37] + "..."
            problems.append(Problem(shown, line, f"provider id {shown_id!r} is {len(pid)} characters; at most "
                                                 f"{MAX_PROVIDER_ID} characters, as it is part of file names"))
            bad = True
        elif pid in seen:
            problems.append(Problem(shown, line, f"duplicate provider id {pid!r} (first on line {seen[pid]})"))
            bad = True
        if pid and pid not in seen:
            seen[pid] = line
        language = values["language"] = values.get("language", "").replace("_", "-")
        if language and not _LANGUAGE.match(language):
            problems.append(Problem(shown, line, f"'language' must be a language code such as es or es-MX, "
                                                 f"found {language!r}"))
            bad = True
        if not bad:
            providers.append(Provider(line=line, **{k: (values.get(k) or None) for k in COLUMNS}))  # type: ignore[arg-type]
    if problems:
        raise RosterError(sorted(problems, key=lambda p: (p.line or 0, p.message)))
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
