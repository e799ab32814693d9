"""The commonest YAML slips, reported in plain words with the fix, from real files.

Each test copies the bundled handout, makes one slip a person makes when
editing by hand, and runs the real command line.
"""

from __future__ import annotations

import shutil

import pytest
from helpers import DEMO_BRAND, KNEE, assert_clean, invoke


@pytest.fixture
def project(tmp_path, monkeypatch):
    folder = tmp_path / "clinic"
    shutil.copytree(KNEE, folder)
    for item in DEMO_BRAND.parent.iterdir():
        shutil.copy2(item, folder / item.name)
    monkeypatch.chdir(folder)
    return folder


def edit(path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line)


def run(*args):
    result = invoke(list(args))
    assert_clean(result)
    return result


def test_colon_in_a_title(project):
    manifest = project / "handout.yaml"
    title = next(line for line in manifest.read_text(encoding="utf-8").splitlines() if line.startswith("title:"))
    edit(manifest, title, "title: Knee shots: what to know")
    where = f"handout.yaml:{line_of(manifest, 'Knee shots')}: "
    message = ("invalid YAML: a colon followed by a space starts a new key; put the title in quotes: "
               "title: \"Knee shots: what to know\" (column 18)")
    build = run("build", ".")
    assert build.exit_code == 1 and where + message in build.stderr
    lint = run("lint", ".")
    assert lint.exit_code == 1 and where + "error: input: " + message in lint.stdout


def test_tab_used_to_indent(project):
    manifest = project / "handout.yaml"
    edit(manifest, "  - sections/benefits.yaml", "\t- sections/benefits.yaml")
    result = run("build", ".")
    assert result.exit_code == 1
    line = line_of(manifest, "\t- sections/benefits.yaml")
    assert f"handout.yaml:{line}: invalid YAML: use spaces, not tabs, to indent" in result.stderr
    assert "(column 1)" in result.stderr


def test_list_item_indented_more_than_the_list(project):
    manifest = project / "handout.yaml"
    edit(manifest, "  - sections/benefits.yaml", "    - sections/benefits.yaml")
    result = run("build", ".")
    assert result.exit_code == 1
    line = line_of(manifest, "    - sections/benefits.yaml")
    assert (f"handout.yaml:{line}: this line is indented more than the list above it; start its '-' in the "
            "same column as the '-' above (column 5)") in result.stderr
    assert "not found" not in result.stderr


@pytest.mark.parametrize(("key", "written"), [("title", "title: Why we are the #1 choice"),
                                              ("fill_in", "  - Price quoted # in dollars")],
                         ids=["title", "fill_in-label"])
def test_hash_after_an_unquoted_text_is_an_error_and_nothing_prints_cut(project, tmp_path, key, written):
    # The cut text would print ("Why we are the"): an error in lint, a refusal in build.
    if key == "title":
        section = project / "sections" / "benefits.yaml"
        title = next(line for line in section.read_text(encoding="utf-8").splitlines() if line.startswith("title:"))
        edit(section, title, written)
        shown, comment = "title", "#1 choice"
    else:
        section = project / "sections" / "risk-disclosure.yaml"
        edit(section, "  - Price quoted", written)
        shown, comment = "fill_in[2]", "# in dollars"
    result = run("lint", ".")
    line = line_of(section, comment)
    name = section.relative_to(project).as_posix()
    expected = (f"{name}:{line}: error: comment-in-text: {shown}: '{comment}' is not printed: "
                "text after ' #' is a comment and is not printed; quote the value")
    assert expected in result.stdout
    assert result.exit_code == 1
    built = run("build", ".", "-o", str(tmp_path / "cut.pdf"))
    assert built.exit_code == 1
    assert expected in built.stderr
    assert not (tmp_path / "cut.pdf").exists()
    # Quoted, the same text is printed whole and lint is quiet about it.
    quoted = written.replace(": ", ': "', 1) + '"' if key == "title" else '  - "Price quoted # in dollars"'
    edit(section, written, quoted)
    assert "comment-in-text" not in run("lint", ".").stdout
