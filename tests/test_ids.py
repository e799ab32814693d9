"""Every edition carries the handout's id (handout.yaml `id:`), whatever its folder is called.

A folder made by `handouts init my-clinic` holds the bundled handout, whose
id is `stem-cell-knee`; its Spanish edition (handout.es.yaml, no `id:` of its
own) once took the folder's name instead: `my-clinic.es.pdf`, "my-clinic" in
the footer and keywords, `my-clinic--<provider>.pdf` in a batch, and
`my-clinic.pdf` attached to e-mails and grouped so in the ledger.
"""

from __future__ import annotations

import csv
import email
import io
import json
import sqlite3
from email.policy import default as email_policy
from pathlib import Path
from types import SimpleNamespace

import pdfplumber
import pypdf
import pytest
from helpers import invoke
from smtp_server import start_server

ID = "stem-cell-knee"
FOLDER = "my-clinic"


def footers(pdf: Path) -> list[str]:
    """The last two lines of text on each page: the footer (its two lines)."""
    with pdfplumber.open(pdf) as doc:
        return [" ".join((page.extract_text() or "").strip().splitlines()[-2:]) for page in doc.pages]


def keywords(pdf: Path) -> str:
    return str(pypdf.PdfReader(pdf).metadata.get("/Keywords", ""))


@pytest.fixture(scope="module")
def clinic(tmp_path_factory):
    """A folder named unlike the id, built, batched and e-mailed in English and Spanish."""
    root = tmp_path_factory.mktemp("ids")
    import os

    here = os.getcwd()
    os.chdir(root)
    server = start_server(root, tls="none")
    try:
        done = invoke(["init", FOLDER])
        assert done.exit_code == 0, done.output
        folder = root / FOLDER
        runs = {}
        for language in ("en", "es"):
            out = root / language
            out.mkdir()
            os.chdir(out)
            runs[f"build-{language}"] = invoke(["build", str(folder), "--language", language])
            os.chdir(root)
        # A mixed roster: one provider reads Spanish.
        roster = folder / "providers.csv"
        rows = list(csv.reader(roster.open(encoding="utf-8")))
        rows[0].append("language")
        for index, row in enumerate(rows[1:], 1):
            row.append("es" if index == 1 else "")
        with roster.open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows(rows)
        runs["batch"] = invoke(["batch", str(folder), "-d", str(root / "batch"), "-j", "1"])
        patients = root / "patients.csv"
        patients.write_text("id,name,email,language,unencrypted_ok\n"
                            "p1,Ana Example,ana@example.com,es,yes\n"
                            "p2,Bo Example,bo@example.com,,yes\n", encoding="utf-8")
        runs["dry-run"] = invoke(["email", str(folder), "--patients", str(patients), "--outbox",
                                  str(root / "outbox"), "-j", "1"])
        env = server.env()
        runs["send"] = invoke(["email", str(folder), "--patients", str(patients), "--outbox", str(root / "sent"),
                               "--send", "-j", "1"], env=env)
        received = list(server.handler.received)
    finally:
        server.controller.stop()
        os.chdir(here)
    return SimpleNamespace(root=root, folder=folder, runs=runs, received=received)


@pytest.mark.parametrize("language", ["en", "es"])
def test_build_names_the_file_footer_and_keywords_by_the_id(clinic, language):
    result = clinic.runs[f"build-{language}"]
    assert result.exit_code == 0, result.output
    name = f"{ID}.pdf" if language == "en" else f"{ID}.{language}.pdf"
    assert [p.name for p in (clinic.root / language).iterdir()] == [name]
    pdf = clinic.root / language / name
    assert all(ID in footer and FOLDER not in footer for footer in footers(pdf))
    assert keywords(pdf).startswith(f"{ID}; version ")


def test_batch_names_files_and_manifest_by_the_id_in_both_languages(clinic):
    result = clinic.runs["batch"]
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in (clinic.root / "batch").iterdir() if not p.name.startswith("."))
    assert f"{ID}.manifest.json" in names
    assert not [n for n in names if FOLDER in n]
    manifest = json.loads((clinic.root / "batch" / f"{ID}.manifest.json").read_text(encoding="utf-8"))
    assert manifest["handout"]["id"] == ID
    languages = {d["provider"]: d["language"] for d in manifest["documents"]}
    assert sorted(set(languages.values())) == ["en", "es"]
    for document in manifest["documents"]:
        assert document["file"] == f"{ID}--{document['provider']}.pdf"
        pdf = clinic.root / "batch" / document["file"]
        assert all(ID in footer and FOLDER not in footer for footer in footers(pdf))
        assert keywords(pdf).startswith(f"{ID}; ")


def attachment_names(message) -> list[str]:
    return [part.get_filename() for part in message.iter_attachments()]


def test_email_dry_run_names_messages_and_attachments_by_the_id(clinic):
    result = clinic.runs["dry-run"]
    assert result.exit_code == 0, result.output
    outbox = clinic.root / "outbox"
    names = sorted(p.name for p in outbox.iterdir() if p.suffix == ".eml")
    assert names == [f"{ID}--p1.eml", f"{ID}--p2.eml"]
    for name in names:
        message = email.message_from_bytes((outbox / name).read_bytes(), policy=email_policy)
        assert attachment_names(message) == [f"{ID}.pdf"]
        pdf = next(message.iter_attachments()).get_content()
        text = pypdf.PdfReader(io.BytesIO(pdf)).pages[-1].extract_text()
        assert ID in text and FOLDER not in text


def test_email_ledger_groups_both_editions_under_the_id(clinic):
    result = clinic.runs["send"]
    assert result.exit_code == 0, result.output
    assert len(clinic.received) == 2
    for received in clinic.received:
        assert attachment_names(received.message) == [f"{ID}.pdf"]
    with sqlite3.connect(clinic.root / "email-ledger.sqlite") as db:
        rows = db.execute("SELECT handout_id, language FROM deliveries ORDER BY language").fetchall()
    assert rows == [(ID, "en"), (ID, "es")]


def test_a_translation_naming_another_id_is_refused_at_its_line(clinic, tmp_path):
    import shutil

    folder = tmp_path / "other-name"
    shutil.copytree(clinic.folder, folder)
    spanish = folder / "handout.es.yaml"
    spanish.write_text("id: rodilla\n" + spanish.read_text(encoding="utf-8"), encoding="utf-8")
    result = invoke(["build", str(folder), "--language", "es", "-o", str(tmp_path / "x.pdf")])
    assert result.exit_code == 1
    assert "handout.es.yaml:1: 'id' is 'rodilla'" in result.stderr
    assert f"says '{ID}'" in result.stderr
    assert not (tmp_path / "x.pdf").exists()
