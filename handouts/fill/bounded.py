"""The one Jinja2 environment every template of handouts runs in: sandboxed and bounded.

Content fields, the HTML edition's pages (and a clinic's `html/` overrides of
them) and the e-mail subject and bodies (and a clinic's `email/` overrides)
are all compiled here, each kind with its `Profile`. Jinja2's sandbox alone
stops attribute access to internals (`cycler.__init__.__globals__`), but it
still lets a template loop for hours, build gigabytes from a short
expression and call any method of the objects it is given (a `Path` can
write files). On top of it this environment:

- gives templates no globals (`range`, `cycler`, `joiner`, `lipsum` and
  `namespace` are doors out) and only the filters of its profile;
- lets a template call only its own macros, blocks and loop helpers and the
  methods of strings and mappings that cannot grow a value;
- caps every value a template builds (string and list repetition, `+`, `~`,
  list and dict literals, `join`, `replace`, integer size);
- counts loop iterations and stops a render past the profile's iteration
  cap, output size or time.

Breaking a rule raises Jinja2's SecurityError, which every caller reports at
the template's file and line as for any other template error.
"""

from __future__ import annotations

import time
import typing as t
from contextvars import ContextVar
from copy import deepcopy
from dataclasses import dataclass

from jinja2 import StrictUndefined, nodes, pass_context
from jinja2.exceptions import SecurityError, TemplateRuntimeError
from jinja2.runtime import BlockReference, LoopContext, Macro, markup_join, str_join
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.visitor import NodeTransformer


@dataclass(frozen=True)
class Profile:
    """What one kind of template may do, and how much."""

    name: str
    filters: tuple[str, ...]
    max_value: int  # characters in any value a template builds (and roughly in what it prints of it)
    max_output: int  # characters a render may write
    max_iterations: int  # loop iterations in one render, nested loops counted in full
    seconds: float  # time one render may take


_TEXT_FILTERS = ("default", "d", "upper", "lower", "title", "capitalize", "trim", "replace", "length", "count",
                 "round", "int", "float", "string", "abs", "first", "last", "join", "list", "sort", "reverse",
                 "unique", "min", "max", "truncate", "wordcount", "batch", "dictsort", "selectattr",
                 "rejectattr", "select", "reject", "map", "striptags", "urlencode", "e", "escape")

# Handout text needs variables, defaults and a few case filters. (The
# constructs a field may use are narrowed further by fill.sandbox.)
CONTENT = Profile("content", ("default", "d", "upper", "lower", "title", "capitalize", "trim", "replace",
                              "length", "round", "int", "string"),
                  max_value=400_000, max_output=1_000_000, max_iterations=10_000, seconds=5.0)
# The HTML edition's pages and the e-mail's HTML body: the whole handout, with
# its logo and pictures as data URIs, so the output may be large.
PAGE = Profile("page", _TEXT_FILTERS, max_value=2_000_000, max_output=128_000_000, max_iterations=100_000,
               seconds=20.0)
# An e-mail's subject and plain-text body.
TEXT = Profile("text", _TEXT_FILTERS, max_value=1_000_000, max_output=1_000_000, max_iterations=100_000,
               seconds=10.0)

# Methods a template may call, by the type they belong to: none can grow a value
# past its owner's size or reach outside it.
_SAFE_METHODS: dict[type, frozenset[str]] = {
    str: frozenset({"lower", "upper", "strip", "lstrip", "rstrip", "title", "capitalize", "casefold",
                    "startswith", "endswith", "isdigit", "isalpha", "isalnum", "isspace", "islower", "isupper",
                    "count", "find", "rfind", "split", "rsplit", "splitlines", "partition", "rpartition",
                    "removeprefix", "removesuffix"}),
    dict: frozenset({"items", "keys", "values", "get"}),
    LoopContext: frozenset({"cycle", "changed"}),
}
_MAX_INT_BITS = 4096  # a number of about 1,200 digits; Python refuses to print over 4,300


class _Budget:
    """What one render has left: loop iterations, and time (checked every 256 steps)."""

    __slots__ = ("profile", "deadline", "steps", "iterations")

    def __init__(self, profile: Profile):
        self.profile = profile
        self.deadline = time.monotonic() + profile.seconds
        self.steps = 0
        self.iterations = 0

    def step(self) -> None:
        self.steps += 1
        if not self.steps & 255 and time.monotonic() > self.deadline:
            raise SecurityError(f"the template took longer than {self.profile.seconds:g} seconds")

    def iterate(self) -> None:
        self.iterations += 1
        if self.iterations > self.profile.max_iterations:
            raise SecurityError(f"the template's loops ran more than {self.profile.max_iterations:,} times")
        self.step()


_RENDER: ContextVar[_Budget | None] = ContextVar("handouts_template_budget", default=None)


def _budget(env: BoundedEnvironment) -> _Budget:
    return _RENDER.get() or _Budget(env.profile)


# Containers a template built, carrying their size so that a list of a
# thousand references to one long text is known to print as a long text.
class _List(list):
    __slots__ = ("weight",)


class _Tuple(tuple):
    weight: int  # a tuple subclass cannot have slots


class _Dict(dict):
    __slots__ = ("weight",)


def weight(value: t.Any, depth: int = 0) -> int:
    """About how many characters `value` prints as: what the caps measure."""
    if isinstance(value, str):
        return len(value)
    known = getattr(value, "weight", None)
    if isinstance(known, int):
        return known
    if isinstance(value, int) and not isinstance(value, bool):
        return max(1, value.bit_length() // 3)
    if depth > 50:  # a structure this deep fails to print anyway (RecursionError, reported)
        return 1
    if isinstance(value, (list, tuple, set, frozenset)):
        return len(value) + sum(weight(item, depth + 1) for item in value)
    if isinstance(value, dict):
        return len(value) + sum(weight(k, depth + 1) + weight(v, depth + 1) for k, v in value.items())
    return 1


def _weighed(env: BoundedEnvironment, value: t.Any, what: str) -> t.Any:
    size = weight(value)
    if size > env.profile.max_value:
        raise SecurityError(f"{what} would be too long (over {env.profile.max_value:,} characters)")
    if isinstance(value, list):
        built = _List(value)
        built.weight = size
        return built
    if isinstance(value, tuple):
        built = _Tuple(value)
        built.weight = size
        return built
    if isinstance(value, dict):
        built = _Dict(value)
        built.weight = size
        return built
    return value


@pass_context
def _built(context, value):
    """A list, tuple or dict literal: refused past the profile's size."""
    env = context.environment
    _budget(env).step()
    return _weighed(env, value, "the list")


@pass_context
def _joined(context, items):
    """The `~` operator: refused past the profile's size."""
    env = context.environment
    _budget(env).step()
    if sum(weight(item) for item in items) > env.profile.max_value:
        raise SecurityError(f"the joined text would be too long (over {env.profile.max_value:,} characters)")
    return markup_join(items) if context.eval_ctx.autoescape else str_join(items)


@pass_context
def _iterations(context, iterable):
    """Every for loop's items, counted against the render's budget."""
    budget = _budget(context.environment)
    for item in iterable:
        budget.iterate()
        yield item


@pass_context
def _replace(context, value, old, new, count=None):
    text, old, new = str(value), str(old), str(new)
    grows = text.count(old) if old else len(text) + 1
    if len(text) + grows * max(len(new) - len(old), 0) > context.environment.profile.max_value:
        raise SecurityError("replace() would make the text too long")
    return text.replace(old, new) if count is None else text.replace(old, new, count)


@pass_context
def _join(context, items, separator="", attribute=None):
    env = context.environment
    items = list(items)
    if attribute is not None:
        items = [env.getattr(item, attribute) for item in items]
    if weight(items) + len(str(separator)) * len(items) > env.profile.max_value:
        raise SecurityError(f"join() would make the text too long (over {env.profile.max_value:,} characters)")
    joined = str_join if not context.eval_ctx.autoescape else markup_join
    out = []
    for index, item in enumerate(items):
        if index:
            out.append(separator)
        out.append(item)
    return joined(out)


_OURS = {"replace": _replace, "join": _join, "_built": _built, "_joined": _joined, "_iterations": _iterations}


class _Bounds(NodeTransformer):
    """Routes every loop, literal container and `~` of a parsed template through the budget."""

    def visit_For(self, node: nodes.For) -> nodes.Node:
        node = self.generic_visit(node)
        node.iter = _internal(node.iter, "_iterations")
        return node

    def visit_List(self, node: nodes.List) -> nodes.Node:
        return _internal(self.generic_visit(node), "_built")

    def visit_Dict(self, node: nodes.Dict) -> nodes.Node:
        return _internal(self.generic_visit(node), "_built")

    def visit_Tuple(self, node: nodes.Tuple) -> nodes.Node:
        node = self.generic_visit(node)
        return _internal(node, "_built") if node.ctx == "load" else node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        node = self.generic_visit(node)
        return _internal(nodes.List(node.nodes, lineno=node.lineno), "_joined")


def _internal(node: nodes.Expr, name: str) -> nodes.Filter:
    return nodes.Filter(node, name, [], [], None, None, lineno=node.lineno)


class BoundedEnvironment(ImmutableSandboxedEnvironment):
    """Jinja2's immutable sandbox, with the caps of a `Profile` (see the module's docstring)."""

    intercepted_binops = frozenset({"+", "*", "**", "%"})

    def __init__(self, profile: Profile, *, extra_filters: t.Mapping[str, t.Callable] | None = None,
                 **options: t.Any):
        options.setdefault("undefined", StrictUndefined)
        super().__init__(**options)
        self.profile = profile
        self.globals.clear()
        kept = {name: self.filters[name] for name in profile.filters if name in self.filters}
        self.filters.clear()
        self.filters.update(kept)
        self.filters.update({name: f for name, f in _OURS.items() if name in kept or name.startswith("_")})
        self.filters.update(extra_filters or {})
        # Every render (and every macro's body) is joined here: the render's
        # budget starts with the outermost join and its output is counted.
        self.concat = self._concat

    # -- compiling: loops, literals and `~` through the budget
    def compile(self, source, name=None, filename=None, raw=False, defer_init=False):  # noqa: ANN001 - Jinja's
        # A parsed tree handed in (fill.sandbox parses once to inspect it) is
        # copied, so the caller's tree keeps the nodes it was written with.
        tree = self.parse(source, name, filename) if isinstance(source, str) else deepcopy(source, {id(self): self})
        tree = _Bounds().visit(tree)
        tree.set_environment(self)
        return super().compile(tree, name, filename, raw, defer_init)

    # -- rendering
    def _concat(self, pieces: t.Iterable[str]) -> str:
        budget = _RENDER.get()
        if budget is not None:
            return self._join_output(pieces, budget)
        budget = _Budget(self.profile)
        token = _RENDER.set(budget)
        try:
            return self._join_output(pieces, budget)
        except RecursionError as exc:
            # With the deep traceback, so the error is reported at the template line that recursed.
            raise SecurityError("the template is nested too deeply (macros, includes or loops)"
                                ).with_traceback(exc.__traceback__) from None
        except MemoryError as exc:
            raise SecurityError("the template needs too much memory").with_traceback(exc.__traceback__) from None
        except (ArithmeticError, TypeError, ValueError, LookupError) as exc:
            # The template's own arithmetic or types ({{ 1 / 0 }}, {{ "a" - 1 }}):
            # a template error at its line for every caller, which catch
            # TemplateError (an e-mail subject's ZeroDivisionError was exit 3;
            # found by fuzzing).
            raise TemplateRuntimeError(str(exc) or type(exc).__name__).with_traceback(exc.__traceback__) from None
        finally:
            _RENDER.reset(token)

    def _join_output(self, pieces: t.Iterable[str], budget: _Budget) -> str:
        out: list[str] = []
        size = 0
        for piece in pieces:
            size += len(piece)
            if size > self.profile.max_output:
                raise SecurityError(f"the template's output is too long (over {self.profile.max_output:,} characters)")
            budget.step()
            out.append(piece)
        return "".join(out)

    def get_template(self, name, parent=None, globals=None):  # noqa: A002, ANN001 - Jinja's signature
        # An include or extends costs a step: includes that fan out stop on time.
        _budget(self).step()
        return super().get_template(name, parent, globals)

    # -- what a template may call and compute
    def is_safe_callable(self, obj: t.Any) -> bool:
        if isinstance(obj, (Macro, BlockReference, LoopContext)):
            return True
        owner = getattr(obj, "__self__", None)
        name = getattr(obj, "__name__", "")
        for kind, methods in _SAFE_METHODS.items():
            if isinstance(owner, kind) and name in methods:
                return super().is_safe_callable(obj)
        return False

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805, ANN001 - Jinja's signature
        _budget(__self).step()
        if not __self.is_safe_callable(__obj):
            raise SecurityError(f"calling {_describe(__obj)} is not allowed in a template")
        return __context.call(__obj, *args, **kwargs)

    def call_binop(self, context, operator, left, right):  # noqa: ANN001 - Jinja's signature
        _budget(self).step()
        limit = self.profile.max_value
        if operator == "%" and isinstance(left, str):
            raise SecurityError("printf-style % formatting is not allowed")
        if operator == "**" and (abs(_number(left)) > 1000 or abs(_number(right)) > 64):
            raise SecurityError("the power is too large")
        if operator == "*":
            if _is_int(left) and _is_int(right):
                if left.bit_length() + right.bit_length() > _MAX_INT_BITS:
                    raise SecurityError("the number is too large")
            else:
                repeated, count = (left, right) if isinstance(left, (str, list, tuple)) else (right, left)
                if _is_int(count) and weight(repeated) * abs(count) > limit:
                    raise SecurityError(f"the repeated text would be too long (over {limit:,} characters)")
        if operator == "+" and not (_is_number(left) and _is_number(right)):
            if weight(left) + weight(right) > limit:
                raise SecurityError(f"the joined value would be too long (over {limit:,} characters)")
        result = super().call_binop(context, operator, left, right)
        return _weighed(self, result, "the value") if isinstance(result, (list, tuple, dict)) else result


def _is_int(value: t.Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: t.Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _number(value: t.Any) -> float:
    return value if _is_number(value) else 0


def _describe(obj: t.Any) -> str:
    name = getattr(obj, "__name__", None) or type(obj).__name__
    return f"'{name}'"


def environment(profile: Profile, **options: t.Any) -> BoundedEnvironment:
    """A new environment for templates of this profile (options as for jinja2.Environment)."""
    return BoundedEnvironment(profile, **options)


def template_frame(exc: BaseException) -> tuple[str | None, int | None]:
    """The template file and line an error was raised at, from the traceback Jinja2 rewrites.

    Jinja2 gives a template's frames the template's own file name (or
    "<template>" for one made from a string) and line numbers; the last such
    frame is where the error is.
    """
    where: tuple[str | None, int | None] = (None, None)
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if not filename.endswith(".py") and (filename == "<template>" or not filename.startswith("<")):
            where = (filename, tb.tb_lineno)
        tb = tb.tb_next
    return where
