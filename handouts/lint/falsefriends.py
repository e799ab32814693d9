"""Spanish false friends and calques from English, found in Spanish text (lint's `false-friend`).

"Proveedor" for a doctor, "reportar" for to report, "oficina" for a clinic,
"se siente caliente" for a fever (which in Mexico means something else):
a Spanish-speaking patient misreads them, or reads the handout as a
translation. The words, what to say instead and why live in a data file,
`handouts/data/lint/false-friends.es.yaml`, so a reviewer adds one without
code. Every text field of a Spanish edition is searched, and so are the
Spanish message catalogues it prints with (a clinic's own and the
bundled one). lint.yaml's `false_friends: allow:` keeps a word where it
is meant (see lint.config).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..errors import display_path
from ..load.paths import package_path
from ..load.yamlfile import load_yaml
from ..sections.model import SourceText
from ..load.cache import remember
from .findings import WARNING, Finding

# code -> (severity, what it checks); merged into lint's CODES.
FALSE_FRIEND_CODES: dict[str, tuple[str, str]] = {
    "false-friend": (WARNING, "Spanish text holds a false friend or calque from English (proveedor, reportar, "
                              "oficina ...); the message says what to write instead"),
}


@dataclass(frozen=True)
class FalseFriend:
    """One word or phrase to avoid, with what to say instead."""

    word: str
    pattern: re.Pattern
    say: str
    why: str


def data_file() -> Path:
    """The package's list of Spanish false friends."""
    return package_path("data", "lint", "false-friends.es.yaml")


@lru_cache(maxsize=1)
def false_friends() -> tuple[FalseFriend, ...]:
    """The list, read once per process (package data, not an input)."""
    entries = load_yaml(data_file(), what="false-friend list").data
    return tuple(FalseFriend(word=e["word"], pattern=re.compile(rf"\b(?:{e['match']})\b", re.IGNORECASE),
                             say=e["say"], why=e["why"]) for e in entries)


@lru_cache(maxsize=1)
def _pattern() -> re.Pattern:
    # One pass over a text for the whole list: each entry a named group.
    return re.compile("|".join(f"(?P<f{i}>{friend.pattern.pattern})" for i, friend in enumerate(false_friends())),
                      re.IGNORECASE)


def _found(text: str) -> list[tuple[int, int, int]]:
    # Emphasis markers sit between words ("dice **con fuerza**"): read them as spaces.
    plain = text.replace("*", " ")
    return [(int(m.lastgroup[1:]), m.start(), m.end()) for m in _pattern().finditer(plain)]


def _matches(text: str) -> list[tuple[FalseFriend, int, int]]:
    """The false friends in `text`, through lint's cache (a text lint saw before is not searched again)."""
    found = remember("false-friends", text, lambda: _found(text), dump=lambda found: [list(m) for m in found],
                     load=lambda data: [(int(index), int(start), int(end)) for index, start, end in data])
    return [(false_friends()[index], start, end) for index, start, end in found] if found else []


def _message(where: str, words: str, friend: FalseFriend) -> str:
    return (f"{where}\"{words}\" is a false friend or calque in Spanish ({friend.why}); "
            f"write: {friend.say}; or allow '{friend.word}' in lint.yaml under false_friends with a reason")


def check_false_friends(texts: list[SourceText], catalogues: tuple[Path, ...], allows) -> list[Finding]:
    """A `false-friend` warning for each one in Spanish `texts` and catalogue files.

    `allows(word, path, line)` says whether lint.yaml allows it there.
    """
    findings = []
    for src in texts:
        shown = None
        for friend, start, end in _matches(src.text):
            words = " ".join(src.text[start:end].replace("*", " ").split())
            line = src.where(src.text.count("\n", 0, start) + 1, words.split()[0])
            if allows(friend.word, src.path, line):
                continue
            shown = shown or display_path(src.path)
            findings.append(Finding(shown, line, WARNING, "false-friend", _message(f"{src.field}: ", words, friend)))
    for path in catalogues:
        doc = load_yaml(path, what="message catalogue")
        for key, value in (doc.data.items() if isinstance(doc.data, dict) else ()):
            if not isinstance(value, str):
                continue
            for friend, start, end in _matches(value):
                line = doc.line(key)
                if not allows(friend.word, path, line):
                    words = " ".join(value[start:end].split())
                    findings.append(Finding(display_path(path), line, WARNING, "false-friend",
                                            _message(f"{key}: ", words, friend)))
    return findings
