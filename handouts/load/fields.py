"""Typed reading of YAML mappings that collects every problem it meets.

Each loader (manifest, section, brand, layout, roster) describes its keys
through a `Fields` reader; wrong types, missing keys and unknown keys become
located problems, and the loader raises once at the end with all of them.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from ..errors import HandoutError, Problem
from .paths import resolve_named
from .reading import file_kind
from .yamlfile import Key, YamlDoc, YamlReadError, load_yaml


def describe(value: Any) -> str:
    """Name a YAML value's type the way a content editor would."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"true/false ({str(value).lower()})"
    if isinstance(value, (int, float)):
        return f"a number ({value})"
    if isinstance(value, (dt.date, dt.datetime)):
        return f"a date ({value})"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping of keys"
    return type(value).__name__


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A ' (did you mean "x"?)' hint, or '' when nothing is close."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f' (did you mean "{close[0]}"?)' if close else ""


class Fields:
    """Reader for one mapping inside a YAML document."""

    def __init__(self, doc: YamlDoc, problems: list[Problem], key: Key = (), what: str = "file"):
        self.doc = doc
        self.problems = problems
        self.key = key
        value = doc.data
        for part in key:
            value = value[part]
        self.ok = isinstance(value, dict)
        if not self.ok:
            self.fail(f"{what} must be a mapping of keys, found {describe(value)}")
            value = {}
        self.mapping: dict[Any, Any] = value

    @classmethod
    def open(cls, path: Path, what: str, error: type[HandoutError]) -> Fields:
        """Read a YAML file that must hold a mapping; raise `error` if it cannot be read.

        The returned reader's `problems` list collects everything found next.
        """
        try:
            doc = load_yaml(path, what=what)
        except YamlReadError as exc:
            raise error([exc.problem]) from None
        problems: list[Problem] = []
        fields = cls(doc, problems, what=f"a {what}")
        if not fields.ok:
            raise error(problems)
        return fields

    def path(self, key: tuple, value: Any, what: str, *, allow_outside: bool, must_exist: bool) -> Path | None:
        """A file path written at `key`, resolved beside this file and kept inside its folder."""
        if not isinstance(value, str) or not value.strip():
            self.problems.append(self.doc.problem(f"{what} must be a file path, found {describe(value)}", *key))
            return None
        resolved, refusal = resolve_named(value, relative_to=self.doc.path, fence=self.doc.path.parent,
                                          allow_outside=allow_outside)
        if refusal:
            self.problems.append(self.doc.problem(refusal, *key))
            return None
        if must_exist and not resolved.is_file():
            try:
                found = f"is {file_kind(resolved.stat().st_mode)}, not a file"
            except OSError:
                found = "not found"
            self.problems.append(self.doc.problem(f"{what} '{value}' {found}", *key))
            return None
        return resolved

    def fail(self, message: str, *name: Any) -> None:
        """Record a problem at `name` inside this mapping (or at the mapping)."""
        self.problems.append(self.doc.problem(message, *self.key, *name))

    def label(self, name: Any) -> str:
        """Dotted key path for messages, e.g. `color.palette.blue`."""
        label = ""
        for part in (*self.key, name):
            label += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if label else str(part))
        return label

    def has(self, name: str) -> bool:
        """Whether the key is present with a non-null value."""
        return self.mapping.get(name) is not None

    def raw(self, name: str) -> Any:
        """The value as loaded, unchecked."""
        return self.mapping.get(name)

    def line(self, name: Any) -> int | None:
        """Line of the value at `name`."""
        return self.doc.line(*self.key, name)

    def text(self, name: str, *, required: bool = False, allow_empty: bool = False) -> str | None:
        """A text value; numbers and other types are refused, not coerced."""
        value = self.mapping.get(name)
        if value is None:
            if required:
                self.fail(f"missing required key '{self.label(name)}'")
            return None
        if not isinstance(value, str):
            hint = ' (put it in quotes, e.g. "1.0")' if isinstance(value, (int, float)) else ""
            self.fail(f"'{self.label(name)}' must be text, found {describe(value)}{hint}", name)
            return None
        if not allow_empty and not value.strip():
            self.fail(f"'{self.label(name)}' is empty", name)
            return None
        return value

    def checked(self, name: str, check: Callable[[str], object]) -> str | None:
        """A text value that `check` (one of load.outbound's) accepts; else its reason, located, and None."""
        from .outbound import UnsafeValue

        value = self.text(name)
        if value is None:
            return None
        try:
            check(value)
        except UnsafeValue as exc:
            self.fail(f"'{self.label(name)}' {exc.reason}", name)
            return None
        return value

    def date(self, name: str, *, required: bool = False) -> dt.date | None:
        """A calendar date written as YYYY-MM-DD."""
        value = self.mapping.get(name)
        if value is None:
            if required:
                self.fail(f"missing required key '{self.label(name)}' (a date, YYYY-MM-DD)")
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        self.fail(f"'{self.label(name)}' must be a date written YYYY-MM-DD, found {describe(value)}", name)
        return None

    def number(self, name: str, *, low: float, high: float) -> float | None:
        """A number within [low, high]; text such as '12pt' is accepted."""
        value = self.mapping.get(name)
        if value is None:
            return None
        if isinstance(value, str):
            stripped = value.strip().lower().removesuffix("pt").strip()
            try:
                value = float(stripped)
            except ValueError:
                pass
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.fail(f"'{self.label(name)}' must be a number, found {describe(value)}", name)
            return None
        if not low <= value <= high:
            self.fail(f"'{self.label(name)}' must be between {low:g} and {high:g}, found {value:g}", name)
            return None
        return float(value)

    def choice(self, name: str, options: Iterable[str], *, required: bool = False) -> str | None:
        """Text that must be one of `options`."""
        options = list(options)
        value = self.text(name, required=required)
        if value is None:
            return None
        if value not in options:
            self.fail(
                f"'{self.label(name)}' is {value!r}; expected one of: {', '.join(options)}"
                f"{did_you_mean(value, options)}",
                name,
            )
            return None
        return value

    def sub(self, name: str) -> Fields | None:
        """Reader for a nested mapping, or None when the key is absent."""
        if self.mapping.get(name) is None:
            return None
        sub = Fields(self.doc, self.problems, (*self.key, name), what=f"'{self.label(name)}'")
        return sub if sub.ok else None

    def items(self, name: str, *, required: bool = False) -> list[Any] | None:
        """A list value."""
        value = self.mapping.get(name)
        if value is None:
            if required:
                self.fail(f"missing required key '{self.label(name)}' (a list)")
            return None
        if not isinstance(value, list):
            self.fail(f"'{self.label(name)}' must be a list, found {describe(value)}", name)
            return None
        return value

    def unknown(self, allowed: Iterable[str]) -> None:
        """Report every key not in `allowed`, with a did-you-mean hint."""
        allowed = list(allowed)
        for name in self.mapping:
            if name not in allowed:
                self.fail(f"unknown key '{self.label(name)}'{did_you_mean(str(name), allowed)}", name)
