"""The signed consent: write-in lines declared in the risk-disclosure file."""

from __future__ import annotations

import shutil

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
