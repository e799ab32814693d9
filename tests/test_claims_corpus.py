"""Lint's claim check against a labelled corpus: every marketing sentence caught, honest ones left alone.

`data/claims-corpus/` (see its README) holds honest sentences in the style
of FDA and AAOS consumer pages, many of them warning against the very
claims ("no one can promise a cure", "be wary of clinics that promise new
cartilage"), and marketing sentences in the style of clinic advertising, in
English and Spanish. The test prints precision and recall (pytest -s shows
them) for the corpus and for a held-out set the rules were never fitted to.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from handouts.lint.claims import find_claims
from handouts.sections.model import SourceText

CORPUS = Path(__file__).parent / "data" / "claims-corpus"
LANGUAGES = ("en", "es")
# At most this many honest sentences may be flagged, over both languages.
HONEST_FLAGGED_AT_MOST = 2


def sentences(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def flagged(sentence: str, language: str) -> list[str]:
    """The claim phrases lint finds in one sentence, as a section body."""
    src = SourceText(sentence, Path("corpus.yaml"), "body", 1, markdown=True)
    return [claim.text for claim in find_claims(src, (), language)]


def score(folder: Path) -> tuple[dict, list[tuple[str, str, list[str]]], list[tuple[str, str]]]:
    """Counts by language, the honest sentences flagged, and the marketing sentences missed."""
    counts, false_alarms, missed = {}, [], []
    for language in LANGUAGES:
        honest = sentences(folder / f"honest.{language}.txt")
        marketing = sentences(folder / f"marketing.{language}.txt")
        alarms = [(language, s, found) for s in honest if (found := flagged(s, language))]
        misses = [(language, s) for s in marketing if not flagged(s, language)]
        caught = len(marketing) - len(misses)
        counts[language] = dict(honest=len(honest), marketing=len(marketing), caught=caught,
                                flagged=len(alarms),
                                precision=caught / (caught + len(alarms)) if caught + len(alarms) else 1.0,
                                recall=caught / len(marketing))
        false_alarms += alarms
        missed += misses
    return counts, false_alarms, missed


def report(title: str, counts: dict) -> None:
    for language, c in counts.items():
        print(f"{title} [{language}]: {c['honest']} honest ({c['flagged']} flagged), {c['marketing']} marketing "
              f"({c['caught']} caught): precision {c['precision']:.3f}, recall {c['recall']:.3f}")


def test_the_corpus_is_large_enough():
    for kind in ("honest", "marketing"):
        assert sum(len(sentences(CORPUS / f"{kind}.{lang}.txt")) for lang in LANGUAGES) >= 100
        assert len(sentences(CORPUS / f"{kind}.en.txt")) >= 100
        assert len(sentences(CORPUS / f"{kind}.es.txt")) >= 20


def test_every_marketing_sentence_is_caught_and_honest_ones_are_not():
    counts, false_alarms, missed = score(CORPUS)
    report("corpus", counts)
    assert missed == [], f"{len(missed)} marketing sentence(s) not flagged"
    assert len(false_alarms) <= HONEST_FLAGGED_AT_MOST, false_alarms


def test_held_out_sentences_keep_the_honest_ones_unflagged():
    counts, false_alarms, missed = score(CORPUS / "held-out")
    report("held out", counts)
    for language, sentence in missed:
        print(f"  held out, not caught [{language}]: {sentence}")
    assert len(false_alarms) <= HONEST_FLAGGED_AT_MOST, false_alarms


@pytest.mark.parametrize(("sentence", "language"), [
    ("No one can promise that the shot will cure your arthritis.", "en"),
    ("This handout is not an ad, and nothing in it guarantees a result.", "en"),
    ("No one promises a cure.", "en"),
    ("The shot eases pain for a while, rather than growing new cartilage.", "en"),
    ("No promise or guarantee of pain relief or cartilage regrowth is made.", "en"),
    ("Cartilage does not regrow after the shot.", "en"),
    ("Be wary of clinics that promise a cure or pain-free knees.", "en"),
    ("Nadie puede prometer que la inyección cure su artritis.", "es"),
    ("El cartílago no se regenera después de la inyección.", "es"),
    ("Desconfíe de las clínicas que prometen una cura.", "es"),
])
def test_a_claim_negated_or_warned_against_is_not_one(sentence, language):
    assert flagged(sentence, language) == []


@pytest.mark.parametrize(("sentence", "language"), [
    ("The shot will cure your arthritis.", "en"),
    ("Everything in it guarantees a result.", "en"),
    ("We promise a cure.", "en"),
    ("The shot grows new cartilage.", "en"),
    ("Cartilage regrowth is guaranteed.", "en"),
    ("Cartilage regrows after the shot.", "en"),
    ("Our clinic promises a cure and pain-free knees.", "en"),
    ("Don't wait another day to regrow your cartilage.", "en"),
    ("If pills have not helped, our stem cells heal the knee.", "en"),
    ("Why live with pain when stem cells can heal your knees?", "en"),
    ("La inyección cura su artritis.", "es"),
    ("El cartílago se regenera después de la inyección.", "es"),
    ("Nuestra clínica promete una cura.", "es"),
])
def test_the_same_phrase_stated_as_a_promise_still_is(sentence, language):
    assert flagged(sentence, language), sentence
