"""Where a handout's translations live: `handout.es.yaml` beside `handout.yaml`.

A translation is a manifest of its own (title, version, review dates,
sections, risk disclosure) with `translates:` naming the version of the
original it follows. Its section files are its own too, by convention
`name.es.yaml` beside `name.yaml`. The original is the file of the same name
without the language code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import UsageError, display_path

LANGUAGE_CODE = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")


def translation_path(manifest: Path, language: str) -> Path:
    """The file a translation of `manifest` into `language` lives in."""
    manifest = Path(manifest)
    return manifest.with_name(f"{manifest.stem}.{language}{manifest.suffix}")


def language_candidates(language: str) -> list[str]:
    """Codes to try for a requested language, most specific first: es-MX, es."""
    parts = language.replace("_", "-").split("-")
    return ["-".join(parts[:n]) for n in range(len(parts), 0, -1)]


def find_translation(manifest: Path, language: str) -> Path | None:
    """The translation of `manifest` into `language` (or its base language), if one exists."""
    for code in language_candidates(language):
        path = translation_path(manifest, code)
        if path.is_file():
            return path
    return None


def is_language(code: str) -> bool:
    """Whether `code` names a language Babel knows (es, es-MX), not any dotted word (old, v2)."""
    if not LANGUAGE_CODE.match(code):
        return False
    from babel import localedata

    return localedata.exists(code.replace("-", "_")) or localedata.exists(code.split("-")[0])


def original_path(manifest: Path) -> Path | None:
    """For `handout.es.yaml`, the `handout.yaml` it translates, if it exists."""
    manifest = Path(manifest)
    stem, dot, code = manifest.stem.rpartition(".")
    if not dot or not is_language(code):
        return None
    original = manifest.with_name(stem + manifest.suffix)
    return original if original.is_file() else None


def language_of_name(manifest: Path) -> str | None:
    """The language code in a translation's file name (`handout.es.yaml` -> `es`)."""
    manifest = Path(manifest)
    stem, dot, code = manifest.stem.rpartition(".")
    return code if dot and original_path(manifest) else None


def translations(manifest: Path) -> dict[str, Path]:
    """Every translation beside `manifest`, by language code."""
    manifest = Path(manifest)
    found = {}
    for path in sorted(manifest.parent.glob(f"{manifest.stem}.*{manifest.suffix}")):
        code = path.stem[len(manifest.stem) + 1:]
        if is_language(code) and path.is_file():
            found[code] = path
    return found


def default_language(manifest: Path) -> str:
    """The `language:` a manifest declares (en when it declares none or cannot be read).

    Read on its own, before the full load, to decide which edition to
    print; a broken manifest is reported by the load that follows.
    """
    from ..load.yamlfile import YamlReadError, load_yaml

    try:
        data = load_yaml(Path(manifest), what="handout manifest").data
    except YamlReadError:
        return "en"
    value = data.get("language") if isinstance(data, dict) else None
    return value if isinstance(value, str) and LANGUAGE_CODE.match(value) else "en"


@dataclass(frozen=True)
class Edition:
    """Which manifest prints for a requested language.

    `language` is the language printed ("" when none was asked for: the
    manifest's own); `requested` the one asked for;
    `fell_back` is true when no translation exists and the original's
    language prints instead.
    """

    manifest: Path
    language: str
    requested: str | None = None
    fell_back: bool = False

    def fallback_message(self, where: str | None = None) -> str:
        """The warning for a fallback, naming the row or option that asked (never a patient's name)."""
        asked = f"{where}: " if where else ""
        return (f"{asked}no '{self.requested}' translation of {display_path(self.manifest)}; "
                f"printing the '{self.language}' edition instead")


def choose_edition(manifest: Path, language: str | None) -> Edition:
    """The edition of a handout to print for `language` (None: the manifest as given).

    `manifest` may be the original or one of its translations; a language
    is looked up beside the original, falling back from es-MX to es, and
    then to the original's own language.
    """
    manifest = Path(manifest)
    if not language:
        return Edition(manifest, "")  # the manifest's own language, read when it is loaded
    if not LANGUAGE_CODE.match(language):
        raise UsageError(f"--language must be a language code such as es or es-MX, found {language!r}")
    original = original_path(manifest) or manifest
    found = find_translation(original, language)
    if found is not None:
        return Edition(found, language_of_name(found) or language, language)
    default = default_language(original)
    if default in language_candidates(language) or language in language_candidates(default):
        return Edition(original, default, language)
    return Edition(original, default, language, fell_back=True)
