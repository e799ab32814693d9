"""Message catalogues: the fixed text handouts adds around a handout's content.

Page numbers, signature and date labels, cover labels, the footer and the
fixed lines of emails come from one YAML file per language, so adding a
language needs files, not code. The package ships `handouts/data/messages/`
(en, es); a clinic adds or overrides a language with `messages/<code>.yaml`
beside its handout manifest. Keys a catalogue leaves out come from the same
language's bundled catalogue, then from English. Dates are written out in
the language's own form through Babel ("1 de noviembre de 2026"), and
numbers filled into a text with its digit grouping and decimal sign (5.000
in es-ES, 5,000 in es-MX and es-US). A catalogue's language may be regional
(es-MX): its texts come from es, its numbers and dates from es-MX.
"""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from ..errors import ContentError, Problem, display_path
from ..load.fields import describe, did_you_mean
from ..load.paths import package_path
from ..load.yamlfile import YamlReadError, load_yaml

BASE_LANGUAGE = "en"
FOLDER_NAME = "messages"

# Every key a catalogue may hold, with the placeholders its text may use.
KEYS: dict[str, frozenset[str]] = {
    "page": frozenset({"page", "pages"}),
    "prepared_for": frozenset(),
    "your_provider": frozenset(),
    "patient_signature": frozenset(),
    "provider_signature": frozenset(),
    "date": frozenset(),
    "printed_name": frozenset(),
    "write_in": frozenset(),
    # The signer's decision: the line above the two boxes, the boxes' words
    # when a risk disclosure declares none, what a screen reader calls a box,
    # and the right to change one's mind.
    "decision_heading": frozenset(),
    "decision_yes": frozenset(),
    "decision_no": frozenset(),
    "check_box": frozenset(),
    "change_mind": frozenset(),
    "sources": frozenset(),
    "how_to_sign": frozenset(),
    "how_to_sign_text": frozenset({"clinic"}),
    "the_clinic": frozenset(),  # stands for the clinic's name in how_to_sign_text when the brand has none
    "logo_alt": frozenset({"alt"}),  # brand.yml's logo alt text, as a reader of this language hears it
    "signing_asks": frozenset(),
    "footer_version": frozenset({"id", "version"}),
    "footer_reviewed": frozenset({"reviewed"}),
    "consent_header": frozenset({"title", "version"}),
    "consent_patient": frozenset({"name"}),
    "subject": frozenset({"id", "title"}),
    "email_subject": frozenset({"title", "clinic"}),
    "email_greeting": frozenset({"name"}),
    "email_greeting_no_name": frozenset(),
    "email_attached": frozenset({"title", "clinic", "version"}),
    "email_from_provider": frozenset({"provider"}),
    "email_read_first": frozenset(),
    "email_password": frozenset(),
    "email_read_below": frozenset(),
    "email_reach_us": frozenset(),
    "email_phone": frozenset(),
    "email_email": frozenset(),
    "email_address": frozenset(),
    "email_web": frozenset(),
    "email_emergency": frozenset(),
    "email_signoff": frozenset({"clinic"}),
}
_FORMATTER = string.Formatter()


@dataclass(frozen=True)
class Messages(Mapping[str, str]):
    """One language's fixed texts; a read-only mapping from key to text.

    `files` are the catalogue files read, most specific first, so a batch's
    fingerprint can include them.
    """

    language: str
    items: tuple[tuple[str, str], ...]
    files: tuple[Path, ...] = ()

    def __getitem__(self, key: str) -> str:
        for name, text in self.items:
            if name == key:
                return text
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return (name for name, _ in self.items)

    def __len__(self) -> int:
        return len(self.items)

    def format(self, key: str, **values: object) -> str:
        """The text of `key` with its placeholders filled in; numbers written as the locale writes them."""
        return self[key].format_map({name: self.number(value) if isinstance(value, (int, float))
                                     and not isinstance(value, bool) else value for name, value in values.items()})

    def date(self, day: dt.date) -> str:
        """A date written out in this language: 'November 1, 2026', '1 de noviembre de 2026'."""
        return format_date(day, self.language)

    def number(self, value: float) -> str:
        """`value` as this locale writes it, through Babel's CLDR data: 5,000 (en, es-MX, es-US), 5.000 (es-ES)."""
        return format_number(value, self.language)


def logo_alt(brand, text: Messages) -> str:
    """What a screen reader says for a brand's logo in `text`'s language.

    brand.yml's alt text, as the catalogue's `logo_alt` marks it ("{alt} (en
    inglés)" in Spanish: brand.yml gives one alt text, usually English), else
    the clinic's name.
    """
    return text.format("logo_alt", alt=brand.logo.alt) if brand.logo and brand.logo.alt else brand.name


def _locale(language: str):
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return Locale.parse(BASE_LANGUAGE)


def format_date(day: dt.date, language: str) -> str:
    """`day` in the long form of `language`, through Babel's CLDR data.

    Kept in the run's cache (load.cache): reading Babel's data for a
    language is a tenth of a cold build, for the one date it prints.
    """
    from ..load.cache import remember

    def babel_date() -> str:
        from babel.dates import format_date as babel_format

        return babel_format(day, format="long", locale=_locale(language))

    return remember("date", f"{day.isoformat()}\0{language}", babel_date, load=_text)


def _text(value: object) -> str:
    if type(value) is not str:
        raise ValueError("not a date")
    return value


def format_number(value: float, language: str) -> str:
    """`value` with the decimal sign and digit grouping of `language` (es-ES: 5.000 and 3,31)."""
    from babel.numbers import format_decimal

    return format_decimal(value, locale=_locale(language))


def bundled_folder() -> Path:
    """The package's own catalogues."""

    return package_path("data", FOLDER_NAME)


def candidates(language: str) -> list[str]:
    """Codes to try for a language, most specific first: es-MX, then es."""
    parts = language.replace("_", "-").split("-")
    return ["-".join(parts[:n]) for n in range(len(parts), 0, -1)]


def catalogue_files(language: str, folders: Iterable[Path] = ()) -> list[Path]:
    """Catalogue files for `language`, most specific first: clinic folders, then the package."""
    found = []
    for code in candidates(language):
        for folder in [*folders, bundled_folder()]:
            path = Path(folder) / f"{code}.yaml"
            if path.is_file() and path not in found:
                found.append(path)
    return found


def has_catalogue(language: str, folders: Iterable[Path] = ()) -> bool:
    """Whether any catalogue exists for `language` (or its base language)."""
    return bool(catalogue_files(language, folders))


def _read(path: Path, problems: list[Problem]) -> dict[str, str]:
    try:
        doc = load_yaml(path, what="message catalogue")
    except YamlReadError as exc:
        problems.append(exc.problem)
        return {}
    if not isinstance(doc.data, dict):
        problems.append(doc.problem(f"a message catalogue must be a mapping of keys to texts, found {describe(doc.data)}"))
        return {}
    texts = {}
    for key, value in doc.data.items():
        if key not in KEYS:
            problems.append(doc.problem(f"unknown message key '{key}'{did_you_mean(str(key), KEYS)}", key))
            continue
        if not isinstance(value, str):
            problems.append(doc.problem(f"'{key}' must be text, found {describe(value)}", key))
            continue
        reason = _placeholder_problem(value, KEYS[key])
        if reason:
            problems.append(doc.problem(f"'{key}': {reason}", key))
            continue
        texts[key] = value
    return texts


def _placeholder_problem(text: str, allowed: frozenset[str]) -> str | None:
    # Only bare names: "{x.__class__}" or "{x[0]}" would reach into Python objects.
    try:
        fields = [name for _, name, spec, conv in _FORMATTER.parse(text) if name is not None]
    except ValueError as exc:
        return f"badly formed placeholder ({exc}); write {{{{ and }}}} for literal braces"
    for name in fields:
        if name not in allowed:
            known = ", ".join("{" + a + "}" for a in sorted(allowed)) or "none"
            return f"unknown placeholder {{{name}}} (this text may use {known})"
    return None


def messages(language: str = BASE_LANGUAGE, folders: Iterable[Path] = ()) -> Messages:
    """The fixed texts for `language`, with clinic catalogues in `folders` first.

    Keys missing from every catalogue of the language come from English.
    A catalogue with unknown keys, non-text values or unknown placeholders
    raises ContentError naming the file and line.
    """
    folders = tuple(Path(f) for f in folders)
    files = catalogue_files(language, folders)
    base = [f for f in catalogue_files(BASE_LANGUAGE, folders) if f not in files]
    problems: list[Problem] = []
    merged: dict[str, str] = {}
    for path in reversed(files + base):
        merged.update(_read(path, problems))
    if problems:
        raise ContentError(problems)
    missing = [k for k in KEYS if k not in merged]
    if missing:  # only when the bundled English catalogue itself was broken
        raise ContentError([Problem(display_path(bundled_folder()), None, f"no text for {', '.join(missing)}")])
    return Messages(language=language, items=tuple((k, merged[k]) for k in KEYS), files=tuple(files + base))


def missing_keys(language: str, folders: Iterable[Path] = ()) -> list[str]:
    """Keys no catalogue of `language` itself gives (they would print in English)."""
    problems: list[Problem] = []
    given: set[str] = set()
    for path in catalogue_files(language, folders):
        given |= set(_read(path, problems))
    return [k for k in KEYS if k not in given]
