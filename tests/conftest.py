"""Shared fixtures: the bundled content's facts, one default build.

The default build (`handouts build` in an empty folder) is made once per
session and only read by the tests that use it; every test that needs a
different build makes its own in `tmp_path`.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from types import SimpleNamespace

import pdfcheck
import pypdf
import pytest
import yaml
from helpers import DEMO_BRAND, KNEE, assert_clean, invoke, snapshot


@pytest.fixture(scope="session", autouse=True)
def lint_cache_folder(tmp_path_factory):
    """`handouts lint` keeps its cache in this session's own folder, never in the user's ~/.cache."""
    with pytest.MonkeyPatch.context() as patch:
        folder = tmp_path_factory.mktemp("lint-cache")
        patch.setenv("HANDOUTS_CACHE_DIR", str(folder))
        yield folder


@pytest.fixture(scope="session")
def bundled() -> SimpleNamespace:
    """Facts about the bundled handout and demo brand, read from their YAML files."""
    manifest = yaml.safe_load((KNEE / "handout.yaml").read_text(encoding="utf-8"))
    sections = [yaml.safe_load((KNEE / name).read_text(encoding="utf-8")) for name in manifest["sections"]]
    disclosure = yaml.safe_load((KNEE / manifest["risk_disclosure"]).read_text(encoding="utf-8"))
    brand = yaml.safe_load(DEMO_BRAND.read_text(encoding="utf-8"))
    name = brand["meta"]["name"]
    reviewed = manifest["reviewed"]
    return SimpleNamespace(
        id=manifest["id"],
        title=manifest["title"],
        subtitle=manifest["subtitle"],
        language=manifest.get("language", "en"),
        version=str(manifest["version"]),
        reviewed=reviewed.isoformat() if isinstance(reviewed, dt.date) else str(reviewed),
        section_titles=[s["title"] for s in sections],
        disclosure_title=disclosure["title"],
        clinic=name["full"] if isinstance(name, dict) else name,
    )


@pytest.fixture(scope="session")
def default_build(tmp_path_factory) -> SimpleNamespace:
    """`handouts build` with no arguments, run once in an empty folder."""
    folder = tmp_path_factory.mktemp("default-build")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(folder)
        before = snapshot(folder)
        result = invoke(["build"])
        after = snapshot(folder)
    pdf = folder / "stem-cell-knee.pdf"
    built = SimpleNamespace(folder=folder, result=result, before=before, after=after, pdf=pdf,
                            reader=None, texts=[], lines=[])
    if pdf.is_file():
        built.reader = pypdf.PdfReader(str(pdf))
        built.texts = pdfcheck.page_texts(pdf)
        built.lines = pdfcheck.lines(pdf)
        built.body_size = pdfcheck.body_size(pdf, 1)
    return built


@pytest.fixture
def built(default_build) -> SimpleNamespace:
    """The default build, checked to have succeeded."""
    assert default_build.result.exit_code == 0, default_build.result.output
    assert default_build.reader is not None, "handouts build wrote no stem-cell-knee.pdf"
    return default_build


@pytest.fixture
def bundled_copy(tmp_path) -> Path:
    """An editable copy of the bundled handout, with the demo brand beside it."""
    folder = tmp_path / "knee"
    shutil.copytree(KNEE, folder)
    shutil.copy2(DEMO_BRAND, folder / "brand.yml")
    shutil.copy2(DEMO_BRAND.parent / "logo.png", folder / "logo.png")
    return folder


@pytest.fixture
def minimal_project(tmp_path) -> Path:
    """A copy of the smallest valid handout project (the ok-minimal case)."""
    folder = tmp_path / "minimal"
    shutil.copytree(Path(__file__).parent / "cases" / "ok-minimal", folder,
                    ignore=shutil.ignore_patterns("case.yaml"))
    return folder


SHEET = Path(__file__).parent / "sheet" / "long-consent"
PROSE = Path(__file__).parent / "sheet" / "prose"
PATIENT = "Maria Example"
# What the paper tests (breaking, pagination, consent, type) build: the
# bundled handout in English and in Spanish, a sheet with a long
# acknowledgment, a long table and long addresses, and a sheet of running
# prose in English and Spanish.
PAPER = {
    "en": (KNEE, ["--language", "en"]),
    "es": (KNEE, ["--language", "es"]),
    "sheet": (SHEET, ["--brand", str(DEMO_BRAND)]),
    "prose-en": (PROSE, ["--brand", str(DEMO_BRAND), "--language", "en"]),
    "prose-es": (PROSE, ["--brand", str(DEMO_BRAND), "--language", "es"]),
}


@pytest.fixture(scope="session")
def paper(tmp_path_factory):
    """build(which, layout) -> PDF path: each of PAPER in a layout, with a patient's name, built once a session."""
    folder = tmp_path_factory.mktemp("paper")
    made: dict[tuple[str, str], Path] = {}

    def build(which: str, layout: str) -> Path:
        if (which, layout) not in made:
            source, extra = PAPER[which]
            out = folder / f"{which}-{layout}.pdf"
            result = invoke(["build", str(source), "--layout", layout, "--patient-name", PATIENT,
                             "-o", str(out), *extra])
            assert_clean(result)
            assert result.exit_code == 0, result.output
            made[which, layout] = out
        return made[which, layout]

    return build
