"""Spreadsheet exports (CSV) read as rows with their line numbers.

Clinic staff export rosters and patient lists from Excel, Numbers or an
EHR: in much of Europe Excel separates fields with `;`, other tools use a
tab, and Windows tools add a byte-order mark. The delimiter is taken from
the header line; every row with a problem is reported, not just the first,
so a file is fixed in one pass. Any loader of a CSV file (the provider
roster, the patients file) reads it through `read_table`.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from ..errors import Problem, display_path
from .yamlfile import MAX_BYTES, YamlReadError, read_text

DELIMITERS = (",", ";", "\t")
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}


class TableError(Exception):
    """The file cannot be read as a table at all; carries its located problems."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = tuple(problems)


@dataclass(frozen=True)
class Row:
    """One data row: the file line it starts on and its values by column."""

    line: int
    values: dict[str, str]


@dataclass(frozen=True)
class Table:
    """A CSV file's header, its well-formed rows, and the rows that were not.

    `problems` holds rows with the wrong number of fields or broken quoting;
    such rows are left out of `rows`, so a loader can validate the rest and
    report everything together.
    """

    path: Path
    header: tuple[str, ...]
    delimiter: str
    rows: tuple[Row, ...]
    problems: tuple[Problem, ...]

    @property
    def shown(self) -> str:
        """The path as messages show it."""
        return display_path(self.path)

    @property
    def delimiter_name(self) -> str:
        """'comma', 'semicolon' or 'tab'."""
        return _DELIMITER_NAMES[self.delimiter]


def sniff_delimiter(header_line: str) -> str:
    """The delimiter of a CSV file, judged from its header line.

    The header is the one line whose fields are known to be short names
    with no delimiters inside, so the candidate that splits it into the
    most fields is the file's delimiter; a one-column file is comma-separated.
    """
    best, best_count = ",", 1
    for candidate in DELIMITERS:
        try:
            fields = next(csv.reader([header_line], delimiter=candidate), [])
        except csv.Error:
            continue
        if len(fields) > best_count:
            best, best_count = candidate, len(fields)
    return best


def read_table(path: Path, *, what: str = "table", max_bytes: int = MAX_BYTES) -> Table:
    """Read a CSV file (`,`, `;` or tab separated; UTF-8 with or without BOM).

    Header names are stripped and lower-cased. Raises TableError when the
    file is missing, not UTF-8 ("save the file as UTF-8"), binary, too big,
    or has no header; rows with the wrong number of fields or broken quoting
    come back in `Table.problems`, every one of them, each at its line.
    """
    path = Path(path)
    try:
        text = read_text(path, max_bytes=max_bytes, what=what)
    except YamlReadError as exc:
        raise TableError([exc.problem]) from None
    shown = display_path(path)
    first_line = text.split("\n", 1)[0].rstrip("\r")
    delimiter = sniff_delimiter(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise TableError([Problem(shown, 1, f"cannot read the header row: {exc}")]) from None
    if not header or not any(h.strip() for h in header):
        raise TableError([Problem(shown, 1, f"{what} is empty; the first line must name the columns")])
    names = tuple(h.strip().lower() for h in header)
    rows: list[Row] = []
    problems: list[Problem] = []
    line = reader.line_num
    while True:
        start = line + 1
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            # The reader resumes on the next line: report the row and go on.
            problems.append(Problem(shown, start, f"cannot read this row: {exc}; "
                                                  "check its quotes (\"...\") are closed"))
            if reader.line_num <= line:
                break
            line = reader.line_num
            continue
        line = reader.line_num
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(names):
            problems.append(Problem(shown, start, _field_count_message(len(values), len(names), delimiter)))
            continue
        rows.append(Row(line=start, values=dict(zip(names, values))))
    return Table(path=path, header=names, delimiter=delimiter, rows=tuple(rows), problems=tuple(problems))


def _field_count_message(found: int, expected: int, delimiter: str) -> str:
    name = _DELIMITER_NAMES[delimiter]
    hint = (f"; a value holding a {name} must be in double quotes"
            if found > expected else "; is a value or a separator missing?")
    fields = "field" if found == 1 else "fields"
    return f"row has {found} {fields}; the header has {expected}{hint}"
