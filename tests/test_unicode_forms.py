"""Text in Unicode normal form C from every input, so NFC and NFD give the same bytes (issue 10)."""

from __future__ import annotations

import shutil
import unicodedata

import pypdf
from helpers import invoke

NFC_NAME = unicodedata.normalize("NFC", "José Núñez")
NFD_NAME = unicodedata.normalize("NFD", "José Núñez")


def test_nfc_and_nfd_rosters_give_byte_identical_pdfs(minimal_project, tmp_path):
    assert NFC_NAME != NFD_NAME
    pdfs = []
    for form, name in (("nfc", NFC_NAME), ("nfd", NFD_NAME)):
        roster = tmp_path / f"{form}.csv"
        roster.write_text(f"id,name,credentials\ndr-j,{name},MD\n", encoding="utf-8")
        out = tmp_path / f"{form}.pdf"
        result = invoke(["build", str(minimal_project), "-o", str(out), "--providers", str(roster),
                         "--provider", "dr-j"])
        assert result.exit_code == 0, result.output
        pdfs.append(out.read_bytes())
    assert pdfs[0] == pdfs[1]
    assert NFC_NAME in " ".join(p.extract_text() for p in pypdf.PdfReader(str(tmp_path / "nfd.pdf")).pages)


def test_nfd_yaml_values_and_patient_names_are_normalised(minimal_project, tmp_path):
    copy = tmp_path / "nfd-project"
    shutil.copytree(minimal_project, copy)
    for path in copy.rglob("*.y*ml"):
        path.write_text(unicodedata.normalize("NFD", path.read_text(encoding="utf-8")), encoding="utf-8")
    for project, body in ((minimal_project, f"Ask {NFC_NAME}."), (copy, f"Ask {NFD_NAME}.")):
        section = project / "sections" / "intro.yaml"
        section.write_text(f'kind: how_it_works\ntitle: "Jos\\u0065\\u0301"\nbody: |\n  {body}\n',
                           encoding="utf-8")
    pdfs = []
    for project, name in ((minimal_project, NFC_NAME), (copy, NFD_NAME)):
        out = tmp_path / f"{project.name}.pdf"
        result = invoke(["build", str(project), "-o", str(out), "--patient-name", name])
        assert result.exit_code == 0, result.output
        pdfs.append(out.read_bytes())
    assert pdfs[0] == pdfs[1]


def test_yaml_escapes_are_normalised_too(tmp_path):
    from handouts.load.yamlfile import load_yaml

    path = tmp_path / "x.yaml"
    path.write_text('name: "Jose\\u0301"\n', encoding="utf-8")
    assert load_yaml(path).data["name"] == "Jos\u00e9"
