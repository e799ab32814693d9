"""The handouts a server offers: each folder's manifest, its editions, brand and roster.

Read again for every page, so a handout saved a moment ago shows its new
title; a handout that cannot be read is still listed (by its folder's
name), since the editor page is where its problems are shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import HandoutError, NotFoundError, display_path
from ..load.project import find_brand, find_roster, resolve_handout
from ..sections.load import read_handout
from ..sections.translations import default_language, translations


@dataclass(frozen=True)
class Provider:
    id: str
    label: str


@dataclass(frozen=True)
class Entry:
    """One handout as the pages list it."""

    key: str  # what forms and addresses name it by
    manifest: Path
    title: str
    version: str
    languages: tuple[str, ...]  # the original's first
    roster: Path | None
    brand: Path | None
    providers: tuple[Provider, ...] = ()
    problem: str = ""  # why the roster could not be read

    @property
    def folder(self) -> Path:
        return self.manifest.parent

    def watched(self) -> tuple[Path, ...]:
        """The files and folders whose change means a new page: the handout's folder, its brand and roster."""
        return tuple(p for p in (self.folder, self.brand, self.roster) if p is not None)


def manifests(folders: tuple[str, ...]) -> tuple[Path, ...]:
    """The manifests for FOLDER arguments: a handout (file, folder, bundled name), or a folder of handout folders.

    Raises NotFoundError (a usage error) for an argument that is neither.
    """
    found: list[Path] = []
    for folder in folders or ("",):
        path = Path(folder)
        if folder and path.is_dir() and not (path / "handout.yaml").is_file():
            inside = sorted(p / "handout.yaml" for p in path.iterdir() if (p / "handout.yaml").is_file())
            if not inside:
                raise NotFoundError(f"folder '{display_path(path)}' holds no handout.yaml, nor folders that do")
            found += inside
        else:
            found.append(resolve_handout(folder or None))
    unique: dict[Path, Path] = {}
    for manifest in found:
        unique.setdefault(manifest.resolve(), manifest)
    return tuple(unique.values())


def keys(manifests_: tuple[Path, ...]) -> dict[str, Path]:
    """A short, stable name for each manifest: its folder's name, numbered when two share one."""
    named: dict[str, Path] = {}
    for manifest in manifests_:
        base = "".join(c if c.isalnum() or c in "-_" else "-" for c in manifest.parent.name) or "handout"
        key, n = base, 2
        while key in named:
            key, n = f"{base}-{n}", n + 1
        named[key] = manifest
    return named


def entry(key: str, manifest: Path, *, brand: Path | None = None, providers: Path | None = None) -> Entry:
    """What the pages show of one handout, read now; never raises for a broken handout."""
    from ..load.roster import load_roster

    handout, _texts, _problems, named_brand = read_handout(manifest)
    title = handout.title.text if handout is not None else manifest.parent.name
    version = handout.version if handout is not None else ""
    try:
        brand_path = find_brand(manifest, named_brand, brand)
    except HandoutError:
        brand_path = None
    try:
        roster = find_roster(manifest, providers, needed_by="serve")
    except NotFoundError:
        roster = None
    people: tuple[Provider, ...] = ()
    problem = ""
    if roster is not None:
        try:
            people = tuple(Provider(p.id, f"{p.name}, {p.credentials}" if p.credentials else p.name)
                           for p in load_roster(roster))
        except HandoutError as exc:
            problem = "; ".join(str(p) for p in exc.problems[:3])
    own = handout.language if handout is not None else default_language(manifest)
    languages = (own, *(code for code in translations(manifest) if code != own))
    return Entry(key=key, manifest=manifest, title=" ".join(title.split()), version=version, languages=languages,
                 roster=roster, brand=brand_path, providers=people, problem=problem)


def matches(entries: list[Entry], query: str) -> list[Entry]:
    """Entries whose title or key holds every word of `query`, ignoring case."""
    words = query.casefold().split()
    return [e for e in entries if all(w in f"{e.title} {e.key}".casefold() for w in words)]
