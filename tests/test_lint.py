"""`handouts lint`: every check code, its severity and line, the output formats,
lint.yaml, and `build` refusing what lint calls an error.

Each check is shown on a small handout written here: `write_project` makes a
minimal handout that lints clean, and each test changes one thing in it and
computes the expected line from the text it wrote. The promotional fixture in
`lint_cases/marketing/` lists the claims it must raise in `expected.yaml`.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result
from PIL import Image

from handouts.cli import cli
from handouts.lint import CODES

CASES = Path(__file__).parent / "lint_cases"
MARKETING = CASES / "marketing"
TODAY = "2026-11-23"  # the date every review-date check is made against
KEYS = {"path", "line", "severity", "code", "message"}

# --- the minimal clean handout -------------------------------------------------

MANIFEST = """\
id: test-knee
title: Knee Shots
subtitle: What to know before you choose
version: "1.0"
reviewed: 2026-01-15
review_due: 2027-06-01
sections:
  - sections/how-it-works.yaml
  - sections/benefits.yaml
  - sections/side-effects.yaml
  - sections/alternatives.yaml
  - sections/lifestyle.yaml
  - sections/evidence.yaml
risk_disclosure: sections/risk-disclosure.yaml
"""

HOW = """\
kind: how_it_works
title: How the shot works
body: |
  A doctor puts cells into your knee with a needle.
  The cells come from your own body or from a donor.
  No one knows for sure how they work.
"""

BENEFITS = """\
kind: benefits
title: What the shot may do
body: |
  Some people say their knee hurts less for a few months.
  In large studies, the shot did no better than a steroid shot.
  Any help may be small and may not last.
"""

SIDE_EFFECTS = """\
kind: side_effects
title: Risks and side effects
body: |
  Your knee may hurt and swell for a few days.
  A shot can cause an infection in the knee.
  Call us if your knee gets red or hot.
"""

ALTERNATIVES = """\
kind: alternatives
title: Other choices
body: |
  Exercise and weight loss can ease knee pain.
  A therapist can help you get stronger.
  Steroid shots and knee surgery are other choices.
"""

LIFESTYLE = """\
kind: lifestyle
title: Everyday steps
body: |
  Walk a little each day.
  Use ice for 15 minutes to ease swelling.
  Rest the knee for a day after a shot.
"""

EVIDENCE = """\
kind: evidence
title: What the research shows
body: |
  A large study of 480 people tested three kinds of cell shots.
  None of them worked better than a steroid shot after a year.
references:
  - text: Mautner K, et al. Nature Medicine 2023;29:3120-3126.
    url: https://doi.org/10.1038/s41591-023-02632-w
"""

RISK = """\
kind: risk_disclosure
title: Risks and your consent
body: |
  The FDA has not approved this shot for knee arthritis.
  The main risks are infection, pain, and swelling.
  You have other choices, such as exercise and weight loss.
decision:
  yes: Yes, I want the shot.
  no: No, I do not want the shot.
acknowledgment: |
  I have read this page, and my questions were answered.
"""

BRAND = """\
meta:
  name: Test Knee Clinic
  link: https://clinic.example
logo:
  medium:
    path: logo.png
    alt: Test Knee Clinic logo, a blue square
color:
  primary: "#1d4e6e"
  foreground: "#1a1a1a"
  background: "#ffffff"
defaults:
  handouts:
    phone: "(555) 010-0100"
    email: desk@clinic.example
"""

BASE = {
    "handout.yaml": MANIFEST,
    "sections/how-it-works.yaml": HOW,
    "sections/benefits.yaml": BENEFITS,
    "sections/side-effects.yaml": SIDE_EFFECTS,
    "sections/alternatives.yaml": ALTERNATIVES,
    "sections/lifestyle.yaml": LIFESTYLE,
    "sections/evidence.yaml": EVIDENCE,
    "sections/risk-disclosure.yaml": RISK,
    "brand.yml": BRAND,
}


def write_project(folder: Path, files: dict[str, str | None] | None = None,
                  logo: tuple[int, int] | None = (600, 600)) -> Path:
    """The clean handout in `folder`, with `files` replacing (or, when None, dropping) some files."""
    texts = {**BASE, **(files or {})}
    for name, text in texts.items():
        if text is None:
            continue
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    if logo is not None:
        # A white plate: it shows on the dark band (a block of the band's own blue would not).
        Image.new("RGB", logo, (255, 255, 255)).save(folder / "logo.png")
    return folder


def line_of(text: str, needle: str) -> int:
    """The 1-based line of `text` holding `needle`, which must occur on exactly one line."""
    hits = [n for n, line in enumerate(text.splitlines(), 1) if needle in line]
    assert len(hits) == 1, f"{needle!r} is on lines {hits} of the test text"
    return hits[0]


def body(kind: str, title: str, *lines: str) -> str:
    """A section file with `lines` as its body, one per file line from line 4."""
    return f"kind: {kind}\ntitle: {title}\nbody: |\n" + "".join(f"  {line}\n" for line in lines)


def manifest_without(section: str) -> str:
    return "".join(line + "\n" for line in MANIFEST.splitlines() if section not in line)


# --- running the CLI -------------------------------------------------------------


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), prog_name="handouts")


def lint(*args: str, today: str | None = TODAY) -> Result:
    extra = ["--today", today] if today else []
    return run("lint", *args, *extra)


def lint_json(*args: str, today: str | None = TODAY) -> tuple[Result, list[dict]]:
    result = lint(*args, "--format", "json", today=today)
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    findings = json.loads(result.stdout)
    return result, findings


def of_code(findings: list[dict], code: str) -> list[dict]:
    return [f for f in findings if f["code"] == code]


def where(findings: list[dict]) -> list[tuple]:
    return [(f["path"], f["line"], f["severity"], f["code"]) for f in findings]


@pytest.fixture
def clinic(tmp_path, monkeypatch) -> Path:
    """An empty folder for a handout, made the working folder so paths print relative to it."""
    folder = tmp_path / "clinic"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


# --- the bundled handout and the clean base ---------------------------------------


def test_bundled_handout_lints_clean():
    result = lint()
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "0 error(s), 0 warning(s)" in result.stderr
    strict = lint("--strict")
    assert strict.exit_code == 0, strict.output
    assert strict.stdout == ""


def test_bundled_handout_json_is_an_empty_list():
    result, findings = lint_json("stem-cell-knee")
    assert result.exit_code == 0
    assert findings == []


def test_base_project_lints_clean(clinic):
    write_project(clinic)
    before = sorted(p.relative_to(clinic).as_posix() for p in clinic.rglob("*"))
    result, findings = lint_json(".", "--strict")
    assert findings == []
    assert result.exit_code == 0
    text = lint(".", "--strict")
    assert (text.exit_code, text.stdout) == (0, "")
    assert sorted(p.relative_to(clinic).as_posix() for p in clinic.rglob("*")) == before  # lint writes nothing


def test_library_lint_handout(clinic):
    import datetime as dt

    from handouts import lint_handout
    from handouts.lint import Finding

    write_project(clinic, {"sections/benefits.yaml": body("benefits", "What the shot may do", "A cure!")})
    findings = lint_handout(clinic, today=dt.date(2026, 11, 23))
    assert findings == [Finding("sections/benefits.yaml", 4, "error", "claim", findings[0].message)]
    later = lint_handout(clinic, today=dt.date(2027, 6, 2))
    assert [(f.path, f.code) for f in later] == [("handout.yaml", "review-overdue"),
                                                 ("sections/benefits.yaml", "claim")]


def test_small_type_in_a_clinics_layout_is_a_warning(tmp_path):
    from handouts import lint_handout

    # The built-in layouts keep to 12 pt and 10 pt: the bundled handout lints clean (above).
    small = tmp_path / "small.yaml"
    small.write_text("name: small\npage: letter\nbody_size: 11\nmin_body_size: 11\nmin_size: 9\n")
    findings = [f for f in lint_handout(None, layout=small) if f.code == "small-type"]
    assert [(f.path.endswith("small.yaml"), f.severity) for f in findings] == [(True, "warning")] * 2
    messages = " | ".join(sorted(f.message for f in findings))
    assert "the body prints at 11 pt" in messages and "may print at 9 pt" in messages


def test_every_code_is_documented_with_a_severity():
    assert set(CODES) == {
        "input", "readability", "claim", "missing-kind", "unbalanced-benefits", "disclosure-incomplete",
        "review-overdue", "review-due-soon", "reviewed-in-future", "unknown-variable", "bad-link",
        "low-contrast", "logo-alt", "logo-resolution", "logo-contrast", "comment-in-text", "brand-no-name", "font-fallback",
        "translation-outdated", "translation-sections", "translation-disclosure", "translation-variables",
        "image-resolution", "consent-too-long", "small-type", "decision-missing", "false-friend"}
    errors = {code for code, (severity, _) in CODES.items() if severity == "error"}
    assert errors == {"input", "claim", "review-overdue", "reviewed-in-future", "unknown-variable",
                      "bad-link", "translation-sections", "translation-disclosure", "consent-too-long",
                      "comment-in-text", "decision-missing"}
    assert all(severity in ("error", "warning") for severity, _ in CODES.values())


# --- claim -------------------------------------------------------------------------

# (id, sentence, claim name in the finding)
CLAIMS = [
    ("cure", "This shot can cure your arthritis.", "cure"),
    ("cures", "The shot cures knee arthritis.", "cure"),
    ("cured", "Many patients were cured in one visit.", "cure"),
    ("curative", "It is a curative treatment.", "cure"),
    ("guaranteed", "Your results are guaranteed.", "guaranteed"),
    ("guarantee", "We guarantee you will walk better.", "guaranteed"),
    ("100%", "The shot works 100% of the time.", "100%"),
    ("100 percent", "It is 100 percent natural.", "100%"),
    ("no-side-effects", "The shot has no side effects.", "no side effects"),
    ("without-any-side-effects", "You heal without any side effects.", "no side effects"),
    ("zero-side-effects", "There are zero side effects.", "no side effects"),
    ("side-effect-free", "It is a side-effect free shot.", "no side effects"),
    ("no-risk", "There is no risk to you.", "no risk"),
    ("risk-free", "It is a risk-free visit.", "no risk"),
    ("FDA-approved", "This is an FDA-approved treatment.", "FDA approved"),
    ("FDA approved", "The shot is FDA approved.", "FDA approved"),
    ("approved-by-the-FDA", "The cells are approved by the FDA.", "FDA approved"),
    ("FDA-cleared", "The kit is FDA cleared.", "FDA approved"),
    ("regrow-cartilage", "The cells regrow cartilage.", "regrow cartilage"),
    ("regrows-cartilage", "The shot regrows your cartilage.", "regrow cartilage"),
    ("regenerate-cartilage", "Stem cells regenerate cartilage in the knee.", "regrow cartilage"),
    ("replace-lost-cartilage", "The cells replace lost cartilage.", "regrow cartilage"),
    ("rebuild-cartilage", "The shot helps rebuild worn knee cartilage.", "regrow cartilage"),
    ("new-cartilage", "Your knee will grow new cartilage.", "regrow cartilage"),
    ("cartilage-regeneration", "We offer cartilage regeneration.", "regrow cartilage"),
    ("eliminate-pain", "The shot will eliminate knee pain.", "eliminate pain"),
    ("eliminates-pain", "It eliminates your pain.", "eliminate pain"),
    ("pain-free", "Live pain-free again.", "pain-free"),
    ("pain free", "Be pain free by summer.", "pain-free"),
    ("miracle", "It is a miracle shot.", "miracle"),
    ("miraculous", "People see miraculous results.", "miracle"),
    ("not-only-but", "The shot is not only safe but pain-free.", "pain-free"),
    ("negation-in-earlier-clause", "This is not a trial; it is a cure.", "cure"),
]

NEGATED = [
    ("FDA-has-not-approved", "The FDA has not approved this."),
    ("no-one-can-promise-a-cure", "No one can promise a cure."),
    ("not-guaranteed", "Results are not guaranteed."),
    ("not-FDA-approved", "This shot is not FDA approved."),
    ("does-not-cure", "The shot does not cure arthritis."),
    ("will-not-regrow", "It will not regrow cartilage."),
    ("is-not-a-miracle", "It is not a miracle."),
    ("never-pain-free", "Your knee may never be pain-free."),
    ("cannot-eliminate-pain", "A shot cannot eliminate pain."),
    ("no-shot-is-without-risk", "No shot is without risk."),
    ("no-treatment-is-risk-free", "No treatment is risk-free."),
    ("no-drug-without-side-effects", "No drug is without side effects."),
    # "no" here negates "risk-free"; it is not the "no risk" promise
    ("no-risk-free-treatment", "There is no risk-free treatment."),
    # the question patients are told to ask is not a claim
    ("ask-about-FDA-approval", "Ask whether this shot has FDA approval."),
    # words that merely contain a claim word
    ("secure-accurate", "Keep the brace secure and the notes accurate."),
]


@pytest.mark.parametrize(("sentence", "name"), [c[1:] for c in CLAIMS], ids=[c[0] for c in CLAIMS])
def test_claim_is_an_error_on_its_line(clinic, sentence, name):
    text = body("benefits", "What the shot may do",
                "Some people say their knee hurts less for a few months.",
                sentence,
                "Any help may be small and may not last.")
    write_project(clinic, {"sections/benefits.yaml": text})
    result, findings = lint_json(".")
    claims = of_code(findings, "claim")
    assert claims, f"no claim finding for {sentence!r}"
    hit = [f for f in claims if f"({name})" in f["message"]]
    assert hit, claims
    assert (hit[0]["path"], hit[0]["line"], hit[0]["severity"]) == (
        "sections/benefits.yaml", line_of(text, sentence), "error")
    assert result.exit_code == 1


@pytest.mark.parametrize("sentence", [n[1] for n in NEGATED], ids=[n[0] for n in NEGATED])
def test_negated_claim_is_not_flagged(clinic, sentence):
    text = body("benefits", "What the shot may do",
                "Some people say their knee hurts less for a few months.",
                sentence,
                "Any help may be small and may not last.")
    write_project(clinic, {"sections/benefits.yaml": text})
    result, findings = lint_json(".")
    assert of_code(findings, "claim") == []
    assert result.exit_code == 0


def test_claim_in_title_and_acknowledgment_has_their_lines(clinic):
    manifest = MANIFEST.replace("title: Knee Shots", "title: Miracle Knee Shots")
    risk = RISK + "  - I know my results are guaranteed.\n"
    write_project(clinic, {"handout.yaml": manifest, "sections/risk-disclosure.yaml": risk})
    result, findings = lint_json(".")
    assert where(of_code(findings, "claim")) == [
        ("handout.yaml", line_of(manifest, "Miracle"), "error", "claim"),
        ("sections/risk-disclosure.yaml", line_of(risk, "guaranteed"), "error", "claim"),
    ]
    assert result.exit_code == 1


def test_claim_split_over_two_lines_is_reported_where_it_starts(clinic):
    text = body("benefits", "What the shot may do", "The shot has no side", "effects at all.")
    write_project(clinic, {"sections/benefits.yaml": text})
    result, findings = lint_json(".")
    assert where(findings) == [("sections/benefits.yaml", line_of(text, "no side"), "error", "claim")]
    assert '"no side effects"' in findings[0]["message"]


def test_claim_in_a_reference_text(clinic):
    evidence = EVIDENCE + "  - text: Our miracle results, 2025.\n"
    write_project(clinic, {"sections/evidence.yaml": evidence})
    result, findings = lint_json(".")
    assert where(findings) == [("sections/evidence.yaml", line_of(evidence, "miracle"), "error", "claim")]


@pytest.mark.parametrize("text", ["pain\u2011free knees", "an FDA\u2011approved shot", "a risk\u2011free visit"],
                         ids=["pain-free", "FDA-approved", "risk-free"])
def test_claim_with_a_non_breaking_hyphen(clinic, text):
    # word processors put U+2011 in "pain-free"; it reads the same on paper
    section = body("benefits", "What the shot may do", f"Ask about {text}.")
    write_project(clinic, {"sections/benefits.yaml": section})
    result, findings = lint_json(".")
    assert where(of_code(findings, "claim")) == [("sections/benefits.yaml", 4, "error", "claim")]


def test_claim_text_output_line_format(clinic):
    text = body("benefits", "What the shot may do", "Say hello to pain-free knees.")
    write_project(clinic, {"sections/benefits.yaml": text})
    result = lint(".")
    assert result.exit_code == 1
    assert re.fullmatch(r'sections/benefits\.yaml:4: error: claim: .*"pain-free".*\n', result.stdout)


# --- lint.yaml -----------------------------------------------------------------


def test_lint_yaml_adds_a_phrase(clinic):
    text = body("benefits", "What the shot may do", "Ask about our Knee  Reboot plan.")
    write_project(clinic, {"sections/benefits.yaml": text,
                           "lint.yaml": "claims:\n  add:\n    - knee reboot\n"})
    result, findings = lint_json(".")
    assert where(findings) == [("sections/benefits.yaml", 4, "error", "claim")]
    assert "knee reboot" in findings[0]["message"].lower()
    assert result.exit_code == 1


def test_lint_yaml_allow_suppresses_exactly_one_finding(clinic):
    # Claims stated as the clinic's own (a claim reported or warned against is none: see test_claims_corpus.py).
    evidence = body("evidence", "What the research shows",
                    "Our shot is a cure for sore knees.",
                    "It is a cure for stiff knees too.")
    benefits = body("benefits", "What the shot may do", "The shot is a cure.")
    config = ("claims:\n  allow:\n    - phrase: cure\n      file: sections/evidence.yaml\n      line: 4\n"
              "      reason: Quotes the FTC order against a clinic.\n")
    write_project(clinic, {"sections/evidence.yaml": evidence + "references:\n  - Some FTC order.\n",
                           "sections/benefits.yaml": benefits, "lint.yaml": config})
    result, findings = lint_json(".")
    assert where(of_code(findings, "claim")) == [
        ("sections/benefits.yaml", 4, "error", "claim"),
        ("sections/evidence.yaml", 5, "error", "claim"),
    ]
    assert result.exit_code == 1


def test_lint_yaml_allow_without_line_covers_the_whole_file(clinic):
    evidence = body("evidence", "What the research shows",
                    "Our shot is a cure for sore knees.",
                    "It is a cure for stiff knees too.")
    config = ("claims:\n  allow:\n    - phrase: cure\n      file: sections/evidence.yaml\n"
              "      reason: Quotes two FTC orders.\n")
    write_project(clinic, {"sections/evidence.yaml": evidence + "references:\n  - Some FTC order.\n"})
    assert len(of_code(lint_json(".")[1], "claim")) == 2
    write_project(clinic, {"sections/evidence.yaml": evidence + "references:\n  - Some FTC order.\n",
                           "lint.yaml": config})
    result, findings = lint_json(".", "--strict")
    assert findings == []
    assert result.exit_code == 0


def test_lint_yaml_allow_without_reason_is_an_input_error(clinic):
    config = "claims:\n  allow:\n    - phrase: cure\n      file: sections/evidence.yaml\n"
    write_project(clinic, {"lint.yaml": config})
    result, findings = lint_json(".")
    assert [(f["path"], f["severity"], f["code"]) for f in findings] == [("lint.yaml", "error", "input")]
    assert "reason" in findings[0]["message"]
    assert findings[0]["line"] in (3, 4)
    assert result.exit_code == 1
    # build refuses the same file with the same message
    built = run("build", ".", "-o", "out.pdf")
    assert built.exit_code == 1
    assert findings[0]["message"] in built.stderr
    assert not Path("out.pdf").exists()


BAD_CONFIGS = [
    # (id, lint.yaml, needle on the expected line, words in the message)
    ("unknown-top-key", "claim:\n  add: [knee reboot]\n", None, "claim"),
    ("unknown-allow-key", "claims:\n  allow:\n    - phrase: cure\n      file: sections/evidence.yaml\n"
     "      reason: Quotes an FTC order.\n      why: because\n", "why:", "why"),
    ("add-not-text", "claims:\n  add:\n    - [knee, reboot]\n", None, "add"),
    ("allow-without-file", "claims:\n  allow:\n    - phrase: cure\n      reason: Quotes an FTC order.\n", None,
     "file"),
    ("yaml-error", "claims:\n  add: [knee reboot\n", None, ""),
]


@pytest.mark.parametrize(("config", "needle", "words"), [b[1:] for b in BAD_CONFIGS], ids=[b[0] for b in BAD_CONFIGS])
def test_bad_lint_yaml_is_an_input_error(clinic, config, needle, words):
    write_project(clinic, {"lint.yaml": config})
    result, findings = lint_json(".")
    assert findings and {(f["path"], f["severity"], f["code"]) for f in findings} == {("lint.yaml", "error", "input")}
    assert any(words in f["message"] for f in findings), findings
    if needle is not None:
        assert line_of(config, needle) in [f["line"] for f in findings]
    assert result.exit_code == 1


def test_lint_yaml_allow_by_the_words_written(clinic):
    benefits = body("benefits", "What the shot may do", "The cells replace lost cartilage.")
    config = ("claims:\n  allow:\n    - phrase: replace lost cartilage\n      file: sections/benefits.yaml\n"
              "      reason: Quoted from the FTC order, to warn about it.\n")
    write_project(clinic, {"sections/benefits.yaml": benefits})
    assert where(lint_json(".")[1]) == [("sections/benefits.yaml", 4, "error", "claim")]
    (clinic / "lint.yaml").write_text(config, encoding="utf-8")
    result, findings = lint_json(".", "--strict")
    assert findings == []
    assert result.exit_code == 0


# --- input and unknown-variable -----------------------------------------------------

REF_NEITHER = EVIDENCE.replace("  - text: Mautner", "  - url: null\n  - text: Mautner")
REF_FTP = EVIDENCE.replace("https://doi.org", "ftp://doi.org")
REF_JS = EVIDENCE.replace("url: https://doi.org/10.1038/s41591-023-02632-w", "url: javascript:alert(1)")

INPUTS = [
    # (id, file, text, needle on the expected line, words in the message)
    ("reference-neither-text-nor-url", "sections/evidence.yaml", REF_NEITHER, "url: null", "'text' or a 'url'"),
    ("reference-ftp-url", "sections/evidence.yaml", REF_FTP, "ftp://", "http://"),
    ("reference-javascript-url", "sections/evidence.yaml", REF_JS, "javascript:", "http://"),
    ("unknown-kind", "sections/lifestyle.yaml", LIFESTYLE.replace("kind: lifestyle", "kind: lifestlye"),
     "lifestlye", "kind"),
    ("duplicate-key", "sections/how-it-works.yaml", HOW.replace("body: |", "title: Again\nbody: |"),
     "title: Again", "title"),
    ("unclosed-bracket", "sections/how-it-works.yaml", HOW.replace("title: How the shot works", "title: [oops"),
     None, ""),
    ("missing-section-file", "handout.yaml", MANIFEST.replace("sections/lifestyle.yaml", "sections/nope.yaml"),
     "nope.yaml", "not found"),
    ("no-title", "sections/alternatives.yaml", ALTERNATIVES.replace("title: Other choices\n", ""), None, "title"),
]


@pytest.mark.parametrize(("name", "text", "needle", "words"), [i[1:] for i in INPUTS], ids=[i[0] for i in INPUTS])
def test_input_error_is_a_finding_with_builds_message(clinic, name, text, needle, words):
    write_project(clinic, {name: text})
    result, findings = lint_json(".")
    assert result.exit_code == 1
    inputs = of_code(findings, "input")
    assert inputs, findings
    assert all(f["severity"] == "error" for f in inputs)
    first = inputs[0]
    assert first["path"] == name
    if needle is not None:
        assert first["line"] == line_of(text, needle)
    assert words in first["message"]
    built = run("build", ".", "-o", "out.pdf")
    assert built.exit_code == 1
    assert not Path("out.pdf").exists()
    for finding in inputs:
        where_ = f"{finding['path']}:{finding['line']}" if finding["line"] else finding["path"]
        assert f"{where_}: {finding['message']}" in built.stderr.splitlines()


def test_unknown_variable_is_an_error_with_file_and_line(clinic):
    text = body("lifestyle", "Everyday steps", "Walk a little each day.", "",
                "Call {{ clinic.fone }} with questions.")
    write_project(clinic, {"sections/lifestyle.yaml": text})
    result, findings = lint_json(".")
    assert where(findings) == [("sections/lifestyle.yaml", line_of(text, "clinic.fone"), "error", "unknown-variable")]
    assert "clinic.fone" in findings[0]["message"]
    assert result.exit_code == 1
    built = run("build", ".", "-o", "out.pdf")
    assert built.exit_code == 1
    assert f"sections/lifestyle.yaml:{line_of(text, 'clinic.fone')}: {findings[0]['message']}" in built.stderr


def test_unknown_top_level_variable(clinic):
    text = body("lifestyle", "Everyday steps", "Walk a little each day, {{ patient_name }}.")
    write_project(clinic, {"sections/lifestyle.yaml": text})
    result, findings = lint_json(".")
    assert where(findings) == [("sections/lifestyle.yaml", 4, "error", "unknown-variable")]
    assert "patient_name" in findings[0]["message"]


def test_known_variables_are_fine(clinic):
    text = body("lifestyle", "Everyday steps", "Walk a little each day.",
                "Call {{ clinic.name }} at {{ provider.phone | default(clinic.phone) }}.")
    write_project(clinic, {"sections/lifestyle.yaml": text})
    result, findings = lint_json(".", "--strict")
    assert findings == []
    assert result.exit_code == 0


# --- completeness ----------------------------------------------------------------

CORE = {"how_it_works": "how-it-works", "benefits": "benefits", "side_effects": "side-effects",
        "alternatives": "alternatives", "lifestyle": "lifestyle"}


@pytest.mark.parametrize("kind", list(CORE))
def test_missing_kind_is_a_warning_on_the_sections_line(clinic, kind):
    manifest = manifest_without(f"sections/{CORE[kind]}.yaml")
    write_project(clinic, {"handout.yaml": manifest})
    result, findings = lint_json(".")
    # the `sections:` key, or the list below it (where the manifest's values start)
    sections = line_of(manifest, "sections:")
    assert [(f["path"], f["severity"], f["code"]) for f in findings] == [("handout.yaml", "warning", "missing-kind")]
    assert findings[0]["line"] in (sections, sections + 1)
    assert f"'{kind}'" in findings[0]["message"]
    assert result.exit_code == 0
    assert lint(".", "--strict").exit_code == 1


def test_unbalanced_benefits_without_evidence_or_references(clinic):
    manifest = manifest_without("sections/evidence.yaml")
    write_project(clinic, {"handout.yaml": manifest})
    result, findings = lint_json(".")
    assert where(findings) == [("sections/benefits.yaml", line_of(BENEFITS, "body:"), "warning",
                                "unbalanced-benefits")]
    assert result.exit_code == 0


def test_benefits_balanced_by_references_elsewhere(clinic):
    manifest = manifest_without("sections/evidence.yaml")
    how = HOW + "references:\n  - Mautner K, et al. Nature Medicine 2023.\n"
    write_project(clinic, {"handout.yaml": manifest, "sections/how-it-works.yaml": how})
    result, findings = lint_json(".", "--strict")
    assert findings == []


def test_benefits_balanced_by_an_evidence_section_without_references(clinic):
    evidence = EVIDENCE.split("references:")[0]
    write_project(clinic, {"sections/evidence.yaml": evidence})
    result, findings = lint_json(".", "--strict")
    assert findings == []


DISCLOSURE_PARTS = [
    # (id, sentence removed from the body, words the message must name)
    ("regulatory", "The FDA has not approved this shot for knee arthritis.", "regulatory status"),
    ("risks", "The main risks are infection, pain, and swelling.", "risks"),
    ("alternatives", "You have other choices, such as exercise and weight loss.", "alternatives"),
]


@pytest.mark.parametrize(("sentence", "words"), [d[1:] for d in DISCLOSURE_PARTS], ids=[d[0] for d in DISCLOSURE_PARTS])
def test_disclosure_incomplete(clinic, sentence, words):
    risk = RISK.replace(f"  {sentence}\n", "  Please read this page with care.\n")
    assert risk != RISK
    write_project(clinic, {"sections/risk-disclosure.yaml": risk})
    result, findings = lint_json(".")
    assert where(findings) == [("sections/risk-disclosure.yaml", line_of(risk, "body:") + 1, "warning",
                                "disclosure-incomplete")]
    assert words in findings[0]["message"]
    others = {w for _, _, w in DISCLOSURE_PARTS} - {words}
    assert not any(w in findings[0]["message"] for w in others)
    assert result.exit_code == 0


# Plain ways of naming the alternatives, each as the only mention of them.
ALTERNATIVES_NAMED = [
    ("en", "You can choose another treatment, or no treatment."),
    ("en", "Ask us about other treatment options."),
    ("en", "You may decide not to have the shot."),
    ("en", "Exercise and weight loss are different choices you can make."),
    ("es", "Puede elegir otro tratamiento, o ningún tratamiento."),
    ("es", "Pregúntenos por otras opciones de tratamiento."),
    ("es", "Puede decidir no ponerse la inyección."),
]


@pytest.mark.parametrize(("language", "sentence"), ALTERNATIVES_NAMED, ids=[s for _, s in ALTERNATIVES_NAMED])
def test_disclosure_names_alternatives_in_plain_words(clinic, language, sentence):
    regulatory = ("La FDA no ha aprobado esta inyección." if language == "es"
                  else "The FDA has not approved this shot for knee arthritis.")
    risks = "Los riesgos son infección y dolor." if language == "es" else "The main risks are infection, pain, and swelling."
    risk = ("kind: risk_disclosure\ntitle: Your consent\nbody: |\n"
            f"  {regulatory}\n  {risks}\n  {sentence}\n")
    manifest = MANIFEST.replace("version:", f"language: {language}\nversion:")
    write_project(clinic, {"handout.yaml": manifest, "sections/risk-disclosure.yaml": risk})
    result, findings = lint_json(".")
    assert of_code(findings, "disclosure-incomplete") == [], sentence
    # Without the sentence, the same disclosure lacks the alternatives.
    write_project(clinic, {"handout.yaml": manifest,
                           "sections/risk-disclosure.yaml": risk.replace(f"  {sentence}\n", "")})
    result, findings = lint_json(".")
    assert [f["message"] for f in of_code(findings, "disclosure-incomplete")] == [
        "the risk disclosure does not mention the alternatives"]


def test_disclosure_parts_may_be_in_the_acknowledgment(clinic):
    risk = ("kind: risk_disclosure\ntitle: Your consent\nbody: |\n  Please read this page with care.\n"
            "acknowledgment: |\n  - I know the FDA has not approved this shot.\n"
            "  - I know the risks.\n  - I know other treatments exist.\n"
            "decision:\n  yes: Yes, I want the shot.\n  no: No, I do not want the shot.\n")
    write_project(clinic, {"sections/risk-disclosure.yaml": risk})
    result, findings = lint_json(".", "--strict")
    assert findings == []


# --- currency ------------------------------------------------------------------

CURRENCY = [
    # (id, reviewed, review_due, expected code or None)
    ("due-yesterday", "2026-01-15", "2026-11-22", "review-overdue"),
    ("due-long-ago", "2024-01-15", "2025-01-15", "review-overdue"),
    ("due-today", "2026-01-15", "2026-11-23", "review-due-soon"),
    ("due-in-30-days", "2026-01-15", "2026-12-23", "review-due-soon"),
    ("due-in-60-days", "2026-01-15", "2027-01-22", "review-due-soon"),
    ("due-in-61-days", "2026-01-15", "2027-01-23", None),
    ("due-in-90-days", "2026-01-15", "2027-02-21", None),
    ("reviewed-today", "2026-11-23", "2028-11-23", None),
    ("reviewed-tomorrow", "2026-11-24", "2028-11-24", "reviewed-in-future"),
]


@pytest.mark.parametrize(("reviewed", "due", "code"), [c[1:] for c in CURRENCY], ids=[c[0] for c in CURRENCY])
def test_review_dates_against_today(clinic, reviewed, due, code):
    manifest = MANIFEST.replace("reviewed: 2026-01-15", f"reviewed: {reviewed}").replace(
        "review_due: 2027-06-01", f"review_due: {due}")
    write_project(clinic, {"handout.yaml": manifest})
    result, findings = lint_json(".")
    if code is None:
        assert findings == []
        assert result.exit_code == 0
        return
    key = "reviewed:" if code == "reviewed-in-future" else "review_due:"
    severity = CODES[code][0]
    assert where(findings) == [("handout.yaml", line_of(manifest, key), severity, code)]
    assert result.exit_code == (1 if severity == "error" else 0)
    assert (due if key == "review_due:" else reviewed) in findings[0]["message"]


def test_no_review_due_is_not_a_finding(clinic):
    write_project(clinic, {"handout.yaml": manifest_without("review_due")})
    result, findings = lint_json(".", "--strict")
    assert findings == []


def test_today_must_be_a_date(clinic):
    write_project(clinic)
    result = lint(".", today="23/11/2026")
    assert result.exit_code == 2
    assert result.stdout == ""


# --- bad-link --------------------------------------------------------------------

BAD_LINKS = [
    ("javascript", "[our site](javascript:alert(1))"),
    ("file", "[the form](file:///etc/passwd)"),
    ("ftp", "[the form](ftp://clinic.example/form.pdf)"),
    ("relative", "[the form](form.pdf)"),
    ("bare-domain", "[our site](www.clinic.example)"),
    ("data", "[a note](data:text/html,hello)"),
]


@pytest.mark.parametrize("link", [b[1] for b in BAD_LINKS], ids=[b[0] for b in BAD_LINKS])
def test_bad_link_is_an_error_on_its_line(clinic, link):
    text = body("lifestyle", "Everyday steps", "Walk a little each day.", "", f"See {link} for more.")
    write_project(clinic, {"sections/lifestyle.yaml": text})
    result, findings = lint_json(".")
    assert where(of_code(findings, "bad-link")) == [("sections/lifestyle.yaml", line_of(text, "See "), "error",
                                                     "bad-link")]
    assert result.exit_code == 1


def test_bad_link_inside_a_paragraph_names_the_links_own_line(clinic):
    text = body("lifestyle", "Everyday steps", "Walk a little each day.",
                "Learn more in [our guide](ftp://clinic.example/guide.pdf) online.")
    write_project(clinic, {"sections/lifestyle.yaml": text})
    result, findings = lint_json(".")
    assert where(findings) == [("sections/lifestyle.yaml", line_of(text, "ftp://"), "error", "bad-link")]


@pytest.mark.parametrize("link", ["[our site](https://clinic.example)", "[our site](http://clinic.example)",
                                  "[email us](mailto:desk@clinic.example)", "[call us](tel:+15550100100)",
                                  "<https://clinic.example>"],
                         ids=["https", "http", "mailto", "tel", "autolink"])
def test_good_links_pass(clinic, link):
    text = body("lifestyle", "Everyday steps", "Walk a little each day.", "", f"See {link} for more.")
    write_project(clinic, {"sections/lifestyle.yaml": text})
    result, findings = lint_json(".", "--strict")
    assert findings == []


# --- brand: contrast and logo -----------------------------------------------------


def wcag_ratio(first: str, second: str) -> float:
    def lum(hex_color: str) -> float:
        values = []
        for i in (1, 3, 5):
            c = int(hex_color[i:i + 2], 16) / 255
            values.append(c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4)
        return 0.2126 * values[0] + 0.7152 * values[1] + 0.0722 * values[2]

    a, b = sorted((lum(first), lum(second)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def test_low_contrast_foreground(clinic):
    brand = BRAND.replace('foreground: "#1a1a1a"', 'foreground: "#aaaaaa"')
    write_project(clinic, {"brand.yml": brand})
    result, findings = lint_json(".")
    assert [(f["path"], f["severity"], f["code"]) for f in findings] == [("brand.yml", "warning", "low-contrast")]
    message = findings[0]["message"]
    assert "#aaaaaa" in message and "#ffffff" in message
    assert f"{wcag_ratio('#aaaaaa', '#ffffff'):.2f}:1" in message
    shade = re.search(r"prints in the darker shade (#[0-9a-f]{6}) \(([\d.]+):1\)", message)
    assert shade and wcag_ratio(shade.group(1), "#ffffff") >= 4.5 and float(shade.group(2)) >= 4.5
    assert findings[0]["line"] in (None, line_of(brand, "foreground:"))
    assert result.exit_code == 0
    assert lint(".", "--strict").exit_code == 1


def test_low_contrast_primary_fails_headings_and_cover(clinic):
    brand = BRAND.replace('primary: "#1d4e6e"', 'primary: "#7fb3d5"')
    write_project(clinic, {"brand.yml": brand})
    result, findings = lint_json(".")
    # The white logo does not show on the light band either: it prints on a panel, and lint says so.
    assert [(f["path"], f["severity"], f["code"]) for f in findings] == [
        ("brand.yml", "warning", "low-contrast")] * 2 + [("logo.png", "warning", "logo-contrast")]
    ratio = f"{wcag_ratio('#7fb3d5', '#ffffff'):.2f}:1"
    messages = " ".join(f["message"] for f in findings if f["code"] == "low-contrast")
    assert "color.primary #7fb3d5 on color.background #ffffff" in messages
    assert "color.background #ffffff on color.primary #7fb3d5" in messages
    assert messages.count(ratio) == 2
    # Headings take a darker shade of the primary; the band's text the dark body colour.
    assert "this text prints in the darker shade #1a1a1a" in messages
    assert result.exit_code == 0


def test_dark_background_with_light_text_passes(clinic):
    brand = (BRAND.replace('foreground: "#1a1a1a"', 'foreground: "#f5f5f5"')
             .replace('background: "#ffffff"', 'background: "#111111"')
             .replace('primary: "#1d4e6e"', 'primary: "#9fd3ff"'))
    write_project(clinic, {"brand.yml": brand})
    result, findings = lint_json(".", "--strict")
    assert of_code(findings, "low-contrast") == []


def test_just_above_the_contrast_limit_passes(clinic):
    # #767676 on white is the classic 4.54:1 grey
    brand = BRAND.replace('foreground: "#1a1a1a"', 'foreground: "#767676"')
    write_project(clinic, {"brand.yml": brand})
    assert wcag_ratio("#767676", "#ffffff") > 4.5
    result, findings = lint_json(".", "--strict")
    assert findings == []
    brand = BRAND.replace('foreground: "#1a1a1a"', 'foreground: "#777777"')
    write_project(clinic, {"brand.yml": brand})
    assert wcag_ratio("#777777", "#ffffff") < 4.5
    result, findings = lint_json(".")
    assert [f["code"] for f in findings] == ["low-contrast"]


def test_logo_without_alt_is_a_warning(clinic):
    brand = BRAND.replace("    alt: Test Knee Clinic logo, a blue square\n", "")
    write_project(clinic, {"brand.yml": brand})
    result, findings = lint_json(".")
    assert [(f["path"], f["severity"], f["code"]) for f in findings] == [("brand.yml", "warning", "logo-alt")]
    assert findings[0]["line"] in (None, line_of(brand, "path: logo.png"))
    assert result.exit_code == 0
    assert lint(".", "--strict").exit_code == 1


def test_logo_as_a_plain_path_has_no_alt(clinic):
    brand = re.sub(r"logo:\n(  .*\n)+", "logo: logo.png\n", BRAND)
    write_project(clinic, {"brand.yml": brand})
    result, findings = lint_json(".")
    assert [f["code"] for f in findings] == ["logo-alt"]


def test_low_resolution_logo_is_a_warning(clinic):
    write_project(clinic, logo=(60, 60))
    result, findings = lint_json(".")
    assert [(f["path"], f["severity"], f["code"]) for f in findings] == [("logo.png", "warning", "logo-resolution")]
    dpi = int(re.search(r"prints at (\d+) dpi", findings[0]["message"]).group(1))
    assert dpi < 100  # 60 px across about an inch
    assert result.exit_code == 0


@pytest.mark.parametrize("layout", ["letter", "a4", "large-print"])
def test_600px_logo_passes_in_every_layout(clinic, layout):
    write_project(clinic)
    result, findings = lint_json(".", "--layout", layout, "--strict")
    assert findings == []


def test_brand_option_lints_that_brand(clinic):
    write_project(clinic)
    other = clinic / "other"
    other.mkdir()
    (other / "brand.yml").write_text(BRAND.replace('foreground: "#1a1a1a"', 'foreground: "#bbbbbb"'),
                                     encoding="utf-8")
    shutil.copy2(clinic / "logo.png", other / "logo.png")
    result, findings = lint_json(".", "--brand", "other/brand.yml")
    assert [(f["path"], f["code"]) for f in findings] == [("other/brand.yml", "low-contrast")]
    assert lint_json(".")[1] == []



def test_the_bundled_coverage_table_is_what_the_fonts_draw():
    # Lint checks text against fonts/coverage.txt instead of reading the
    # fonts; it must be exactly what build reads from them
    # (tools/bundled-coverage.py writes it again).
    from handouts.load.fonts import bundled_coverage
    from handouts.render.fonts import register_family

    assert bundled_coverage() == register_family(None).coverage


@pytest.mark.parametrize(("field", "text", "words"), [
    ("title", "Knee care 中文", 'cannot print "中" (U+4E2D'),
    ("body", "Call us at the desk. \u0645\u0631\u062d\u0628\u0627 friends.", 'cannot print "م" (U+0645'),
], ids=["cjk-title", "arabic-body"])
def test_text_the_fonts_cannot_print_is_an_input_error_as_in_build(clinic, field, text, words):
    data = yaml.safe_load(BENEFITS)
    data[field] = text
    write_project(clinic, {"sections/benefits.yaml": yaml.safe_dump(data, allow_unicode=True)})
    findings = lint_json(".")[1]
    found = [f for f in findings if f["code"] == "input" and words in f["message"]]
    assert [(f["path"], f["message"].split(":")[0]) for f in found] == [("sections/benefits.yaml", field)], findings
    built = run("build", ".", "-o", "out.pdf")
    assert built.exit_code == 1
    assert found[0]["message"] in built.stderr
    assert not (clinic / "out.pdf").exists()


@pytest.mark.parametrize(("name", "words"), [
    ("Клиника Колено", "U+041A"),
    ("Clinic 王", "U+738B"),
    ("Café Genou", None),  # beyond ASCII, but printed: the fonts are read, and say so
])
def test_brand_values_the_bundled_fonts_cannot_print(clinic, name, words):
    write_project(clinic, {"brand.yml": BRAND.replace("name: Test Knee Clinic", f"name: {name}")})
    result, findings = lint_json(".")
    if words is None:
        assert findings == []
        return
    assert [(f["path"], f["line"], f["code"]) for f in findings] == [("brand.yml", None, "input")]
    assert findings[0]["message"].startswith("meta.name: the font Atkinson Hyperlegible cannot print")
    assert words in findings[0]["message"]


# --- readability -------------------------------------------------------------------

DENSE = [
    "Intra-articular administration of autologous mesenchymal stromal cell preparations, derived predominantly "
    "from bone marrow aspirate or adipose tissue, is hypothesized to modulate inflammatory signaling within "
    "the osteoarthritic joint environment.",
    "Randomized controlled investigations comparing these heterogeneous preparations with corticosteroid "
    "injection demonstrated no clinically meaningful superiority regarding patient-reported pain or functional "
    "outcomes at twelve months.",
    "Consequently, professional rheumatological organizations recommend against their utilization outside "
    "appropriately regulated investigational protocols.",
    "Reported complications, although infrequently documented, encompass periprocedural infection, "
    "hemarthrosis, and donor-site morbidity.",
]
PLAIN = [
    "A doctor takes cells from your bone marrow or belly fat.",
    "The cells go into your knee with a needle.",
    "Some think the cells calm swelling in the knee.",
    "In large studies, the cells did no better than a steroid shot after a year.",
    "Arthritis experts say not to use them outside of a study.",
    "Problems are rare, but they can happen.",
    "You could get an infection or bleeding in the knee.",
    "The place where the cells were taken may hurt.",
]


def test_dense_section_gets_a_readability_warning(clinic):
    text = body("how_it_works", "Mechanism of action", *DENSE)
    write_project(clinic, {"sections/how-it-works.yaml": text})
    result, findings = lint_json(".")
    assert where(findings) == [("sections/how-it-works.yaml", 4, "warning", "readability")]
    message = findings[0]["message"]
    assert "'Mechanism of action'" in message
    grade = float(re.search(r"reads at grade ([\d.]+)", message).group(1))
    assert grade > 8
    hardest = re.findall(r'"([^"]+)"', message.split("hardest sentences:")[1])
    assert len(hardest) == 3
    assert all(sentence in DENSE for sentence in hardest), hardest
    assert result.exit_code == 0
    assert lint(".", "--strict").exit_code == 1


def test_same_facts_in_plain_words_pass(clinic):
    text = body("how_it_works", "How the shot works", *PLAIN)
    write_project(clinic, {"sections/how-it-works.yaml": text})
    result, findings = lint_json(".", "--strict")
    assert findings == []


def test_readability_finding_in_text_format(clinic):
    text = body("how_it_works", "Mechanism of action", *DENSE)
    write_project(clinic, {"sections/how-it-works.yaml": text})
    result = lint(".")
    assert result.stdout.startswith("sections/how-it-works.yaml:4: warning: readability: section 'Mechanism of action'")
    assert "0 error(s), 1 warning(s)" in result.stderr


def test_max_grade_option(clinic):
    write_project(clinic)
    result, findings = lint_json(".", "--max-grade", "1")
    assert findings and {f["code"] for f in findings} == {"readability"}
    assert result.exit_code == 0


def test_max_grade_3_flags_the_bundled_handout():
    result, findings = lint_json("--max-grade", "3")
    assert findings
    assert {(f["code"], f["severity"]) for f in findings} == {("readability", "warning")}
    assert all(re.search(r"sections/[a-z-]+\.yaml$", f["path"]) for f in findings)
    assert len({f["path"] for f in findings}) >= 5
    assert result.exit_code == 0
    assert lint("--max-grade", "3", "--strict").exit_code == 1


# 12 words, FK about 6.8, two words of 4 syllables: SMOG only counts from 30 sentences
SMOG_SENTENCE = "When you walk a lot, the knee can get inflammation and irritation."


@pytest.mark.parametrize(("count", "flagged"), [(29, False), (30, True)], ids=["29-sentences", "30-sentences"])
def test_smog_counts_only_from_30_sentences(clinic, count, flagged):
    text = body("lifestyle", "Everyday steps", *[SMOG_SENTENCE] * count)
    write_project(clinic, {"sections/lifestyle.yaml": text})
    result, findings = lint_json(".")
    assert bool(of_code(findings, "readability")) is flagged, findings
    if flagged:
        assert "SMOG" in findings[0]["message"]


# --- output: json, sorting, strict ------------------------------------------------


def messy_project(folder: Path) -> dict[str, str]:
    files = {
        "handout.yaml": MANIFEST.replace("review_due: 2027-06-01", "review_due: 2026-12-01")
        .replace("title: Knee Shots", "title: Miracle Knee Shots"),
        "sections/benefits.yaml": body("benefits", "What the shot may do", "It is a cure.", "",
                                       "It is pain-free.", "See [us](ftp://clinic.example)."),
        "sections/alternatives.yaml": body("alternatives", "Other choices", *DENSE),
        "brand.yml": BRAND.replace("    alt: Test Knee Clinic logo, a blue square\n", ""),
    }
    write_project(folder, files)
    return files


def test_json_format(clinic):
    messy_project(clinic)
    result, findings = lint_json(".")
    assert result.exit_code == 1
    assert isinstance(findings, list) and len(findings) >= 6
    for finding in findings:
        assert set(finding) == KEYS
        assert finding["severity"] in ("error", "warning")
        assert finding["code"] in CODES
        assert finding["severity"] == CODES[finding["code"]][0]
        assert isinstance(finding["path"], str) and isinstance(finding["message"], str)
        assert finding["line"] is None or isinstance(finding["line"], int)
    codes = {f["code"] for f in findings}
    assert {"claim", "review-due-soon", "bad-link", "readability", "logo-alt"} <= codes


def test_findings_sorted_by_file_and_line(clinic):
    messy_project(clinic)
    result, findings = lint_json(".")
    keys = [(f["path"], f["line"] or 0) for f in findings]
    assert keys == sorted(keys)
    text = lint(".")
    parsed = [re.match(r"([^:]+)(?::(\d+))?: (error|warning): ([a-z-]+): ", line) for line in
              text.stdout.splitlines()]
    assert all(parsed), text.stdout
    assert [(m.group(1), int(m.group(2) or 0)) for m in parsed] == keys
    assert [m.group(4) for m in parsed] == [f["code"] for f in findings]


def test_text_format_matches_json(clinic):
    messy_project(clinic)
    _, findings = lint_json(".")
    text = lint(".")
    expected = [f"{f['path']}:{f['line']}: {f['severity']}: {f['code']}: {f['message']}" if f["line"] else
                f"{f['path']}: {f['severity']}: {f['code']}: {f['message']}" for f in findings]
    assert text.stdout.splitlines() == expected
    errors = sum(f["severity"] == "error" for f in findings)
    assert f"{errors} error(s), {len(findings) - errors} warning(s)" in text.stderr


def test_strict_turns_warnings_into_exit_1(clinic):
    write_project(clinic, {"handout.yaml": manifest_without("sections/lifestyle.yaml")})
    plain = lint(".")
    strict = lint(".", "--strict")
    assert plain.exit_code == 0 and strict.exit_code == 1
    assert plain.stdout == strict.stdout != ""
    result, _ = lint_json(".", "--strict")
    assert result.exit_code == 1


def test_unknown_handout_is_a_usage_error(clinic):
    result = lint("no-such-handout")
    assert result.exit_code == 2
    assert "no-such-handout" in result.stderr


# --- build refuses lint errors -------------------------------------------------------


def test_build_refuses_a_claim(clinic):
    text = body("benefits", "What the shot may do", "Results are guaranteed.")
    write_project(clinic, {"sections/benefits.yaml": text})
    result = run("build", ".", "-o", "out.pdf")
    assert result.exit_code == 1
    assert "sections/benefits.yaml:4: error: claim: " in result.stderr
    assert "--allow-lint-errors" in result.stderr
    assert not Path("out.pdf").exists()
    assert sorted(p.name for p in clinic.iterdir()) == ["brand.yml", "handout.yaml", "logo.png", "sections"]


def test_build_refuses_an_overdue_review(clinic):
    manifest = MANIFEST.replace("reviewed: 2026-01-15", "reviewed: 2019-01-15").replace(
        "review_due: 2027-06-01", "review_due: 2020-01-15")
    write_project(clinic, {"handout.yaml": manifest})
    result = run("build", ".", "-o", "out.pdf")
    assert result.exit_code == 1
    assert f"handout.yaml:{line_of(manifest, 'review_due')}: error: review-overdue: " in result.stderr
    assert not Path("out.pdf").exists()


def test_build_refuses_a_javascript_link(clinic):
    text = body("lifestyle", "Everyday steps", "See [our site](javascript:alert(1)) for more.")
    write_project(clinic, {"sections/lifestyle.yaml": text})
    result = run("build", ".", "-o", "out.pdf")
    assert result.exit_code == 1, "build printed a javascript: link"
    assert "sections/lifestyle.yaml:4: error: bad-link: " in result.stderr
    assert not Path("out.pdf").exists()


def test_build_allow_lint_errors_builds_and_warns(clinic):
    # a separate process, so the log line reaches the real stderr
    text = body("benefits", "What the shot may do", "Results are guaranteed.")
    write_project(clinic, {"sections/benefits.yaml": text})
    proc = subprocess.run([sys.executable, "-m", "handouts", "build", ".", "-o", "out.pdf", "--allow-lint-errors"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert Path("out.pdf").read_bytes().startswith(b"%PDF-")
    warnings = [line for line in proc.stderr.splitlines() if "warning" in line.lower()]
    assert any("sections/benefits.yaml:4: error: claim:" in line for line in warnings), proc.stderr


def test_build_allow_lint_errors_in_process(clinic):
    # the CLI logs through click, so the warning reaches CliRunner's stderr too
    text = body("benefits", "What the shot may do", "Results are guaranteed.")
    write_project(clinic, {"sections/benefits.yaml": text})
    result = run("build", ".", "-o", "out.pdf", "--allow-lint-errors")
    assert result.exit_code == 0, result.output
    assert Path("out.pdf").is_file()
    assert "handouts: warning: printing despite lint error: sections/benefits.yaml:4: error: claim:" in result.stderr


def test_warnings_never_stop_a_build(clinic):
    write_project(clinic, {"sections/how-it-works.yaml": body("how_it_works", "Mechanism of action", *DENSE),
                           "handout.yaml": manifest_without("sections/lifestyle.yaml")},
                  logo=(60, 60))
    result, findings = lint_json(".")
    assert {f["severity"] for f in findings} == {"warning"}
    assert {"readability", "missing-kind", "logo-resolution"} <= {f["code"] for f in findings}
    built = run("build", ".", "-o", "out.pdf")
    assert built.exit_code == 0, built.output
    assert Path("out.pdf").is_file()


# --- the promotional fixture -----------------------------------------------------------


def test_marketing_fixture_flags_every_claim(monkeypatch):
    monkeypatch.chdir(MARKETING)
    expected = yaml.safe_load((MARKETING / "expected.yaml").read_text(encoding="utf-8"))
    result, findings = lint_json(".")
    assert result.exit_code == 1
    claims = of_code(findings, "claim")
    found = {(f["path"], f["line"]) for f in claims}
    wanted = {(c["file"], c["line"]) for c in expected["claims"]}
    assert wanted - found == set(), f"claims not flagged: {sorted(wanted - found)}"
    assert found - wanted == set(), f"unexpected claims: {sorted(found - wanted)}"
    for claim in expected["claims"]:
        messages = [f["message"] for f in claims if (f["path"], f["line"]) == (claim["file"], claim["line"])]
        assert any(f'"{claim["text"]}"' in m and f"({claim['phrase']})" in m for m in messages), (claim, messages)
    assert all(f["severity"] == "error" for f in claims)
    disclosure = of_code(findings, "disclosure-incomplete")
    assert [(f["path"], f["line"], f["severity"]) for f in disclosure] == [
        (expected["disclosure"]["file"], expected["disclosure"]["line"], "warning")]
    for words in expected["disclosure"]["missing"]:
        assert words in disclosure[0]["message"]
    assert {f["code"] for f in findings} <= {"claim", "disclosure-incomplete", "readability"}


def test_a_provider_the_fonts_cannot_print_is_found_by_lint_as_batch_finds_it(clinic):
    write_project(clinic, {"providers.csv": "id,name,credentials\ndr-a,Ana Ruiz,MD\ndr-w,Dr 王 Wang,MD\n"})
    result, findings = lint_json(".")
    assert result.exit_code == 1
    [found] = [f for f in findings if f["path"] == "providers.csv"]
    assert (found["line"], found["code"]) == (3, "input")
    assert found["message"].startswith("provider 'dr-w', name: the font Atkinson Hyperlegible cannot print \"王\"")
    batch = run("batch", ".", "-d", "out")
    assert found["message"] in batch.stderr
