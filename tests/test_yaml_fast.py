"""YAML files are read by libyaml's C parser under handouts' own strict composer.

Every YAML file of the package and the tests must load exactly as with
PyYAML's Python loader: the same values, lines, scalar styles, spans and
dropped comments. A file libyaml refuses is read again by the Python loader,
so its message is the one the plain-words tests expect.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from handouts.load import yamlfile

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted(p for folder in ("handouts", "tests") for p in (ROOT / folder).rglob("*.y*ml"))


def composed(path: Path, loader: type):
    text = path.read_text(encoding="utf-8", errors="replace")
    try:
        doc = yamlfile._compose(path, text, loader, "YAML file")
    except yamlfile.YamlReadError as exc:
        return ("refused", str(exc))
    except Exception as exc:  # noqa: BLE001 - libyaml's own errors, read again by the Python loader
        return ("error", type(exc).__name__)
    return (doc.data, doc.lines, doc.styles, doc.spans, doc.comments)


def test_the_fast_loader_is_there():
    assert yamlfile._CParser is not None  # PyYAML with libyaml, as pip installs it


def test_every_file_loads_as_with_the_python_loader():
    assert len(FILES) > 300
    refused = 0
    for path in FILES:
        fast, python = composed(path, yamlfile._FastStrictLoader), composed(path, yamlfile._StrictLoader)
        if fast[0] in ("refused", "error"):
            refused += 1  # load_yaml then takes the Python loader's result, whatever it is
            continue
        assert fast == python, path.relative_to(ROOT)
    assert refused < len(FILES) // 10


@pytest.mark.parametrize("text, words", [
    ("title: Knee shots: what to know\n", "put the title in quotes"),
    ("title: a\n\tbody: b\n", "use spaces, not tabs"),
    ("a: &x 1\nb: *x\n", "anchors (&name) are not allowed"),
    ("a: 1\na: 2\n", "duplicate key 'a' (first on line 1)"),
])
def test_refusals_keep_their_words(tmp_path, text, words):
    path = tmp_path / "x.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(yamlfile.YamlReadError) as caught:
        yamlfile.load_yaml(path)
    assert words in str(caught.value)
