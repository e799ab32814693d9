"""Claim patterns run only on texts holding their key: that must never lose a claim."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from handouts.lint.claims import CLAIM_PATTERNS, CLAIM_PATTERNS_ES, KEYS, claim_matches

SEED = Path(__file__).resolve().parents[2] / "shared" / "seed"
MARKETING = Path(__file__).resolve().parent / "lint_cases" / "marketing"
CORPUS = Path(__file__).resolve().parent / "data" / "claims-corpus"

# At least one sentence that each claim pattern matches, in each language,
# some in letters that only match ignoring case the Unicode way (the long
# s, the Kelvin sign, a dotted capital I).
ENGLISH = """We cure knees. Results are guaranteed. 100 percent of patients improve.
No side effects at all, side-effect free. There is zero risk: a risk-free visit.
An FDA-approved shot, approved by the FDA. It will regrow your knee cartilage; new cartilage.
It eliminates all knee pain, for pain elimination. Be pain free. A miracle, miraculous results.
CURATIVE, GUARANTEED, NO RISK. The ſide effects? None: no ſide effects. A \u212aNEE CURE.
FDA \u0130S APPROVED. 100% sure.
Every branch of the newer patterns: it repairs the knee, rebuilds them, regrows tissue, restores the joint,
rejuvenates the knee, reverses arthritis, fixes the cause; damage we repair. It heals the knee, the healing power.
Avoid surgery, skip knee replacement, no need for surgery, never need a replacement, eliminates the need for
surgery, settle for surgery, a proven alternative to knee replacement. Permanent relief, lasting results, lifelong
relief, gone for good, pain-free forever, results that last for years, lasts a lifetime, results are permanent,
permanently restores. It ends knee pain, put an end to pain, stops arthritis, banishes stiffness, erases pain, get
rid of pain, goodbye to knee pain, pain is gone, pain will disappear, live without pain, walk again without any
pain, no more pills, a thing of the past, kiss it goodbye. Clinically proven, a proven way, the treatment proven,
our proven therapy. Completely safe, 100% safe, safe and effective, safe, natural. A breakthrough, revolutionary,
cutting-edge, a game changer, groundbreaking, life-changing, state-of-the-art, world-class, the most advanced,
the trusted leader. You feel brand new, like new, young again, turn back the clock, like you did in your twenties,
get your active life back, reclaim your life. 98% of our patients, a high success rate, our cure rate."""
SPANISH = """Esta inyección cura la artritis y curan el dolor. Resultados garantizados, con garantía.
Eficacia del 100 % y 100 por ciento. Sin efectos secundarios, ningún efecto adverso. Sin riesgos, sin riesgo.
Aprobado por la FDA, con aprobación de la FDA; autorizada por la FDA. Las células regeneran el cartílago;
cartílago nuevo; regeneración del cartílago. Elimina el dolor de rodilla. Una vida sin dolor, libre de dolor.
Un milagro, resultados milagrosos. CURA GARANTIZADA. Sin rieſgos. Es totalmente seguro.
Repara la rodilla, reconstruye la articulación, regenera el tejido, restaura la función, rejuvenece la rodilla,
revierte la artritis. Sana la rodilla, sanan el daño. Evite la cirugía, nunca necesitará una prótesis, sin
necesidad de reemplazo, una alternativa a la cirugía. Alivio permanente, resultados definitivos, para siempre.
Seguro y eficaz, 100 % seguro. Revolucionario, de vanguardia, cosa del pasado, recupere su vida, cambie su vida.
Detiene la artritis, frena el dolor, camine otra vez sin dolor, de nuevo sin dolor. El 95 % de nuestros
pacientes, una tasa de éxito. Acabe con el dolor. Viva sin dolor, adiós al dolor. Cien por ciento natural."""


def reference(text: str, claims) -> list[tuple[str, int, int]]:
    """Every match of every pattern, searched everywhere, as before keys."""
    return [(name, m.start(), m.end()) for name, pattern in claims
            for m in re.compile(pattern, re.IGNORECASE).finditer(text)]


def corpus() -> list[str]:
    # Sentence by sentence too: a text holding one form of a word must not
    # hide that a key misses another ("riesgo" beside "riesgos").
    texts = [ENGLISH, SPANISH, *re.split(r"(?<=[.,;:?])\s+", ENGLISH + "\n" + SPANISH)]
    texts += [p.read_text(encoding="utf-8") for p in sorted(SEED.glob("*.txt"))]
    texts += [p.read_text(encoding="utf-8") for p in sorted(MARKETING.rglob("*.yaml"))]
    # The labelled corpus, whole and line by line: every newer pattern matches in it.
    for path in sorted(CORPUS.rglob("*.txt")):
        text = path.read_text(encoding="utf-8")
        texts += [text, *text.splitlines()]
    return texts


@pytest.mark.parametrize("claims", [CLAIM_PATTERNS, CLAIM_PATTERNS_ES], ids=["en", "es"])
def test_keys_lose_no_match(claims):
    seen = set()
    for text in corpus():
        expected = reference(text, claims)
        assert claim_matches(text, claims) == expected
        seen.update(name for name, _, _ in expected)
    # Every pattern matched somewhere, so a wrong key would have lost a match above.
    assert seen == {name for name, _ in claims}


def top_level_alternatives(pattern: str) -> list[str]:
    parts, depth, start, escaped = [], 0, 0, False
    for index, char in enumerate(pattern):
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append(pattern[start:index])
            start = index + 1
    return parts + [pattern[start:]]


def spelled(alternative: str) -> str:
    """A pattern's text with its spaces and hyphen-or-space classes written as a space, as keys are."""
    return re.sub(r"\\s[+*]?|\[\\s-\][+*]?", " ", alternative).lower()


def test_every_alternative_of_a_pattern_spells_one_of_its_keys():
    for name, pattern in (*CLAIM_PATTERNS, *CLAIM_PATTERNS_ES):
        for alternative in top_level_alternatives(pattern):
            assert any(key in spelled(alternative) for key in KEYS[name]), (name, alternative)


def test_text_is_lowered_as_patterns_ignoring_case_take_letters():
    # The patterns run on lower_text's lower case without ignoring case, and
    # keys are looked for in it: every character a pattern ignoring case
    # takes for one of the patterns' letters must lower to that letter.
    # str.lower() does it for most; the rest are in _LIKE_PATTERN_LETTERS.
    # Only characters with a case can be taken so.
    import sys

    from handouts.lint.claims import lower_text

    letters = sorted({c for _, pattern in (*CLAIM_PATTERNS, *CLAIM_PATTERNS_ES)
                      for c in re.sub(r"\\.", "", pattern) if c.isalpha()})
    assert all(c == c.lower() for c in letters), "patterns are written in lower case"
    for cp in range(sys.maxunicode + 1):
        char = chr(cp)
        if 0xD800 <= cp <= 0xDFFF or (char.lower() == char and char.upper() == char):
            continue
        lowered = lower_text(char)
        assert len(lowered) == 1, hex(cp)  # offsets in the lowered text are the text's
        for letter in letters:
            if re.fullmatch(re.escape(letter), char, re.IGNORECASE):
                assert lowered == letter, (hex(cp), letter)
