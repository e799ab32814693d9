"""Filling a handout's text fields, which are Jinja2 templates.

Templates run in Jinja2's sandbox with no globals, so a section can reach the
handout's variables and nothing else. Variable values are data: each one is
escaped for the field it lands in (Markdown bodies get every punctuation mark
backslash-escaped), so a provider called `*Sons* [x](http://y)` prints as
written instead of turning into italics and a link.
"""

from __future__ import annotations

import datetime as dt
import re
import traceback
from collections.abc import Iterable, Mapping
from typing import Any

from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, nodes
from jinja2.exceptions import SecurityError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment

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
_MARKDOWN_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


class Namespace(dict):
    """A template variable whose attributes are the given values.

    Unset values are left out, so `| default(...)` works for them and a bare
    use fails with a message that names the variable.
    """

    def __init__(self, label: str, values: Mapping[str, Any]):
        super().__init__({k: v for k, v in values.items() if v is not None and v != ""})
        self.label = label


class _Missing(StrictUndefined):
    """StrictUndefined whose message names `provider.phone`, not 'dict object'."""

    __slots__ = ()

    @property
    def _undefined_message(self) -> str:
        obj = self._undefined_obj
        if isinstance(obj, Namespace):
            hint = _HINTS.get(obj.label, "")
            hint = hint % self._undefined_name if "%s" in hint else hint
            return f"'{obj.label}.{self._undefined_name}' is not set: {hint}"
        return super()._undefined_message


def markdown_literal(value: Any) -> str:
    """A variable's value as Markdown that prints exactly that text."""
    text = " ".join(str(value).split())
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", text)


def plain_literal(value: Any) -> str:
    """A variable's value in a plain-text field: one line, as written."""
    return " ".join(str(value).split())


# Handout text needs variables, defaults and a few case filters, not a
# programming language: loops, macros, includes and calls are refused before
# anything runs, which also closes the doors to runaway loops and memory
# bombs (' '.center(10**10), '%9999999999d' % 1).
ALLOWED_FILTERS = ("default", "d", "upper", "lower", "title", "capitalize", "trim", "replace", "length",
                   "round", "int", "string")
_REFUSED_NODES: dict[type, str] = {
    nodes.For: "{% for %} loops",
    nodes.Macro: "macros",
    nodes.CallBlock: "{% call %} blocks",
    nodes.FilterBlock: "{% filter %} blocks",
    nodes.Include: "{% include %}",
    nodes.Import: "{% import %}",
    nodes.FromImport: "{% from ... import %}",
    nodes.Extends: "{% extends %}",
    nodes.Block: "{% block %}",
    nodes.With: "{% with %}",
    nodes.Call: "calling functions or methods",
}


def _capped_replace(value, old, new, count=None):
    text = str(value)
    old, new = str(old), str(new)
    grows = text.count(old) if old else len(text) + 1
    if len(text) + grows * max(len(new) - len(old), 0) > MAX_OUTPUT:
        raise SecurityError("replace() would make the text too long")
    return text.replace(old, new) if count is None else text.replace(old, new, count)


class _Sandbox(SandboxedEnvironment):
    # Intercept the operators that can build huge values from a short
    # template ('x' * 10**9, 9**9**9, '%99999999s' % x) and cap them.
    intercepted_binops = frozenset({"*", "**", "%"})

    def call_binop(self, context, operator, left, right):  # noqa: ANN001 - Jinja's signature
        if operator == "%" and isinstance(left, str):
            raise SecurityError("printf-style % formatting is not allowed")
        if operator == "**" and (abs(_num(left)) > 1000 or abs(_num(right)) > 64):
            raise SecurityError("the power is too large")
        if operator == "*":
            size = max(len(left) if isinstance(left, (str, list)) else 1,
                       len(right) if isinstance(right, (str, list)) else 1)
            count = right if isinstance(left, (str, list)) else left
            if isinstance(count, int) and size * abs(count) > MAX_OUTPUT:
                raise SecurityError("the repeated text is too long")
        return super().call_binop(context, operator, left, right)


def _num(value: Any) -> float:
    return value if isinstance(value, (int, float)) else 0


def _environment(finalize) -> SandboxedEnvironment:
    env = _Sandbox(undefined=_Missing, finalize=finalize, autoescape=False, keep_trailing_newline=True)
    # No globals: range, cycler, joiner, lipsum and namespace are doors out.
    env.globals.clear()
    kept = {name: env.filters[name] for name in ALLOWED_FILTERS if name in env.filters}
    kept["replace"] = _capped_replace
    env.filters.clear()
    env.filters.update(kept)
    env.tests.clear()
    env.tests.update({"defined": lambda v: not isinstance(v, _Missing), "undefined": lambda v: isinstance(v, _Missing)})
    return env


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
    """Compiles a handout's template fields once and renders them per reader.

    A batch renders the same fields for hundreds of providers; compiling
    once and keeping the compiled templates here is what makes that cheap.
    """

    def __init__(self) -> None:
        self._markdown = _environment(markdown_literal)
        self._plain = _environment(plain_literal)
        self._compiled: dict[SourceText, Any] = {}
        self._names: set[str] = set()

    def uses(self, name: str) -> bool:
        """Whether any checked field uses the variable `name` (e.g. `today`)."""
        return name in self._names

    def _env(self, src: SourceText) -> SandboxedEnvironment:
        return self._markdown if src.markdown else self._plain

    def check(self, sources: Iterable[SourceText]) -> list[Problem]:
        """Compile every field and check the variables it uses.

        Returns syntax errors, unknown variables and unsafe attribute access
        with their file and line, without rendering anything.
        """
        problems: list[Problem] = []
        for src in sources:
            problems.extend(self._check_one(src))
        return problems

    def _check_one(self, src: SourceText) -> list[Problem]:
        if not any(mark in src.text for mark in _SYNTAX):
            # Most fields are plain text: nothing to parse, compile or check.
            self._compiled[src] = _Text(src.text)
            return []
        shown = display_path(src.path)
        env = self._env(src)
        try:
            tree = env.parse(src.text)
            self._compiled[src] = env.from_string(tree)
        except TemplateSyntaxError as exc:
            return [Problem(shown, src.where(exc.lineno or 1), f"{src.field}: template error: {exc.message}")]
        except TemplateError as exc:
            return [Problem(shown, src.line, f"{src.field}: template error: {exc.message or exc}")]
        except RecursionError:
            return [Problem(shown, src.line, f"{src.field}: template error: expressions are nested too deeply")]
        problems = []
        for node in tree.find_all(tuple(_REFUSED_NODES)):
            what = _REFUSED_NODES[type(node)] if type(node) in _REFUSED_NODES else "this"
            problems.append(Problem(shown, src.where(node.lineno), f"{src.field}: {what} are not allowed in "
                                    "handout text; use {{ variable }}, | default(...) and {% if %}"))
        if problems:
            self._compiled.pop(src, None)
            return problems
        self._names.update(n.name for n in tree.find_all(nodes.Name) if n.ctx == "load")
        assigned = {n.name for n in tree.find_all(nodes.Name) if n.ctx in ("store", "param")}
        for node in tree.find_all((nodes.Name, nodes.Getattr, nodes.Getitem)):
            message = _unknown_use(node, assigned)
            if message:
                needle = getattr(node, "name", None) or getattr(node, "attr", None)
                problems.append(Problem(shown, src.where(node.lineno, needle), f"{src.field}: {message}"))
        return problems

    def render(self, src: SourceText, context: Mapping[str, Any]) -> str:
        """Fill one field; a template mistake raises ContentError at its line."""
        template = self._compiled.get(src)
        if template is None:
            problems = self._check_one(src)
            if problems:
                raise ContentError(problems)
            template = self._compiled[src]
        try:
            text = template.render(context)
        except (UndefinedError, SecurityError, TemplateError, TypeError, ValueError,
                ArithmeticError, OverflowError, RecursionError) as exc:
            line = _template_line(exc)
            reason = "unsafe template expression" if isinstance(exc, SecurityError) else "template error"
            detail = getattr(exc, "message", None) or str(exc)
            quoted = re.search(r"'([^']+)'", detail)
            needle = quoted.group(1).split(".")[-1] if quoted else None
            raise ContentError([Problem(display_path(src.path), src.where(line, needle),
                                        f"{src.field}: {reason}: {detail}")]) from None
        if len(text) > MAX_OUTPUT:
            raise ContentError([Problem(display_path(src.path), src.line, f"{src.field}: the filled-in text is over {MAX_OUTPUT:,} characters")])
        return text


    def unset_uses(self, src: SourceText, context: Mapping[str, Any], label: str) -> list[tuple[str, int]]:
        """(attribute, file line) of every `label.x` the field needs that `context` leaves unset.

        Rendering stops at the first unset value, so each one found is set
        to a stand-in and the field rendered again, until it renders or
        fails for another reason (reported when it is filled).
        """
        template = self._compiled.get(src)
        if template is None:
            return []
        values = dict(context[label])
        found: list[tuple[str, int]] = []
        for _ in range(len(VARIABLES.get(label) or ()) + 1):
            trial = {**context, label: Namespace(label, values)}
            try:
                template.render(trial)
                break
            except UndefinedError as exc:
                match = re.match(rf"'{label}\.(\w+)' is not set", getattr(exc, "message", None) or "")
                if not match or match.group(1) in values:
                    break
                found.append((match.group(1), src.where(_template_line(exc), match.group(1))))
                values[match.group(1)] = "-"
            except Exception:  # noqa: BLE001 - any other template error is reported when filling
                break
        return found


def _unknown_use(node: nodes.Node, assigned: set[str]) -> str | None:
    if isinstance(node, nodes.Name):
        if node.ctx == "load" and node.name not in VARIABLES and node.name not in assigned:
            return f"unknown variable '{node.name}'; known: {', '.join(VARIABLES)}"
        return None
    if isinstance(node, nodes.Getattr):
        if node.attr.startswith("_"):
            return f"unsafe attribute '{node.attr}'"
        if isinstance(node.node, nodes.Name) and node.node.name not in assigned:
            fields = VARIABLES.get(node.node.name)
            if fields is not None and node.attr not in fields:
                return f"unknown variable '{node.node.name}.{node.attr}'; {node.node.name} has: {', '.join(fields)}"
        return None
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
        if node.arg.value.startswith("_"):
            return f"unsafe attribute '{node.arg.value}'"
    return None


def _template_line(exc: BaseException) -> int:
    """The template line an exception was raised on, from Jinja's rewritten traceback."""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename == "<template>" and frame.lineno:
            return frame.lineno
    return 1


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
