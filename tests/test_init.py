"""`handouts init DIR`: a clinic's own copy, which then builds."""

from __future__ import annotations

import csv

import pdfcheck
import pytest
from helpers import DEMO_ROSTER, assert_clean, invoke, snapshot

EXPECTED = ["brand.yml", "handout.yaml", "logo.png", "providers.csv", "sections"]


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke(["init", "my-clinic"])
    assert_clean(result)
    assert result.exit_code == 0, result.output
    return tmp_path / "my-clinic", result


def test_init_creates_the_project_files(project):
    folder, result = project
    assert sorted(p.name for p in folder.iterdir()) == EXPECTED
    assert (folder / "sections").is_dir()
    assert sorted(p.name for p in (folder / "sections").glob("*.yaml"))
    assert (folder / "logo.png").read_bytes().startswith(b"\x89PNG")
    assert "my-clinic" in result.stdout
    assert "handouts build my-clinic" in result.stdout
    assert result.stderr == ""


def test_init_leaves_nothing_else_behind(project, tmp_path):
    # No staging folder (".my-clinic.init") or other stray files beside it.
    assert [p.name for p in tmp_path.iterdir()] == ["my-clinic"]


def test_init_copies_the_bundled_sections(project):
    from helpers import KNEE

    folder, _ = project
    bundled = sorted(p.name for p in (KNEE / "sections").iterdir())
    assert sorted(p.name for p in (folder / "sections").iterdir()) == bundled


def test_init_into_an_existing_empty_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty").mkdir()
    result = invoke(["init", "empty"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "empty").iterdir()) == EXPECTED


def test_init_refuses_a_non_empty_folder(project, tmp_path):
    folder, _ = project
    (folder / "handout.yaml").write_text("id: edited-by-the-clinic\n", encoding="utf-8")
    before = snapshot(tmp_path)

    result = invoke(["init", "my-clinic"])

    assert_clean(result)
    assert result.exit_code == 1
    assert "my-clinic" in result.stderr
    assert "not empty" in result.stderr
    assert snapshot(tmp_path) == before


def test_init_refuses_a_folder_holding_one_hidden_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "repo").mkdir()
    (tmp_path / "repo" / ".gitignore").write_text("*.pdf\n", encoding="utf-8")
    before = snapshot(tmp_path)
    result = invoke(["init", "repo"])
    assert result.exit_code == 1
    assert snapshot(tmp_path) == before


def test_init_then_build(project, tmp_path, bundled):
    folder, _ = project
    result = invoke(["build", "my-clinic"])
    assert_clean(result)
    assert result.exit_code == 0, result.output
    pdf = tmp_path / f"{bundled.id}.pdf"
    texts = pdfcheck.page_texts(pdf)
    assert bundled.clinic in texts[0]
    assert bundled.disclosure_title in " ".join(texts)


def test_init_then_build_with_its_roster(project, tmp_path):
    folder, _ = project
    with DEMO_ROSTER.open(encoding="utf-8", newline="") as handle:
        nunez = next(row for row in csv.DictReader(handle) if row["id"] == "dr-nunez")
    assert nunez["name"] == "María José Núñez"

    result = invoke(["build", "my-clinic", "--providers", "my-clinic/providers.csv", "--provider", "dr-nunez",
                     "-o", "nunez.pdf"])

    assert_clean(result)
    assert result.exit_code == 0, result.output
    cover = pdfcheck.page_texts(tmp_path / "nunez.pdf")[0]
    assert "Your provider: María José Núñez, MD" in cover


def test_init_project_is_editable(project, tmp_path):
    """The copy is the clinic's: an edited brand name is what prints."""
    folder, _ = project
    brand = folder / "brand.yml"
    brand.write_text(brand.read_text(encoding="utf-8").replace("full: Maple Grove Joint Clinic",
                                                               "full: Birchwood Knee Care"), encoding="utf-8")
    assert invoke(["build", "my-clinic", "-o", "mine.pdf"]).exit_code == 0
    text = " ".join(pdfcheck.page_texts(tmp_path / "mine.pdf"))
    assert "Birchwood Knee Care" in text
    assert "Maple Grove Joint Clinic" not in text
