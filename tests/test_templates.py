"""Fields without template syntax skip Jinja2 (most fields are plain text) and fill exactly as it would."""

from __future__ import annotations

from pathlib import Path

import pytest

from handouts.fill.sandbox import _environment
from handouts.fill.templates import Templates, markdown_literal, plain_literal
from handouts.sections.model import SourceText

TEXTS = [
    "Plain words.",
    "A line\nand another\n",
    "Windows line ends\r\nare turned into plain ones\r\n",
    "An old Mac line end\rhere",
    "Lone braces { } and } { and a single { brace",
    "Not quite a field: { { name } } and %} and #} and }}",
    "Accents é ñ ü and a dash – here",
    "",
]


@pytest.mark.parametrize("markdown", [True, False])
@pytest.mark.parametrize("text", TEXTS)
def test_a_field_without_template_syntax_fills_as_jinja2_would(text, markdown):
    src = SourceText(path=Path("sections/x.yaml"), field="body", text=text, line=4, markdown=markdown)
    templates = Templates()
    assert templates.check([src]) == []
    expected = _environment(markdown_literal if markdown else plain_literal).from_string(text).render({})
    assert templates.render(src, {}) == expected
