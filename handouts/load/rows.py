"""Rows of a roster-like file: a CSV export or a YAML list of mappings.

The provider roster and the patients file are both tables of named
columns; this reads either form, checks the header or keys against the
columns a loader expects, and returns every row with its line number and
every problem found, so the loader can validate the rest and report
everything at once.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import HandoutError, Problem
from .fields import describe, did_you_mean
from .table import TableError, read_table
from .yamlfile import YamlReadError, load_yaml


def read_rows(path: Path, *, columns: tuple[str, ...], required: tuple[str, ...], what: str, noun: str,
              error: type[HandoutError]) -> tuple[list[tuple[int, dict]], list[Problem]]:
    """(line, {column: text}) rows of a .csv, or of a .yaml/.yml list, and the problems found.

    `what` names the file in messages ("roster"), `noun` one row
    ("provider"). A header that is wrong, or a file that cannot be read as
    a table, is raised at once as `error`: rows cannot be judged without it.
    """
    path = Path(path)
    if path.suffix.lower() in (".yaml", ".yml"):
        return _yaml_rows(path, columns, what, noun, error)
    return _csv_rows(path, columns, required, what, error)


def _csv_rows(path: Path, columns, required, what: str, error) -> tuple[list[tuple[int, dict]], list[Problem]]:
    try:
        table = read_table(path, what=what)
    except TableError as exc:
        raise error(list(exc.problems)) from None
    shown = table.shown
    problems = []
    for column in table.header:
        if column not in columns:
            problems.append(Problem(shown, 1, f"unknown column '{column}'{did_you_mean(column, columns)}; "
                                              f"columns are {','.join(columns)}"))
    for column in required:
        if column not in table.header:
            problems.append(Problem(shown, 1, f"missing required column '{column}'"))
    if len(set(table.header)) != len(table.header):
        problems.append(Problem(shown, 1, "a column appears twice in the header"))
    if problems:
        # Rows cannot be judged against a header that is wrong.
        raise error(problems)
    return [(row.line, row.values) for row in table.rows], list(table.problems)


def _yaml_rows(path: Path, columns, what: str, noun: str, error) -> tuple[list[tuple[int, dict]], list[Problem]]:
    try:
        doc = load_yaml(path, what=what)
    except YamlReadError as exc:
        raise error([exc.problem]) from None
    if not isinstance(doc.data, list):
        raise error([doc.problem(f"a YAML {what} must be a list of {noun}s, found {describe(doc.data)}")])
    rows, problems = [], []
    for index, entry in enumerate(doc.data):
        line = doc.line(index) or 0
        if not isinstance(entry, dict):
            problems.append(Problem(doc.shown, line, f"each {noun} must be a mapping of keys, found {describe(entry)}"))
            continue
        row, before = {}, len(problems)
        for key, value in entry.items():
            if key not in columns:
                problems.append(Problem(doc.shown, doc.line(index, key), f"unknown key '{key}'{did_you_mean(str(key), columns)}"))
            elif value is not None and not isinstance(value, str):
                problems.append(Problem(doc.shown, doc.line(index, key), f"'{key}' must be text, found {describe(value)}"))
            else:
                row[key] = value or ""
        if len(problems) == before:
            # A misspelt or mistyped key would also read as a missing one: say it once.
            rows.append((line, row))
    return rows, problems
