"""The Spanish edition and languages per reader: build, batch, fallback, a third language.

Every test opens the PDFs written (pypdf for text and /Lang) or the real
lint output; the bundled Spanish edition is read from the package.
"""

from __future__ import annotations

import csv
import json
import logging
import re
import shutil
from pathlib import Path

import pdfcheck
import pypdf
import pytest
import yaml
from helpers import KNEE, assert_clean, invoke

from handouts.pipeline.editions import Editions

SPANISH = yaml.safe_load((KNEE / "handout.es.yaml").read_text(encoding="utf-8"))


def spanish_titles() -> list[str]:
    return [yaml.safe_load((KNEE / name).read_text(encoding="utf-8"))["title"] for name in SPANISH["sections"]]


@pytest.fixture(scope="module")
def spanish_pdf(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("es") / "rodilla.pdf"
    result = invoke(["build", "--language", "es", "--patient-name", "Ana Pérez", "-o", str(out)])
    assert_clean(result)
    assert result.exit_code == 0, result.output
    assert "warning" not in result.stderr
    return out


def test_the_spanish_pdf_is_in_spanish(spanish_pdf):
    texts = pdfcheck.page_texts(spanish_pdf)
    whole = " ".join(texts)
    assert texts[0].startswith("Maple Grove") or SPANISH["title"] in texts[0]
    assert SPANISH["title"] in texts[0]
    for title in spanish_titles():
        assert title in whole, title
    assert re.search(rf"Página 1 de ?{len(texts)}", texts[0])
    assert re.search(rf"Página {len(texts)} de ?{len(texts)}", texts[-1])
    # The disclosure starts at most three pages from the end: its text, then the signed page
    # (what is done, the acknowledgment, the decision and the signatures).
    assert any("Riesgos y su consentimiento" in text for text in texts[-3:])
    last = texts[-1]
    for label in ("Firma del paciente", "Firma del profesional de salud", "Fecha", "Nombre en letra de molde: Ana Pérez"):
        assert label in last, label
    assert "Revisado el 1 de noviembre de 2026" in texts[0]
    assert "Preparado para: Ana Pérez" in texts[0]
    for english in ("Page 1", "Patient signature", "Printed name", "Reviewed", "Sources", "How the shots work"):
        assert english not in whole, english


def test_the_spanish_pdf_says_it_is_spanish(spanish_pdf):
    reader = pypdf.PdfReader(str(spanish_pdf))
    assert reader.trailer["/Root"]["/Lang"] == "es"
    assert reader.metadata.title == SPANISH["title"]


def test_english_sources_in_the_spanish_pdf_say_they_are_english(spanish_pdf, tmp_path):
    """A reference's `language` is its list item's /Lang, and its li's lang in the HTML edition."""
    import pikepdf
    import structure

    with pikepdf.open(spanish_pdf) as pdf:
        items = [e for e in structure.walk(structure.tree(pdf)) if e.role == "LI"]
        english = [e for e in items if str(e.obj.get("/Lang", "")) == "en"]
    references = yaml.safe_load((KNEE / "sections" / "evidence.es.yaml").read_text(encoding="utf-8"))["references"]
    assert len(english) == sum(1 for ref in references if ref.get("language") == "en") > 0
    html = tmp_path / "rodilla.html"
    assert invoke(["build", "--language", "es", "--format", "html", "-o", str(html)]).exit_code == 0
    assert html.read_text(encoding="utf-8").count('<li lang="en">') == len(english)


def test_a_reference_language_that_is_not_a_language_code_is_an_input_error(tmp_path):
    folder = tmp_path / "knee"
    shutil.copytree(KNEE, folder)
    path = folder / "sections" / "evidence.es.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("language: en", "language: en glish", 1),
                    encoding="utf-8")
    result = invoke(["build", str(folder), "--language", "es", "-o", str(tmp_path / "out.pdf")])
    assert_clean(result)
    assert result.exit_code == 1
    assert "evidence.es.yaml" in result.stderr and "'language' must be a language code" in result.stderr
    assert not (tmp_path / "out.pdf").exists()


def test_an_english_build_says_en(tmp_path):
    out = tmp_path / "knee.pdf"
    assert invoke(["build", "--language", "en", "-o", str(out)]).exit_code == 0
    assert pypdf.PdfReader(str(out)).trailer["/Root"]["/Lang"] == "en"


def test_a_regional_code_uses_the_base_language(tmp_path):
    out = tmp_path / "mx.pdf"
    result = invoke(["build", "--language", "es-MX", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "warning" not in result.stderr
    assert "Página 1 de" in pdfcheck.page_texts(out)[0]


def test_a_missing_translation_falls_back_with_a_warning(tmp_path):
    out = tmp_path / "fr.pdf"
    result = invoke(["build", "--language", "fr", "-o", str(out)])
    assert_clean(result)
    assert result.exit_code == 0, result.output
    assert "no 'fr' translation" in result.stderr and "'en' edition" in result.stderr
    assert "Page 1 of" in pdfcheck.page_texts(out)[0]
    assert pypdf.PdfReader(str(out)).trailer["/Root"]["/Lang"] == "en"


def test_a_bad_language_code_is_a_usage_error(tmp_path):
    result = invoke(["build", "--language", "es/../x", "-o", str(tmp_path / "x.pdf")])
    assert_clean(result)
    assert result.exit_code == 2
    assert not (tmp_path / "x.pdf").exists()


def write_roster(path: Path, rows: list[dict]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["id", "name", "credentials", "language"])
        writer.writeheader()
        writer.writerows(rows)


def test_a_mixed_roster_gives_each_provider_their_language(tmp_path):
    roster = tmp_path / "roster.csv"
    write_roster(roster, [
        {"id": "dr-en", "name": "Ann Lee", "credentials": "MD", "language": "en"},
        {"id": "dr-es", "name": "Luis Peña", "credentials": "MD", "language": "es"},
        {"id": "dr-none", "name": "Kim Roe", "credentials": "DO", "language": ""},
        {"id": "dr-fr", "name": "Chloé Martin", "credentials": "MD", "language": "fr"},
    ])
    out = tmp_path / "out"
    result = invoke(["batch", "--providers", str(roster), "-d", str(out), "-j", "2"])
    assert_clean(result)
    assert result.exit_code == 0, result.output
    langs = {}
    for pid in ("dr-en", "dr-es", "dr-none", "dr-fr"):
        pdf = out / f"stem-cell-knee--{pid}.pdf"
        langs[pid] = str(pypdf.PdfReader(str(pdf)).trailer["/Root"]["/Lang"])
        first = pdfcheck.page_texts(pdf)[0]
        if langs[pid] == "es":
            assert "Su médico o profesional de salud: Luis Peña, MD" in first
        else:
            assert "Your provider:" in first
    assert langs == {"dr-en": "en", "dr-es": "es", "dr-none": "en", "dr-fr": "en"}
    # The row that asked for a language with no translation is named, by file and line.
    assert re.search(r"roster\.csv:5: provider 'dr-fr'.*no 'fr' translation", result.stderr), result.stderr
    assert result.stderr.count("no 'fr' translation") == 1
    manifest = json.loads((out / "stem-cell-knee.manifest.json").read_text(encoding="utf-8"))
    assert {d["provider"]: d["language"] for d in manifest["documents"]} == langs


def test_batch_language_sets_the_default_for_rows_without_one(tmp_path):
    roster = tmp_path / "roster.csv"
    write_roster(roster, [{"id": "a", "name": "Ann Lee", "credentials": "MD", "language": ""},
                          {"id": "b", "name": "Bo Chan", "credentials": "MD", "language": "en"}])
    out = tmp_path / "out"
    result = invoke(["batch", "--providers", str(roster), "--language", "es", "-d", str(out), "-j", "1"])
    assert result.exit_code == 0, result.output
    assert pypdf.PdfReader(str(out / "stem-cell-knee--a.pdf")).trailer["/Root"]["/Lang"] == "es"
    assert pypdf.PdfReader(str(out / "stem-cell-knee--b.pdf")).trailer["/Root"]["/Lang"] == "en"


class _Records(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


def test_editions_api_falls_back_and_names_the_row():
    """What the email command calls per patient: a language in, a prepared edition out."""
    log, records = logging.getLogger("handouts"), _Records()
    log.addHandler(records)
    try:
        editions = Editions("stem-cell-knee")
        spanish = editions.get("es", where="patients.csv:3")
        other = editions.get("de", where="patients.csv:7")
        english = editions.get(None)
    finally:
        log.removeHandler(records)
    assert spanish.handout.language == "es" and spanish.messages["date"] == "Fecha"
    assert other is english and english.handout.language == "en"
    messages = [r.getMessage() for r in records.records]
    assert len(messages) == 1 and messages[0].startswith("patients.csv:7: no 'de' translation")


def test_a_third_language_needs_files_only(tmp_path):
    """A clinic adds French: a catalogue and a translation in its folder, no code."""
    folder = tmp_path / "clinic"
    shutil.copytree(Path(__file__).parent / "cases" / "ok-minimal", folder,
                    ignore=shutil.ignore_patterns("case.yaml"))
    (folder / "messages").mkdir()
    (folder / "messages" / "fr.yaml").write_text(
        'page: "Page {page} sur {pages}"\n'
        'patient_signature: "Signature du patient"\n'
        'provider_signature: "Signature du soignant"\n'
        'date: "Date"\n'
        'printed_name: "Nom en capitales :"\n'
        'footer_version: "{id} version {version}"\n'
        'footer_reviewed: "Révisé le {reviewed}"\n', encoding="utf-8")
    manifest = yaml.safe_load((folder / "handout.yaml").read_text(encoding="utf-8"))
    sections = []
    for name in manifest["sections"] + [manifest["risk_disclosure"]]:
        data = yaml.safe_load((folder / name).read_text(encoding="utf-8"))
        data["title"] = "Français : " + data["title"]
        french = name.replace(".yaml", ".fr.yaml")
        (folder / french).write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        sections.append(french)
    manifest.update(title="Document de cas", language="fr", translates=manifest["version"],
                    sections=sections[:-1], risk_disclosure=sections[-1])
    (folder / "handout.fr.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "fr.pdf"
    result = invoke(["build", str(folder), "--language", "fr", "-o", str(out)])
    assert_clean(result)
    assert result.exit_code == 0, result.output
    texts = pdfcheck.page_texts(out)
    assert re.search(r"Page 1 sur ?2", texts[0])
    assert "Révisé le 15 janvier 2025" in texts[0]
    assert "Signature du patient" in texts[-1] and "Nom en capitales :" in texts[-1]
    assert "Français : " in texts[0]
    assert pypdf.PdfReader(str(out)).trailer["/Root"]["/Lang"] == "fr"


def test_the_spanish_html_edition_is_in_spanish(tmp_path):
    out = tmp_path / "rodilla.html"
    result = invoke(["build", "--language", "es", "--format", "html", "--patient-name", "Ana Pérez", "-o", str(out)])
    assert_clean(result)
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert '<html lang="es">' in html
    for text in ("Cómo firmar", "Para firmar se necesita:", "Firma del paciente (Ana Pérez)", "Preparado para:",
                 "Fuentes", "Revisado el 1 de noviembre de 2026", SPANISH["title"], spanish_titles()[0]):
        assert text in html, text
    for english in ("How to sign", "Signing asks", "Prepared for", "Sources", "Reviewed", "How the shots work"):
        assert english not in html, english


def test_the_review_of_the_spanish_edition_is_applied(spanish_pdf):
    # What issue #21's native-speaker review asked for, read back from the PDF.
    whole = pdfcheck.normalise(" ".join(pdfcheck.page_texts(spanish_pdf)))
    for wanted in ("si siente fiebre o escalofríos", "La Administración de Alimentos y Medicamentos de Estados Unidos "
                   "(FDA, por sus siglas en inglés)", "recomienda firmemente no usar", "confusión repentina",
                   "contaminado", "bien diseñados", "una sentencia de 3.31 millones", "la sigla en inglés de",
                   "(En inglés.)", "(en inglés)", "Mi decisión (marque una casilla)."):
        assert wanted in whole, wanted
    for unwanted in ("proveedor", "reportar", "oficina", "se siente caliente", "con fuerza", "justos", "sucio",
                     "confusión nueva", "puntas", "hueso de la pierna", "pagar una sentencia", "no ha revisado"):
        assert unwanted not in whole.lower(), unwanted
    # brand.yml's English alt text, where the logo is read: with no clinic name beside
    # it (with one, the logo is decoration).
    from helpers import DEMO_BRAND

    brand = yaml.safe_load(DEMO_BRAND.read_text(encoding="utf-8"))
    alt = brand["logo"]["images"]["mark"]["alt"]
    del brand["meta"]["name"]
    folder = spanish_pdf.parent / "nameless"
    folder.mkdir(exist_ok=True)
    (folder / "brand.yml").write_text(yaml.safe_dump(brand), encoding="utf-8")
    (folder / "logo.png").write_bytes((DEMO_BRAND.parent / "logo.png").read_bytes())
    html = folder / "rodilla.html"
    result = invoke(["build", "--language", "es", "--brand", str(folder / "brand.yml"), "--format", "html",
                     "-o", str(html)])
    assert result.exit_code == 0, result.output
    assert f'alt="{alt} (en inglés)"' in html.read_text(encoding="utf-8")


@pytest.mark.parametrize(("language", "wanted", "unwanted"), [
    ("es-ES", ["5.000 dólares", "3,31 millones", "5,2 millones", "Fiebre de 38 °C o más"], ["100.4", "5,000"]),
    ("es-MX", ["5,000 dólares", "3.31 millones", "5.2 millones", "Fiebre de 100.4 °F (38 °C) o más"], ["5.000"]),
    ("es-US", ["5,000 dólares", "Fiebre de 100.4 °F (38 °C) o más"], ["5.000", "Fiebre de 38 °C"]),
], ids=["es-ES", "es-MX", "es-US"])
def test_numbers_and_degrees_are_written_as_the_readers_locale_writes_them(tmp_path, language, wanted, unwanted):
    out = tmp_path / "rodilla.pdf"
    result = invoke(["build", "--language", language, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "warning" not in result.stderr, "each locale has an edition: no fallback"
    whole = pdfcheck.normalise(" ".join(pdfcheck.page_texts(out)))
    for text in wanted:
        assert text in whole, text
    for text in unwanted:
        assert text not in whole, text


@pytest.mark.parametrize(("language", "number", "written"), [
    ("en", 5000, "5,000"), ("es-MX", 5000, "5,000"), ("es-US", 5000, "5,000"), ("es-ES", 5000, "5.000"),
    ("es-ES", 3.31, "3,31"), ("es-MX", 3.31, "3.31"),
])
def test_the_catalogue_writes_numbers_through_babels_locale_data(language, number, written):
    from handouts.fill.catalog import messages

    text = messages(language)
    assert text.number(number) == written
    assert text.format("page", page=number, pages=number) == text["page"].format(page=written, pages=written)


def test_a_regional_language_gives_the_catalogue_its_region():
    from handouts import prepare

    assert prepare(language="es-MX").messages.language == "es-MX"  # printed from handout.es.yaml
    assert prepare(language="es-ES").messages.language == "es-ES"  # its own edition
    assert prepare(language="es").messages.language == "es"
