"""`handouts serve` without a browser: what it refuses at start, its accounts file, its audit log."""

from __future__ import annotations

import os
import stat
import subprocess

import pytest
import serve_server
from helpers import invoke

from handouts.deliver.email.ledger import Mailing, open_ledger
from handouts.load.patients import PatientsError, patients_from_values
from handouts.serve.audit import AuditLog, Entry


@pytest.mark.parametrize("args, said", [
    (["--host", "0.0.0.0"], "give --users FILE"),
    (["--host", "192.0.2.10", "--users", "staff.txt"], "give --certfile"),
], ids=["no-accounts", "no-tls"])
def test_other_machines_are_refused_without_accounts_and_tls(tmp_path, args, said):
    (tmp_path / "staff.txt").write_text("")
    done = subprocess.run(serve_server.command("serve", *args, "--port", "1"), cwd=tmp_path, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert said in done.stderr and "Traceback" not in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["staff.txt"]  # nothing started, nothing written


def test_add_user_asks_for_the_password_and_writes_an_owner_only_file(tmp_path):
    users = tmp_path / "staff.txt"
    result = invoke(["serve", "--add-user", "ana", "--users", str(users)],
                    input="a long enough secret\na long enough secret\n")
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(users.stat().st_mode) == 0o600
    name, _, hashed = users.read_text().strip().partition(":")
    assert name == "ana" and hashed.startswith("$argon2id$") and "secret" not in users.read_text()
    short = invoke(["serve", "--add-user", "bo", "--users", str(users)], input="short\nshort\n")
    assert short.exit_code == 1 and "at least 10 characters" in short.stderr
    users.chmod(0o666)
    refused = invoke(["serve", "--users", str(users)])
    assert refused.exit_code == 1 and "others can write the users file" in refused.stderr


def test_the_audit_log_is_owner_only_and_listed(tmp_path):
    path = tmp_path / "audit.sqlite"
    path.write_bytes(b"")
    path.chmod(0o644)
    log = AuditLog(path)
    log.append(Entry(user="ana", action="print", outcome="ok", handout_id="stem-cell-knee", version="1.0",
                     fingerprint="ab" * 32, layout="large-print", language="es", printer="front-desk",
                     job="front-desk-7", copies=2))
    log.close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    for side in tmp_path.glob("audit.sqlite-*"):
        assert stat.S_IMODE(side.stat().st_mode) & 0o077 == 0
    listed = invoke(["serve", "--audit", "--audit-log", str(path)])
    assert listed.exit_code == 0
    assert "\tana\tprint\tok\tstem-cell-knee 1.0 large-print/es content abababababab printer front-desk job " \
           "front-desk-7 x2" in listed.stdout
    missing = invoke(["serve", "--audit", "--audit-log", str(tmp_path / "none.sqlite")])
    assert missing.exit_code == 1 and "no audit log here" in missing.stderr


def test_a_forms_patient_is_checked_by_the_patients_files_rules():
    good = patients_from_values(({"id": "desk-1", "email": "ana@example.com", "name": "Ana", "layout": "a4"},),
                                where="the form", layouts=frozenset({"letter", "a4"}))
    assert good[0].email == "ana@example.com" and good[0].layout == "a4"
    with pytest.raises(PatientsError) as refused:
        patients_from_values(({"id": "desk-1", "email": "not an address", "provider": "dr-x", "colour": "red"},),
                             where="the form", provider_ids=frozenset({"dr-nunez"}))
    said = [str(p) for p in refused.value.problems]
    assert any("'email'" in s for s in said) and any("no provider with id 'dr-x'" in s for s in said)
    assert any("unknown column(s): colour" in s for s in said)
    assert all(s.startswith("the form:1: ") for s in said) and not any("not an address" in s for s in said)


def test_the_ledger_names_a_patients_row(tmp_path):
    mailing = Mailing("stem-cell-knee", "1.0", "en", "letter", "c" * 64)
    with open_ledger(tmp_path / "ledger.sqlite") as book:
        assert book.row_id("p-1", mailing) is None
        book.mark_pending("p-1", mailing, address="ana@example.com", message_id="<1@x>")
        book.mark_pending("p-2", mailing, address="bo@example.com", message_id="<2@x>")
        assert book.row_id("p-2", mailing) == 2 and book.row_id("p-1", mailing) == 1
    assert os.path.exists(tmp_path / "ledger.sqlite")
