"""Lint on translations: structure against the original, Spanish readability and claims.

Each test edits a copy of the bundled handout with its Spanish edition and
runs the real `handouts lint`, reading the findings it prints.
"""

from __future__ import annotations

import json
from pathlib import Path
import re

import textstat
from helpers import invoke

from handouts.lint.readability import measure, measure_spanish

TODAY = "2026-11-20"


def lint(folder, *extra):
    result = invoke(["lint", str(folder), "--today", TODAY, "--format", "json", *extra])
    assert "Traceback" not in result.output
    return result, json.loads(result.stdout)


def codes(findings, code):
    return [f for f in findings if f["code"] == code]


def test_the_bundled_spanish_edition_is_clean(bundled_copy):
    result, findings = lint(bundled_copy)
    spanish = [f for f in findings if ".es.yaml" in f["path"]]
    assert spanish == [], spanish


def line_of(path, text):
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text in line)


def test_a_stale_translation_is_reported_with_file_and_line(bundled_copy):
    manifest = bundled_copy / "handout.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace('version: "1.0"', 'version: "1.1"'),
                        encoding="utf-8")
    result, findings = lint(bundled_copy)
    # One for each translation: Spanish, and Spanish for Spain.
    stale = sorted(codes(findings, "translation-outdated"), key=lambda f: f["path"])
    assert [Path(f["path"]).name for f in stale] == ["handout.es-ES.yaml", "handout.es.yaml"]
    for finding in stale:
        assert finding["line"] == line_of(Path(finding["path"]), "translates:")
        assert finding["severity"] == "warning"
        assert "version 1.0" in finding["message"] and "version 1.1" in finding["message"]


def test_a_translation_missing_a_section_kind_is_reported(bundled_copy):
    path = bundled_copy / "handout.es.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("  - sections/side-effects.es.yaml\n", ""), encoding="utf-8")
    result, findings = lint(bundled_copy)
    assert result.exit_code == 1
    [missing] = codes(findings, "translation-sections")
    assert missing["path"].endswith("handout.es.yaml")
    assert missing["line"] == line_of(path, "- sections/how-it-works.es.yaml")  # where the list starts
    assert "no 'side_effects' section" in missing["message"]
    assert missing["severity"] == "error"


def test_sections_out_of_order_are_reported_at_the_entry(bundled_copy):
    path = bundled_copy / "handout.es.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("  - sections/benefits.es.yaml\n  - sections/side-effects.es.yaml\n",
                        "  - sections/side-effects.es.yaml\n  - sections/benefits.es.yaml\n")
    path.write_text(text, encoding="utf-8")
    _, findings = lint(bundled_copy)
    [order] = codes(findings, "translation-sections")
    assert order["line"] == line_of(path, "side-effects.es.yaml")
    assert "section 2 is 'side_effects'" in order["message"]


def test_a_missing_acknowledgment_and_variable_are_reported(bundled_copy):
    path = bundled_copy / "sections" / "risk-disclosure.es.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text[:text.index("acknowledgment:")] + text[text.index("decision:"):], encoding="utf-8")
    quest = bundled_copy / "sections" / "questions.es.yaml"
    quest.write_text(quest.read_text(encoding="utf-8").replace('{{ provider.name | default("su médico") }}',
                                                                "su médico"), encoding="utf-8")
    _, findings = lint(bundled_copy)
    [disclosure] = codes(findings, "translation-disclosure")
    assert disclosure["path"].endswith("risk-disclosure.es.yaml") and "'acknowledgment'" in disclosure["message"]
    variables = codes(findings, "translation-variables")
    assert any(f["path"].endswith("risk-disclosure.es.yaml") and "patient.name" in f["message"] for f in variables)
    assert any(f["path"].endswith("questions.es.yaml") and f["line"] == 4 and "provider.name" in f["message"]
               for f in variables)


SPANISH_CLAIMS = [
    ("Esta inyección cura la artritis.", "cura"),
    ("Resultados garantizados en dos semanas.", "garantizado"),
    ("Un tratamiento sin efectos secundarios.", "sin efectos secundarios"),
    ("Las células regeneran el cartílago de la rodilla.", "regenera el cartílago"),
    ("Es un producto aprobado por la FDA.", "aprobado por la FDA"),
    ("Eficacia del 100 % en nuestros pacientes.", "100%"),
]


def test_spanish_claims_are_caught_and_negations_are_not(bundled_copy):
    path = bundled_copy / "sections" / "benefits.es.yaml"
    text = path.read_text(encoding="utf-8")
    claims = "\n\n".join(sentence for sentence, _ in SPANISH_CLAIMS)
    negated = ("Nadie le puede garantizar resultados. Estas inyecciones no curan la artritis. "
               "¿Está aprobado por la FDA? La FDA no ha aprobado ningún producto.")
    path.write_text(text.rstrip("\n") + "\n\n  " + claims.replace("\n\n", "\n\n  ") + "\n\n  " + negated + "\n",
                    encoding="utf-8")
    _, findings = lint(bundled_copy)
    found = codes(findings, "claim")
    assert all(f["path"].endswith("benefits.es.yaml") for f in found)
    names = sorted(re.search(r"\(([^()]+)\); reword", f["message"]).group(1) for f in found)
    assert names == sorted(name for _, name in SPANISH_CLAIMS)
    body = path.read_text(encoding="utf-8").splitlines()
    for finding in found:
        assert any(word in body[finding["line"] - 1].lower() for word in ("cura", "garant", "efectos", "regeneran",
                                                                            "aprobado", "100"))


def test_english_phrases_do_not_judge_spanish_and_the_reverse(bundled_copy):
    # "no risk" is English: a Spanish text about "no" riesgo must not trip on English rules.
    path = bundled_copy / "sections" / "cost.es.yaml"
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + "\n\n  Hay riesgo, no es gratis.\n",
                    encoding="utf-8")
    _, findings = lint(bundled_copy)
    assert codes(findings, "claim") == []


def test_hard_spanish_is_reported_with_its_inflesz_score(bundled_copy):
    path = bundled_copy / "sections" / "lifestyle.es.yaml"
    hard = ("La administración intraarticular de concentrados autólogos de médula ósea constituye una "
            "intervención terapéutica experimental cuya eficacia comparativa permanece insuficientemente "
            "caracterizada en investigaciones metodológicamente rigurosas.")
    path.write_text("kind: lifestyle\ntitle: Difícil\nbody: |\n  " + hard + "\n", encoding="utf-8")
    _, findings = lint(bundled_copy)
    [reading] = codes(findings, "readability")
    assert reading["path"].endswith("lifestyle.es.yaml") and reading["line"] == 4
    assert "INFLESZ" in reading["message"] and "below 55" in reading["message"]


def test_spanish_scoring_leaves_textstat_in_english():
    english = "The clinic may charge thousands of dollars; insurance rarely pays for these unapproved injections."
    before = measure(english).fk_grade
    measure_spanish("El médico adormece la piel y pone las células en la rodilla.")
    assert measure(english).fk_grade == before
    assert round(textstat.flesch_kincaid_grade(english), 1) == before


def test_a_dotted_name_that_is_no_language_is_not_a_translation(bundled_copy):
    # A backup such as handout.old.yaml beside handout.yaml is a manifest of its own.
    (bundled_copy / "handout.old.yaml").write_text((bundled_copy / "handout.yaml").read_text(encoding="utf-8"),
                                                   encoding="utf-8")
    result, findings = lint(bundled_copy)
    assert result.exit_code == 0, findings
    assert not [f for f in findings if "handout.old.yaml" in f["path"]]
    assert invoke(["lint", str(bundled_copy / "handout.old.yaml"), "--today", TODAY]).exit_code == 0


def test_an_original_with_a_broken_section_reports_it_and_not_a_mismatch(bundled_copy):
    # Lint compares each translation with the original it read, but only an
    # original read whole: one missing a section for its own problem would
    # make every translation look like it has a section too many.
    path = bundled_copy / "sections" / "benefits.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("kind: benefits", "kind: [benefits"), encoding="utf-8")
    result, findings = lint(bundled_copy)
    assert result.exit_code == 1
    assert {f["path"] for f in findings} == {str(path)}, findings
    assert codes(findings, "translation-sections") == []
