"""`handouts email` when the server misbehaves: retries, failures, drops, TLS faults.

Each test counts what the real server received: the promise is one
delivery per patient, whatever happens on the way.
"""

from __future__ import annotations

import pytest
from helpers import DEMO_ROSTER
from smtp_server import start_server
from test_email import PATIENTS, ledger_rows, run_cli, write_patients

from handouts.deliver.email.mailing import send_handouts
from handouts.deliver.email.settings import SmtpConfigError, smtp_settings

FAST_RETRIES = (0.05, 0.1, 0.2)


def send(tmp_path, server, rows, **options):
    settings = smtp_settings(server.env(), ca_file=server.ca_file)
    return send_handouts(patients=write_patients(tmp_path / "patients.csv", rows), providers=DEMO_ROSTER, send=True,
                         settings=settings, outbox=tmp_path / "outbox", jobs=1, retry_delays=FAST_RETRIES, **options)


@pytest.fixture
def server(tmp_path):
    srv = start_server(tmp_path, tls="starttls")
    yield srv
    srv.controller.stop()


def test_a_451_is_retried_then_delivered(tmp_path, server):
    server.handler.rcpt_faults["bo@example.com"] = ["451 4.7.1 greylisted, try again", "451 4.7.1 still greylisted"]
    result = send(tmp_path, server, PATIENTS)
    assert sorted(result.sent) == ["p01", "p02", "p03"] and not result.failed
    assert len(server.handler.to("bo@example.com")) == 1
    row = next(r for r in ledger_rows(tmp_path / "email-ledger.sqlite") if r["patient_id"] == "p02")
    assert row["state"] == "sent" and row["smtp_code"] == 250


def test_a_451_after_the_body_is_retried_too(tmp_path, server):
    server.handler.data_faults["ana@example.com"] = ["451 4.3.0 temporary failure"]
    result = send(tmp_path, server, PATIENTS[:1])
    assert result.sent == ["p01"]
    assert len(server.handler.to("ana@example.com")) == 1


def test_a_550_fails_that_patient_and_the_others_are_delivered(tmp_path, server):
    server.handler.rcpt_faults["bo@example.com"] = ["550 5.1.1 <bo@example.com>: mailbox unavailable"]
    result = run_cli(["email", "--patients", str(write_patients(tmp_path / "patients.csv")), "--providers",
                      str(DEMO_ROSTER), "--send", "--ca-file", str(server.ca_file)], server.env(), tmp_path)
    assert result.returncode == 1
    assert "failed: patient p02: 550 5.1.1 <<recipient>>: mailbox unavailable" in result.stderr
    assert "bo@example.com" not in result.stderr
    assert server.handler.to("bo@example.com") == []
    assert len(server.handler.to("ana@example.com")) == len(server.handler.to("chen@example.org")) == 1
    states = {r["patient_id"]: (r["state"], r["smtp_code"]) for r in ledger_rows(tmp_path / "email-ledger.sqlite")}
    assert states == {"p01": ("sent", 250), "p02": ("failed", 550), "p03": ("sent", 250)}


def test_retries_are_bounded(tmp_path, server):
    server.handler.rcpt_faults["ana@example.com"] = ["451 4.7.1 later"] * 10
    result = send(tmp_path, server, PATIENTS[:2])
    assert [pid for pid, _ in result.failed] == ["p01"] and result.sent == ["p02"]
    assert len(server.handler.rcpt_faults["ana@example.com"]) == 10 - (len(FAST_RETRIES) + 1)


def test_a_dropped_connection_then_a_rerun_gives_exactly_one_delivery_each(tmp_path, server):
    rows = [(f"p{i:02d}", f"Patient {i}", f"patient{i}@example.com", "", "", "", "yes") for i in range(1, 9)]
    # The server goes away at the 3rd and 6th MAIL of the run.
    server.handler.drop_at_mail = {3, 6}
    first = send(tmp_path, server, rows)
    assert not first.failed and not first.pending
    assert server.handler.mail_count == 8 + 2, "two MAIL commands met a dropped connection"
    rerun = send(tmp_path, server, rows)
    assert rerun.sent == [] and len(rerun.skipped) == 8
    for _, _, address, *_ in rows:
        assert len(server.handler.to(address)) == 1, address
    assert {r["state"] for r in ledger_rows(tmp_path / "email-ledger.sqlite")} == {"sent"}


def test_a_run_stopped_by_an_unreachable_server_resumes_with_the_rest(tmp_path, server):
    rows = [(f"p{i:02d}", f"Patient {i}", f"patient{i}@example.com", "", "", "", "yes") for i in range(1, 6)]
    # From the 3rd MAIL on the server drops every connection.
    server.handler.drop_at_mail = set(range(3, 100))
    first = send(tmp_path, server, rows)
    assert first.sent == ["p01", "p02"] and first.stopped
    server.handler.drop_at_mail = set()
    second = send(tmp_path, server, rows)
    assert sorted(second.sent) == ["p03", "p04", "p05"] and second.skipped == ["p01", "p02"]
    for _, _, address, *_ in rows:
        assert len(server.handler.to(address)) == 1, address


def test_starttls_asked_of_a_server_without_it_sends_nothing(tmp_path):
    plain = start_server(tmp_path, tls="starttls", starttls_offered=False)
    try:
        result = run_cli(["email", "--patients", str(write_patients(tmp_path / "patients.csv")), "--providers",
                          str(DEMO_ROSTER), "--send", "--ca-file", str(plain.ca_file)], plain.env(), tmp_path)
        assert result.returncode == 1
        assert "does not offer STARTTLS" in result.stderr and "nothing was sent" in result.stderr
        assert plain.handler.received == [] and plain.handler.mail_count == 0
        assert not (tmp_path / "email-ledger.sqlite").exists() or ledger_rows(tmp_path / "email-ledger.sqlite") == []
    finally:
        plain.controller.stop()


@pytest.mark.parametrize("tls", ["ssl", "starttls"])
def test_a_certificate_that_does_not_verify_sends_nothing(tmp_path, tls):
    srv = start_server(tmp_path, tls=tls, bad_cert=True)
    try:
        with pytest.raises(SmtpConfigError, match="certificate does not verify.*nothing was sent"):
            send(tmp_path, srv, PATIENTS)
        assert srv.handler.received == [] and srv.handler.mail_count == 0
    finally:
        srv.controller.stop()


def test_without_a_ca_file_the_system_store_is_used_and_a_private_ca_is_refused(tmp_path):
    srv = start_server(tmp_path, tls="ssl")
    try:
        settings = smtp_settings(srv.env())
        with pytest.raises(SmtpConfigError, match="certificate does not verify"):
            send_handouts(patients=write_patients(tmp_path / "patients.csv"), providers=DEMO_ROSTER, send=True,
                          settings=settings, outbox=tmp_path / "outbox", jobs=1)
        assert srv.handler.received == []
    finally:
        srv.controller.stop()


def test_rate_limit_spaces_the_messages(tmp_path, server):
    import time

    rows = [(f"p{i:02d}", "", f"r{i}@example.com", "", "", "", "yes") for i in range(1, 4)]
    started = time.monotonic()
    result = send(tmp_path, server, rows, rate=120.0)  # one every 0.5 s
    assert len(result.sent) == 3
    # Three messages at 120/min need at least two gaps of half a second.
    assert time.monotonic() - started >= 1.0
