"""One run reports everything, and every command reports what lint does.

A clinic's folder with a brand error (a colour that is not one), a claim,
a template value the brand does not set, and an unknown variable: lint lists
all of them together, and build, batch and an e-mail dry run refuse with the
same errors (print: tests/test_printing.py). Also: `-q` after the command,
and `email` taking the roster beside the handout as the other commands do.
"""

from __future__ import annotations

import email
import io
import re
import shutil
from email.policy import default as email_policy
from pathlib import Path

import pypdf
import pytest
from helpers import KNEE, DEMO_BRAND, DEMO_ROSTER, assert_clean, invoke

from handouts.cli import cli

CLAIM_LINE = "  - Stem cells cure arthritis and regrow cartilage. Call {{ clinic.phone }} or fax {{ clinic.fax }}."


def broken_clinic(folder: Path) -> Path:
    """The bundled handout with the demo brand, a roster, and one mistake of each kind."""
    shutil.copytree(KNEE, folder)
    for item in DEMO_BRAND.parent.iterdir():
        shutil.copy2(item, folder / item.name)
    shutil.copy2(DEMO_ROSTER, folder / "providers.csv")
    brand = folder / "brand.yml"
    text = brand.read_text(encoding="utf-8")
    text = text.replace('lake: "#1d4e6e"', 'lake: "#1d4e6"')  # not a colour
    text = re.sub(r'(?m)^    phone: .*\n', "", text)  # the clinic's phone, used below, not set
    brand.write_text(text, encoding="utf-8")
    benefits = folder / "sections" / "benefits.yaml"
    lines = benefits.read_text(encoding="utf-8").splitlines()
    index = next(i for i, line in enumerate(lines) if line.startswith("  - No one can promise"))
    lines[index] = CLAIM_LINE
    benefits.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def clinic(tmp_path_factory):
    root = tmp_path_factory.mktemp("one-run")
    folder = broken_clinic(root / "clinic")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)
        result = invoke(["lint", "."])
    errors = [ln for ln in result.stdout.splitlines() if ": error: " in ln]
    return folder, result, errors


def english(lines: list[str]) -> set[str]:
    """Lint's error lines for the English edition, as build prints them (input errors without their code)."""
    shown = set()
    for line in lines:
        if re.search(r"\.es(-[A-Z]{2})?\.yaml:", line):  # the Spanish editions' files (es, es-ES)
            continue
        shown.add(re.sub(r": error: (input|unknown-variable): ", ": ", line, count=1))
    return shown


def refused(stderr: str) -> set[str]:
    return {ln for ln in stderr.splitlines() if ln and "refusing to build" not in ln
            and not ln.startswith("handouts: warning:")}


def test_lint_reports_the_brand_error_and_every_content_finding_together(clinic):
    folder, result, errors = clinic
    assert result.exit_code == 1
    benefits_line = next(n for n, line in enumerate(
        (folder / "sections" / "benefits.yaml").read_text(encoding="utf-8").splitlines(), 1) if line == CLAIM_LINE)
    where = f"sections/benefits.yaml:{benefits_line}: error:"
    expected = [
        ("brand.yml:", "palette colour 'lake' is '#1d4e6'"),
        (where, 'claim: body: "cure"'),
        (where, 'claim: body: "regrow cartilage"'),
        (where, "uses clinic.phone, which brand.yml does not set (defaults.handouts.phone)"),
        (where, "unknown variable 'clinic.fax'"),
    ]
    for start, words in expected:
        assert [ln for ln in errors if ln.startswith(start) and words in ln], (words, result.stdout)


@pytest.mark.parametrize("command", ["build", "batch", "email"])
def test_every_command_refuses_with_the_errors_lint_reports(clinic, tmp_path, monkeypatch, command):
    folder, _, errors = clinic
    monkeypatch.chdir(folder)
    args = {"build": ["build", ".", "-o", str(tmp_path / "out.pdf")],
            "batch": ["batch", ".", "-d", str(tmp_path / "out"), "-j", "1"],
            "email": ["email", ".", "--patients", str(tmp_path / "patients.csv"), "--outbox", str(tmp_path / "out")]}
    (tmp_path / "patients.csv").write_text("id,name,email,unencrypted_ok\np1,Ana,ana@example.com,yes\n",
                                           encoding="utf-8")
    result = invoke(args[command])
    assert_clean(result)
    assert result.exit_code == 1
    assert refused(result.stderr) == english(errors)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["patients.csv"]


def test_quiet_is_accepted_after_every_command():
    for name, command in sorted(cli.commands.items()):
        result = invoke([name, "-q", "--help"])
        assert result.exit_code == 0, (name, result.output)
        assert "-q, --quiet" in result.stdout, name


def test_quiet_after_the_command_hides_warnings(tmp_path, monkeypatch):
    # The bundled demo brand's logo at 24 dpi warns; -q after the command hides it as before it.
    monkeypatch.chdir(tmp_path)
    shutil.copytree(KNEE, tmp_path / "clinic")
    shutil.copy2(DEMO_BRAND, tmp_path / "clinic" / "brand.yml")
    brand = tmp_path / "clinic" / "brand.yml"
    brand.write_text(brand.read_text(encoding="utf-8").replace("      alt: ", "      # alt: "), encoding="utf-8")
    shutil.copy2(DEMO_BRAND.parent / "logo.png", tmp_path / "clinic" / "logo.png")
    loud = invoke(["build", "clinic", "-o", "a.pdf"])
    assert loud.exit_code == 0, loud.output
    assert "logo-alt" in loud.stderr
    for args in (["-q", "build", "clinic", "-o", "b.pdf"], ["build", "clinic", "-o", "c.pdf", "-q"],
                 ["build", "-q", "clinic", "-o", "d.pdf"]):
        quiet = invoke(args)
        assert quiet.exit_code == 0, (args, quiet.output)
        assert quiet.stderr == "", args


def test_email_uses_the_roster_beside_the_handout(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert invoke(["init", "my-clinic"]).exit_code == 0
    (tmp_path / "patients.csv").write_text("id,name,email,provider,unencrypted_ok\n"
                                           "p1,Ana Example,ana@example.com,dr-nunez,yes\n", encoding="utf-8")
    result = invoke(["email", "my-clinic", "--patients", "patients.csv", "-j", "1"])
    assert_clean(result)
    assert result.exit_code == 0, result.stderr
    [eml] = (tmp_path / "outbox").glob("*.eml")
    message = email.message_from_bytes(eml.read_bytes(), policy=email_policy)
    pdf = next(message.iter_attachments()).get_content()
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert "Núñez" in text
