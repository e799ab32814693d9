"""What hostile or careless values can do to an e-mail: headers, addresses, server replies.

The payloads of issue #20 (items 2, 5 and 6): RFC 2047 encoded words and
control characters in every value that reaches a header (the handout's
title under the default subject, the brand's name in From, a patient's name
in a subject naming them, `--subject`, `--from`), international and hostile
addresses, and server replies that quote parts of a patient's address.
Every message the tool writes (.eml) or sends (to aiosmtpd) is parsed with
the standard library and its header names compared with the set it must
have. This machine's Python (3.11.7) has the bug of CVE-2024-6923 (encoded
words decoded into real line breaks), so nothing here relies on the
interpreter's own fix.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections import Counter
from email import message_from_string
from email.policy import default
from pathlib import Path

import pytest
from helpers import DATA, invoke
from hypothesis import given, settings
from hypothesis import strategies as st
from smtp_server import start_server
from test_email import run_cli, server  # noqa: F401 - server is a fixture

BASE = Path(__file__).parent / "hostile" / "base"
EXPECTED = {"From", "To", "Subject", "Date", "Message-ID", "Auto-Submitted", "MIME-Version", "Content-Type"}
REPLY_TO = "=?utf-8?q?x=0D=0AReply-To:_evil@attacker.example?="
BCC = "=?utf-8?q?x=0D=0ABcc:_evil@attacker.example?="


@pytest.fixture
def project(tmp_path) -> Path:
    """The hostile cases' small base project (one section, a brand with contacts)."""
    folder = tmp_path / "proj"
    shutil.copytree(BASE, folder)
    shutil.copy2(DATA / "brands" / "demo" / "logo.png", folder / "logo.png")
    return folder


def patients(folder: Path, rows: list[tuple[str, str, str]]) -> Path:
    """A patients file of (id, name, email) rows, each agreeing to plain e-mail."""
    import csv

    path = folder / "patients.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "name", "email", "unencrypted_ok"])
        writer.writerows([(*row, "yes") for row in rows])
    return path


def replace_line(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def yaml_text(value: str) -> str:
    """`value` as a YAML double-quoted scalar (JSON's escapes are YAML's)."""
    return json.dumps(value)


def email(project: Path, tmp_path: Path, server, send: bool, *extra: str, rows=None):
    """One `handouts email` run, in-process; returns (result, every message it wrote or sent)."""
    pts = patients(tmp_path, rows or [("p1", "Ana Alvarez", "ana@example.com")])
    outbox = tmp_path / "out"
    args = ["-q", "email", str(project), "--patients", str(pts), "--outbox", str(outbox), "-j", "1", *extra]
    env = {}
    if send:
        args += ["--send", "--ca-file", str(server.ca_file)]
        env = server.env()
    result = invoke(args, env=env)
    assert "Traceback" not in result.output + result.stderr and "internal error" not in result.stderr, result.stderr
    written = [parse(p.read_bytes()) for p in sorted(outbox.glob("*.eml"))] if outbox.is_dir() else []
    sent = [parse(r.data) for r in server.handler.received]
    return result, written + sent


def parse(data: bytes):
    """A message as a mail reader sees it: headers may be UTF-8 (RFC 6532), which `message_from_bytes` garbles."""
    return message_from_string(data.decode("utf-8"), policy=default)


def assert_headers(messages) -> None:
    """Each message has exactly the expected headers, each once: no Reply-To, no Bcc, nothing extra."""
    for message in messages:
        names = Counter(message.keys())
        assert set(names) == EXPECTED, sorted(names)
        assert max(names.values()) == 1, names


def _title(project: Path, value: str) -> None:
    replace_line(project / "handout.yaml", "title: Hostile input check", f"title: {yaml_text(value)}")


def _brand_names(project: Path, full: str, short: str) -> None:
    replace_line(project / "brand.yml", "  name: Hostile Test Clinic",
                 f"  name:\n    full: {yaml_text(full)}\n    short: {yaml_text(short)}")


# (id, change to the project, patient name, extra options, where the refusal must point)
PAYLOADS = [
    ("title-encoded-word", lambda p: _title(p, REPLY_TO), "Ana Alvarez", [], "handout.yaml:2"),
    ("title-line-separator", lambda p: _title(p, "Knee\u2028Bcc: evil@attacker.example"), "Ana Alvarez", [],
     "handout.yaml:2"),
    ("brand-full-name", lambda p: _brand_names(p, BCC, "Hostile"), "Ana Alvarez", [], "brand.yml:3"),
    ("brand-short-name", lambda p: _brand_names(p, "Hostile Clinic", "x\r\nBcc: evil@attacker.example"),
     "Ana Alvarez", [], "brand.yml:4"),
    ("patient-name", None, REPLY_TO, ["--subject", "Your handout, {{ patient.name }}"], "patients.csv:2"),
    ("patient-name-line-separator", None, "Ana\u2028Bcc: evil@attacker.example",
     ["--subject", "For {{ patient.name }}"], "patients.csv:2"),
    ("subject", None, "Ana Alvarez", ["--subject", REPLY_TO], "--subject"),
    ("subject-put-together", None, "Ana Alvarez",
     ["--subject", "=?utf-8?q?x{{ '=0D=0A' }}Reply-To:_evil@attacker.example?="], "--subject"),
    ("from-line-break", None, "Ana Alvarez", ["--from", "fd@clinic.example\r\nBcc: evil@attacker.example"], "--from"),
    ("from-display-name", None, "Ana Alvarez", ["--from", f"{BCC} <fd@clinic.example>"], "--from"),
]


@pytest.mark.parametrize("send", [False, True], ids=["dry-run", "send"])
@pytest.mark.parametrize(("change", "name", "extra", "where"), [p[1:] for p in PAYLOADS], ids=[p[0] for p in PAYLOADS])
def test_header_payloads_reach_no_header(project, tmp_path, server, send, change, name, extra, where):
    if change:
        change(project)
    result, messages = email(project, tmp_path, server, send, *extra, rows=[("p1", name, "ana@example.com")])
    assert_headers(messages)
    assert result.exit_code == 1, result.output + result.stderr
    assert not messages
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].split(": ")[0].endswith(where), result.stderr
    assert "attacker" not in result.stderr and "Ana" not in result.stderr


def test_odd_but_harmless_values_make_exactly_the_expected_headers(project, tmp_path):
    """Question marks, equals signs, quotes, commas and accents pass, and read back as written."""
    title, clinic, name = "Knee pain ?= 100% = fine?", 'Clínica "Arce", Sur', "José Ñúñez-O'Hara"
    _title(project, title)
    _brand_names(project, clinic, "Arce")
    srv = start_server(tmp_path, tls="starttls")
    try:
        for send in (False, True):
            result, messages = email(project, tmp_path, srv, send, "--subject", "{{ handout.title }} for "
                                     "{{ patient.name }}", "--from", "fd@exämple.com",
                                     rows=[("p1", name, "a@bücher.example")])
            assert result.exit_code == 0, result.stderr
            assert len(messages) == 1 + send
            assert_headers(messages)
            message = messages[-1]
            assert message["Subject"] == f"{title} for {name}"
            assert message["From"].addresses[0].display_name == clinic
            assert message["From"].addresses[0].addr_spec == "fd@xn--exmple-cua.com"
            assert message["To"].addresses[0].addr_spec == "a@xn--bcher-kva.example"
        received = srv.handler.received[0]
        assert received.sender == "fd@xn--exmple-cua.com" and received.recipients == ["a@xn--bcher-kva.example"]
    finally:
        srv.controller.stop()


def test_build_message_refuses_what_could_break_a_header():
    """The last check, where headers are made: whatever reached it unchecked is refused there."""
    import datetime as dt

    from handouts.deliver.email.message import build_message
    from handouts.load.outbound import UnsafeValue, checked_address

    good = dict(sender=checked_address("fd@clinic.example"), sender_name="Clinic",
                recipient=checked_address("ana@example.com"), subject="Your handout", text="Hello\n",
                html="<p>Hello</p>", attachment=b"%PDF-1.7", attachment_name="knee.pdf",
                message_id="<1@clinic.example>", date=dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc))
    assert_headers([parse(build_message(**good))])
    for field, value in [("subject", REPLY_TO), ("subject", "a\r\nBcc: x@y.example"), ("sender_name", BCC),
                         ("sender_name", "Clinic\u2029Bcc: x@y.example"), ("attachment_name", "a\n.pdf")]:
        with pytest.raises(UnsafeValue):
            build_message(**{**good, field: value})


@pytest.mark.parametrize("value", ["a\rb", "a\nb", "a\x00b", "a\x85b", "a\u2028b", "a\u2029b", "a\x7fb", "a\tb",
                                   "a\u202eb", "a\ufeffb", "a\ud800b", "=?utf-8?q?a?=", "x =? y", "Ana=?Bo"])
def test_header_values_refuse_control_characters_and_encoded_words(value):
    from handouts.load.outbound import UnsafeValue, checked_header_value

    with pytest.raises(UnsafeValue) as caught:
        checked_header_value(value)
    assert value not in str(caught.value)


@pytest.mark.parametrize("value", ["José Ñúñez-O'Hara", "Knee ?= = ?", "李小龍", "مهسا\u200cنوری", "👩\u200d⚕️ care",
                                   'Clínica "Arce", Sur'])
def test_header_values_keep_names_in_any_script(value):
    from handouts.load.outbound import checked_header_value

    assert checked_header_value(value) == value


# --------------------------------------------------------------------------
# Addresses: one check for validation and sending.

def test_international_addresses_go_with_smtputf8_when_the_server_offers_it(project, tmp_path):
    srv = start_server(tmp_path, tls="starttls", smtputf8=True)
    rows = [("p1", "José", "josé@example.com"), ("p2", "Ana", "a@bücher.example"), ("p3", "Bo", "bo@example.com")]
    try:
        result, written = email(project, tmp_path, srv, False, rows=rows)
        assert result.exit_code == 0, result.stderr
        result, messages = email(project, tmp_path, srv, True, rows=rows)
        assert result.exit_code == 0, result.stderr
        assert_headers(messages)
        assert sorted(r for m in srv.handler.received for r in m.recipients) == [
            "a@xn--bcher-kva.example", "bo@example.com", "josé@example.com"]
        to = sorted(m["To"].addresses[0].addr_spec for m in messages)
        assert to == sorted(["josé@example.com", "a@xn--bcher-kva.example", "bo@example.com"] * 2)
    finally:
        srv.controller.stop()


def test_without_smtputf8_an_international_local_part_fails_alone_and_a_rerun_goes_on(project, tmp_path, server):
    rows = [("p1", "Ana", "ana@example.com"), ("p2", "José", "josé@example.com"), ("p3", "Bo", "a@bücher.example"),
            ("p4", "Cy", "cy@example.com")]
    for run in range(2):
        result, messages = email(project, tmp_path, server, True, rows=rows)
        assert result.exit_code == 1, result.stderr
        assert "failed: patient p2: " in result.stderr and "SMTPUTF8" in result.stderr
        assert "josé" not in result.stderr and "José" not in result.stderr
        assert_headers(messages)
        # The first run sent the other three; the rerun skips them and tries p2 again.
        assert sorted(r for m in server.handler.received for r in m.recipients) == [
            "a@xn--bcher-kva.example", "ana@example.com", "cy@example.com"]
    with sqlite3.connect(tmp_path / "email-ledger.sqlite") as db:
        states = dict(db.execute("SELECT patient_id, state FROM deliveries"))
    assert states == {"p1": "sent", "p2": "failed", "p3": "sent", "p4": "sent"}


@pytest.mark.parametrize("send", [False, True], ids=["dry-run", "send"])
@pytest.mark.parametrize(("sender", "where"), [("frontdesk", "--from"), ("fd@", "--from"), ("@clinic.example", "--from")])
def test_a_sender_that_is_not_an_address_is_refused_at_the_start(project, tmp_path, server, send, sender, where):
    result, messages = email(project, tmp_path, server, send, "--from", sender)
    assert result.exit_code == 1 and not messages, result.stderr
    assert result.stderr.startswith(f"{where}: ") and "not a valid e-mail address" in result.stderr, result.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_an_address_hiding_an_encoded_word_is_refused_at_validation(project, tmp_path, server):
    evil = "=?utf-8?q?Evil_=3Cevil=40attacker.example=3E?=@b.example"
    result, messages = email(project, tmp_path, server, False, rows=[("p1", "Ana", evil)])
    assert result.exit_code == 1 and not messages
    assert "patients.csv:2: patient 'p1': 'email'" in result.stderr, result.stderr
    assert "attacker" not in result.stderr


# --------------------------------------------------------------------------
# Server replies: masked in every part of the address before the ledger or stderr.

def test_server_replies_quoting_any_part_of_an_address_are_masked_everywhere(tmp_path, project):
    srv = start_server(tmp_path, tls="starttls")
    rows = [("m1", "Ana", "zq.canary7731@example.net"), ("m2", "Bo", "zr.canary7732@example.org"),
            ("m3", "Cy", "ok@zs-canary7733.example"), ("m4", "Di", "zt.canary7734@zu-canary7735.example")]
    handler = srv.handler
    handler.data_replies["zq.canary7731@example.net"] = "250 2.0.0 Ok: queued as 4F2A1 for zq.canary7731"
    handler.rcpt_faults["zr.canary7732@example.org"] = ["550 5.1.1 user zr.canary7732 unknown"]
    handler.rcpt_faults["ok@zs-canary7733.example"] = ["451 4.4.1 no answer from zs-canary7733.example",
                                                       "554 5.4.4 ZS-CANARY7733.EXAMPLE: host not found"]
    handler.data_replies["zt.canary7734@zu-canary7735.example"] = (
        "250 2.0.0 ok <zt.canary7734@zu-canary7735.example> ZT.Canary7734 at mx.zu-canary7735.example")
    try:
        pts = patients(tmp_path, rows)
        sent = run_cli(["email", str(project), "--patients", str(pts), "--send", "--ca-file", str(srv.ca_file),
                        "-j", "1"], srv.env(), tmp_path)
        status = run_cli(["email", "--status", "--format", "json"], {}, tmp_path)
    finally:
        srv.controller.stop()
    assert sent.returncode == 1 and status.returncode == 0, sent.stderr
    assert "failed: patient m2: 550 5.1.1 user <recipient> unknown" in sent.stderr
    needles = [f"canary{n}" for n in range(7731, 7736)]
    with sqlite3.connect(tmp_path / "email-ledger.sqlite") as db:
        db.row_factory = sqlite3.Row
        rows_seen = [dict(r) for r in db.execute("SELECT * FROM deliveries")]
    assert {r["patient_id"]: r["state"] for r in rows_seen} == {"m1": "sent", "m2": "failed", "m3": "failed",
                                                                "m4": "sent"}
    replies = [r["smtp_reply"] for r in rows_seen]
    assert all(reply and "<recipient>" in reply for reply in replies), replies
    shown = [sent.stdout, sent.stderr, status.stdout, status.stderr, *(str(v) for r in rows_seen
                                                                       for k, v in r.items() if k != "address")]
    for path in tmp_path.rglob("*"):
        shown.append(path.name)
        if path.is_file() and path.name != "patients.csv" and not path.name.startswith("email-ledger.sqlite"):
            shown.append(path.read_bytes().decode("utf-8", "replace"))
    for text in shown:
        for needle in needles:
            assert needle not in text.lower(), (needle, text[:300])


def test_the_letters_ignorecase_takes_for_ascii_are_the_ones_the_reply_mask_knows():
    # A reply in ASCII is searched for a name or address only when it can hold
    # it (smtp._may_occur), which takes ASCII letters for themselves in either
    # case and these four characters beyond ASCII for the letters re.IGNORECASE
    # matches them with; any other character cannot match in ASCII text.
    import re

    from handouts.deliver.email.smtp import ASCII_FOLDS

    beyond = "".join(chr(i) for i in range(0x80, 0x110000) if not 0xD800 <= i < 0xE000)
    found = {char: letter.lower() for letter in map(chr, range(128))
             for char in re.findall(re.escape(letter), beyond, re.IGNORECASE)}
    assert found == ASCII_FOLDS


@settings(max_examples=500, deadline=None)
@given(st.text("aIkSs.@-\u0130\u0131\u212a\u017f\u00eb9", min_size=1, max_size=8),
       st.text("aAiIkKsS.@- 9<>", max_size=8), st.integers(0, 8))
def test_the_reply_mask_skips_a_search_only_when_it_cannot_match(part, text, at):
    import re

    from handouts.deliver.email.smtp import _may_occur

    for reply in (text, text[:at] + part + text[at:]):
        if re.search(re.escape(part), reply, re.IGNORECASE):
            assert _may_occur(part, reply)
