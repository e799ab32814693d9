"""The signed consent: write-in lines declared in the risk-disclosure file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import pdfcheck
from helpers import DEMO_BRAND, KNEE, assert_clean, invoke


def _copy_knee(tmp_path):
    folder = tmp_path / "knee"
    shutil.copytree(KNEE, folder)
    return folder


def test_fill_in_labels_print_on_the_consent(tmp_path):
    out = tmp_path / "knee.pdf"
    result = invoke(["build", str(KNEE), "-o", str(out)])
    assert_clean(result)
    assert result.exit_code == 0, result.output
    texts = pdfcheck.page_texts(out)
    consent = [t for t in texts if "Patient signature" in t]
    assert consent, "no page with the signature block"
    for label in ("Product and cell source:", "Price quoted:"):
        assert label in consent[-1] or label in " ".join(texts[-2:])


def test_a_fill_in_entry_that_is_not_text_is_refused_with_its_line(tmp_path):
    folder = _copy_knee(tmp_path)
    disclosure = folder / "sections" / "risk-disclosure.yaml"
    text = disclosure.read_text()
    disclosure.write_text(text.replace("  - Price quoted\n", "  - {price: 1}\n"))
    line = disclosure.read_text().splitlines().index("  - {price: 1}") + 1
    result = invoke(["build", str(folder), "--brand", str(DEMO_BRAND), "-o", str(tmp_path / "x.pdf")])
    assert_clean(result)
    assert result.exit_code == 1
    assert f"risk-disclosure.yaml:{line}:" in result.stderr
    assert "fill_in" in result.stderr
    assert not (tmp_path / "x.pdf").exists()


SHEET = Path(__file__).parent / "sheet" / "long-consent"
PATIENT = "Maria Example"
# (folder, title, version, the acknowledgment's last words)
CONSENTS = {
    "bundled": (KNEE, "Stem-Cell Shots for Knee Arthritis", "1.0", "and I can get a copy of this form."),
    "long-acknowledgment": (SHEET, "Test Sheet With a Long Consent", "2.3", "item number 4 of this long list, and I know what it means."),
}


@pytest.mark.parametrize("layout", ["letter", "a4", "large-print"])
@pytest.mark.parametrize("which", list(CONSENTS))
def test_the_acknowledgment_and_signatures_share_a_page_that_names_the_handout_and_patient(tmp_path, which, layout):
    folder, title, version, last_words = CONSENTS[which]
    out = tmp_path / "consent.pdf"
    result = invoke(["build", str(folder), "--layout", layout, "--patient-name", PATIENT, "-o", str(out)])
    assert_clean(result)
    assert result.exit_code == 0, result.output
    texts = pdfcheck.page_texts(out)

    def page_of(needle: str) -> int:
        found = [i for i, t in enumerate(texts) if needle in t]
        assert len(found) == 1, f"{needle!r} on pages {found}"
        return found[0]

    signed = page_of("Patient signature")
    assert page_of("Provider signature") == signed
    assert page_of(last_words) == signed, "the acknowledgment ends on another page than the signatures"
    start = page_of("Risks and your consent")
    for index in range(start, len(texts)):
        for needed in (title, f"Version {version}", f"Patient: {PATIENT}"):
            assert needed in texts[index], f"page {index + 1} lacks {needed!r}"


def test_pages_before_the_disclosure_have_no_consent_header(tmp_path):
    out = tmp_path / "knee.pdf"
    assert invoke(["build", str(KNEE), "--patient-name", PATIENT, "-o", str(out)]).exit_code == 0
    texts = pdfcheck.page_texts(out)
    start = next(index for index, text in enumerate(texts) if "Risks and your consent" in text)
    assert not any(f"Patient: {PATIENT}" in t for t in texts[:start])
    assert all(f"Patient: {PATIENT}" in t for t in texts[start:])


def test_an_acknowledgment_too_long_to_share_a_page_with_the_signatures_is_a_lint_error(tmp_path):
    folder = tmp_path / "sheet"
    shutil.copytree(SHEET, folder)
    risk = folder / "sections" / "risk.yaml"
    extra = "".join(f"  - I also agree to extra item {i}, which makes this list far too long.\n" for i in range(12))
    risk.write_text(risk.read_text() + extra)
    line = risk.read_text().splitlines().index("acknowledgment: |") + 2  # where its text starts
    result = invoke(["lint", str(folder)])
    assert_clean(result)
    assert result.exit_code == 1
    found = [ln for ln in result.stdout.splitlines() if "consent-too-long" in ln]
    assert len(found) == 1, result.stdout
    assert f"risk.yaml:{line}: error:" in found[0]
    assert "large-print" in found[0]


def test_the_bundled_acknowledgment_fits_every_layout():
    result = invoke(["lint", str(KNEE)])
    assert "consent-too-long" not in result.stdout
