"""Claim patterns run only on texts holding their key: that must never lose a claim."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from handouts.lint.claims import CLAIM_PATTERNS, CLAIM_PATTERNS_ES, KEYS, claim_matches

SEED = Path(__file__).resolve().parents[2] / "shared" / "seed"
MARKETING = Path(__file__).resolve().parent / "lint_cases" / "marketing"

# At least one sentence that each claim pattern matches, in each language,
# some in letters that only match ignoring case the Unicode way (the long
# s, the Kelvin sign, a dotted capital I).
ENGLISH = """We cure knees. Results are guaranteed. 100 percent of patients improve.
No side effects at all, side-effect free. There is zero risk: a risk-free visit.
An FDA-approved shot, approved by the FDA. It will regrow your knee cartilage; new cartilage.
It eliminates all knee pain, for pain elimination. Be pain free. A miracle, miraculous results.
CURATIVE, GUARANTEED, NO RISK. The ſide effects? None: no ſide effects. A \u212aNEE CURE.
FDA \u0130S APPROVED. 100% sure."""
SPANISH = """Esta inyección cura la artritis y curan el dolor. Resultados garantizados, con garantía.
Eficacia del 100 % y 100 por ciento. Sin efectos secundarios, ningún efecto adverso. Sin riesgos, sin riesgo.
Aprobado por la FDA, con aprobación de la FDA; autorizada por la FDA. Las células regeneran el cartílago;
cartílago nuevo; regeneración del cartílago. Elimina el dolor de rodilla. Una vida sin dolor, libre de dolor.
Un milagro, resultados milagrosos. CURA GARANTIZADA. Sin rieſgos."""


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


def test_every_alternative_of_a_pattern_spells_its_key():
    for name, pattern in (*CLAIM_PATTERNS, *CLAIM_PATTERNS_ES):
        for alternative in top_level_alternatives(pattern):
            assert KEYS[name] in alternative.lower(), (name, alternative)
