"""`handouts email` against a real SMTP server (aiosmtpd on loopback, TLS from trustme).

Every test starts its own server, runs the real command (in a subprocess
where a log or a kill matters) and counts what the server received.
"""

from __future__ import annotations

import io
import json
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pikepdf
import pypdf
import pytest
from helpers import DEMO_ROSTER
from smtp_server import start_server

from handouts.deliver.email.mailing import send_handouts
from handouts.deliver.email.settings import SmtpConfigError, smtp_settings

PATIENTS = [
    # id, name, email, provider, layout, password, unencrypted_ok
    ("p01", "Ana Pérez", "ana@example.com", "dr-nunez", "", "", "yes"),
    ("p02", "Bo O'Hara", "bo@example.com", "", "large-print", "", "yes"),
    ("p03", "Chen Wei", "chen@example.org", "", "", "tulip-42", ""),
]


def write_patients(path: Path, rows=PATIENTS, header="id,name,email,provider,layout,password,unencrypted_ok") -> Path:
    import csv

    with path.open("w", newline="", encoding="utf-8") as handle:
        handle.write(header + "\n")
        csv.writer(handle).writerows(rows)
    return path


@pytest.fixture
def server(tmp_path):
    srv = start_server(tmp_path, tls="starttls")
    yield srv
    srv.controller.stop()


def run_cli(args: list[str], env: dict[str, str], cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    """The real `handouts` command in a process of its own."""
    full_env = {**os.environ, **env}
    return subprocess.run([sys.executable, "-m", "handouts", *args], cwd=cwd, env=full_env, capture_output=True,
                          text=True, timeout=timeout)


def attachment(message) -> bytes:
    parts = [p for p in message.iter_attachments() if p.get_content_type() == "application/pdf"]
    assert len(parts) == 1, "one PDF attachment"
    return parts[0].get_content()


def pdf_text(data: bytes, password: str | None = None) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        assert reader.decrypt(password or "")
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def send(tmp_path, server, patients: Path, **options):
    settings = smtp_settings(server.env(), ca_file=server.ca_file)
    options.setdefault("jobs", 1)
    return send_handouts(patients=patients, providers=DEMO_ROSTER, send=True, settings=settings,
                         outbox=tmp_path / "outbox", **options)


@pytest.mark.parametrize("tls", ["ssl", "starttls", "none"])
def test_each_patient_gets_their_own_handout_over_tls(tmp_path, tls):
    srv = start_server(tmp_path, tls=tls)
    try:
        patients = write_patients(tmp_path / "patients.csv")
        result = run_cli(["email", "--patients", str(patients), "--providers", str(DEMO_ROSTER), "--send",
                          "--ca-file", str(srv.ca_file)], srv.env(), tmp_path)
        assert result.returncode == 0, result.stderr
        assert "sent 3, failed 0" in result.stdout
        names = {email: name for _, name, email, *_ in PATIENTS}
        for email, name in names.items():
            got = srv.handler.to(email)
            assert len(got) == 1, f"{email} got {len(got)} messages"
            message = got[0].message
            assert message["To"] == email
            assert message["Subject"] == "Stem-Cell Shots for Knee Arthritis: information from Maple Grove Joint Clinic"
            plain = message.get_body(("plain",)).get_content()
            html = message.get_body(("html",)).get_content()
            assert name in plain and name.replace("'", "&#39;") in html
            assert "does not replace talking with your care team" in plain
            assert "(555) 010-0199" in plain and "(555) 010-0199" in html
            password = "tulip-42" if email.startswith("chen") else None
            text = pdf_text(attachment(message), password)
            assert name in text
            for other in set(names.values()) - {name}:
                assert other not in text, f"{other}'s name is in {name}'s handout"
    finally:
        srv.controller.stop()


def test_base64_bodies_keep_to_76_characters_a_line_and_decode_to_what_was_rendered(tmp_path, server):
    # RFC 2045 6.8: base64 lines of at most 76 characters. The library
    # once wrote them up to our unfolded headers' 998.
    patients = write_patients(tmp_path / "patients.csv")
    result = send(tmp_path, server, patients)
    assert sorted(result.sent) == ["p01", "p02", "p03"]
    for received in server.handler.received:
        message = received.message
        raw = received.data.split(b"\r\n")
        base64_parts = [p for p in message.walk() if p["Content-Transfer-Encoding"] == "base64"]
        assert {p.get_content_type() for p in base64_parts} == {"text/html", "application/pdf"}
        for part in base64_parts:
            body = part.get_payload().encode("ascii").split(b"\n")
            lines = [line.rstrip(b"\r") for line in body if line.strip()]
            assert lines and max(map(len, lines)) == 76, part.get_content_type()
            assert all(line in raw for line in lines[:3])  # as sent, not re-wrapped by the parser
        pdf = attachment(message)
        assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
        assert pypdf.PdfReader(io.BytesIO(pdf)).is_encrypted == (message["To"] == "chen@example.org")
        assert "</html>" in message.get_body(("html",)).get_content()


@pytest.mark.parametrize("size", [0, 1, 56, 57, 58, 57 * 256 - 1, 57 * 256, 57 * 256 + 1, 57 * 1024 + 5, 700_001])
def test_base64_bodies_are_what_the_standard_library_encodes(size):
    # The bodies are cut into lines by blocks of 256 lines (message.base64_lines):
    # the same text as base64.encodebytes, whatever is left after the last block.
    import base64
    import random

    from handouts.deliver.email.bodies import base64_lines

    data = random.Random(size).randbytes(size)
    assert base64_lines(data) == base64.encodebytes(data).replace(b"\n", b"\r\n")


def test_attachments_that_begin_alike_are_each_encoded_as_alone_and_only_the_last_is_kept():
    # A run's PDFs of one edition begin with the same bytes, whose base64
    # lines are taken from the last message's (bodies.SharedStart); each must
    # still be exactly its own encoding, whatever it shares with the last:
    # all of it, part, nothing, more, or where the comparing's blocks meet.
    import base64
    import random

    from handouts.deliver.email.bodies import SharedStart

    rng = random.Random(7)
    common = rng.randbytes(57 * 400 + 13)
    readers = [common + f"Reader {i} Canary{i}".encode() + rng.randbytes(900) for i in range(4)]
    attachments = [*readers, readers[0], common[:5000] + b"Other edition" + rng.randbytes(70_000), b"",
                   common[:57 * 3] + b"short", *readers[1:], common + b"x" * 57 * 20, common + b"x" * 57 * 21,
                   common[:4096] + b"!", common[:4095] + b"!", common[:8192], common,
                   common[:57 * 90 - 1] + b"A" * 300, common[:57 * 90 - 1] + b"B" * 300]
    shared = SharedStart()
    for i, data in enumerate(attachments):
        assert shared.lines(data) == base64.encodebytes(data).replace(b"\n", b"\r\n"), i
    for data in readers:
        shared.lines(data)
    assert b"Canary3" in shared._last and not [i for i in range(3) if f"Canary{i}".encode() in shared._last]


def test_one_connection_carries_every_message(tmp_path, server):
    result = send(tmp_path, server, write_patients(tmp_path / "patients.csv"))
    assert len(result.sent) == 3
    assert len(server.handler.sessions) == 1


def test_large_print_patient_gets_the_large_print_pdf(tmp_path, server):
    patients = write_patients(tmp_path / "patients.csv", PATIENTS[:2])
    result = send(tmp_path, server, patients)
    assert result.sent == ["p01", "p02"]
    regular = pypdf.PdfReader(io.BytesIO(attachment(server.handler.to("ana@example.com")[0].message)))
    large = pypdf.PdfReader(io.BytesIO(attachment(server.handler.to("bo@example.com")[0].message)))
    assert len(large.pages) > len(regular.pages) * 1.5


def test_dry_run_writes_owner_only_messages_and_sends_nothing(tmp_path, server):
    patients = write_patients(tmp_path / "patients.csv")
    result = run_cli(["email", "--patients", str(patients), "--providers", str(DEMO_ROSTER)], server.env(), tmp_path)
    assert result.returncode == 0, result.stderr
    assert "dry run" in result.stdout and "--send" in result.stdout
    assert server.handler.received == []
    outbox = tmp_path / "outbox"
    assert stat.S_IMODE(outbox.stat().st_mode) == 0o700
    files = sorted(p.name for p in outbox.iterdir())
    assert files == ["stem-cell-knee--p01.eml", "stem-cell-knee--p02.eml", "stem-cell-knee--p03.eml"]
    for path in outbox.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    from email import message_from_bytes
    from email.policy import default

    message = message_from_bytes((outbox / "stem-cell-knee--p01.eml").read_bytes(), policy=default)
    assert "Ana Pérez" in pdf_text(attachment(message))
    assert not (tmp_path / "email-ledger.sqlite").exists(), "a dry run records nothing as sent"


def test_every_bad_patient_row_is_reported_and_nothing_is_written(tmp_path, server):
    rows = [
        ("p01", "Ana", "", "", "", "", "yes"),                          # no email
        ("p02", "Bo", "bo@@example.com", "", "", "", "yes"),            # malformed
        ("p03", "Cy\r\nBcc: x@example.com", "cy@example.com", "", "", "", "yes"),  # CR/LF
        ("p04", "Di", "di@example.com", "dr-nobody", "", "", "yes"),    # unknown provider
        ("p05", "Ed", "ed@example.com", "", "", "", "yes"),
        ("p05", "Fay", "fay@example.com", "", "", "", "yes"),           # duplicate id
        ("p07", "Gus", "gus@example.com", "", "tiny-print", "", "yes"),  # unknown layout
    ]
    patients = write_patients(tmp_path / "patients.csv", rows)
    result = run_cli(["email", "--patients", str(patients), "--providers", str(DEMO_ROSTER), "--send",
                      "--ca-file", str(server.ca_file)], server.env(), tmp_path)
    assert result.returncode == 1
    err = result.stderr
    for line, words in ((2, "'email' is missing"), (3, "not a valid e-mail address"), (4, "line break"),
                        (6, "no provider with id 'dr-nobody'"), (8, "duplicate patient id 'p05'"),
                        (9, "unknown layout 'tiny-print'")):
        assert f"patients.csv:{line}:" in err and words in err, (line, words, err)
    assert "Traceback" not in err
    assert "bo@@example.com" not in err and "Cy" not in err, "no patient value in a message"
    assert server.handler.received == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ca.pem", "patients.csv"]


def test_unknown_column_is_reported_with_a_suggestion(tmp_path, server):
    patients = write_patients(tmp_path / "patients.csv", [("p01", "Ana", "ana@example.com", "yes")],
                              header="id,name,emial,unencrypted_ok")
    result = run_cli(["email", "--patients", str(patients)], server.env(), tmp_path)
    assert result.returncode == 1
    assert "patients.csv:1: unknown column 'emial' (did you mean \"email\"?)" in result.stderr
    assert not (tmp_path / "outbox").exists()


def test_a_patient_without_a_password_or_consent_is_refused_and_the_others_are_sent(tmp_path, server):
    rows = [PATIENTS[0], ("p09", "Ivy", "ivy@example.com", "", "", "", "no"), PATIENTS[2]]
    patients = write_patients(tmp_path / "patients.csv", rows)
    result = run_cli(["email", "--patients", str(patients), "--providers", str(DEMO_ROSTER), "--send",
                      "--ca-file", str(server.ca_file)], server.env(), tmp_path)
    assert result.returncode == 1
    assert "refused: patient p09: no password and no 'unencrypted_ok: yes'" in result.stderr
    assert "sent 2" in result.stdout and "refused 1" in result.stdout
    assert server.handler.to("ivy@example.com") == []
    assert len(server.handler.to("ana@example.com")) == len(server.handler.to("chen@example.org")) == 1


def test_an_encrypted_attachment_is_aes256_revision_6_and_needs_the_password(tmp_path, server):
    patients = write_patients(tmp_path / "patients.csv", [PATIENTS[2]])
    send(tmp_path, server, patients)
    message = server.handler.to("chen@example.org")[0].message
    data = attachment(message)
    with pytest.raises(pikepdf.PasswordError):
        pikepdf.open(io.BytesIO(data))
    with pikepdf.open(io.BytesIO(data), password="tulip-42") as pdf:
        assert (pdf.encryption.V, pdf.encryption.R, pdf.encryption.bits) == (5, 6, 256)
        assert str(pdf.encryption.stream_method).endswith("aesv3")
    plain = message.get_body(("plain",)).get_content()
    assert "password you agreed with our office" in plain and "tulip-42" not in message.as_string()


def test_a_rerun_sends_nothing_twice_and_a_new_version_is_a_new_mailing(tmp_path, server, bundled_copy):
    patients = write_patients(tmp_path / "patients.csv", PATIENTS[:2])
    settings = smtp_settings(server.env(), ca_file=server.ca_file)
    first = send_handouts(bundled_copy, patients=patients, providers=DEMO_ROSTER, send=True, settings=settings,
                          outbox=tmp_path / "outbox", jobs=1)
    again = send_handouts(bundled_copy, patients=patients, providers=DEMO_ROSTER, send=True, settings=settings,
                          outbox=tmp_path / "outbox", jobs=1)
    assert first.sent == ["p01", "p02"] and again.sent == [] and again.skipped == ["p01", "p02"]
    manifest = bundled_copy / "handout.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace('version: "1.0"', 'version: "1.1"'),
                        encoding="utf-8")
    newer = send_handouts(bundled_copy, patients=patients, providers=DEMO_ROSTER, send=True, settings=settings,
                          outbox=tmp_path / "outbox", jobs=1)
    assert newer.sent == ["p01", "p02"]
    assert len(server.handler.to("ana@example.com")) == 2


def test_two_runs_on_one_ledger_at_once_the_second_refuses(tmp_path, server):
    from handouts.deliver.email.ledger import open_ledger
    from handouts.errors import OutputError

    patients = write_patients(tmp_path / "patients.csv", PATIENTS[:1])
    with open_ledger(tmp_path / "email-ledger.sqlite"):
        with pytest.raises(OutputError, match="another email run is using this ledger"):
            send(tmp_path, server, patients)
    assert server.handler.received == []


def test_status_prints_the_ledger_per_state(tmp_path, server):
    rows = [PATIENTS[0], ("p08", "Hal", "hal@example.com", "", "", "", "yes")]
    server.handler.rcpt_faults["hal@example.com"] = ["550 5.1.1 <hal@example.com>: no such user"]
    send(tmp_path, server, write_patients(tmp_path / "patients.csv", rows))
    result = run_cli(["email", "--status", "--format", "json"], {}, tmp_path)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["totals"] == {"sent": 1, "failed": 1, "pending": 0}
    text = run_cli(["email", "--status"], {}, tmp_path).stdout
    assert "sent 1, failed 1, pending 0" in text


def test_a_message_over_the_attachment_cap_is_refused(tmp_path, server):
    patients = write_patients(tmp_path / "patients.csv", PATIENTS[:1])
    result = send(tmp_path, server, patients, max_attachment=20_000)
    assert result.refused and "attachment limit" in result.refused[0][1]
    assert server.handler.received == []


def test_how_to_send_is_one_typed_object_or_its_fields_as_keywords(tmp_path):
    """EmailOptions, as the command line passes it, and its fields as keywords are the same run; a misspelt one is refused."""
    from email import message_from_bytes
    from email.policy import default

    from handouts.deliver.email.options import EmailOptions

    patients = write_patients(tmp_path / "patients.csv", PATIENTS[:1])
    typed = send_handouts(patients=patients, providers=DEMO_ROSTER, jobs=1,
                          email=EmailOptions(outbox=tmp_path / "typed", subject="Leaflet for {{ patient.name }}"))
    loose = send_handouts(patients=patients, providers=DEMO_ROSTER, jobs=1, outbox=tmp_path / "loose",
                          subject="Leaflet for {{ patient.name }}")
    assert typed.written == loose.written == ["p01"]
    for folder in ("typed", "loose"):
        message = message_from_bytes((tmp_path / folder / "stem-cell-knee--p01.eml").read_bytes(), policy=default)
        assert message["Subject"] == "Leaflet for Ana Pérez"
    with pytest.raises(TypeError):
        send_handouts(patients=patients, providers=DEMO_ROSTER, outbx=tmp_path / "typo")


def test_clinic_templates_override_the_defaults_and_html_is_escaped(tmp_path, server, bundled_copy):
    (bundled_copy / "email").mkdir()
    (bundled_copy / "email" / "subject.txt").write_text("Information from {{ clinic.name }}")
    (bundled_copy / "email" / "body.html").write_text("<p>Hello {{ patient.name }}</p>")
    rows = [("p01", "<b>Ana</b> & Co", "ana@example.com", "", "", "", "yes")]
    settings = smtp_settings(server.env(), ca_file=server.ca_file)
    send_handouts(bundled_copy, patients=write_patients(tmp_path / "p.csv", rows), send=True, settings=settings,
                  outbox=tmp_path / "outbox", jobs=1)
    message = server.handler.to("ana@example.com")[0].message
    assert message["Subject"] == "Information from Maple Grove Joint Clinic"
    assert message.get_body(("html",)).get_content().strip() == "<p>Hello &lt;b&gt;Ana&lt;/b&gt; &amp; Co</p>"
    assert "Dear <b>Ana</b> & Co," in message.get_body(("plain",)).get_content()


def test_lines_that_begin_with_a_dot_arrive_as_written(tmp_path, server, bundled_copy):
    # SMTP ends a message at a line holding one dot; a line that begins
    # with one is sent with another (RFC 5321 4.5.2), which the server drops.
    (bundled_copy / "email").mkdir()
    body = ".one dot\n..two dots\n.\nthe end, {{ patient.name }}\n"
    (bundled_copy / "email" / "body.txt").write_text(body)
    rows = [("p01", "Ana", "ana@example.com", "", "", "", "yes")]
    settings = smtp_settings(server.env(), ca_file=server.ca_file)
    send_handouts(bundled_copy, patients=write_patients(tmp_path / "p.csv", rows), send=True, settings=settings,
                  outbox=tmp_path / "outbox", jobs=1)
    (received,) = server.handler.to("ana@example.com")
    text = received.message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert text == body.replace("{{ patient.name }}", "Ana")


@pytest.mark.parametrize("message", [b"", b".", b"a.b", b"a\r\n.b", b"a\n.", b"\n.", b".a\r\nb.c\r\n", b"x" * 99 + b"\n.",
                                     b"Subject: Dr. Lee\r\n\r\n" + b"QUJD" * 5000 + b"\r\n..\r\n"])
def test_a_line_beginning_with_a_dot_is_found_where_smtplib_would_stuff_it(message):
    # DATA is stuffed only when a line after the first begins with a dot (the first is
    # stuffed on its own); the search goes dot by dot (smtp._dot_starts_a_line).
    from handouts.deliver.email.smtp import _dot_starts_a_line

    assert _dot_starts_a_line(message) == (b"\n." in message)


def test_a_template_typo_stops_the_run_before_any_message(tmp_path, server, bundled_copy):
    (bundled_copy / "email").mkdir()
    (bundled_copy / "email" / "body.txt").write_text("Hello\n{{ clinic.phnoe }}\n")
    settings = smtp_settings(server.env(), ca_file=server.ca_file)
    from handouts.errors import HandoutError

    with pytest.raises(HandoutError, match="body.txt"):
        send_handouts(bundled_copy, patients=write_patients(tmp_path / "p.csv", PATIENTS[:1]), send=True,
                      settings=settings, outbox=tmp_path / "outbox", jobs=1)
    assert server.handler.received == []


def test_settings_refuse_plain_smtp_to_a_remote_host_and_never_show_the_password():
    with pytest.raises(SmtpConfigError) as caught:
        smtp_settings({"HANDOUTS_SMTP_HOST": "smtp.example.com", "HANDOUTS_SMTP_FROM": "a@example.com",
                       "HANDOUTS_SMTP_TLS": "none", "HANDOUTS_SMTP_PASSWORD": "hunter2-secret"})
    assert "refusing to send without TLS to smtp.example.com" in str(caught.value)
    assert "hunter2-secret" not in str(caught.value)
    ok = smtp_settings({"HANDOUTS_SMTP_HOST": "::1", "HANDOUTS_SMTP_FROM": "a@example.com", "HANDOUTS_SMTP_TLS": "none",
                        "HANDOUTS_SMTP_USER": "u", "HANDOUTS_SMTP_PASSWORD": "hunter2-secret"})
    assert "hunter2-secret" not in repr(ok)


def test_a_refused_sign_in_stops_before_any_message_and_hides_the_password(tmp_path):
    srv = start_server(tmp_path, tls="starttls", auth=("clinic", "right-password"))
    try:
        patients = write_patients(tmp_path / "patients.csv", PATIENTS[:1])
        env = {**srv.env(), "HANDOUTS_SMTP_USER": "clinic", "HANDOUTS_SMTP_PASSWORD": "wrong-password-xyz"}
        result = run_cli(["email", "--patients", str(patients), "--providers", str(DEMO_ROSTER), "--send",
                          "--ca-file", str(srv.ca_file)], env, tmp_path)
        assert result.returncode == 1
        assert "sign-in refused" in result.stderr and "nothing was sent" in result.stderr
        assert "wrong-password-xyz" not in result.stderr + result.stdout
        env["HANDOUTS_SMTP_PASSWORD"] = "right-password"
        result = run_cli(["email", "--patients", str(patients), "--providers", str(DEMO_ROSTER), "--send",
                          "--ca-file", str(srv.ca_file)], env, tmp_path)
        assert result.returncode == 0, result.stderr
        assert len(srv.handler.received) == 1
    finally:
        srv.controller.stop()


def test_oauth2_bearer_token_from_a_command(tmp_path):
    srv = start_server(tmp_path, tls="starttls", auth=("clinic@example.com", "unused"), oauth_token="tok-123")
    try:
        helper = tmp_path / "token.sh"
        helper.write_text("#!/bin/sh\necho tok-123\n")
        helper.chmod(0o700)
        patients = write_patients(tmp_path / "patients.csv", PATIENTS[:1])
        env = {**srv.env(), "HANDOUTS_SMTP_USER": "clinic@example.com", "HANDOUTS_SMTP_OAUTH_COMMAND": str(helper)}
        result = run_cli(["email", "--patients", str(patients), "--providers", str(DEMO_ROSTER), "--send",
                          "--ca-file", str(srv.ca_file)], env, tmp_path)
        assert result.returncode == 0, result.stderr
        assert srv.mechanisms == ["XOAUTH2"]
        assert len(srv.handler.received) == 1
    finally:
        srv.controller.stop()


def ledger_rows(path: Path) -> list[dict]:
    with sqlite3.connect(path) as db:
        db.row_factory = sqlite3.Row
        return [dict(r) for r in db.execute("SELECT * FROM deliveries ORDER BY patient_id")]


def test_canary_name_and_address_appear_only_in_the_pdf_text_and_bodies(tmp_path, server):
    name, address = "Quokka Zanzibar-Canary", "quokka.canary@example.net"
    rows = [("c01", name, address, "dr-nunez", "", "", "yes"), ("c02", name, "bad.canary@example.net", "", "", "", "yes")]
    server.handler.rcpt_faults["bad.canary@example.net"] = [f"550 5.1.1 <bad.canary@example.net> ({name}) unknown"]
    patients = write_patients(tmp_path / "patients.csv", rows)
    dry = run_cli(["email", "--patients", str(patients), "--providers", str(DEMO_ROSTER), "--outbox", "dry"],
                  server.env(), tmp_path)
    sent = run_cli(["-q", "email", "--patients", str(patients), "--providers", str(DEMO_ROSTER), "--send",
                    "--ca-file", str(server.ca_file)], server.env(), tmp_path)
    status = run_cli(["email", "--status", "--format", "json"], {}, tmp_path)
    assert dry.returncode == 0 and sent.returncode == 1 and status.returncode == 0
    needles = [name, address, "bad.canary@example.net", "Quokka", "Zanzibar"]
    for output in (dry.stdout, dry.stderr, sent.stdout, sent.stderr, status.stdout):
        for needle in needles:
            assert needle not in output
    for path in tmp_path.rglob("*"):
        for needle in needles:
            assert needle.lower() not in path.name.lower()
    assert stat.S_IMODE((tmp_path / "email-ledger.sqlite").stat().st_mode) == 0o600
    for row in ledger_rows(tmp_path / "email-ledger.sqlite"):
        for column, value in row.items():
            if column != "address":
                for needle in needles:
                    assert needle not in str(value), (column, value)
    message = server.handler.to(address)[0].message
    assert name in message.get_body(("plain",)).get_content()
    pdf = pypdf.PdfReader(io.BytesIO(attachment(message)))
    for value in (pdf.metadata or {}).values():
        for needle in needles:
            assert needle not in str(value)
    assert name in pdf_text(attachment(message))
    assert name not in message["Subject"] and name not in message["To"]


def test_kill_between_data_and_reply_leaves_pending_that_a_rerun_reports_and_does_not_resend(tmp_path, server):
    marker = tmp_path / "holding"
    server.handler.hold_for, server.handler.hold_marker = "bo@example.com", marker
    patients = write_patients(tmp_path / "patients.csv", PATIENTS[:3])
    args = ["email", "--patients", str(patients), "--providers", str(DEMO_ROSTER), "--send", "--ca-file",
            str(server.ca_file), "-j", "1"]
    proc = subprocess.Popen([sys.executable, "-m", "handouts", *args], cwd=tmp_path, env={**os.environ, **server.env()},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 90
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert marker.exists(), "the server never saw the second message's body"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    states = {r["patient_id"]: r["state"] for r in ledger_rows(tmp_path / "email-ledger.sqlite")}
    assert states == {"p01": "sent", "p02": "pending"}

    server.handler.hold_for = None
    rerun = run_cli(args, server.env(), tmp_path)
    assert rerun.returncode == 1
    assert "pending: patient p02" in rerun.stderr and "--resend-pending" in rerun.stderr
    assert len(server.handler.to("bo@example.com")) == 1, "the pending message was not sent again"
    assert len(server.handler.to("ana@example.com")) == len(server.handler.to("chen@example.org")) == 1

    resend = run_cli([*args, "--resend-pending"], server.env(), tmp_path)
    assert resend.returncode == 0, resend.stderr
    assert len(server.handler.to("bo@example.com")) == 2
    assert {r["state"] for r in ledger_rows(tmp_path / "email-ledger.sqlite")} == {"sent"}


def test_the_messages_fixed_lines_follow_the_handouts_language(tmp_path, server, bundled_copy):
    manifest = bundled_copy / "handout.yaml"
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text(text.replace("language: en", "language: es") if "language:" in text
                        else "language: es\n" + text, encoding="utf-8")
    settings = smtp_settings(server.env(), ca_file=server.ca_file)
    send_handouts(bundled_copy, patients=write_patients(tmp_path / "p.csv", [PATIENTS[2]]), send=True,
                  settings=settings, outbox=tmp_path / "outbox", jobs=1)
    message = server.handler.to("chen@example.org")[0].message
    plain = message.get_body(("plain",)).get_content()
    assert plain.startswith("Estimado/a Chen Wei:")
    assert "use la contraseña que acordó con nuestra clínica" in plain and "llame al 911" in plain
    html = message.get_body(("html",)).get_content()
    assert '<html lang="es">' in html and "Cómo comunicarse con nosotros" in html
    assert message["Subject"].endswith(": información de Maple Grove Joint Clinic")


def test_each_patient_gets_their_language_and_a_missing_one_falls_back_naming_the_row(tmp_path, server):
    rows = "id,name,email,language,unencrypted_ok\nes1,Lucía Gómez,lucia@example.com,es,yes\n" \
           "fr1,Amélie Roux,amelie@example.com,fr,yes\nen1,Ann Lee,ann@example.com,,yes\n"
    (tmp_path / "patients.csv").write_text(rows, encoding="utf-8")
    result = run_cli(["email", "--patients", "patients.csv", "--send", "--ca-file", str(server.ca_file)],
                     server.env(), tmp_path)
    assert result.returncode == 0, result.stderr
    assert "patients.csv:3 (patient fr1): no 'fr' translation" in result.stderr
    assert "Amélie" not in result.stderr
    spanish = server.handler.to("lucia@example.com")[0].message
    assert spanish.get_body(("plain",)).get_content().startswith("Estimado/a Lucía Gómez:")
    assert "Página 1 de" in pdf_text(attachment(spanish))
    for address in ("amelie@example.com", "ann@example.com"):
        message = server.handler.to(address)[0].message
        assert message.get_body(("plain",)).get_content().startswith("Dear ")
        assert "Page 1 of" in pdf_text(attachment(message))
    editions = {r["patient_id"]: (r["layout"], r["language"]) for r in ledger_rows(tmp_path / "email-ledger.sqlite")}
    assert editions == {"es1": ("letter", "es"), "fr1": ("letter", "en"), "en1": ("letter", "en")}


def test_a_clinic_template_that_is_not_a_regular_file_is_refused_without_hanging(tmp_path, server, bundled_copy):
    (bundled_copy / "email").mkdir()
    os.mkfifo(bundled_copy / "email" / "body.txt")
    patients = write_patients(tmp_path / "patients.csv", PATIENTS[:1])
    result = run_cli(["email", str(bundled_copy), "--patients", str(patients), "--providers", str(DEMO_ROSTER), "--send", "--ca-file",
                      str(server.ca_file)], server.env(), tmp_path, timeout=60)
    assert result.returncode == 1
    assert "email/body.txt: expected a template file, found a named pipe (FIFO)" in result.stderr
    assert server.handler.received == []


def test_an_email_run_holds_its_outbox_against_other_runs_and_batches(tmp_path, server):
    marker = tmp_path / "holding"
    server.handler.hold_for, server.handler.hold_marker = "bo@example.com", marker
    patients = write_patients(tmp_path / "patients.csv", PATIENTS[:2])
    common = ["--patients", str(patients), "--providers", str(DEMO_ROSTER)]
    env = {**os.environ, **server.env()}
    first = subprocess.Popen([sys.executable, "-m", "handouts", "email", *common, "--send", "--ca-file",
                              str(server.ca_file), "-j", "1"], cwd=tmp_path, env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 90
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert marker.exists(), "the first run never reached its second message"
        # Chosen point: the first run is mid-send. Another e-mail run with a
        # ledger of its own, a dry run and a batch into that outbox are each
        # refused at once, naming it.
        for args in (["email", *common, "--send", "--ledger", "other.sqlite", "--ca-file", str(server.ca_file)],
                     ["email", *common],
                     ["batch", "--providers", str(DEMO_ROSTER), "-d", "outbox", "-j", "1"]):
            refused = run_cli(args, server.env(), tmp_path)
            assert refused.returncode == 1, (args, refused.stderr)
            assert f"email, process {first.pid} on host" in refused.stderr and "since 20" in refused.stderr
            assert "--wait" in refused.stderr and "Traceback" not in refused.stderr
        assert [r.recipients for r in server.handler.received] == [["ana@example.com"], ["bo@example.com"]]
        assert not (tmp_path / "other.sqlite").exists()
        assert [p.name for p in (tmp_path / "outbox").iterdir()] == [".handouts.lock"]

        # One that waits gets the outbox once the first is gone (killed here:
        # its lock is taken over, with a warning).
        later = write_patients(tmp_path / "later.csv", PATIENTS[2:])
        waiting = subprocess.Popen([sys.executable, "-m", "handouts", "email", "--patients", str(later),
                                    "--wait", "120"], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
        seen = ""
        while "waiting up to 120 s" not in seen:
            line = waiting.stderr.readline()
            assert line, f"the dry run ended without waiting: {seen}"
            seen += line
        assert f"process {first.pid}" in seen
    finally:
        first.kill()
        first.wait()
    stdout, stderr = waiting.communicate(timeout=120)
    assert waiting.returncode == 0, stderr
    assert "took over the lock" in stderr and f"process {first.pid}" in stderr
    assert sorted(p.name for p in (tmp_path / "outbox").iterdir()) == ["stem-cell-knee--p03.eml"]
