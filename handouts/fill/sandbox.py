"""Jinja2's sandbox as handout fields use it: what a field may say, and filling it in.

Everything here imports Jinja2; `templates` imports this module only when a
field holds template syntax and its facts or filling are not already in
lint's cache, so a lint whose templated fields have not changed never loads
Jinja2. The facts of a field (`analyze`) are plain data for that cache: the
variables it uses, and its problems by template line, which `templates`
places at file lines.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, nodes
from jinja2.exceptions import SecurityError, UndefinedError

from ..errors import UNKNOWN_VARIABLE
from . import bounded
from .bounded import BoundedEnvironment

from .templates import (
    _HINTS,
    VARIABLES,
    Namespace,
    markdown_literal,
    plain_literal,
)

# Handout text needs variables, defaults and a few case filters, not a
# programming language: loops, macros, includes and calls are refused before
# anything runs. What may run is bounded by fill.bounded's CONTENT profile
# (its filters, value sizes, arithmetic and time).
ALLOWED_FILTERS = bounded.CONTENT.filters
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


def _environment(finalize) -> BoundedEnvironment:
    env = bounded.environment(bounded.CONTENT, undefined=_Missing, finalize=finalize, autoescape=False,
                              keep_trailing_newline=True)
    env.tests.clear()
    env.tests.update({"defined": lambda v: not isinstance(v, _Missing), "undefined": lambda v: isinstance(v, _Missing)})
    return env


class Sandbox:
    """The two sandboxed environments: Markdown fields (values escaped as Markdown) and plain ones."""

    def __init__(self) -> None:
        self.markdown = _environment(markdown_literal)
        self.plain = _environment(plain_literal)

    def env(self, markdown: bool) -> BoundedEnvironment:
        """The environment for a Markdown field or a plain one."""
        return self.markdown if markdown else self.plain


def analyze(sandbox: Sandbox, text: str, markdown: bool) -> tuple[dict, Any]:
    """What a field with template syntax uses and what is wrong with it, as plain data; and the field compiled.

    {"ok": whether it can be filled, "problems": [[template line or None,
    word to find or None, message]], "names": [variables read],
    "variables": ["provider.name", "today"...]}; an unknown variable's
    problem has a fourth item, its code (errors.UNKNOWN_VARIABLE). A field with a syntax error
    or a refused construct is not ok, and its compiled form is None; one
    with an unknown variable is ok (filling it fails at that variable).
    """
    env = sandbox.env(markdown)
    try:
        tree = env.parse(text)
        template = env.from_string(tree)  # compiled: a mistake Jinja2 finds only here is reported now
    except TemplateSyntaxError as exc:
        return _refused([[exc.lineno or 1, None, f"template error: {exc.message}"]]), None
    except TemplateError as exc:
        return _refused([[None, None, f"template error: {exc.message or exc}"]]), None
    except RecursionError:
        return _refused([[None, None, "template error: expressions are nested too deeply"]]), None
    variables = sorted(used_variables(tree))
    refused = [[node.lineno, None, f"{_REFUSED_NODES.get(type(node), 'this')} are not allowed in handout text; "
                                   "use {{ variable }}, | default(...) and {% if %}"]
               for node in tree.find_all(tuple(_REFUSED_NODES))]
    if refused:
        return {**_refused(refused), "variables": variables}, None
    names = sorted({n.name for n in tree.find_all(nodes.Name) if n.ctx == "load"})
    assigned = {n.name for n in tree.find_all(nodes.Name) if n.ctx in ("store", "param")}
    problems = []
    for node in tree.find_all((nodes.Name, nodes.Getattr, nodes.Getitem)):
        message = _unknown_use(node, assigned)
        if message:
            needle = getattr(node, "name", None) or getattr(node, "attr", None)
            problems.append([node.lineno, needle, *message])
    return {"ok": True, "problems": problems, "names": names, "variables": variables}, template


def _refused(problems: list) -> dict:
    return {"ok": False, "problems": problems, "names": [], "variables": []}


@lru_cache(maxsize=1)
def _parser() -> BoundedEnvironment:
    return bounded.environment(bounded.CONTENT)


def variables_of(text: str) -> set[str]:
    """The variables a field reads, from parsing it alone (none for a syntax error, which its check reports)."""
    try:
        tree = _parser().parse(text)  # parsing only: nothing runs
    except TemplateSyntaxError:
        return set()
    return used_variables(tree)


def used_variables(tree: nodes.Template) -> set[str]:
    """The variables a parsed field reads, as `provider.name` or `today`."""
    used = set()
    inner = set()
    for node in tree.find_all(nodes.Getattr):
        if isinstance(node.node, nodes.Name):
            used.add(f"{node.node.name}.{node.attr}")
            inner.add(id(node.node))
    for node in tree.find_all(nodes.Name):
        if node.ctx == "load" and id(node) not in inner:
            used.add(node.name)
    return used


def _unknown_use(node: nodes.Node, assigned: set[str]) -> tuple[str] | tuple[str, str] | None:
    """What is wrong with one use of a name: (message,) or, for an unknown variable, (message, its code)."""
    if isinstance(node, nodes.Name):
        if node.ctx == "load" and node.name not in VARIABLES and node.name not in assigned:
            return f"unknown variable '{node.name}'; known: {', '.join(VARIABLES)}", UNKNOWN_VARIABLE
        return None
    if isinstance(node, nodes.Getattr):
        if node.attr.startswith("_"):
            return (f"unsafe attribute '{node.attr}'",)
        if isinstance(node.node, nodes.Name) and node.node.name not in assigned:
            fields = VARIABLES.get(node.node.name)
            if fields is not None and node.attr not in fields:
                return (f"unknown variable '{node.node.name}.{node.attr}'; {node.node.name} has: {', '.join(fields)}",
                        UNKNOWN_VARIABLE)
        return None
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
        if node.arg.value.startswith("_"):
            return (f"unsafe attribute '{node.arg.value}'",)
    return None


class FillError(Exception):
    """A field that failed to fill: its template line, a word to find on it, and why."""

    def __init__(self, line: int, needle: str | None, message: str):
        super().__init__(message)
        self.line, self.needle, self.message = line, needle, message


def fill(template, context: dict) -> str:
    """Render a compiled field; FillError says where and why it failed."""
    try:
        return template.render(context)
    except (UndefinedError, SecurityError, TemplateError, TypeError, ValueError,
            ArithmeticError, OverflowError, RecursionError) as exc:
        reason = "unsafe template expression" if isinstance(exc, SecurityError) else "template error"
        detail = getattr(exc, "message", None) or str(exc)
        quoted = re.search(r"'([^']+)'", detail)
        needle = quoted.group(1).split(".")[-1] if quoted else None
        raise FillError(_template_line(exc), needle, f"{reason}: {detail}") from None


def unset_attributes(template, context: dict, label: str) -> list[tuple[str, int]]:
    """(attribute, template line) of every `label.x` the field needs that `context` leaves unset.

    Rendering stops at the first unset value, so each one found is set to a
    stand-in and the field rendered again, until it renders or fails for
    another reason (reported when it is filled).
    """
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
            found.append((match.group(1), _template_line(exc)))
            values[match.group(1)] = "-"
        except Exception:  # noqa: BLE001 - any other template error is reported when filling
            break
    return found


def _template_line(exc: BaseException) -> int:
    """The template line an exception was raised on, from Jinja's rewritten traceback."""
    return bounded.template_frame(exc)[1] or 1
