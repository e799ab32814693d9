"""The signed consent: write-in lines, the decision and the signatures, declared in the risk-disclosure file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import pdfcheck
import pdfplumber
import pikepdf
import yaml
from conftest import PATIENT
from helpers import DEMO_BRAND, KNEE, assert_clean, invoke
from structure import tree, walk

from handouts.fill.catalog import messages
from handouts.lint.consent import SHORT_CHARACTERS, SHORT_CHOICE, SHORT_LABEL


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
CASES = Path(__file__).parent / "cases"
PICTURES = Path(__file__).parent / "data" / "pictures"
LAYOUTS = ["letter", "a4", "large-print"]
# (folder, disclosure file, language, title, version) of what the paper fixture builds
SIGNED = {
    "en": (KNEE, "risk-disclosure.yaml", "en", "Stem-Cell Shots for Knee Arthritis", "1.0"),
    "es": (KNEE, "risk-disclosure.es.yaml", "es", "Inyecciones de células madre para la artritis de rodilla", "1.0"),
    "sheet": (SHEET, "risk.yaml", "en", "Test Sheet With a Long Consent", "2.3"),
}


def declared(folder: Path, name: str) -> dict:
    """The risk-disclosure file as written: its acknowledgment and decision."""
    return yaml.safe_load((folder / "sections" / name).read_text(encoding="utf-8"))


def choices(decision: dict) -> tuple[str, str]:
    """The yes and no boxes' words (YAML 1.1 reads the keys yes: and no: as true and false)."""
    return decision.get("yes", decision.get(True)), decision.get("no", decision.get(False))


def squares(page, size: float) -> list[dict]:
    """Stroked squares about the size of a check box for `size` pt text."""
    return [r for r in page.rects if r["stroke"] and abs(r["width"] - r["height"]) < 0.5
            and size * 0.9 <= r["width"] <= size * 1.8]


def words_line(page, text: str) -> tuple[float, float, float]:
    """(x0, top, bottom) of the first line whose text starts `text`'s first words."""
    start = " ".join(text.split()[:3])
    for line in page.extract_text_lines():
        if pdfcheck.normalise(line["text"]).startswith(start):
            return line["x0"], line["top"], line["bottom"]
    raise AssertionError(f"no line starts {start!r}")


def printed_name_rules(page, label: str) -> list[float]:
    """For each line starting `label`, the length of the rule on its baseline to its right (0 for none)."""
    found = []
    rules = [e for e in page.lines if abs(e["top"] - e["bottom"]) < 0.5]
    for line in page.extract_text_lines():
        if pdfcheck.normalise(line["text"]).startswith(label):
            right = [r["x1"] - r["x0"] for r in rules
                     if r["x0"] >= line["x0"] + 20 and line["top"] < r["top"] < line["bottom"] + 4]
            found.append(max(right, default=0.0))
    return found


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("which", list(SIGNED))
def test_the_signed_page_holds_what_is_done_the_decision_and_both_signatures(paper, which, layout):
    folder, name, language, title, version = SIGNED[which]
    disclosure = declared(folder, name)
    decision = disclosure["decision"]
    yes, no = choices(decision)
    text = messages(language)
    out = paper(which, layout)
    texts = pdfcheck.page_texts(out)

    def page_of(needle: str) -> int:
        found = [i for i, t in enumerate(texts) if pdfcheck.normalise(needle) in t]
        assert len(found) == 1, f"{needle!r} on pages {found}"
        return found[0]

    signed = page_of(text["patient_signature"])
    ack = disclosure["acknowledgment"].replace('{{ patient.name | default("the patient named below") }}', PATIENT)
    needed = [text["provider_signature"], text["decision_heading"], text["change_mind"], yes, no,
              *(f"{label}:" for label in decision.get("fill_in", [])), ack.split("\n")[-2].strip()[-40:]]
    for needle in needed:
        assert page_of(needle) == signed, f"{needle!r} is not on the signed page"
    assert texts[signed].count(text["printed_name"]) == 2
    start = page_of(declared(folder, name)["title"])
    for index in range(start, len(texts)):
        for needle in (title, version, PATIENT):
            assert needle in texts[index], f"page {index + 1} lacks {needle!r}"

    with pdfplumber.open(out) as pdf:
        page = pdf.pages[signed]
        size = pdfcheck.body_size(out, signed)
        boxes = sorted(squares(page, size), key=lambda r: r["top"])
        assert len(boxes) == 2, f"{len(boxes)} check boxes on the signed page"
        for box, words in zip(boxes, (yes, no)):
            x0, top, bottom = words_line(page, words)
            assert top - 2 <= (box["top"] + box["bottom"]) / 2 <= bottom + 2, f"the box is not beside {words!r}"
            assert box["x1"] < x0, f"{words!r} does not start right of its box"
        # The patient's name is printed, so only the provider gets a line to print a name on.
        patient, provider = printed_name_rules(page, text["printed_name"])
        assert patient == 0 and provider > 140, (patient, provider)


def test_pages_before_the_disclosure_have_no_consent_header(tmp_path):
    out = tmp_path / "knee.pdf"
    assert invoke(["build", str(KNEE), "--patient-name", PATIENT, "-o", str(out)]).exit_code == 0
    texts = pdfcheck.page_texts(out)
    start = next(index for index, text in enumerate(texts) if "Risks and your consent" in text)
    assert not any(f"Patient: {PATIENT}" in t for t in texts[:start])
    assert all(f"Patient: {PATIENT}" in t for t in texts[start:])
NAMELESS = {
    "ok-minimal": CASES / "ok-minimal",
    "provider-default-used": CASES / "provider-default-used",
    "pictures": PICTURES,
    "bundled-es": KNEE,
}


@pytest.mark.parametrize("layout", ["letter", "large-print"])
@pytest.mark.parametrize("which", list(NAMELESS))
def test_without_names_every_printed_name_gets_a_line_and_the_boxes_their_words(tmp_path, which, layout):
    folder = NAMELESS[which]
    language = "es" if which.endswith("-es") else "en"
    out = tmp_path / "consent.pdf"
    result = invoke(["build", str(folder), "--layout", layout, "--language", language, "-o", str(out),
                     *(["--brand", str(DEMO_BRAND)] if folder == PICTURES else [])])
    assert_clean(result)
    assert result.exit_code == 0, result.output
    text = messages(language)
    manifest = yaml.safe_load((folder / ("handout.es.yaml" if language == "es" else "handout.yaml")).read_text())
    decision = yaml.safe_load((folder / manifest["risk_disclosure"]).read_text(encoding="utf-8"))["decision"]
    signed = len(pdfcheck.page_texts(out)) - 1
    last = pdfcheck.page_texts(out)[signed]
    for needle in (*choices(decision), text["decision_heading"], *(f"{x}:" for x in decision.get("fill_in", []))):
        assert pdfcheck.normalise(needle) in last, f"{needle!r} not on the signed page"
    with pdfplumber.open(out) as pdf:
        page = pdf.pages[signed]
        assert len(squares(page, pdfcheck.body_size(out, signed))) == 2
        rules = printed_name_rules(page, text["printed_name"])
    assert len(rules) == 2 and all(length > 140 for length in rules), rules


@pytest.mark.parametrize("language", ["en", "es"])
def test_each_box_is_a_list_item_whose_label_is_a_figure_a_screen_reader_names(paper, language):
    folder, name, _, _, _ = SIGNED[language]
    yes, no = choices(declared(folder, name)["decision"])
    def kids(element):
        return [k for k in element.kids if not isinstance(k, tuple)]

    with pikepdf.open(paper(language, "letter")) as pdf:
        boxed = []
        for element in walk(tree(pdf)):
            items = kids(element)
            if element.role != "L" or not items or any(k.role != "LI" for k in items):
                continue
            labels = [g for item in items for g in kids(item) if g.role == "Lbl"]
            figures = [kid for label in labels for kid in kids(label) if kid.role == "Figure"]
            if len(figures) == 2:
                boxed.append((items, figures))
    assert len(boxed) == 1, "the two check boxes are not one list of two items"
    items, figures = boxed[0]
    assert [f.alt for f in figures] == [messages(language)["check_box"]] * 2
    assert len(items) == 2 and all(any(k.role == "LBody" for k in kids(item)) for item in items)


def _copy_knee_without_decision(tmp_path):
    folder = _copy_knee(tmp_path)
    risk = folder / "sections" / "risk-disclosure.yaml"
    text = risk.read_text(encoding="utf-8")
    risk.write_text(text[:text.index("decision:")], encoding="utf-8")
    line = risk.read_text().splitlines().index("acknowledgment: |") + 2
    return folder, line


def test_a_disclosure_without_a_decision_is_a_located_lint_error_that_stops_a_build(tmp_path):
    folder, line = _copy_knee_without_decision(tmp_path)
    result = invoke(["lint", str(folder)])
    assert result.exit_code == 1
    found = [ln for ln in result.stdout.splitlines() if "decision-missing" in ln]
    assert len(found) == 1, result.stdout
    assert found[0].startswith(f"{folder / 'sections' / 'risk-disclosure.yaml'}:{line}: error: decision-missing: ")
    assert "'yes:'" in found[0] and "'no:'" in found[0]
    out = tmp_path / "x.pdf"
    refused = invoke(["build", str(folder), "--brand", str(DEMO_BRAND), "-o", str(out)])
    assert refused.exit_code == 1 and "decision-missing" in refused.stderr and not out.exists()


def test_past_the_lint_error_a_disclosure_without_a_decision_still_asks_for_one(tmp_path):
    folder, _ = _copy_knee_without_decision(tmp_path)
    out = tmp_path / "x.pdf"
    result = invoke(["build", str(folder), "--brand", str(DEMO_BRAND), "--allow-lint-errors", "-o", str(out)])
    assert result.exit_code == 0, result.output
    last = pdfcheck.page_texts(out)[-1]
    text = messages("en")
    assert text["decision_yes"] in last and text["decision_no"] in last
    with pdfplumber.open(out) as pdf:
        assert len(squares(pdf.pages[-1], pdfcheck.body_size(out, len(pdf.pages) - 1))) == 2


@pytest.mark.parametrize(("decision", "message"), [
    ("decision:\n  yes: Yes, I want it.\n", "missing required key 'decision.no'"),
    ("decision:\n  yes: [a, list]\n  no: No.\n", "'decision.yes' must be text, found a list"),
    ("decision:\n  yes: Yes.\n  no: No.\n  maybe: Later.\n", "unknown key 'decision.maybe'"),
    ("decision:\n  yes: Yes.\n  no: No.\n  fill_in: [7]\n", "'decision.fill_in' entry must be a short label"),
    ("decision: Yes\n", "'decision' must be a mapping of keys"),
], ids=["no-no", "yes-a-list", "unknown-key", "fill-in-a-number", "not-a-mapping"])
def test_a_badly_written_decision_is_refused_at_its_line(tmp_path, decision, message):
    folder, _ = _copy_knee_without_decision(tmp_path)
    risk = folder / "sections" / "risk-disclosure.yaml"
    risk.write_text(risk.read_text(encoding="utf-8") + decision, encoding="utf-8")
    result = invoke(["build", str(folder), "--brand", str(DEMO_BRAND), "-o", str(tmp_path / "x.pdf")])
    assert_clean(result)
    assert result.exit_code == 1
    assert message in result.stderr, result.stderr
    assert "risk-disclosure.yaml:" in result.stderr


def test_quoted_yes_and_no_keys_read_as_the_unquoted_ones(tmp_path):
    folder, _ = _copy_knee_without_decision(tmp_path)
    risk = folder / "sections" / "risk-disclosure.yaml"
    risk.write_text(risk.read_text(encoding="utf-8") + 'decision:\n  "yes": Yes, I want the shot.\n'
                    '  "no": No, I do not want the shot.\n', encoding="utf-8")
    out = tmp_path / "x.pdf"
    assert invoke(["build", str(folder), "--brand", str(DEMO_BRAND), "-o", str(out)]).exit_code == 0
    assert "Yes, I want the shot." in pdfcheck.page_texts(out)[-1]


def test_a_translation_with_other_decision_lines_is_a_lint_error(tmp_path):
    folder = _copy_knee(tmp_path)
    risk = folder / "sections" / "risk-disclosure.es.yaml"
    text = risk.read_text(encoding="utf-8")
    first = next(line for line in text.splitlines() if line.startswith("    - "))
    risk.write_text(text.replace(first + "\n", ""), encoding="utf-8")
    result = invoke(["lint", str(folder)])
    found = [ln for ln in result.stdout.splitlines() if "translation-disclosure" in ln]
    assert len(found) == 1 and "'decision.fill_in' has 2 entries; the original's has 3" in found[0], result.stdout
    # At the decision's first line: its write-in lines.
    assert f"risk-disclosure.es.yaml:{text.splitlines().index('decision:') + 2}:" in found[0]


def test_an_acknowledgment_too_long_to_share_a_page_with_the_signatures_is_a_lint_error(tmp_path):
    folder = tmp_path / "sheet"
    shutil.copytree(SHEET, folder)
    risk = folder / "sections" / "risk.yaml"
    extra = "".join(f"  - I also agree to extra item {i}, which makes this list far too long.\n" for i in range(12))
    text = risk.read_text()
    risk.write_text(text.replace("decision:\n", extra + "decision:\n"))
    line = risk.read_text().splitlines().index("acknowledgment: |") + 2  # where its text starts
    result = invoke(["lint", str(folder)])
    assert_clean(result)
    assert result.exit_code == 1
    found = [ln for ln in result.stdout.splitlines() if "consent-too-long" in ln]
    assert len(found) == 1, result.stdout
    assert f"risk.yaml:{line}: error:" in found[0]
    assert "large-print" in found[0]


def test_the_bundled_signed_page_is_measured_and_fits_every_layout(tmp_path):
    # Past the short limits, so lint lays it out (test_syllables.py checks that
    # the answer is kept, and a second lint loads no renderer).
    from handouts import prepare
    from handouts.layouts import builtin_layouts, load_layout
    from handouts.lint.consent import needs_measuring
    from handouts.pipeline.lint import overflows

    layouts = [load_layout(name) for name in builtin_layouts()]
    for language in ("en", "es", "es-ES"):
        prepared = prepare(language=language)
        assert needs_measuring(prepared.handout, prepared.layout, prepared.messages), language
        assert overflows(prepared, layouts) == {}, language
    result = invoke(["lint", str(KNEE), "--no-cache"])
    assert result.exit_code == 0 and "consent-too-long" not in result.stdout, result.stdout


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_signed_page_at_the_short_limits_fits_every_layout_unmeasured(tmp_path, language):
    # Lint lays out only a signed page past these limits; one at them, in
    # ordinary words, must fit every built-in layout with a long name.
    from handouts import prepare
    from handouts.pipeline.reader import fill
    from handouts.layouts import builtin_layouts, load_layout
    from handouts.lint.consent import SAMPLE_PATIENT, needs_measuring
    from handouts.render.pdf import consent_overflow

    folder = tmp_path / "short"
    shutil.copytree(CASES / "ok-minimal", folder, ignore=shutil.ignore_patterns("case.yaml"))
    words = "I read this page and my questions about the treatment were answered by the staff today. " * 3
    ack = words[:SHORT_CHARACTERS - 1].rsplit(" ", 1)[0] + "."
    label = ("Number of treatment visits" * 2)[:SHORT_LABEL]
    choice = ("Yes, I want the treatment described here" * 2)[:SHORT_CHOICE]
    (folder / "sections" / "risk.yaml").write_text(
        "kind: risk_disclosure\ntitle: Case Risks\nbody: |\n  Every procedure has risks.\n"
        f"acknowledgment: |\n  {ack}\n"
        f"decision:\n  fill_in: [{label}, {label}, {label}]\n  yes: {choice}\n  no: {choice}\n", encoding="utf-8")
    manifest = folder / "handout.yaml"
    manifest.write_text(manifest.read_text() + f"language: {language}\n")
    prepared = prepare(folder)
    assert not needs_measuring(prepared.handout, prepared.layout, prepared.messages)
    filled = fill(prepared, patient_name=SAMPLE_PATIENT)
    for name in builtin_layouts():
        assert consent_overflow(filled, brand=prepared.brand, layout=load_layout(name)) == 0, name
