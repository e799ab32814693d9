"""Lint's `false-friend` warning: Spanish words and calques a Spanish-speaking patient misreads.

The list is package data (handouts/data/lint/false-friends.es.yaml). The
bundled handout's Spanish edition before its rewrite (tests/data/old-spanish,
its sections and message catalogue as they were on main at 87abcb6) must be
found to hold every one a review listed in it; today's must hold none.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from helpers import DEMO_BRAND, KNEE, assert_clean, invoke

OLD = Path(__file__).parent / "data" / "old-spanish"
# What the review of the old Spanish edition found (issue #21), by the list's word,
# with a phrase of the old text each stands in.
FOUND_IN_REVIEW = {
    "proveedor": ("messages/es.yaml", "Firma del proveedor de salud"),
    "reportar": ("sections/side-effects.es.yaml", "pueden reportarlo"),
    "oficina": ("sections/when-to-call.es.yaml", "nuestra oficina"),
    "sentirse caliente": ("sections/lifestyle.es.yaml", "si se siente caliente"),
    "con fuerza": ("sections/evidence.es.yaml", "**con fuerza que no**"),
    "estudios justos": ("sections/benefits.es.yaml", "estudios grandes y justos"),
    "sucio": ("sections/side-effects.es.yaml", "puede estar sucio"),
    "confusión nueva": ("sections/when-to-call.es.yaml", "confusión nueva"),
    "puntas de los huesos": ("sections/alternatives.es.yaml", "las puntas gastadas de los huesos"),
    "hueso de la pierna": ("sections/how-it-works.es.yaml", "hueso de la pierna"),
    "pagar una sentencia": ("sections/cost.es.yaml", "pagar una sentencia"),
}


def false_friends(folder: Path, *extra: str) -> list[dict]:
    result = invoke(["lint", str(folder), "--brand", str(DEMO_BRAND), "--format", "json", "--no-cache", *extra])
    assert_clean(result)
    return [f for f in json.loads(result.stdout) if f["code"] == "false-friend"]


def word_of(finding: dict) -> str:
    return re.search(r"allow '([^']+)' in lint.yaml", finding["message"]).group(1)


def line_of(path: Path, phrase: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if phrase in line)


def test_the_old_spanish_edition_lists_every_false_friend_the_review_found():
    findings = false_friends(OLD)
    assert all(f["severity"] == "warning" for f in findings)
    where = {(word_of(f), Path(f["path"]).resolve(), f["line"]) for f in findings}
    for word, (name, phrase) in FOUND_IN_REVIEW.items():
        expected = (word, (OLD / name).resolve(), line_of(OLD / name, phrase))
        assert expected in where, f"{word!r} not reported at {name}:{expected[2]}"
    message = next(f["message"] for f in findings if word_of(f) == "sentirse caliente")
    assert '"se siente caliente"' in message and "tener fiebre o escalofríos" in message


def test_a_word_lint_yaml_allows_is_not_reported_there(tmp_path):
    folder = tmp_path / "old"
    shutil.copytree(OLD, folder)
    (folder / "lint.yaml").write_text(
        "false_friends:\n  allow:\n"
        "    - word: oficina\n      file: sections/when-to-call.es.yaml\n      reason: Our billing office.\n"
        "    - word: reportar\n      reason: Our readers say it.\n", encoding="utf-8")
    words = [(word_of(f), Path(f["path"]).name) for f in false_friends(folder)]
    assert ("oficina", "es.yaml") in words, "allowed in one file, it is still reported in the others"
    assert ("oficina", "when-to-call.es.yaml") not in words
    assert not any(word == "reportar" for word, _ in words), "allowed in every file"


def test_an_allowance_without_a_reason_is_refused_at_its_line(tmp_path):
    folder = tmp_path / "old"
    shutil.copytree(OLD, folder)
    (folder / "lint.yaml").write_text("false_friends:\n  allow:\n    - word: oficina\n", encoding="utf-8")
    result = invoke(["lint", str(folder), "--brand", str(DEMO_BRAND)])
    assert result.exit_code == 1
    assert "lint.yaml:3:" in result.stdout and "reason" in result.stdout, result.stdout


@pytest.mark.parametrize("manifest", ["handout.es.yaml", "handout.es-ES.yaml"])
def test_the_bundled_spanish_editions_have_none(manifest):
    result = invoke(["lint", str(KNEE / manifest), "--format", "json", "--no-cache"])
    assert [f for f in json.loads(result.stdout) if f["code"] == "false-friend"] == []


def test_english_text_is_not_searched(tmp_path):
    folder = tmp_path / "case"
    shutil.copytree(Path(__file__).parent / "cases" / "ok-minimal", folder, ignore=shutil.ignore_patterns("case.yaml"))
    intro = folder / "sections" / "intro.yaml"
    intro.write_text(intro.read_text() + "  Call our oficina to reportar it.\n", encoding="utf-8")
    assert false_friends(folder) == []
