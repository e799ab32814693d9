"""Finding a handout's files: manifests, brands, bundled content, `init`."""

from __future__ import annotations

import shutil
from pathlib import Path

from ..errors import ContentError, HandoutError, NotFoundError, OutputError, Problem, display_path, explain_os_error
from .paths import package_path

DEFAULT_HANDOUT = "stem-cell-knee"
MANIFEST_NAME = "handout.yaml"
BRAND_NAMES = ("brand.yml", "_brand.yml", "brand.yaml")


def data_folder() -> Path:
    """The package's bundled data: handouts, the demo brand and roster."""
    return package_path("data")


def bundled_handouts() -> list[str]:
    """Names of the handouts that ship with the package."""
    folder = data_folder() / "handouts"
    return sorted(p.name for p in folder.iterdir() if (p / MANIFEST_NAME).is_file())


def demo_brand() -> Path:
    """The bundled demo clinic's brand file."""
    return data_folder() / "brands" / "demo" / "brand.yml"


def demo_roster() -> Path:
    """The bundled demo provider roster."""
    return data_folder() / "rosters" / "providers.csv"


def is_bundled(manifest: Path) -> bool:
    """Whether a manifest is one of the package's own."""
    return manifest.resolve().is_relative_to((data_folder() / "handouts").resolve())


def resolve_handout(handout: str | Path | None) -> Path:
    """The manifest for a path, a folder holding handout.yaml, or a bundled name."""
    if handout is None or str(handout) == "":
        handout = DEFAULT_HANDOUT
    path = Path(handout)
    if path.is_dir():
        manifest = path / MANIFEST_NAME
        if manifest.is_file():
            return manifest
        raise NotFoundError(f"folder '{display_path(path)}' holds no {MANIFEST_NAME}")
    if path.is_file():
        return path
    if str(handout) in bundled_handouts():
        return data_folder() / "handouts" / str(handout) / MANIFEST_NAME
    names = ", ".join(bundled_handouts())
    raise NotFoundError(f"no handout file, folder or bundled handout named '{handout}' (bundled: {names})")


ROSTER_NAMES = ("providers.csv", "providers.yaml", "providers.yml")


def find_roster(manifest: Path, explicit: str | Path | None, *, needed_by: str) -> Path:
    """The roster to use: --providers, else the providers.csv (or .yaml) beside the manifest.

    `init` puts a providers.csv in every new folder, so `batch my-clinic`
    and `build my-clinic --provider ID` need no other option. Raises a
    usage error naming `needed_by` when there is neither.
    """
    if explicit is not None:
        return Path(explicit)
    if not is_bundled(manifest):
        for name in ROSTER_NAMES:
            beside = manifest.parent / name
            if beside.is_file():
                return beside
    raise NotFoundError(f"{needed_by} needs --providers FILE, or a providers.csv beside "
                        f"{display_path(manifest)}")


def find_brand(manifest: Path, named: Path | None, explicit: str | Path | None) -> Path:
    """The brand file to use: --brand, the manifest's `brand`, one beside it, or the demo."""
    if explicit is not None:
        path = Path(explicit)
        if not path.is_file():
            raise NotFoundError(f"brand file '{explicit}' not found")
        return path
    if named is not None:
        return named
    for name in BRAND_NAMES:
        beside = manifest.parent / name
        if beside.is_file():
            return beside
    if is_bundled(manifest):
        return demo_brand()
    raise ContentError([Problem(display_path(manifest), None,
                                "no brand: pass --brand FILE, set 'brand:' in the manifest, "
                                "or put a brand.yml beside it")])


def init_project(folder: Path) -> list[Path]:
    """Copy the bundled handout, demo brand and roster into a new folder.

    Refuses a folder that already holds files, so nothing is overwritten.
    Returns the files written.
    """
    folder = Path(folder)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise HandoutError(f"'{display_path(folder)}' already exists and is not empty; choose a new folder")
    source = data_folder()
    staging = folder.with_name(f".{folder.name}.init")
    try:
        if staging.exists():
            shutil.rmtree(staging)
        folder.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        # A file where a folder should be, no permission, a read-only disk:
        # the user's to fix, so say where and how rather than exit as a bug.
        raise OutputError([Problem(display_path(folder), None, explain_os_error(exc, folder.parent))]) from None
    try:
        shutil.copytree(source / "handouts" / DEFAULT_HANDOUT, staging,
                        ignore=shutil.ignore_patterns("__pycache__"))
        for item in (source / "brands" / "demo").iterdir():
            shutil.copy2(item, staging / item.name)
        shutil.copy2(demo_roster(), staging / "providers.csv")
        if folder.exists():
            folder.rmdir()
        staging.rename(folder)
    except BaseException as exc:
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(exc, OSError):
            raise OutputError([Problem(display_path(folder), None, explain_os_error(exc, folder))]) from None
        raise
    return sorted(p for p in folder.rglob("*") if p.is_file())
