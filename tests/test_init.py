"""`handouts init DIR`: a clinic's own copy, which then builds."""

from __future__ import annotations

import csv

import pdfcheck
import pytest
from helpers import DEMO_ROSTER, assert_clean, invoke, snapshot

EXPECTED = ["brand.yml", "handout.es-ES.yaml", "handout.es.yaml", "handout.yaml", "images", "lint.yaml", "logo.png",
            "providers.csv", "sections"]


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
    # The pictures the sections show come along, so the copy builds as it is.
    assert sorted(p.name for p in (folder / "images").iterdir()) == ["knee-cartilage.es.png", "knee-cartilage.png",
                                                                     "when-to-call.es.png", "when-to-call.png"]
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


def test_init_then_batch_needs_no_other_option(project, tmp_path):
    folder, _ = project
    result = invoke(["batch", "my-clinic", "-j", "1"])
    assert_clean(result)
    assert result.exit_code == 0, result.stderr
    with (folder / "providers.csv").open(encoding="utf-8", newline="") as handle:
        ids = [row["id"] for row in csv.DictReader(handle)]
    assert sorted(p.name for p in (tmp_path / "out").glob("*.pdf")) == sorted(f"stem-cell-knee--{i}.pdf" for i in ids)


def test_build_provider_uses_the_folders_roster(project, tmp_path):
    folder, _ = project
    with (folder / "providers.csv").open(encoding="utf-8", newline="") as handle:
        row = next(csv.DictReader(handle))
    result = invoke(["build", "my-clinic", "--provider", row["id"], "-o", "one.pdf"])
    assert_clean(result)
    assert result.exit_code == 0, result.stderr
    assert row["name"] in pdfcheck.page_texts(tmp_path / "one.pdf")[0]


def test_a_yaml_roster_beside_the_handout_is_the_default_too(project, tmp_path):
    folder, _ = project
    (folder / "providers.csv").unlink()
    (folder / "providers.yaml").write_text("- id: dr-x\n  name: Xavier Young\n", encoding="utf-8")
    result = invoke(["batch", "my-clinic", "-j", "1", "-d", "yaml-out"])
    assert result.exit_code == 0, result.stderr
    assert [p.name for p in (tmp_path / "yaml-out").glob("*.pdf")] == ["stem-cell-knee--dr-x.pdf"]


def test_without_a_roster_batch_says_what_it_needs(project, tmp_path):
    folder, _ = project
    (folder / "providers.csv").unlink()
    result = invoke(["batch", "my-clinic"])
    assert_clean(result)
    assert result.exit_code == 2
    assert "batch needs --providers FILE, or a providers.csv beside my-clinic/handout.yaml" in result.stderr
    assert not (tmp_path / "out").exists()


def test_build_prints_lint_warnings_one_line_each_unless_quiet(project, tmp_path):
    from PIL import Image

    folder, _ = project
    # A 24-pixel-wide logo prints far under 300 dpi.
    Image.new("RGB", (24, 12), "navy").save(folder / "logo.png")
    result = invoke(["build", "my-clinic", "-o", "warned.pdf"])
    assert_clean(result)
    assert result.exit_code == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if line]
    assert warnings and all(line.startswith("handouts: warning: ") for line in warnings)
    assert any(line.startswith("handouts: warning: my-clinic/logo.png: logo-resolution: the logo prints at")
               for line in warnings), warnings
    quiet = invoke(["-q", "build", "my-clinic", "-o", "quiet.pdf"])
    assert quiet.exit_code == 0 and quiet.stderr == ""


def test_batch_prints_lint_warnings_once_unless_quiet(project, tmp_path):
    from PIL import Image

    folder, _ = project
    # White, so that it shows on the band: the one warning is its resolution.
    Image.new("RGB", (24, 12), "white").save(folder / "logo.png")
    result = invoke(["batch", "my-clinic", "-j", "1"])
    assert_clean(result)
    assert result.exit_code == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith("handouts: warning: ")]
    # Once for the batch, not once per provider.
    assert [w.split(": ")[2:4] for w in warnings] == [["my-clinic/logo.png", "logo-resolution"]], warnings
    quiet = invoke(["-q", "batch", "my-clinic", "-j", "1", "-d", "quiet"])
    assert quiet.exit_code == 0 and "warning" not in quiet.stderr
