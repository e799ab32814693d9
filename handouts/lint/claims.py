"""Claims regulators and evidence reviews treat as misleading for unproven therapies.

The FTC has fined stem-cell clinics for promising to "eliminate" knee pain;
FDA warns that no stem-cell product is approved for arthritis. A phrase is a
claim unless a negation comes before it in the same clause: "results are not
guaranteed" is a disclosure, "guaranteed results" is a promise. English and
Spanish have phrase lists and negations of their own; other languages are
checked with lint.yaml's added phrases only.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache

from ..sections.model import SourceText
from .cache import remember

# (name shown in findings, pattern). Names are what lint.yaml's `allow` uses.
# Each is looked for only in a text holding its name's key (KEYS, below).
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
# Letters every match of a claim's pattern holds, in every alternative
# (tests/test_claims_keys.py checks): a text without them cannot hold the
# claim, and one search for plain letters is far cheaper than the pattern's
# word-by-word trials. Nine texts in ten hold none, and the patterns were
# most of a cold lint's claim check.
KEYS: dict[str, str] = {
    "cure": "cur", "guaranteed": "guarantee", "100%": "100", "no side effects": "side", "no risk": "risk",
    "FDA approved": "fda", "regrow cartilage": "cartilage", "eliminate pain": "pain", "pain-free": "pain",
    "miracle": "mirac",
    "cura": "cur", "garantizado": "garant", "sin efectos secundarios": "efecto", "sin riesgos": "riesgo",
    "aprobado por la FDA": "fda", "regenera el cartílago": "cart", "eliminar el dolor": "dolor",
    "sin dolor": "dolor", "milagro": "milagr",
}
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


@lru_cache(maxsize=4)
def _compiled(claims: tuple[tuple[str, str], ...]) -> tuple[tuple[str, re.Pattern, re.Pattern], ...]:
    """(name, pattern, its key) compiled, both ignoring case alike, so the key is found wherever the pattern is."""
    return tuple((name, re.compile(p, re.IGNORECASE), re.compile(re.escape(KEYS[name]), re.IGNORECASE))
                 for name, p in claims)


# A clinic's phrases are matched word by word through a trie rather than as
# one regex each: 20,000 phrases were 20,000 scans of every field (57 s), and
# one alternation of them is no faster in Python's re.
_END = ""  # the trie key that marks a phrase's last word (words are never empty)


@lru_cache(maxsize=4)
def _phrase_trie(phrases: tuple[str, ...]) -> tuple[dict, int]:
    """Phrases as a trie of lower-case words, and the longest word's length."""
    root: dict = {}
    longest = 0
    for phrase in phrases:
        node = root
        for word in phrase.lower().split():
            longest = max(longest, len(word))
            node = node.setdefault(word, {})
        node.setdefault(_END, phrase)
    return root, longest


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


def _phrase_matches(text: str, phrases: tuple[str, ...]) -> list[tuple[str, int, int]]:
    r"""(phrase, start, end) of each clinic phrase in `text`, as `(?<!\w)w1\s+w2(?!\w)` would match.

    Work is linear in the text times the longest phrase word: a phrase starts
    where no word character precedes it, its inner words are whole
    whitespace-separated tokens, and its last word ends before a non-word
    character.
    """
    root, longest = _phrase_trie(phrases)
    if not root:
        return []
    low = text.lower()
    if len(low) != len(text):  # a few letters lower-case to two characters
        low = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    tokens = [(m.start(), m.end()) for m in re.finditer(r"\S+", low)]
    found = []
    # Like finditer, one phrase's matches do not overlap: "miracle miracle
    # miracle" holds "miracle miracle" once.
    ends: dict[str, int] = {}
    for index, (first, last) in enumerate(tokens):
        for start in range(first, last):
            if start > first and _is_word(low[start - 1]):
                continue
            node, pos, at = root, start, index
            while node:
                end_of_token = tokens[at][1]
                # The phrase may end inside this token, before a non-word character.
                for end in range(pos + 1, min(end_of_token, pos + longest) + 1):
                    if end == end_of_token or not _is_word(low[end]):
                        child = node.get(low[pos:end])
                        if child and _END in child and start >= ends.get(child[_END], 0):
                            found.append((child[_END], start, end))
                            ends[child[_END]] = end
                # Or go on to the next token with this whole token as one word.
                if end_of_token - pos > longest or at + 1 >= len(tokens):
                    break
                node = node.get(low[pos:end_of_token])
                at += 1
                pos = tokens[at][0]
    return found


class _Clauses:
    """Clause breaks, sentence ends and line breaks of one text, found once.

    Each match then costs a binary search and a bounded window rather than a
    scan from the start of the text (a 975 KB body repeating a claim took
    over 25 minutes).
    """

    # Words further back than this cannot be among the six before a claim
    # in any real sentence.
    WINDOW = 1000

    def __init__(self, text: str):
        self.text = text
        self.breaks = [m.end() for m in _CLAUSE_BREAK.finditer(text)]
        self.stops = [m.start() for m in _SENTENCE_STOP.finditer(text)]
        self.newlines = [m.start() for m in re.finditer("\n", text)]

    def negated(self, start: int, end: int, negation: re.Pattern, not_only: re.Pattern) -> bool:
        """Whether a negation before the match, in its clause, or a question, excuses it."""
        text = self.text
        # A question asks rather than claims: "Is it FDA-approved?"
        stop = bisect.bisect_left(self.stops, end)
        if stop < len(self.stops) and text[self.stops[stop]] == "?":
            return True
        brk = bisect.bisect_right(self.breaks, start) - 1
        clause_start = max(self.breaks[brk] if brk >= 0 else 0, start - self.WINDOW)
        # "not only safe but pain-free" is still a promise.
        before = not_only.sub(" ", text[clause_start:start])
        words = before.split()[-6:]
        return bool(negation.search(" ".join(words)))

    def line(self, offset: int) -> int:
        """1-based line of the text at character `offset`."""
        return bisect.bisect_left(self.newlines, offset) + 1


# Hyphens and dashes word processors insert (non-breaking, soft, figure...)
# are matched as plain hyphens; one character for one keeps offsets true.
_HYPHENS = str.maketrans({c: "-" for c in "\u00ad\u2010\u2011\u2012\u2043\ufe63\uff0d"})
_SENTENCE_STOP = re.compile(r"[.!?\n]")


def claim_matches(text: str, claims: tuple[tuple[str, str], ...]) -> list[tuple[str, int, int]]:
    """(name, start, end) of every match of each claim pattern, negated or not, as `finditer` finds them."""
    return [(name, m.start(), m.end()) for name, pattern, key in _compiled(claims) if key.search(text)
            for m in pattern.finditer(text)]


def _checked_match(match: object, length: int, claims: tuple[tuple[str, str], ...]) -> tuple[str, int, int]:
    """A claim match read back from lint's cache: a known claim within the text, or ValueError."""
    if not (isinstance(match, list) and len(match) == 3 and isinstance(match[0], str)
            and type(match[1]) is int and type(match[2]) is int and 0 <= match[1] < match[2] <= length
            and any(claim[0] == match[0] for claim in claims)):
        raise ValueError("not a claim match")
    return match[0], match[1], match[2]


def find_claims(src: SourceText, extra: tuple[str, ...] = (), language: str = "en") -> list[Claim]:
    """Claim phrases in one field's text, in its language, each with its file line."""
    found = []
    text = src.text.translate(_HYPHENS)
    claims, negation, not_only = rules(language)
    matches = remember(f"claims-{language.replace('_', '-').split('-')[0].lower()}", text,
                       lambda: claim_matches(text, claims), dump=lambda found: [list(m) for m in found],
                       load=lambda data: [_checked_match(m, len(text), claims) for m in data])
    matches = matches + _phrase_matches(text, tuple(extra))
    if not matches:
        return found
    clauses = _Clauses(text)
    lines: dict[tuple, int] = {}
    for name, start, end in matches:
        # Only words before the match count, so "no side effects" is not
        # excused by its own "no"; "it is not true there is no risk" is.
        if clauses.negated(start, end, negation, not_only):
            continue
        offset = clauses.line(start)
        words = " ".join(src.text[start:end].split())
        needle = words.split()[0]
        # Where a field's lines are not the file's, the line is found by
        # searching for the words: once per distinct first word.
        key = (needle, offset if src.exact or not src.raw else None)
        if key not in lines:
            lines[key] = src.where(offset, needle)
        found.append(Claim(name=name, text=words, line=lines[key]))
    return found
