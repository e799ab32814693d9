"""The consent is never printed split from its signatures, by any command, in any layout.

`sheet/consent-en-es` has an acknowledgment (English and Spanish) that fits
letter and A4 with the signature lines but not large print. Lint reports
`consent-too-long`; build, batch and email (print: tests/test_printing.py)
refuse the layout it does not fit with lint's own line, write nothing, and
print the layouts it fits with the acknowledgment on the signed page.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pdfcheck
import pytest
from helpers import DEMO_ROSTER, assert_clean, invoke

SHEET = Path(__file__).parent / "sheet" / "consent-en-es"
LAST_WORDS = {"en": "I can get a copy of this form to keep.", "es": "Puedo recibir una copia de este formulario."}
SIGNATURE = {"en": "Patient signature", "es": "Firma del paciente"}
RISK_FILE = {"en": "sections/risk.yaml", "es": "sections/risk.es.yaml"}


@pytest.fixture(scope="module")
def sheet(tmp_path_factory):
    """A copy of the sheet, and lint's consent-too-long lines for it by file, linted from inside it."""
    folder = tmp_path_factory.mktemp("consent") / "sheet"
    shutil.copytree(SHEET, folder)
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)
        result = invoke(["lint", "."])
    lines = [ln for ln in result.stdout.splitlines() if "consent-too-long" in ln]
    return folder, {language: [ln for ln in lines if ln.startswith(f"{path}:")]
                    for language, path in RISK_FILE.items()}


def refusals(stderr: str) -> list[str]:
    return [ln for ln in stderr.splitlines() if "consent-too-long" in ln]


@pytest.mark.parametrize("language", ["en", "es"])
def test_lint_reports_the_layout_the_consent_does_not_fit(sheet, language):
    _, lint = sheet
    assert len(lint[language]) == 1, lint
    assert "(large-print: " in lint[language][0]
    assert "letter" not in lint[language][0] and "a4" not in lint[language][0]


@pytest.mark.parametrize("layout", ["letter", "a4", "large-print"])
@pytest.mark.parametrize("language", ["en", "es"])
def test_build_prints_the_consent_whole_or_refuses_with_lints_line(sheet, monkeypatch, language, layout):
    folder, lint = sheet
    monkeypatch.chdir(folder)
    out = folder.parent / f"{language}-{layout}.pdf"
    result = invoke(["build", ".", "--language", language, "--layout", layout, "--patient-name", "Ana Example",
                     "-o", str(out)])
    assert_clean(result)
    if layout == "large-print":
        assert result.exit_code == 1
        assert refusals(result.stderr) == lint[language]
        assert not out.exists()
        # Lint errors may be printed past knowingly; a split consent never.
        allowed = invoke(["build", ".", "--language", language, "--layout", layout, "--allow-lint-errors",
                          "-o", str(out)])
        assert allowed.exit_code == 1 and refusals(allowed.stderr) == lint[language]
        assert not out.exists()
        return
    assert result.exit_code == 0, result.stderr
    texts = pdfcheck.page_texts(out)
    signed = [i for i, t in enumerate(texts) if SIGNATURE[language] in t]
    ends = [i for i, t in enumerate(texts) if LAST_WORDS[language] in " ".join(t.split())]
    assert signed == ends == [len(texts) - 1]


@pytest.mark.parametrize("language", ["en", "es"])
def test_batch_refuses_a_layout_the_consent_does_not_fit_and_writes_nothing(sheet, monkeypatch, language):
    folder, lint = sheet
    monkeypatch.chdir(folder)
    out = folder.parent / f"batch-{language}"
    result = invoke(["batch", ".", "--providers", str(DEMO_ROSTER), "--layout", "large-print", "--language",
                     language, "-d", str(out), "-j", "1"])
    assert_clean(result)
    assert result.exit_code == 1
    assert refusals(result.stderr) == lint[language]
    assert not out.exists()


def test_email_refuses_a_large_print_patient_the_consent_does_not_fit_and_writes_nothing(sheet, monkeypatch):
    folder, lint = sheet
    monkeypatch.chdir(folder)
    patients = folder.parent / "patients.csv"
    patients.write_text("id,name,email,layout,language,unencrypted_ok\n"
                        "p1,Ana Example,ana@example.com,,es,yes\n"
                        "p2,Bo Example,bo@example.com,large-print,,yes\n", encoding="utf-8")
    outbox = folder.parent / "outbox"
    result = invoke(["email", ".", "--patients", str(patients), "--outbox", str(outbox), "-j", "1"])
    assert_clean(result)
    assert result.exit_code == 1
    assert refusals(result.stderr) == lint["en"]
    assert not outbox.exists()


POCKET = "name: pocket\npage: [105mm, 148mm]\nmargins: 0.4in\nbody_size: 16\nline_spacing: 1.5\n"


def test_a_clinics_own_layout_is_measured_by_lint_and_refused_by_build(tmp_path, monkeypatch):
    # The bundled acknowledgment is short enough to fit every built-in
    # layout unmeasured; in a clinic's pocket-sized layout it does not.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pocket.yaml").write_text(POCKET, encoding="utf-8")
    lint = invoke(["lint", "--layout", "pocket.yaml"])
    expected = [ln for ln in lint.stdout.splitlines() if "consent-too-long" in ln and "risk-disclosure.yaml" in ln]
    assert len(expected) == 1 and "(pocket: " in expected[0], lint.stdout
    built = invoke(["build", "--layout", "pocket.yaml", "-o", "pocket.pdf"])
    assert built.exit_code == 1
    assert refusals(built.stderr) == expected
    assert not (tmp_path / "pocket.pdf").exists()


def test_every_copy_is_checked_as_it_is_laid_out(tmp_path):
    # prepare() alone measures nothing: the copy being laid out is refused
    # with lint's message rather than printed split.
    from handouts import prepare, render_handout
    from handouts.errors import ContentError

    (tmp_path / "pocket.yaml").write_text(POCKET, encoding="utf-8")
    prepared = prepare(layout=tmp_path / "pocket.yaml")
    with pytest.raises(ContentError) as caught:
        render_handout(prepared, patient_name="Ana Example")
    [problem] = caught.value.problems
    assert problem.path.endswith("risk-disclosure.yaml")
    assert problem.message.startswith("error: consent-too-long: the acknowledgment, the decision and the signature "
                                      "lines do not fit on one page (pocket: ")
