"""Filling a handout's text fields, which are Jinja2 templates.

Templates run in Jinja2's sandbox with no globals (`sandbox`), so a section
can reach the handout's variables and nothing else. Variable values are data:
each one is escaped for the field it lands in (Markdown bodies get every
punctuation mark backslash-escaped), so a provider called `*Sons* [x](http://y)`
prints as written instead of turning into italics and a link.

Jinja2 is imported only for a field with template syntax, and in a lint that
keeps a cache only for one whose facts or filling it has not kept before.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from ..errors import ContentError, Problem, display_path
from ..sections.model import SourceText

# What each variable offers; a name outside this map is a typo or a probe.
VARIABLES: dict[str, tuple[str, ...] | None] = {
    "clinic": ("name", "link", "phone", "email", "address"),
    "provider": ("id", "name", "credentials", "phone", "email", "location"),
    "patient": ("name",),
    "handout": ("id", "title", "version", "reviewed", "review_due"),
    "today": None,
}
_HINTS = {
    "clinic": "set it under defaults.handouts (phone, email, address) or meta (name, link) in the brand file",
    "provider": "no provider was chosen (use --providers and --provider), or write "
                "{{ provider.%s | default(\"...\") }}",
    "patient": "no patient name was given (use --patient-name), or write {{ patient.%s | default(\"...\") }}",
    "handout": "the manifest does not set it",
}
MAX_OUTPUT = 400_000
# Refused in every field, with template syntax or without, in lint and build alike.
TOO_LONG = f"the filled-in text is over {MAX_OUTPUT:,} characters"
_MARKDOWN_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


class Namespace(dict):
    """A template variable whose attributes are the given values.

    Unset values are left out, so `| default(...)` works for them and a bare
    use fails with a message that names the variable.
    """

    def __init__(self, label: str, values: Mapping[str, Any]):
        super().__init__({k: v for k, v in values.items() if v is not None and v != ""})
        self.label = label


def markdown_literal(value: Any) -> str:
    """A variable's value as Markdown that prints exactly that text."""
    text = " ".join(str(value).split())
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", text)


def plain_literal(value: Any) -> str:
    """A variable's value in a plain-text field: one line, as written."""
    return " ".join(str(value).split())


# Where Jinja2 sees anything but text ("\r" too: its lexer turns line ends into "\n").
_SYNTAX = ("{{", "{%", "{#", "\r")


class _Text:
    """A field with no template syntax, which fills to exactly its text (as Jinja2 would render it)."""

    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = text

    def render(self, context: Mapping[str, Any]) -> str:
        """The text itself, whoever reads it."""
        return self.text


class Templates:
    """Checks a handout's template fields, compiles each once and fills them per reader.

    A batch renders the same fields for hundreds of providers; compiling
    once and keeping the compiled templates here is what makes that cheap.
    In a lint that keeps a cache, a field's facts (variables, problems) and
    its filling with the same values are read back from it instead, and
    Jinja2 is not imported for them.
    """

    def __init__(self) -> None:
        self._sandbox = None
        self._compiled: dict[SourceText, Any] = {}
        self._checked: set[SourceText] = set()
        self._facts_of: dict[SourceText, dict] = {}
        self._names: set[str] = set()

    def uses(self, name: str) -> bool:
        """Whether any checked field uses the variable `name` (e.g. `today`)."""
        return name in self._names

    def check(self, sources: Iterable[SourceText]) -> list[Problem]:
        """Check every field: its syntax, what it is allowed to do and the variables it uses.

        Returns syntax errors, unknown variables and unsafe attribute access
        with their file and line, without rendering anything.
        """
        problems: list[Problem] = []
        for src in sources:
            problems.extend(self._check_one(src))
        return problems

    def _check_one(self, src: SourceText) -> list[Problem]:
        self._checked.add(src)
        if not has_template_syntax(src.text):
            # Most fields are plain text: nothing to parse, compile or check.
            if len(src.text) > MAX_OUTPUT:
                return [Problem(display_path(src.path), src.line, f"{src.field}: {TOO_LONG}")]
            self._compiled[src] = _Text(src.text)
            return []
        facts = self._facts(src)
        if facts["ok"]:
            self._names.update(facts["names"])
        return self._problems(src, facts)

    @staticmethod
    def _problems(src: SourceText, facts: dict) -> list[Problem]:
        shown = display_path(src.path)
        return [Problem(shown, src.where(line, needle) if line else src.line, f"{src.field}: {message}", *code)
                for line, needle, message, *code in facts["problems"]]

    def _facts(self, src: SourceText) -> dict:
        """What `sandbox.analyze` says of a field with template syntax, worked out once (and kept by lint)."""
        from ..load.cache import remember

        def analyze() -> dict:
            facts, template = _sandbox().analyze(self._the_sandbox(), src.text, src.markdown)
            if template is not None:
                self._compiled[src] = template  # compiled to be checked: kept for filling
            return facts

        facts = self._facts_of.get(src)
        if facts is None:
            facts = self._facts_of[src] = remember("template-md" if src.markdown else "template", src.text, analyze,
                                                   load=_checked_facts)
        return facts

    def _the_sandbox(self):
        if self._sandbox is None:
            self._sandbox = _sandbox().Sandbox()
        return self._sandbox

    def _template(self, src: SourceText):
        """The compiled field (a `_Text` for plain text); ContentError for a field that cannot be filled."""
        template = self._compiled.get(src)
        if template is not None:
            return template
        if src not in self._checked:
            problems = self._check_one(src)
            if problems:
                raise ContentError(problems)
            template = self._compiled.get(src)
            if template is not None:
                return template
        facts = self._facts(src)
        if not facts["ok"]:
            raise ContentError(self._problems(src, facts))
        # Checked from lint's cache, so never compiled in this process until now.
        template = self._compiled[src] = self._the_sandbox().env(src.markdown).from_string(src.text)
        return template

    def render(self, src: SourceText, context: Mapping[str, Any]) -> str:
        """Fill one field; a template mistake raises ContentError at its line."""
        # Per field of every document of a batch: the plain-text answer first, from one lookup.
        template = self._compiled.get(src)
        if isinstance(template, _Text):
            return template.text
        if template is None and not has_template_syntax(src.text) and len(src.text) <= MAX_OUTPUT:
            self._checked.add(src)
            self._compiled[src] = _Text(src.text)
            return src.text
        from ..load.cache import current

        cache = current()
        if cache is None:
            return self._finish(src, self._outcome(src, context))
        outcome = cache.remember("filled-md" if src.markdown else "filled", f"{_values_key(context)}\0{src.text}",
                                 lambda: self._outcome(src, context), load=_checked_outcome)
        return self._finish(src, outcome)

    def _outcome(self, src: SourceText, context: Mapping[str, Any]) -> list:
        """["text", the filled text] or ["failed", template line or None, word to find, why]: as lint keeps it.

        A field that cannot be filled at all (its check's problems) raises
        ContentError instead: those problems come from its facts.
        """
        template = self._template(src)
        if isinstance(template, _Text):
            return ["text", template.text]
        sandbox = _sandbox()
        try:
            text = sandbox.fill(template, context)
        except sandbox.FillError as exc:
            return ["failed", exc.line, exc.needle, exc.message]
        if len(text) > MAX_OUTPUT:
            return ["failed", None, None, TOO_LONG]
        return ["text", text]

    @staticmethod
    def _finish(src: SourceText, outcome: list) -> str:
        if outcome[0] == "text":
            return outcome[1]
        _, line, needle, message = outcome
        raise ContentError([Problem(display_path(src.path), src.where(line, needle) if line else src.line,
                                    f"{src.field}: {message}")])

    def unset_uses(self, src: SourceText, context: Mapping[str, Any], label: str) -> list[tuple[str, int]]:
        """(attribute, file line) of every `label.x` the field needs that `context` leaves unset.

        Only for a checked field that can be filled; see `sandbox.unset_attributes`.
        """
        from ..load.cache import remember

        if src not in self._checked or not has_template_syntax(src.text) or not self._facts(src)["ok"]:
            return []
        found = remember(f"unset-{label}{'-md' if src.markdown else ''}", f"{_values_key(context)}\0{src.text}",
                         lambda: _sandbox().unset_attributes(self._template(src), context, label),
                         dump=lambda pairs: [list(p) for p in pairs],
                         load=lambda data: [(_text(a), _number(n)) for a, n in data])
        return [(attribute, src.where(line, attribute)) for attribute, line in found]


def _sandbox():
    """The Jinja2 half of filling, imported only when a field needs it."""
    from . import sandbox

    return sandbox


def has_template_syntax(text: str) -> bool:
    """Whether Jinja2 would see anything in `text` but text to print as it is."""
    return any(mark in text for mark in _SYNTAX)


def template_variables(src: SourceText | None) -> set[str]:
    """The variables a field uses, as `provider.name` or `today` (none for a field with a syntax error)."""
    from ..load.cache import current

    if src is None or not has_template_syntax(src.text):
        return set()  # no template syntax, no variables (most fields): nothing to parse
    if current() is None:
        return _sandbox().variables_of(src.text)  # parsing is enough: nothing to keep the compiling for
    return set(Templates()._facts(src)["variables"])  # the facts the field's check kept


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("not text")
    return value


def _number(value: Any) -> int:
    if type(value) is not int:
        raise ValueError("not a line number")
    return value


def _checked_outcome(data: Any) -> list:
    """A filling read back from lint's cache, refused unless it has the shape `_outcome` gives."""
    if isinstance(data, list) and len(data) == 2 and data[0] == "text" and isinstance(data[1], str):
        return data
    if (isinstance(data, list) and len(data) == 4 and data[0] == "failed" and (data[1] is None or type(data[1]) is int)
            and (data[2] is None or isinstance(data[2], str)) and isinstance(data[3], str)):
        return data
    raise ValueError("not a filling")


def _checked_facts(data: Any) -> dict:
    """A field's facts read back from lint's cache, refused unless they have the shape `analyze` gives."""
    if not (isinstance(data, dict) and isinstance(data.get("ok"), bool)
            and all(isinstance(data.get(k), list) for k in ("problems", "names", "variables"))):
        raise ValueError("not template facts")
    for line, needle, message, *code in data["problems"]:
        if not (line is None or type(line) is int) or not (needle is None or isinstance(needle, str)) \
                or not isinstance(message, str) or not all(isinstance(c, str) for c in code) or len(code) > 1:
            raise ValueError("not template facts")
    if not all(isinstance(n, str) for n in data["names"] + data["variables"]):
        raise ValueError("not template facts")
    return data


def _values_key(context: Mapping[str, Any]) -> str:
    """The values a field is filled with, as text: what its filling depends on besides itself."""
    return json.dumps({name: [value.label, value] if isinstance(value, Namespace) else value
                       for name, value in context.items()}, sort_keys=True, default=str, ensure_ascii=False)


def template_context(*, brand, handout=None, handout_title: str | None = None, provider=None,
                     patient_name: str | None = None, today: dt.date) -> dict[str, Any]:
    """The variables every field sees, as namespaces of plain values."""
    handout_values: dict[str, Any] = {}
    if handout is not None:
        handout_values = {
            "id": handout.id,
            "title": handout_title,
            "version": handout.version,
            "reviewed": handout.reviewed.isoformat(),
            "review_due": handout.review_due.isoformat() if handout.review_due else None,
        }
    return {
        "clinic": Namespace("clinic", brand.clinic()),
        "provider": Namespace("provider", provider.variables() if provider else {}),
        "patient": Namespace("patient", {"name": patient_name}),
        "handout": Namespace("handout", handout_values),
        "today": today,
    }
