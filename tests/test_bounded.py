"""The one sandboxed, bounded Jinja2 environment (handouts.fill.bounded), rule by rule.

The hostile case folders (tests/hostile/cases/html-template-*, email-*,
jinja-*) run these rules through the command line on real projects; here
each rule is tried on its own, in every profile, next to the ordinary use it
must keep allowing.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from jinja2 import TemplateSyntaxError
from jinja2.exceptions import SecurityError, UndefinedError

from handouts.fill import bounded
from handouts.fill.overrides import EMAIL_PAGE_VARIABLES, MESSAGE_VARIABLES, PAGE_VARIABLES

PROFILES = [bounded.CONTENT, bounded.PAGE, bounded.TEXT]
PACKAGE = Path(bounded.__file__).resolve().parents[1]


def render(profile: bounded.Profile, source: str, **context) -> str:
    return bounded.environment(profile).from_string(source).render(**context)


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.name)
@pytest.mark.parametrize("source", [
    "{{ cycler.__init__.__globals__.os.system('touch pwned') }}",
    "{{ lipsum.__globals__ }}",
    "{{ range(3) }}",
    "{{ namespace(a=1) }}",
    "{{ joiner() }}",
], ids=["cycler", "lipsum", "range", "namespace", "joiner"])
def test_no_globals(profile, source):
    with pytest.raises((UndefinedError, SecurityError)):
        render(profile, source)


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.name)
@pytest.mark.parametrize("source, why", [
    ("{{ 'x' * 4000000000 }}", "too long"),
    ("{% set x = 'x' * HALF %}{% set y = x ~ x %}{{ y }}", "too long"),
    ("{% set x = 'x' * HALF %}{{ [x] * 3 }}", "too long"),
    ("{% set x = 'x' * 1000 %}{{ [x] * 1000000000 }}", "too long"),
    ("{% set x = 'x' * HALF %}{{ [x, x, x] }}", "too long"),
    ("{% set x = 'x' * HALF %}{{ {'a': x, 'b': x} }}", "too long"),
    ("{% set x = 'x' * HALF %}{{ x + x }}", "too long"),
    ("{{ 9 ** 9 ** 9 }}", "power is too large"),
    ("{% set n = 10 ** 60 %}" + "{% set n = n * n %}" * 8 + "{{ n }}", "number is too large"),
    ("{{ '%999999999d' % 1 }}", "printf"),
    ("{{ ('ab' * 1000) | replace('a', 'x' * HALF) }}", "too long"),
], ids=["repeat", "tilde", "list-of-references", "short-list-repeated", "list-literal", "dict-literal", "plus",
        "power-tower", "squaring", "printf", "replace"])
def test_values_are_capped(profile, source, why):
    """Each way of building a big value from a short template stops at the profile's size."""
    with pytest.raises(SecurityError, match=why):
        render(profile, source.replace("HALF", str(profile.max_value // 2 + 1)))


@pytest.mark.parametrize("profile", [bounded.PAGE, bounded.TEXT], ids=lambda p: p.name)
def test_loops_are_counted_in_full(profile):
    nested = "{% for a in 'x' * 100000 %}{% for b in 'x' * 100000 %}{% endfor %}{% endfor %}"
    with pytest.raises(SecurityError, match="loops ran more than"):
        render(profile, nested)
    # ...while the loops a page has run as written, nested ones included.
    assert render(profile, "{% for a in xs %}{% for b in xs %}{{ a }}{{ b }},{% endfor %}{% endfor %}",
                  xs=[1, 2]) == "11,12,21,22,"
    assert render(profile, "{% for a in xs %}{{ loop.index }}/{{ loop.length }}{% if not loop.last %} {% endif %}"
                           "{% else %}none{% endfor %}", xs="ab") == "1/2 2/2"
    assert render(profile, "{% for a in xs %}x{% else %}none{% endfor %}", xs=[]) == "none"
    assert render(profile, "{% for k, v in d | dictsort %}{{ k }}={{ v }};{% endfor %}", d={"b": 2, "a": 1}) \
        == "a=1;b=2;"


@pytest.mark.parametrize("profile", [bounded.PAGE, bounded.TEXT], ids=lambda p: p.name)
def test_fan_out_stops(profile):
    macro = "{% macro m(n) %}{{ m(n) }}{{ m(n) }}{% endmacro %}{{ m(1) }}"
    with pytest.raises(SecurityError, match="nested too deeply|took longer"):
        render(profile, macro)


@pytest.mark.parametrize("profile", [bounded.PAGE, bounded.TEXT], ids=lambda p: p.name)
def test_calls_only_to_what_cannot_grow_or_reach_out(profile, tmp_path):
    target = tmp_path / "written"
    with pytest.raises(SecurityError, match="not allowed"):
        render(profile, "{{ p.write_text('x') }}", p=target)
    assert not target.exists()
    with pytest.raises(SecurityError, match="not allowed"):
        render(profile, "{{ s.center(1000000000) }}", s="x")
    with pytest.raises(SecurityError):
        render(profile, "{{ xs.append(1) }}", xs=[])
    # Macros, caller(), loop helpers and harmless string and mapping methods still work.
    assert render(profile, "{% macro box(t) %}[{{ t }}|{{ caller() }}]{% endmacro %}"
                           "{% call box('a') %}b{% endcall %}") == "[a|b]"
    assert render(profile, "{% for x in 'ab' %}{{ loop.cycle('o', 'e') }}{% endfor %}") == "oe"
    assert render(profile, "{{ s.strip().upper() }} {{ d.get('k') }}", s=" hi ", d={"k": 1}) == "HI 1"


def test_output_is_capped():
    env = bounded.environment(bounded.TEXT)
    big = "y" * (bounded.TEXT.max_value - 1)
    template = env.from_string("{% for _ in xs %}{{ big }}{% endfor %}")
    with pytest.raises(SecurityError, match="output is too long"):
        template.render(xs=[1, 2], big=big)


def test_ordinary_arithmetic_and_text_still_work():
    for profile in PROFILES:
        assert render(profile, "{{ 10 ** 15 }}") == "1000000000000000"
        assert render(profile, "{{ 'ab' * 3 }}-{{ [1, 2] + [3] }}-{{ 'a' ~ 1 }}") == "ababab-[1, 2, 3]-a1"
        assert render(profile, "{{ (2 ** 64) * (2 ** 64) }}") == str(2**128)


def test_unknown_filters_fail_when_compiled():
    with pytest.raises(TemplateSyntaxError, match="center"):
        bounded.environment(bounded.PAGE).from_string("{{ 'x' | center(10) }}")
    with pytest.raises(TemplateSyntaxError, match="safe"):
        bounded.environment(bounded.PAGE).from_string("{{ 'x' | safe }}")


def test_every_template_environment_is_made_in_one_place():
    """No module of the package builds a Jinja2 environment of its own: all come from fill.bounded."""
    makers = {"Environment", "SandboxedEnvironment", "ImmutableSandboxedEnvironment", "NativeEnvironment"}
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path == Path(bounded.__file__).resolve():
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                if name in makers:
                    offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("jinja2"):
                imported = {alias.name for alias in node.names} & makers
                if imported:
                    offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno} imports {sorted(imported)}")
    assert offenders == []


def test_the_checked_variables_are_what_the_templates_get(built):
    """overrides' lists of variables match the contexts the HTML edition and the e-mail give."""
    from handouts import prepare
    from handouts.deliver.email.message import message_context
    from handouts.render.html import _page_context

    prepared = prepare()
    filled_context = _page_context(_filled(prepared), prepared.brand)
    assert set(filled_context) == PAGE_VARIABLES
    assert EMAIL_PAGE_VARIABLES - PAGE_VARIABLES == {"letter", "clinic", "encrypted"}
    assert set(message_context(prepared, provider=None, patient_name=None, encrypted=False)) == MESSAGE_VARIABLES


def _filled(prepared):
    from handouts import fill_reader

    return fill_reader(prepared)
