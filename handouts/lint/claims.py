"""Claims regulators and evidence reviews treat as misleading for unproven therapies.

The FTC has fined stem-cell clinics for promising to "eliminate" knee pain;
FDA warns that no stem-cell product is approved for arthritis. A phrase
(lint.claim_patterns) is a claim unless its clause negates it ("results are
not guaranteed", "no one can promise a cure", "rather than new cartilage",
"cartilage does not regrow"), warns against it or reports someone else's
("be wary of clinics that promise a cure", "some ads say the shots are FDA
approved", "words like miracle"), or asks about it ("Is it FDA-approved?").
The same phrase stated as a promise is still one: "our clinic promises a
cure", "don't wait to regrow your cartilage", "why live with pain when stem
cells heal?". English and Spanish have phrase lists and cues of their own
(tests/data/claims-corpus holds the sentences they are held to); other
languages are checked with lint.yaml's added phrases only."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache

from ..sections.model import SourceText
from ..load.cache import remember
from .claim_patterns import CLAIM_PATTERNS, CLAIM_PATTERNS_ES, KEYS  # noqa: F401 - named here too

# Each language's cues, in lower case (they are looked for in lower_text's
# lower case): a claim in a clause holding one is negated, warned against or
# reported, not made. Compiled for a language the first time it is checked.
_NEGATION = (
    r"\b(?:not|no|never|cannot|can't|don't|doesn't|didn't|won't|isn't|aren't|wasn't|weren't|nor|"
    r"neither|nothing|nobody|none|without|whether|rather\s+than|instead\s+of)\b|n't\b"
)
_NEGATION_ES = (
    r"\b(?:no|nunca|jamás|ni|sin|tampoco|nadie|nada|ningún|ninguna|ninguno|ningunos|ningunas|si|"
    r"en\s+lugar\s+de|en\s+vez\s+de)\b"
)
# A claim reported, warned against or named as a word is not one made:
# "be wary of clinics that promise a cure", "some ads say the shots are
# FDA approved", "words like miracle". The clinic's own "our clinic offers"
# is not reporting anyone else's.
_CAUTION = (
    r"\b(?:wary|beware|cautious|careful|suspicious|skeptical|sceptical|watch\s+out|warning\s+signs?|red\s+flags?"
    r"|misleading|false|think\s+twice)\b"
    r"|\b(?<!our\s)(?:clinics?|ads?|adverts?|advertisements?|advertising|websites?|sites?|sellers?|companies|company|"
    r"marketers?|marketing|someone|anyone|those|others|people|they|it|products?|providers?)\s+"
    r"(?:that\s+|who\s+|which\s+|may\s+|might\s+|often\s+|also\s+|sometimes\s+|had\s+|have\s+|has\s+|will\s+|"
    r"would\s+|can\s+|could\s+|did\s+|do\s+|does\s+)*(?:claim|say|promise|advertise|tell|call|offer|"
    r"market|sell|sells|use|boast|swear)\w*"
    r"|\b(?:patients|users|customers|testimonials?|reviews?|videos?|stories)\s+(?:that|who|which)\s+"
    r"(?:claim|say|said|tell|report|describe)\w*"
    r"|\b(?:sold|marketed|advertised|promoted|touted|billed|pitched)\s+as\b"
    r"|\bclaims?\s+(?:that|of|like|about|such)\b|\b(?:words?|terms?|phrases?)\b"
)
_CAUTION_ES = (
    r"\b(?:desconf\w+|cuidado|cautel\w*|sospech\w*|se[nñ]al(?:es)?\s+de\s+alerta|engañ\w*|fals[oa]s?"
    r"|pi[eé]ns\w*\s+dos\s+veces)\b"
    r"|\b(?<!nuestra\s)(?<!nuestro\s)(?<!nuestras\s)(?<!nuestros\s)"
    r"(?:cl[ií]nicas?|anuncios?|publicidad|sitios?|páginas?|vendedores?|empresas?|alguien|quienes?|otros|otras|"
    r"productos?|pacientes|testimonios?|videos?|historias)\s+(?:que\s+)?(?:le\s+|les\s+|a\s+veces\s+)?"
    r"(?:dic\w*|dec\w*|promet\w*|asegur\w*|anunci\w*|ofrec\w*|vend\w*|afirm\w*|llam\w*|muestr\w*)\b"
    r"|\b(?:vendid[oa]s?|anunciad[oa]s?|promocionad[oa]s?)\s+como\b"
    r"|\b(?:palabras?|términos?|frases?)\b"
)
# Negations that do not negate what follows: "not only safe but
# pain-free", "don't wait to regrow your cartilage".
_NOT_NEGATING = (
    r"\bnot\s+only\b|\b(?:don't|do\s+not|never)\s+(?:wait|suffer|settle|let|live|put\s+up|miss|delay|hesitate|"
    r"give\s+up|accept|struggle|endure)\b"
)
_NOT_NEGATING_ES = r"\bno\s+s[oó]lo\b|\bno\s+(?:espere|sufra|se\s+conforme|deje)\b"
# Inside a match, only a verb's own negation counts: "cartilage does not
# regrow", "el cartílago no se regenera"; not "live without pain".
_INNER_NEGATION = r"\b(?:not|never|cannot)\b|n't\b"
_INNER_NEGATION_ES = r"\b(?:no|nunca|jamás|tampoco)\b"
# language -> (claims, negations, negations that do not negate, cautions, negations inside a match)
_LANGUAGES = {
    "en": (CLAIM_PATTERNS, _NEGATION, _NOT_NEGATING, _CAUTION, _INNER_NEGATION),
    "es": (CLAIM_PATTERNS_ES, _NEGATION_ES, _NOT_NEGATING_ES, _CAUTION_ES, _INNER_NEGATION_ES),
}
# A clause's start that is an aside: a comma after it ends it ("If the
# pills did not help, stem cells heal the knee" still claims).
_ASIDE = re.compile(r"^\W*(?:if|when|after|although|though|unless|while|since|because|unlike|even\s+if|"
                    r"si|cuando|aunque|después\s+de|a\s+diferencia\s+de)\b[^,]*,")
# Rhetorical questions ask nothing: "Why live with pain when stem cells heal?"
_RHETORICAL = re.compile(r"^\W*(?:why|por\s*qu[eé])\b")
# A negation or a caution only counts inside the clause it stands in.
_CLAUSE_BREAK = re.compile(r"[.;:!?\u2014\u2013]|\s-\s|\n\s*\n|\n\s*[-*+]\s|\n\s*\d+[.)]\s|\n\s*#"
                           r"|,?\s+(?:but|yet|however|whereas|when|because|while|pero|cuando|porque|mientras)\b"
                           r"|,\s+(?:and|so|y|así\s+que)\b")


@dataclass(frozen=True)
class Claim:
    """A claim phrase found in a text field."""

    name: str
    text: str
    line: int


@lru_cache(maxsize=8)
def rules(language: str) -> tuple:
    """Claim patterns, and compiled negations, negations that do not negate, cautions and negations
    inside a match, for a language (es-MX uses es).

    Other languages have no claim patterns (lint.yaml's phrases only) and English's cues.
    """
    base = language.replace("_", "-").split("-")[0].lower()
    claims, *cues = _LANGUAGES.get(base, ((), *_LANGUAGES["en"][1:]))
    return (claims, *(re.compile(cue) for cue in cues))


def _claims(language: str) -> tuple[tuple[str, str], ...]:
    """A language's claim patterns (es-MX uses es's; none for other languages)."""
    return _LANGUAGES.get(language.replace("_", "-").split("-")[0].lower(), ((),))[0]


@lru_cache(maxsize=4)
def _compiled(claims: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """(name, pattern, its keys). Patterns (written in lower case) run on lower-cased text; each is
    compiled the first time a text holds one of its keys."""
    return tuple((name, p, KEYS[name]) for name, p in claims)


# Characters a pattern ignoring case would take for one of its letters that
# str.lower() does not turn into it (tests/test_claims_keys.py finds every
# one): the long s, and the dotted capital and dotless small i. The dotted
# capital I is also the one character str.lower() makes two of.
_LIKE_PATTERN_LETTERS = (("\u017f", "s"), ("\u0130", "i"), ("\u0131", "i"))


def lower_text(text: str) -> str:
    """`text` in lower case, character for character, as a pattern ignoring case would read it.

    The claim patterns run on it without ignoring case: compiling them
    ignoring case cost a cold lint a tenth of its time, and running them
    twice what it does now. Offsets in it are offsets in `text`.
    """
    for letter, plain in _LIKE_PATTERN_LETTERS:
        if letter in text:  # rare: replaced only when there
            text = text.replace(letter, plain)
    return text.lower()


def keyed_text(low: str) -> str:
    """Lower-cased text (lower_text) as keys are looked for in it: every run of white space one space.

    Looking for plain substrings in it is far cheaper than a regex
    alternation of the keys, and finds a key wherever the pattern can match.
    """
    return " ".join(low.split())


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
        self._intros: dict[int, str] = {}

    def _line(self, index: int) -> str:
        first = self.newlines[index - 1] + 1 if index > 0 else 0
        return self.text[first:self.newlines[index] if index < len(self.newlines) else len(self.text)]

    def intro(self, offset: int) -> str:
        """For a match in a list item, the line that leads into the list ("Think twice if a clinic:"); else ''.

        Worked out once per line, each from the line before, so a long list
        costs a step per item.
        """
        index = bisect.bisect_left(self.newlines, offset)
        return self._intro_of(index) if _ITEM.match(self._line(index)) else ""

    def _intro_of(self, index: int) -> str:
        if index in self._intros:
            return self._intros[index]
        found, above = "", index - 1
        # The lines above, from the nearest, until one that is not part of the list.
        while above >= 0:
            line = self._line(above)
            if above in self._intros:
                found = self._intros[above] if _ITEM.match(line) or not line.strip() or line[:1].isspace() else line
                break
            if not (_ITEM.match(line) or not line.strip() or line[:1] in " \t"):
                found = line
                break
            above -= 1
        self._intros[index] = found
        return found

    def excused(self, start: int, end: int, rules: tuple) -> bool:
        """Whether the match is negated, warned against or reported in its clause, or asked about."""
        _, negation, not_negating, caution, inner_negation = rules
        text = self.text
        # A question asks rather than claims ("Is it FDA-approved?"), unless it asks why.
        stop = bisect.bisect_left(self.stops, end)
        if stop < len(self.stops) and text[self.stops[stop]] == "?":
            begun = bisect.bisect_left(self.stops, start) - 1
            sentence = text[self.stops[begun] + 1 if begun >= 0 else 0:start]
            if not _RHETORICAL.match(sentence):
                return True
        brk = bisect.bisect_right(self.breaks, start) - 1
        clause_start = max(self.breaks[brk] if brk >= 0 else 0, start - self.WINDOW)
        before = text[clause_start:start]
        aside = _ASIDE.match(before)
        if aside:
            before = before[aside.end():]
        # Within the match, after its first word: "cartílago no se regenera".
        inside = " ".join(text[start:end].split(None, 1)[1:])
        if negation.search(not_negating.sub(" ", before)) or caution.search(before) or inner_negation.search(inside):
            return True
        # A list item led into by a warning ("Think twice if a clinic:" / "- says it is totally safe").
        intro = self.intro(start)
        return bool(intro and caution.search(intro))

    def line(self, offset: int) -> int:
        """1-based line of the text at character `offset`."""
        return bisect.bisect_left(self.newlines, offset) + 1


# Hyphens and dashes word processors insert (non-breaking, soft, figure...)
# are matched as plain hyphens; one character for one keeps offsets true.
_HYPHENS = str.maketrans({c: "-" for c in "\u00ad\u2010\u2011\u2012\u2043\ufe63\uff0d"})
_SENTENCE_STOP = re.compile(r"[.!?\n]")
_ITEM = re.compile(r"[ \t>]*(?:[-*+]|\d+[.)])\s")


def claim_matches(text: str, claims: tuple[tuple[str, str], ...]) -> list[tuple[str, int, int]]:
    """(name, start, end) of every match of each claim pattern, excused or not, as `finditer` finds them."""
    low = lower_text(text)
    keyed = keyed_text(low)
    # re.compile answers from re's own cache after the first time.
    return [(name, m.start(), m.end()) for name, pattern, keys in _compiled(claims)
            if any(key in keyed for key in keys) for m in re.compile(pattern).finditer(low)]


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
    claims = _claims(language)
    matches = remember(f"claims-{language.replace('_', '-').split('-')[0].lower()}", text,
                       lambda: claim_matches(text, claims), dump=lambda found: [list(m) for m in found],
                       load=lambda data: [_checked_match(m, len(text), claims) for m in data])
    matches = matches + _phrase_matches(text, tuple(extra))
    if not matches:
        return found
    language_rules = rules(language)  # compiled only for a text that has a match
    clauses = _Clauses(lower_text(text))  # the cues are lower case
    lines: dict[tuple, int] = {}
    for name, start, end in matches:
        # Only words before the match, and within it after its first, count:
        # "no side effects" is not excused by its own "no"; "it is not true
        # there is no risk" and "cartilage does not regrow" are.
        if clauses.excused(start, end, language_rules):
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
