"""Providers from a roster, and the patient's name, on the bundled handout.

Expected names are read from the bundled roster with the csv module.
Hostile values (markup in names) and roster refusals are data cases under
tests/cases/ (plain-text-values, roster-*, unknown-provider).
"""

from __future__ import annotations

import csv
import re

import pdfcheck
import pypdf
import pytest
import yaml
from helpers import DEMO_ROSTER, KNEE, assert_clean, invoke, snapshot


def disclosure_field(name: str) -> str:
    manifest = yaml.safe_load((KNEE / "handout.yaml").read_text(encoding="utf-8"))
    disclosure = yaml.safe_load((KNEE / manifest["risk_disclosure"]).read_text(encoding="utf-8"))
    return disclosure[name]


def filled_sentence(template: str, variable: str, value: str) -> str:
    """The sentence of `template` that uses `{{ variable ... }}`, with `value` put in.

    Derived from the bundled YAML so that rewording the content does not
    break the test, while a variable that is not filled in still does.
    """
    pattern = re.compile(r"\{\{\s*" + re.escape(variable) + r"\b[^}]*\}\}")
    line = next(ln for ln in template.splitlines() if pattern.search(ln))
    sentence = next(s for s in re.split(r"(?<=[.:])\s+", line) if pattern.search(s))
    return pdfcheck.normalise(pattern.sub(value, sentence).lstrip("-* "))


def roster_rows() -> dict[str, dict[str, str]]:
    with DEMO_ROSTER.open(encoding="utf-8", newline="") as handle:
        return {row["id"]: row for row in csv.DictReader(handle)}


def build(tmp_path, monkeypatch, *args) -> tuple[list[str], pypdf.PdfReader]:
    monkeypatch.chdir(tmp_path)
    result = invoke(["build", *args])
    assert_clean(result)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    pdf = tmp_path / "stem-cell-knee.pdf"
    return pdfcheck.page_texts(pdf), pypdf.PdfReader(str(pdf))


@pytest.mark.parametrize("provider_id", ["dr-nunez", "dr-odegaard", "np-weiss"])
def test_provider_from_csv_roster_is_on_the_cover(tmp_path, monkeypatch, provider_id):
    row = roster_rows()[provider_id]
    texts, _ = build(tmp_path, monkeypatch, "--providers", str(DEMO_ROSTER), "--provider", provider_id)
    cover = texts[0]
    assert f"Your provider: {row['name']}, {row['credentials']}" in cover
    assert row["phone"] in cover
    # The provider signs the consent page too.
    assert f"Printed name: {row['name']}, {row['credentials']}" in texts[-1]
    # The disclosure's `{{ provider.name | default(...) }}` is filled in.
    assert filled_sentence(disclosure_field("body"), "provider.name", row["name"]) in " ".join(texts)
    others = [r["name"] for pid, r in roster_rows().items() if pid != provider_id]
    assert not [name for name in others if name in " ".join(texts)]


def test_without_provider_the_disclosure_uses_its_default(built):
    body = disclosure_field("body")
    default = re.search(r"provider\.name\s*\|\s*default\(\s*[\"']([^\"']+)", body)
    assert default, "the bundled disclosure should name the provider with a default"
    assert filled_sentence(body, "provider.name", default.group(1)) in " ".join(built.texts)


def test_provider_from_yaml_roster(tmp_path, monkeypatch):
    roster = tmp_path / "team.yml"
    roster.write_text(
        "# A roster kept as YAML rather than a spreadsheet export.\n"
        "- id: dr-haddad\n"
        "  name: Layla Haddad\n"
        "  credentials: MD, PhD\n"
        "  phone: (555) 010-0200\n"
        "- id: pa-kim\n"
        "  name: Min-jun Kim\n"
        "  credentials: PA-C\n", encoding="utf-8")
    texts, _ = build(tmp_path, monkeypatch, "--providers", "team.yml", "--provider", "pa-kim")
    assert "Your provider: Min-jun Kim, PA-C" in texts[0]
    assert "Layla Haddad" not in " ".join(texts)


def test_unknown_provider_names_the_roster(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    roster = tmp_path / "providers.csv"
    roster.write_bytes(DEMO_ROSTER.read_bytes())
    before = snapshot(tmp_path)
    result = invoke(["build", "--providers", "providers.csv", "--provider", "dr-nobody"])
    assert_clean(result)
    assert result.exit_code == 1
    assert "providers.csv" in result.stderr
    assert "dr-nobody" in result.stderr
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize(("name", "printed"), [
    ("Jane Q. Public", "Jane Q. Public"),
    ("  Zoë   Ångström-Ølsen ", "Zoë Ångström-Ølsen"),
], ids=["ascii", "accents-and-spaces"])
def test_patient_name_on_cover_and_signature_page(tmp_path, monkeypatch, name, printed):
    texts, reader = build(tmp_path, monkeypatch, "--patient-name", name)
    assert f"Prepared for: {printed}" in texts[0]
    assert f"Printed name: {printed}" in texts[-1]
    # The acknowledgment's `{{ patient.name | default(...) }}` is filled in.
    assert filled_sentence(disclosure_field("acknowledgment"), "patient.name", printed) in " ".join(texts)
    assert len(reader.pages) >= 3


def test_patient_name_stays_out_of_file_names_and_metadata(tmp_path, monkeypatch):
    name = "Jane Q. Public"
    texts, reader = build(tmp_path, monkeypatch, "--patient-name", name)
    files = [p.name for p in tmp_path.rglob("*")]
    assert files == ["stem-cell-knee.pdf"]
    for part in ("Jane", "Public"):
        assert not [f for f in files if part.lower() in f.lower()]
        assert not [k for k, v in reader.metadata.items() if part in str(v)]


def test_patient_name_printed_on_the_disclosure_pages(tmp_path, monkeypatch):
    """The name is printed by the patient's signature line, after the disclosure title."""
    texts, _ = build(tmp_path, monkeypatch, "--patient-name", "Jane Q. Public",
                     "--providers", str(DEMO_ROSTER), "--provider", "dr-nunez")
    lines = pdfcheck.lines(tmp_path / "stem-cell-knee.pdf")
    title = next(ln for ln in lines if ln.text == "Risks and your consent")
    printed = [ln for ln in lines if ln.text.startswith("Printed name:")]
    assert [ln.text for ln in printed] == ["Printed name: Jane Q. Public", "Printed name: María José Núñez, MD"]
    assert all((ln.page, ln.top) > (title.page, title.top) for ln in printed)
