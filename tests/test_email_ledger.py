"""The e-mail ledger: one message per patient per mailing, whatever else changes.

A mailing is what the patient receives: handout id, version, language,
layout and a fingerprint of what prints. Each test sends to a real SMTP
server (aiosmtpd) and counts what it received; the ledger is the one file
the runs share.
"""

from __future__ import annotations

import io
import os
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pypdf
import pytest
from helpers import DEMO_ROSTER
from smtp_server import start_server
from test_email import PATIENTS, attachment, ledger_rows, run_cli, write_patients

import handouts
from handouts.deliver.email.mailing import ledger_status, send_handouts
from handouts.deliver.email.settings import smtp_settings
from handouts.errors import ContentError, OutputError

DAY = 1_795_000_000  # 2026-11-18 in UTC


@pytest.fixture
def server(tmp_path):
    srv = start_server(tmp_path, tls="starttls")
    yield srv
    srv.controller.stop()


def send(folder: Path, tmp_path: Path, server, patients: Path, **options):
    options.setdefault("outbox", tmp_path / "outbox")
    return send_handouts(folder, patients=patients, providers=DEMO_ROSTER, send=True, jobs=1,
                         settings=smtp_settings(server.env(), ca_file=server.ca_file), **options)


def cli_args(folder: Path, patients: Path, server, *extra: str) -> list[str]:
    return ["email", str(folder), "--patients", str(patients), "--providers", str(DEMO_ROSTER), "--send",
            "--ca-file", str(server.ca_file), "-j", "1", *extra]


def append_to_body(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + "\n\n  " + text + "\n", encoding="utf-8")


def another_install(tmp_path: Path, version: str) -> Path:
    """A second copy of the package that says it is `version`: what an upgrade puts on the path."""
    root = tmp_path / f"install-{version}"
    shutil.copytree(Path(handouts.__file__).parent, root / "handouts",
                    ignore=shutil.ignore_patterns("__pycache__"))
    stamp = root / "handouts" / "version.py"
    stamp.write_text(stamp.read_text(encoding="utf-8").replace(f'"{handouts.__version__}"', f'"{version}"'),
                     encoding="utf-8")
    return root


def test_reruns_that_print_the_same_text_send_nothing_new(tmp_path, server, bundled_copy, monkeypatch):
    """The next day (a section prints {{ today }}), a new lint.yaml and an upgrade of handouts send nothing."""
    append_to_body(bundled_copy / "sections" / "cost.yaml", "Prices as of {{ today }}.")
    patients = write_patients(tmp_path / "patients.csv", PATIENTS[:2])
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(DAY))
    first = send(bundled_copy, tmp_path, server, patients)
    assert first.sent == ["p01", "p02"]
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(
        io.BytesIO(attachment(server.handler.to("ana@example.com")[0].message))).pages)
    assert "Prices as of 2026-11-18" in " ".join(text.split()), "the copy prints the day it was filled in"

    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(DAY + 86_400))
    tomorrow = send(bundled_copy, tmp_path, server, patients)
    assert tomorrow.sent == [] and tomorrow.skipped == ["p01", "p02"], "the next day mailed everyone again"

    # The bundled lint.yaml allows two true "FDA-approved" phrases; a phrase added to it changes nothing printed.
    lint_yaml = bundled_copy / "lint.yaml"
    lint_yaml.write_text(lint_yaml.read_text(encoding="utf-8").replace(
        "claims:\n", "claims:\n  add:\n    - stem cell miracle\n", 1), encoding="utf-8")
    linted = send(bundled_copy, tmp_path, server, patients)
    assert linted.sent == [] and linted.skipped == ["p01", "p02"], "a new lint.yaml mailed everyone again"

    upgraded = run_cli(cli_args(bundled_copy, patients, server), {**server.env(), "PYTHONPATH": str(
        another_install(tmp_path, "0.1.1"))}, tmp_path)
    assert upgraded.returncode == 0, upgraded.stderr
    assert "sent 0," in upgraded.stdout and "skipped 2" in upgraded.stdout, upgraded.stdout
    version = run_cli(["--version"], {"PYTHONPATH": str(tmp_path / "install-0.1.1")}, tmp_path)
    assert "0.1.1" in version.stdout, "the upgrade test ran the installed copy"
    assert len(server.handler.received) == 2


def test_a_text_that_prints_differently_under_the_same_version_needs_new_mailing(tmp_path, server, bundled_copy):
    patients = write_patients(tmp_path / "patients.csv", PATIENTS[:2])  # p01 letter, p02 large print
    assert send(bundled_copy, tmp_path, server, patients).sent == ["p01", "p02"]
    append_to_body(bundled_copy / "sections" / "benefits.yaml", "Most people go home the same day.")

    refused = run_cli(cli_args(bundled_copy, patients, server), server.env(), tmp_path)
    assert refused.returncode == 1, refused.stderr
    lines = refused.stderr.strip().splitlines()
    assert len(lines) == 2, lines  # one per edition those patients were sent
    for line, layout in zip(sorted(lines), ("large-print", "letter")):
        assert line.startswith("knee/handout.yaml:") and "version 1.0" in line and layout in line, line
        assert "prints differently" in line and "--new-mailing" in line and "nothing was sent" in line, line
    with pytest.raises(ContentError) as dry:  # a dry run shows the same refusal, and writes nothing
        send_handouts(bundled_copy, patients=patients, providers=DEMO_ROSTER, outbox=tmp_path / "outbox", jobs=1)
    assert len(dry.value.problems) == 2
    assert len(server.handler.received) == 2
    assert not list((tmp_path / "outbox").glob("*.eml"))

    again = run_cli(cli_args(bundled_copy, patients, server, "--new-mailing"), server.env(), tmp_path)
    assert again.returncode == 0, again.stderr
    assert "sent 2," in again.stdout
    assert "prints differently" in again.stderr  # still said, as a warning
    latest = server.handler.to("ana@example.com")[-1].message
    assert "same day" in " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(attachment(latest))).pages)
    rerun = send(bundled_copy, tmp_path, server, patients)
    assert rerun.sent == [] and rerun.skipped == ["p01", "p02"]
    assert len(server.handler.received) == 4

    summary = ledger_status(outbox=tmp_path / "outbox")
    editions = {(h["handout"], h["version"], h["language"], h["layout"]): h for h in summary["handouts"]}
    assert set(editions) == {("stem-cell-knee", "1.0", "en", "letter"), ("stem-cell-knee", "1.0", "en", "large-print")}
    for edition in editions.values():
        assert edition["sent"] == 2 and len(edition["contents"]) == 2, edition
    text = run_cli(["email", "--status"], {}, tmp_path).stdout
    assert "stem-cell-knee version 1.0, en, letter: sent 2, failed 0, pending 0" in text
    assert "printed two ways under this version" in text


# The ledger as handouts 0.1.0 made it: rows keyed by the fingerprint of every input.
SCHEMA_V1 = """
CREATE TABLE IF NOT EXISTS deliveries (
    patient_id   TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,
    handout_id   TEXT NOT NULL,
    version      TEXT NOT NULL,
    edition       TEXT NOT NULL,
    address      TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'failed')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    smtp_code    INTEGER,
    smtp_reply   TEXT,
    message_id   TEXT,
    PRIMARY KEY (patient_id, fingerprint)
);
"""


def test_a_ledger_of_the_first_schema_is_migrated_and_honoured(tmp_path, server, bundled_copy):
    path = tmp_path / "email-ledger.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.executescript(SCHEMA_V1)
        stamp = "2026-11-20T10:00:00+00:00"
        for pid, fingerprint, edition, address, state in (
                ("p01", "a" * 64, "letter/en", "ana@example.com", "sent"),
                ("p01", "b" * 64, "letter/en", "ana@example.com", "sent"),  # the next day's re-mailing
                ("p02", "a" * 64, "large-print/en", "bo@example.com", "pending"),
                ("p03", "a" * 64, "letter/en", "chen@example.org", "failed")):
            db.execute("INSERT INTO deliveries VALUES (?, ?, 'stem-cell-knee', '1.0', ?, ?, ?, 1, ?, ?, 250, "
                       "'ok', '<m@x>')", (pid, fingerprint, edition, address, state, stamp, stamp))
    path.chmod(0o600)
    before = ledger_status(path)
    assert before["totals"] == {"sent": 2, "failed": 1, "pending": 1}
    result = send(bundled_copy, tmp_path, server, write_patients(tmp_path / "patients.csv"))
    assert result.skipped == ["p01"] and [pid for pid, _ in result.pending] == ["p02"] and result.sent == ["p03"]
    assert [r.recipients for r in server.handler.received] == [["chen@example.org"]]
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 2
    rows = {(r["patient_id"], r["content"]): r for r in ledger_rows(path)}
    assert rows[("p01", "v1:" + "a" * 64)]["layout"] == "letter" and rows[("p02", "v1:" + "a" * 64)]["layout"] \
        == "large-print"
    assert {r["language"] for r in rows.values()} == {"en"}
    assert ledger_status(path)["totals"] == {"sent": 3, "failed": 1, "pending": 1}


HOLD = textwrap.dedent("""
    import sys, time
    from handouts.deliver.email.ledger import open_ledger
    with open_ledger(sys.argv[1]):
        print("held", flush=True)
        time.sleep(float(sys.argv[2]))
""")


def hold_ledger(path: Path, seconds: float) -> subprocess.Popen:
    child = subprocess.Popen([sys.executable, "-c", HOLD, str(path), str(seconds)], stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "held"
    return child


def test_the_same_ledger_through_a_symlink_or_a_hard_link_refuses_the_second_run(tmp_path, server, bundled_copy):
    ledger = tmp_path / "email-ledger.sqlite"
    patients = write_patients(tmp_path / "patients.csv", PATIENTS[:1])
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    child = hold_ledger(ledger, 60)
    try:
        (tmp_path / "a" / "linked.sqlite").symlink_to(ledger)
        os.link(ledger, tmp_path / "b" / "hard.sqlite")
        for index, name in enumerate((ledger, tmp_path / "a" / "linked.sqlite", tmp_path / "b" / "hard.sqlite")):
            with pytest.raises(OutputError) as refused:
                send(bundled_copy, tmp_path, server, patients, ledger=name, outbox=tmp_path / f"outbox-{index}")
            message = str(refused.value)
            assert "another email run is using this ledger" in message and str(child.pid) in message
            assert len(message.splitlines()) == 1
    finally:
        child.kill()
        child.wait()
    assert server.handler.received == []

    # One that waits gets the ledger once the other run is done.
    child = hold_ledger(ledger, 1)
    waited = send(bundled_copy, tmp_path, server, patients, ledger=tmp_path / "b" / "hard.sqlite", wait=60)
    child.wait()
    assert waited.sent == ["p01"]
    assert len(server.handler.received) == 1


def test_a_symlink_planted_where_the_ledger_lock_was_is_not_followed(tmp_path, server, bundled_copy):
    precious = tmp_path / "precious.txt"
    precious.write_text("the clinic's notes\n", encoding="utf-8")
    (tmp_path / "email-ledger.sqlite.lock").symlink_to(precious)
    result = send(bundled_copy, tmp_path, server, write_patients(tmp_path / "patients.csv", PATIENTS[:1]))
    assert result.sent == ["p01"]
    assert precious.read_text(encoding="utf-8") == "the clinic's notes\n"


@pytest.mark.parametrize("where", ["ledger", "outbox lock"])
def test_a_fifo_at_a_lock_path_is_refused_in_one_line(tmp_path, server, bundled_copy, where):
    patients = write_patients(tmp_path / "patients.csv", PATIENTS[:1])
    if where == "ledger":
        os.mkfifo(tmp_path / "email-ledger.sqlite")
    else:
        (tmp_path / "outbox").mkdir(mode=0o700)
        os.mkfifo(tmp_path / "outbox" / ".handouts.lock")
    result = run_cli(cli_args(bundled_copy, patients, server), server.env(), tmp_path, timeout=60)
    assert result.returncode == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "FIFO" in lines[0] and "Traceback" not in result.stderr, lines
    assert server.handler.received == []


def test_a_ledger_others_could_read_is_made_owner_only(tmp_path, server, bundled_copy):
    patients = write_patients(tmp_path / "patients.csv", PATIENTS[:1])
    send(bundled_copy, tmp_path, server, patients)
    ledger = tmp_path / "email-ledger.sqlite"
    ledger.chmod(0o644)
    result = run_cli(cli_args(bundled_copy, patients, server), server.env(), tmp_path)
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(ledger.stat().st_mode) == 0o600
    assert "made owner-only" in result.stderr


def test_sigterm_while_a_message_is_in_flight_finishes_it_and_prints_the_summary(tmp_path, server, bundled_copy):
    marker, release = tmp_path / "holding", threading.Event()
    server.handler.hold_for, server.handler.hold_marker = "bo@example.com", marker
    server.handler.hold_release = release
    patients = write_patients(tmp_path / "patients.csv")
    args = cli_args(bundled_copy, patients, server)
    proc = subprocess.Popen([sys.executable, "-m", "handouts", *args], cwd=tmp_path,
                            env={**os.environ, **server.env()}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    deadline = time.monotonic() + 90
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert marker.exists(), "the server never saw the second message's body"
    proc.send_signal(signal.SIGTERM)
    time.sleep(0.5)  # the signal has arrived; the server answers only now
    release.set()
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 143, stderr
    assert "sent 2, failed 0" in stdout and "pending 0" in stdout, stdout
    assert "stopped: interrupted (SIGTERM)" in stderr and "Traceback" not in stderr
    states = {r["patient_id"]: r["state"] for r in ledger_rows(tmp_path / "email-ledger.sqlite")}
    assert states == {"p01": "sent", "p02": "sent"}, "the accepted message was left pending"

    server.handler.hold_for = None
    rerun = run_cli(args, server.env(), tmp_path)
    assert rerun.returncode == 0 and "sent 1," in rerun.stdout, rerun.stderr
    assert [len(server.handler.to(a)) for a in ("ana@example.com", "bo@example.com", "chen@example.org")] == [1, 1, 1]
