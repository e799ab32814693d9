"""Claims regulators and evidence reviews treat as misleading for unproven therapies.

The FTC has fined stem-cell clinics for promising to "eliminate" knee pain;
FDA warns that no stem-cell product is approved for arthritis. A phrase is a
claim unless a negation comes before it in the same clause: "results are not
guaranteed" is a disclosure, "guaranteed results" is a promise. English and
Spanish have phrase lists and negations of their own; other languages are
checked with lint.yaml's added phrases only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..sections.model import SourceText

# (name shown in findings, pattern). Names are what lint.yaml's `allow` uses.
CLAIM_PATTERNS: tuple[tuple[str, str], ...] = (
    ("cure", r"\bcur(?:e|es|ed|ing|ative)\b"),
    ("guaranteed", r"\bguarantee(?:s|d|ing)?\b"),
    ("100%", r"(?<![\d.])100\s*(?:%|percent\b|per cent\b)"),
    ("no side effects", r"\b(?:no|zero|without(?:\s+any)?)\s+(?:\w+\s+)?side[\s-]+effects?\b|\bside[\s-]+effect[\s-]+free\b"),
    ("no risk", r"\b(?:no|zero|without(?:\s+any)?)\s+risks?\b(?![\s-]*free)|\brisk[\s-]*free\b"),
    ("FDA approved", r"\bFDA[\s-]*(?:approved|approval|cleared)\b|\bapproved\s+by\s+(?:the\s+)?FDA\b"),
    ("regrow cartilage",
     r"\b(?:re-?grow|regenerat|rebuild|restor|replac|regrowth)\w*\s+(?:\w+\s+){0,3}cartilage\b"
     r"|\bcartilage\s+(?:regrowth|regeneration|restoration)\b|\bnew\s+cartilage\b"),
    ("eliminate pain", r"\beliminat\w*\s+(?:\w+\s+){0,3}pain\b|\bpain\s+elimination\b"),
    ("pain-free", r"\bpain[\s-]+free\b"),
    ("miracle", r"\bmiracle\w*\b|\bmiraculous\w*\b"),
)
# The same claims in Spanish, with their inflections ("curan", "garantizados").
CLAIM_PATTERNS_ES: tuple[tuple[str, str], ...] = (
    ("cura", r"\bcur(?:a|an|ar|ará|arán|aría|ado|ada|ados|adas|ación|aciones|ativ[oa]s?)\b"),
    ("garantizado", r"\bgarantiz\w*|\bgarantías?\b"),
    ("100%", r"(?<![\d.,])100\s*(?:%|por\s*ciento\b)"),
    ("sin efectos secundarios",
     r"\b(?:sin|ningún|cero|libre\s+de)\s+(?:\w+\s+)?efectos?\s+(?:secundarios?|adversos?)\b"),
    ("sin riesgos", r"\b(?:sin|cero|ningún|libre\s+de)\s+(?:ningún\s+)?riesgos?\b"),
    ("aprobado por la FDA",
     r"\baprobad[oa]s?\s+por\s+(?:la\s+)?FDA\b|\baprobaci[oó]n\s+de\s+(?:la\s+)?FDA\b"
     r"|\bFDA[\s-]+aprobad[oa]s?\b|\bautorizad[oa]s?\s+por\s+(?:la\s+)?FDA\b"),
    ("regenera el cartílago",
     r"\b(?:regener|reconstru|restaur|reempla|recuper|rehac|rehag)\w*\s+(?:\w+\s+){0,3}cart[ií]lagos?\b"
     r"|\bcart[ií]lagos?\s+(?:\w+\s+){0,2}(?:se\s+)?regener\w*|\bregeneraci[oó]n\s+(?:del?\s+)?cart[ií]lago"
     r"|\b(?:nuevo|nuevos)\s+cart[ií]lagos?\b|\bcart[ií]lagos?\s+nuevos?\b"),
    ("eliminar el dolor", r"\belimin\w*\s+(?:\w+\s+){0,3}dolor(?:es)?\b"),
    ("sin dolor", r"\b(?:libre\s+de|adiós\s+al)\s+dolor\b|\bvida\s+sin\s+dolor\b"),
    ("milagro", r"\bmilagr\w*"),
)
_NEGATION = re.compile(
    r"\b(?:not|no|never|cannot|can't|don't|doesn't|didn't|won't|isn't|aren't|wasn't|weren't|nor|"
    r"neither|nothing|nobody|without|whether)\b|n't\b",
    re.IGNORECASE,
)
_NEGATION_ES = re.compile(
    r"\b(?:no|nunca|jamás|ni|sin|tampoco|nadie|nada|ningún|ninguna|ninguno|ningunos|ningunas|si)\b",
    re.IGNORECASE,
)
# language -> (claims, negations, "not only" that does not negate)
_LANGUAGES = {
    "en": (CLAIM_PATTERNS, _NEGATION, re.compile(r"\bnot\s+only\b", re.IGNORECASE)),
    "es": (CLAIM_PATTERNS_ES, _NEGATION_ES, re.compile(r"\bno\s+s[oó]lo\b", re.IGNORECASE)),
}
# A negation only counts inside the clause it stands in.
_CLAUSE_BREAK = re.compile(r"[.;:!?\u2014\u2013]|\s-\s|\n\s*\n|\n\s*[-*+]\s|\n\s*\d+[.)]\s|\n\s*#")


@dataclass(frozen=True)
class Claim:
    """A claim phrase found in a text field."""

    name: str
    text: str
    line: int


def rules(language: str) -> tuple[tuple[tuple[str, str], ...], re.Pattern, re.Pattern]:
    """Claim patterns, negations and 'not only' for a language (es-MX uses es); none for others."""
    base = language.replace("_", "-").split("-")[0].lower()
    if base in _LANGUAGES:
        return _LANGUAGES[base]
    return ((), _LANGUAGES["en"][1], _LANGUAGES["en"][2])


def _compile(extra: tuple[str, ...], claims: tuple[tuple[str, str], ...]) -> list[tuple[str, re.Pattern]]:
    patterns = [(name, re.compile(p, re.IGNORECASE)) for name, p in claims]
    for phrase in extra:
        words = r"\s+".join(re.escape(w) for w in phrase.split())
        patterns.append((phrase, re.compile(rf"(?<!\w){words}(?!\w)", re.IGNORECASE)))
    return patterns


# Hyphens and dashes word processors insert (non-breaking, soft, figure...)
# are matched as plain hyphens; one character for one keeps offsets true.
_HYPHENS = str.maketrans({c: "-" for c in "\u00ad\u2010\u2011\u2012\u2043\ufe63\uff0d"})


def _negated(text: str, start: int, end: int, negation: re.Pattern = _NEGATION,
             not_only: re.Pattern = _LANGUAGES["en"][2]) -> bool:
    clause_start = 0
    for brk in _CLAUSE_BREAK.finditer(text, 0, start):
        clause_start = brk.end()
    # A question asks rather than claims: "Is it FDA-approved?"
    tail = re.match(r"[^.!?\n]*[.!?]?", text[end:])
    if tail and tail.group(0).endswith("?"):
        return True
    # "not only safe but pain-free" is still a promise.
    before = not_only.sub(" ", text[clause_start:start])
    words = before.split()[-6:]
    return bool(negation.search(" ".join(words)))


def find_claims(src: SourceText, extra: tuple[str, ...] = (), language: str = "en") -> list[Claim]:
    """Claim phrases in one field's text, in its language, each with its file line."""
    found = []
    text = src.text.translate(_HYPHENS)
    claims, negation, not_only = rules(language)
    for name, pattern in _compile(extra, claims):
        for match in pattern.finditer(text):
            # Only words before the match count, so "no side effects" is not
            # excused by its own "no"; "it is not true there is no risk" is.
            if _negated(text, match.start(), match.end(), negation, not_only):
                continue
            offset = text.count("\n", 0, match.start()) + 1
            words = " ".join(src.text[match.start():match.end()].split())
            found.append(Claim(name=name, text=words, line=src.where(offset, words.split()[0])))
    return found
