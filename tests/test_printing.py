"""`handouts print` and `build --print`, end to end through a real CUPS scheduler.

The scheduler and its cups-pdf virtual printer are started here (see
cupsd.py); the PDF that comes out of the queue is read back.
"""

from __future__ import annotations

import re
import subprocess

import cupsd
import pytest
from cupsd import cups  # noqa: F401 - the module's scheduler
from helpers import assert_clean, invoke

PATIENT = "Zelda Quintanilla-Test"




def pdf_text(path) -> str:
    """The text of a PDF from the queue, pages joined.

    CUPS turns the PDF into PostScript for cups-pdf, and poppler's pdftops
    rasterises a page with transparency (the cover's logo), so the cover's
    text cannot be read back: check what the later pages say.
    """
    done = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return " ".join(done.stdout.split())


def pages(path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def job_row(cups, job_id: str) -> list[str]:
    number = job_id.rsplit("-", 1)[1]
    rows = [row for row in cups.page_log() if row[0] == number]
    assert rows, f"job {job_id} is not in the page log: {cups.page_log()}"
    return rows[-1]


def test_print_sends_the_handout_through_cups(cups, bundled, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke(["print", "--printer", cupsd.QUEUE, "--patient-name", PATIENT], env=cups.env())
    assert_clean(result)
    assert result.exit_code == 0, result.stderr
    job_id = result.stdout.strip()
    assert re.fullmatch(rf"{cupsd.QUEUE}-\d+", job_id), result.stdout
    assert f"to printer {cupsd.QUEUE}" in result.stderr
    printed = cups.wait_for_pdf(job_id)
    text = pdf_text(printed)
    built = tmp_path.parent / "same-handout.pdf"
    assert invoke(["build", "-o", str(built), "--patient-name", PATIENT]).exit_code == 0
    count = pages(built)
    assert pages(printed) == count
    assert bundled.disclosure_title in text
    assert f"Page {count} of {count}" in text
    assert PATIENT in text  # the signature page's printed name
    # The patient's name is on the paper, but not in the queue: not in the
    # job's name (page log, cups-pdf's file name), not in any file written here.
    row = job_row(cups, job_id)
    assert row[1] == f"{bundled.id} version {bundled.version}"
    assert "Quintanilla" not in printed.name
    assert list(tmp_path.iterdir()) == []


def test_build_print_writes_the_file_and_prints_it(cups, bundled, tmp_path):
    target = tmp_path / "knee.pdf"
    result = invoke(["build", "-o", str(target), "--print", "--printer", cupsd.QUEUE, "--copies", "2",
                     "--duplex"], env=cups.env())
    assert_clean(result)
    assert result.exit_code == 0, result.stderr
    path_line, job_id = result.stdout.strip().splitlines()
    assert path_line == str(target) and target.is_file()
    printed = cups.wait_for_pdf(job_id)
    assert pages(printed) == pages(target)
    assert bundled.disclosure_title in pdf_text(printed)
    row = job_row(cups, job_id)
    assert row[2:] == ["2", "two-sided-long-edge"]


def test_a_printer_that_does_not_exist(cups, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke(["print", "--printer", "no-such-printer"], env=cups.env())
    assert_clean(result)
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        f"print: cannot print: no printer named 'no-such-printer' (CUPS_SERVER={cups.server}) "
        "('lpstat -p' lists them)"]
    assert list(tmp_path.iterdir()) == []


def test_build_print_to_a_missing_printer_writes_nothing(cups, tmp_path):
    target = tmp_path / "knee.pdf"
    result = invoke(["build", "-o", str(target), "--print", "--printer", "nowhere"], env=cups.env())
    assert result.exit_code == 1
    assert "no printer named 'nowhere'" in result.stderr
    assert not target.exists()


@pytest.mark.parametrize("language", ["en", "es"])
def test_print_refuses_a_consent_too_long_for_the_layout_and_queues_nothing(cups, tmp_path, monkeypatch, language):
    # Fits letter with its signatures, not large print (see test_consent_whole.py).
    from pathlib import Path

    sheet = Path(__file__).parent / "sheet" / "consent-en-es"
    monkeypatch.chdir(sheet)
    lint = [ln for ln in invoke(["lint", "."]).stdout.splitlines()
            if "consent-too-long" in ln and ln.startswith("sections/risk.es.yaml" if language == "es" else
                                                        "sections/risk.yaml")]
    before = cups.page_log()
    result = invoke(["print", ".", "--printer", cupsd.QUEUE, "--layout", "large-print", "--language", language],
                    env=cups.env())
    assert_clean(result)
    assert result.exit_code == 1
    assert [ln for ln in result.stderr.splitlines() if "consent-too-long" in ln] == lint
    assert len(lint) == 1
    assert cups.page_log() == before
    assert result.stdout == ""


def test_print_refuses_with_the_errors_lint_reports(cups, tmp_path, monkeypatch):
    # A brand error, claims, an unset clinic value and an unknown variable, all at once.
    from test_one_run import broken_clinic, english, refused

    folder = broken_clinic(tmp_path / "clinic")
    monkeypatch.chdir(folder)
    errors = [ln for ln in invoke(["lint", "."]).stdout.splitlines() if ": error: " in ln]
    before = cups.page_log()
    result = invoke(["print", ".", "--printer", cupsd.QUEUE], env=cups.env())
    assert_clean(result)
    assert result.exit_code == 1
    assert refused(result.stderr) == english(errors)
    assert len(errors) >= 5
    assert cups.page_log() == before


def test_no_scheduler_running(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    server = f"127.0.0.1:{cupsd.free_port()}"  # nothing listens there
    result = invoke(["print", "--printer", cupsd.QUEUE], env={"CUPS_SERVER": server})
    assert_clean(result)
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        f"print: cannot print: the CUPS scheduler is not running (CUPS_SERVER={server})"]


def test_cups_client_not_installed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    empty = tmp_path / "bin"
    empty.mkdir()
    result = invoke(["print"], env={"PATH": str(empty)})
    assert_clean(result)
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        "print: cannot print: the CUPS command 'lpstat' is not installed (Debian/Ubuntu: apt-get install cups-client)"]


@pytest.mark.parametrize("args, message", [
    (["build", "--printer", "x"], "--printer, --copies and --duplex need --print"),
    (["print", "--copies", "0"], "Invalid value for '--copies'"),
], ids=["printer-without-print", "zero-copies"])
def test_usage_mistakes(args, message):
    result = invoke(args)
    assert result.exit_code == 2
    assert message in result.stderr
