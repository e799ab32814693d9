"""Any text in any text field: a PDF that prints it, or one clear line per problem.

Hypothesis writes arbitrary Unicode into one field of a small valid project
(a section's title, body or reference text; the brand's name, phone or
address; a roster row's name or credentials; the patient's name) and builds
it through the real command line. The build must either succeed, printing
plain-text values exactly, or exit 1 with `path[:line]: message` lines and no
file. Never exit 3, never a traceback.

Bodies are Markdown, and titles and reference texts are Jinja2 templates, so
the PDF is compared with the input only where the input is meant to print
as written: plain fields, text the bundled font covers, no template markers.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import tempfile
import unicodedata
from importlib import resources
from pathlib import Path

import pypdf
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from handouts.cli import cli

HERE = Path(__file__).resolve().parent
BASE = HERE / "hostile" / "base"
PACKAGE = Path(str(resources.files("handouts")))
DEMO_LOGO = PACKAGE / "data" / "brands" / "demo" / "logo.png"
PROBLEM_LINE = re.compile(r"^\S.*?(?::\d+)?: \S.*$")
TEMPLATE_MARKERS = ("{{", "{%", "{#")


def _printable_alphabet() -> str:
    """Characters all four bundled faces draw, that print as themselves, one glyph each.

    Letters, digits, punctuation, symbols and the plain space; no combining
    marks, controls or format characters, and no two characters sharing a
    glyph (U+00A0 and U+0020 do: the PDF's text would say the other one).
    """
    from collections import Counter

    from reportlab.pdfbase.ttfonts import TTFont

    folder = PACKAGE / "fonts"
    names = ("Regular", "Bold", "Italic", "BoldItalic")
    faces = [TTFont(f"prop{n}", str(folder / f"AtkinsonHyperlegible-{n}.ttf")).face for n in names]
    covered = set(faces[0].charToGlyph)
    for face in faces[1:]:
        covered &= set(face.charToGlyph)
    glyph_users = Counter(faces[0].charToGlyph[c] for c in covered)
    chars = [chr(c) for c in sorted(covered)
             if unicodedata.category(chr(c))[0] in "LNPS" and glyph_users[faces[0].charToGlyph[c]] == 1]
    return " " + "".join(chars)


PRINTABLE = _printable_alphabet()

# Each field: where its text goes, and whether the PDF must print it as written.
FIELDS = {
    "section.title": True,
    "section.body": False,          # Markdown: only "no crash" is checked
    "section.reference": True,
    "brand.name": True,
    "brand.phone": True,
    "brand.address": True,
    "roster.name": True,
    "roster.credentials": True,
    "patient.name": True,
}
texts = st.one_of(st.text(), st.text(alphabet=PRINTABLE, min_size=1, max_size=80))


def _normal(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split())


def _pdf_text(path: Path) -> str:
    reader = pypdf.PdfReader(str(path))
    return _normal(" ".join(page.extract_text() or "" for page in reader.pages))


def _dump(data) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10**9)


def _project(root: Path, values: dict[str, str]) -> tuple[Path, list[str]]:
    """A copy of the base project with `values` written into their fields; returns it and the CLI args."""
    project = root / "proj"
    shutil.copytree(BASE, project)
    shutil.copy2(DEMO_LOGO, project / "logo.png")

    section = yaml.safe_load((project / "sections" / "one.yaml").read_text(encoding="utf-8"))
    if "section.title" in values:
        section["title"] = values["section.title"]
    if "section.body" in values:
        section["body"] = values["section.body"]
    if "section.reference" in values:
        section["references"] = [values["section.reference"]]
    (project / "sections" / "one.yaml").write_text(_dump(section), encoding="utf-8")

    brand = yaml.safe_load((project / "brand.yml").read_text(encoding="utf-8"))
    if "brand.name" in values:
        brand["meta"]["name"] = values["brand.name"]
    for key in ("phone", "address"):
        if f"brand.{key}" in values:
            brand["defaults"]["handouts"][key] = values[f"brand.{key}"]
    (project / "brand.yml").write_text(_dump(brand), encoding="utf-8")

    row = {"id": "dr-a", "name": "Ana Alvarez", "credentials": "MD"}
    row.update({k[len("roster."):]: v for k, v in values.items() if k.startswith("roster.")})
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=["id", "name", "credentials"], lineterminator="\n")
    writer.writeheader()
    writer.writerow(row)
    (project / "providers.csv").write_text(buffer.getvalue(), encoding="utf-8", newline="")

    args = ["build", str(project), "-o", str(project / "out.pdf"),
            "--providers", str(project / "providers.csv"), "--provider", "dr-a"]
    if "patient.name" in values:
        args += ["--patient-name", values["patient.name"]]
    return project, args


def _refused(result, shown: str) -> bool:
    """Check a run ended as a success or a user's mistake, never a crash; True if refused.

    A refusal (exit 1) must say why on stderr, every line `path[:line]: message`.
    """
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"exception escaped: {result.exception!r}{shown}")
    assert "Traceback" not in result.output, shown
    assert result.exit_code in (0, 1), f"exit {result.exit_code} (3 is a bug in handouts){shown}"
    event(f"exit {result.exit_code}")
    if result.exit_code == 0:
        return False
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines, f"exit 1 with nothing on stderr{shown}"
    bad = [line for line in lines if not PROBLEM_LINE.match(line)]
    assert not bad, f"stderr lines that are not `path[:line]: message`: {bad}{shown}"
    return True


def _build_and_check(values: dict[str, str]) -> None:
    with tempfile.TemporaryDirectory(prefix="handouts-prop-") as tmp:
        root = Path(tmp)
        project, args = _project(root, values)
        before = {p.relative_to(root).as_posix() for p in root.rglob("*")}
        result = CliRunner().invoke(cli, args, prog_name="handouts")
        after = {p.relative_to(root).as_posix() for p in root.rglob("*")}
        shown = f"\nvalues: {values!r}\nexit {result.exit_code}\nstdout: {result.stdout}\nstderr: {result.stderr}"

        if _refused(result, shown):
            assert after == before, f"files appeared on failure: {sorted(after - before)}{shown}"
            return

        assert after - before == {"proj/out.pdf"}, f"unexpected files: {sorted(after - before)}{shown}"
        printed = _pdf_text(project / "out.pdf")
        for field, value in values.items():
            if not FIELDS[field] or not _normal(value):
                continue
            if any(ch not in PRINTABLE for ch in value.replace("\n", " ").replace("\t", " ")):
                continue
            if field.startswith("section.") and any(m in value for m in TEMPLATE_MARKERS):
                continue  # a template: it prints what it renders, not what it says
            assert _normal(value) in printed, f"{field}: the PDF does not print {value!r}{shown}\nPDF: {printed[:2000]}"


@settings(max_examples=60, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(field=st.sampled_from(sorted(FIELDS)), text=texts)
def test_any_text_in_one_field(field, text):
    """One field at a time: arbitrary text, or text the font covers."""
    _build_and_check({field: text})


@settings(max_examples=30, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(values=st.fixed_dictionaries({field: st.text(alphabet=PRINTABLE, min_size=1, max_size=60)
                                     for field in FIELDS}))
def test_printable_text_in_every_field_at_once(values):
    """Every field filled at once with text the font covers: it all prints, side by side."""
    _build_and_check(values)


@settings(max_examples=40, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(text=st.text())
def test_raw_text_typed_into_a_body(text):
    """Text pasted straight into the YAML file (a `|` block), not escaped by a YAML writer.

    This is how a person edits a section: whatever they paste, the file is a
    valid section, or invalid YAML reported at its line, never exit 3.
    """
    with tempfile.TemporaryDirectory(prefix="handouts-prop-") as tmp:
        root = Path(tmp)
        project, args = _project(root, {})
        indented = "\n".join("  " + line for line in text.split("\n"))
        (project / "sections" / "one.yaml").write_text(
            "kind: how_it_works\ntitle: Pasted\nbody: |\n  Start.\n" + indented + "\n", encoding="utf-8")
        result = CliRunner().invoke(cli, args, prog_name="handouts")
        shown = f"\ntext: {text!r}\nexit {result.exit_code}\nstderr: {result.stderr}"
        if _refused(result, shown):
            assert not (project / "out.pdf").exists()
