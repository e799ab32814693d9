"""Reading level of section bodies: Flesch-Kincaid and SMOG.

The formulas and counting rules are textstat's (the reference the grades
are tested against), computed in `syllables` without loading the whole
pronunciation dictionary, which made every cold lint 1.4 s slower.

Spanish is measured with the Szigriszt-Pazos index, counted as textstat
counts it (also in `syllables`), read on the INFLESZ scale (Barrio-Cantalejo 2008), a formula made for Spanish: 55 or
more reads "normal".
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

# SMOG was normed on 30-sentence samples; on fewer it is scaled up from too
# little text to judge, so it is reported but only judged from 30 sentences.
SMOG_MIN_SENTENCES = 30
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[¿¡]?[A-Z0-9ÁÉÍÓÚÑÜ])")
# INFLESZ bands (Barrio-Cantalejo et al. 2008), lowest score of each.
INFLESZ_BANDS = ((80, "very easy"), (65, "fairly easy"), (55, "normal"), (40, "somewhat difficult"),
                 (0, "very difficult"))


def _hardest(parts: tuple[str, ...], score) -> tuple[str, ...]:
    """The three sentences `score` ranks hardest (highest first), ties in reading order."""
    # Headings and one-word list items score high on syllables alone; the
    # sentences worth rewriting are real ones.
    candidates = [s for s in parts if len(s.split()) >= 5] or list(parts)
    ranked = sorted(range(len(candidates)), key=lambda i: (-score(candidates[i]), i))
    return tuple(candidates[i] for i in ranked[:3])


@dataclass(frozen=True)
class Reading:
    """Readability of one body of text."""

    fk_grade: float
    smog: float
    sentences: int
    parts: tuple[str, ...] = ()

    @property
    def hardest(self) -> tuple[str, ...]:
        """The three sentences with the highest Flesch-Kincaid grade: ranked only when asked for."""
        from .syllables import flesch_kincaid_grade

        return _hardest(self.parts, flesch_kincaid_grade)

    def grade(self) -> float:
        """The grade judged against the limit."""
        if self.sentences >= SMOG_MIN_SENTENCES:
            return max(self.fk_grade, self.smog)
        return self.fk_grade


def plain_text(markdown: str) -> str:
    """Markdown reduced to sentences: headings and list items end as sentences."""
    from ..load.commonmark import checked_tokens

    tokens = checked_tokens(markdown)  # parsed once for every check of the body
    blocks = []
    for token in tokens:
        if token.type != "inline":
            continue
        text = "".join(" " if child.type == "softbreak" else child.content for child in token.children or ()
                       if child.type in ("text", "code_inline", "softbreak", "image"))
        text = " ".join(text.split())
        if not text:
            continue
        if text[-1] not in ".!?:":
            text += "."
        blocks.append(text)
    return "\n".join(blocks)


def sentences(text: str) -> list[str]:
    """Split plain text into sentences (one block per line, then by end marks)."""
    result = []
    for block in text.split("\n"):
        result += [s.strip() for s in _SENTENCE_END.split(block) if s.strip()]
    return result


def measure(markdown: str) -> Reading:
    """Flesch-Kincaid grade, SMOG and sentences of a body (through lint's cache when it keeps one)."""
    from ..load.cache import remember

    return remember("reading", markdown, lambda: _measure(markdown),
                    dump=lambda r: [r.fk_grade, r.smog, r.sentences, list(r.parts)],
                    load=lambda d: Reading(_score(d[0]), _score(d[1]), _count(d[2]), _texts(d[3])))


# Checks of what lint's cache hands back: a wrong value is a ValueError (worked out again), never a finding hidden.
def _score(value: object) -> float:
    if type(value) not in (int, float) or not math.isfinite(value) or abs(value) > 1e6:
        raise ValueError("not a score")
    return float(value)


def _count(value: object) -> int:
    if type(value) is not int or value < 0:
        raise ValueError("not a count")
    return value


def _texts(value: object) -> tuple[str, ...]:
    if not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
        raise ValueError("not sentences")
    return tuple(value)


def _measure(markdown: str) -> Reading:
    from .syllables import flesch_kincaid_grade, smog_index

    text = plain_text(markdown)
    parts = sentences(text)
    if not parts:
        return Reading(0.0, 0.0, 0)
    return Reading(fk_grade=round(flesch_kincaid_grade(text), 1), smog=round(smog_index(text), 1),
                   sentences=len(parts), parts=tuple(parts))


def inflesz_band(score: float) -> str:
    """The INFLESZ name of a Szigriszt-Pazos score: 'normal' from 55."""
    # Very hard text scores below 0 on the formula: still "very difficult".
    return next((name for low, name in INFLESZ_BANDS if score >= low), INFLESZ_BANDS[-1][1])


@dataclass(frozen=True)
class SpanishReading:
    """Readability of a Spanish body: Szigriszt-Pazos on the INFLESZ scale."""

    inflesz: float
    sentences: int
    parts: tuple[str, ...] = ()

    @property
    def band(self) -> str:
        return inflesz_band(self.inflesz)

    @property
    def hardest(self) -> tuple[str, ...]:
        """The three sentences with the lowest Szigriszt-Pazos score: ranked only when asked for."""
        from .syllables import szigriszt_pazos

        return _hardest(self.parts, lambda sentence: -szigriszt_pazos(sentence))


def measure_spanish(markdown: str) -> SpanishReading:
    """Szigriszt-Pazos (INFLESZ) and sentences of a Spanish body (through lint's cache when it keeps one)."""
    from ..load.cache import remember

    return remember("reading-es", markdown, lambda: _measure_spanish(markdown),
                    dump=lambda r: [r.inflesz, r.sentences, list(r.parts)],
                    load=lambda d: SpanishReading(_score(d[0]), _count(d[1]), _texts(d[2])))


def _measure_spanish(markdown: str) -> SpanishReading:
    from .syllables import szigriszt_pazos

    text = plain_text(markdown)
    parts = sentences(text)
    if not parts:
        return SpanishReading(100.0, 0)
    return SpanishReading(inflesz=round(szigriszt_pazos(text), 1), sentences=len(parts), parts=tuple(parts))
