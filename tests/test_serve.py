"""`handouts serve` on loopback, used through Debian's Chromium as the front desk and an editor would.

One server for the module (started for real, `python -m handouts serve`, in
a folder of its own), with this module's CUPS scheduler and cups-pdf queue
and an aiosmtpd server: a print is read back from the PDF the queue makes,
an e-mail is found at the SMTP server, a save is seen in the editor page.
"""

from __future__ import annotations

import re
import subprocess
import time
import uuid

import cupsd
import pytest
from cupsd import cups  # noqa: F401 - the module's scheduler
import serve_server
from serve_server import chromium  # noqa: F401 - the module's browser
from helpers import invoke
from smtp_server import start_server

PATIENT = "Zelda Quintanilla-Prueba"


@pytest.fixture(scope="module")
def smtp(tmp_path_factory):
    server = start_server(tmp_path_factory.mktemp("smtp"), tls="none")
    try:
        yield server
    finally:
        server.controller.stop()


@pytest.fixture(scope="module")
def served(tmp_path_factory, cups, smtp):
    folder = tmp_path_factory.mktemp("serve")
    assert invoke(["init", str(folder / "my-clinic")]).exit_code == 0
    # Its cache in its own folder, which the canary test reads with every other file the server wrote.
    env = {**cups.env(), **smtp.env(), "HANDOUTS_CACHE_DIR": str(folder / "cache")}
    with serve_server.running(folder, "my-clinic", env=env) as server:
        yield server


@pytest.fixture
def page(chromium, served):
    """A fresh browser context (no cookies); every address it asks for is kept in `page.urls`."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.urls = []
    page.dialogs = []
    page.on("request", lambda request: page.urls.append(request.url))
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(served.url + "/desk")
    yield page
    context.close()


def result_text(page) -> str:
    return " ".join(page.inner_text("#result").split())


def pdf_text(path) -> str:
    done = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return " ".join(done.stdout.split())


def pdf_pages(path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def audit_lines(served) -> list[str]:
    result = invoke(["serve", "--audit", "--audit-log", str(served.folder / "handouts-audit.sqlite")])
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()


def test_print_a_large_print_spanish_copy_for_a_named_patient(page, served, cups, tmp_path):
    page.select_option("#language", "es")
    page.check("#large_print")
    page.fill("#patient_name", PATIENT)
    page.select_option("#provider", "dr-nunez")
    page.select_option("#printer", cupsd.QUEUE)
    page.click("button[value=print]")
    said = result_text(page)
    job = re.search(rf"job ({cupsd.QUEUE}-\d+)", said)
    assert job, said
    assert "large print" in said and "Spanish" in said and PATIENT in said
    printed = cups.wait_for_pdf(job.group(1))
    text = pdf_text(printed)
    assert PATIENT in text  # under the signature line
    assert "Riesgos y su consentimiento" in text  # the Spanish edition
    built = tmp_path / "same.pdf"
    assert invoke(["build", str(served.folder / "my-clinic"), "-o", str(built), "--language", "es", "--layout",
                   "large-print", "--patient-name", PATIENT, "--provider", "dr-nunez"]).exit_code == 0
    assert pdf_pages(printed) == pdf_pages(built)
    # The queue knows the handout, never the patient.
    number = job.group(1).rsplit("-", 1)[1]
    assert [row[1] for row in cups.page_log() if row[0] == number] == ["stem-cell-knee version 1.0"]
    row = next(line for line in audit_lines(served) if job.group(1) in line)
    assert "\tprint\tok\tstem-cell-knee 1.0 large-print/es" in row and f"printer {cupsd.QUEUE}" in row


def test_email_goes_once_however_often_it_is_clicked(page, served, smtp):
    address = f"patient-{uuid.uuid4().hex[:8]}@example.com"
    page.fill("#patient_name", PATIENT)
    page.fill("#email", address)
    page.check("#unencrypted_ok")
    page.click("button[value=email]")
    said = result_text(page)
    assert said.startswith("E-mailed stem-cell-knee version 1.0") and "ledger row" in said, said
    assert len(smtp.handler.to(address)) == 1
    message = smtp.handler.to(address)[0].message
    attached = [part for part in message.iter_attachments() if part.get_filename() == "stem-cell-knee.pdf"]
    assert len(attached) == 1
    # Again, as the page now stands (the form kept its values); then a double click.
    page.click("button[value=email]")
    assert result_text(page).startswith("Not sent again"), result_text(page)
    page.dblclick("button[value=email]")
    serve_server.settle(page)
    time.sleep(1)  # a second request, if one were made, would have reached the server by now
    assert len(smtp.handler.to(address)) == 1
    rows = [line for line in audit_lines(served) if "\temail\t" in line]
    assert any("\temail\tsent\t" in line and "ledger row" in line for line in rows)
    assert any("\temail\tskipped\t" in line for line in rows)


def test_email_needs_a_password_or_the_patients_consent(page, smtp):
    address = f"patient-{uuid.uuid4().hex[:8]}@example.com"
    page.fill("#email", address)
    page.click("button[value=email]")
    assert "not agreed to unencrypted e-mail" in result_text(page)
    page.fill("#password", "tulip-42-river")
    page.click("button[value=email]")
    said = result_text(page)
    assert "password-protected" in said, said
    attachment = next(smtp.handler.to(address)[0].message.iter_attachments())
    assert b"/Encrypt" in attachment.get_content()


def test_editor_follows_a_save_without_a_reload(page, served):
    section = served.folder / "my-clinic" / "sections" / "benefits.yaml"
    original = section.read_text(encoding="utf-8")
    page.goto(served.url + "/edit?handout=my-clinic")
    page.evaluate("window.stillTheSamePage = true")
    assert "0 errors" in page.inner_text("#findings-heading")
    pictures = page.eval_on_selector_all(".drafts img", "images => images.map(i => i.src)")
    try:
        section.write_text(original.replace("### What might the shots do?",
                                            "### What might the shots do?\n  It is a guaranteed cure."), "utf-8")
        serve_server.wait_until(lambda: "0 errors" not in page.inner_text("#findings-heading"))
        findings = page.inner_text(".findings-list")
        assert "sections/benefits.yaml:5" in findings and "claim" in findings and "guaranteed" in findings
        serve_server.wait_until(lambda: page.eval_on_selector_all(".drafts img", "i => i.map(x => x.src)") != pictures)
        assert page.evaluate("window.stillTheSamePage") is True
        # A broken file: its problem where the pages were, never an empty panel.
        section.write_text("kind: benefits\ntitle: [unclosed\n", "utf-8")
        serve_server.wait_until(lambda: page.query_selector(".drafts .problems"))
        assert "benefits.yaml:3" in page.inner_text(".drafts .problems")
        assert "Traceback" not in page.content()
    finally:
        section.write_text(original, "utf-8")
    serve_server.wait_until(lambda: "0 errors" in page.inner_text("#findings-heading"))


@pytest.mark.parametrize("width", [320, 1280])
def test_every_page_passes_axe_and_reflows(page, served, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.fill("#patient_name", PATIENT)
    page.click("button[value=preview]")  # the desk with a result and its pages
    checked = {"/desk (preview)": serve_server.axe_violations(page)}
    wider = {"/desk (preview)": page.evaluate("document.documentElement.scrollWidth")}
    for path in ("/desk", "/edit", "/audit"):
        page.goto(served.url + path)
        checked[path] = serve_server.axe_violations(page)
        wider[path] = page.evaluate("document.documentElement.scrollWidth")
    assert checked == {path: [] for path in checked}
    # WCAG 1.4.10: nothing makes the page scroll sideways (the audit table scrolls in its own box).
    assert wider == {path: width for path in wider}


def tab_to(page, element_id: str, presses: int = 80) -> None:
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
    raise AssertionError(f"Tab never reached #{element_id}")


def test_the_whole_front_desk_with_the_keyboard_alone(page, cups):
    tab_to(page, "q")
    page.keyboard.type("knee")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # search
    tab_to(page, "provider")
    page.keyboard.press("ArrowDown")  # the first provider
    tab_to(page, "language")
    page.keyboard.press("ArrowDown")  # Spanish
    tab_to(page, "large_print")
    page.keyboard.press("Space")
    tab_to(page, "patient_name")
    page.keyboard.type(PATIENT)
    with page.expect_navigation():
        page.keyboard.press("Enter")  # the form's first button: Preview
    assert page.evaluate("document.activeElement.id") == "result"  # the result is where focus lands
    assert "Preview of" in result_text(page) and "large print" in result_text(page)
    tab_to(page, "copies")
    page.keyboard.press("ArrowUp")  # 2 copies
    tab_to(page, "print-button")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    said = result_text(page)
    job = re.search(rf"job ({cupsd.QUEUE}-\d+)", said)
    assert job and "Printed 2 copies" in said, said
    assert PATIENT in pdf_text(cups.wait_for_pdf(job.group(1)))


def test_a_patient_name_holding_markup_is_shown_as_typed(page):
    name = "<script>window.pwned = 1</script><img src=x onerror=alert(1)> Ana"
    page.fill("#patient_name", name)
    page.click("button[value=preview]")
    assert f"for {name}." in result_text(page)
    assert page.input_value("#patient_name") == name
    assert page.evaluate("window.pwned") is None and page.dialogs == []
    assert page.query_selector("main img[src='x']") is None


def test_a_form_without_its_token_is_refused(page, served):
    posted = page.request.post(served.url + "/desk", form={"handout": "my-clinic", "action": "preview",
                                                          "patient_name": PATIENT})
    assert posted.status == 403 and PATIENT not in posted.text()
    token = page.get_attribute("input[name=csrf]", "value")
    wrong = page.request.post(served.url + "/desk", form={"handout": "my-clinic", "action": "preview",
                                                         "csrf": token[:-2] + "xx"})
    assert wrong.status == 403
    elsewhere = page.request.post(served.url + "/desk", form={"handout": "my-clinic", "action": "preview",
                                                             "csrf": token}, headers={"Origin": "https://evil.example"})
    assert elsewhere.status == 403
    # A page asked for under another host name (DNS rebinding) is refused too.
    rebound = page.request.get(served.url + "/desk", headers={"Host": "attacker.example"})
    assert rebound.status == 400


def test_answers_carry_the_security_headers(page, served):
    answer = page.request.get(served.url + "/desk")
    headers = answer.headers
    assert "script-src 'self'" in headers["content-security-policy"]
    assert "unsafe-inline" not in headers["content-security-policy"]
    assert headers["cache-control"] == "no-store"
    assert headers["x-frame-options"] == "DENY"
    cookie = next(c for c in page.context.cookies() if c["name"] == "handouts_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"


def test_a_canary_name_is_in_no_log_address_audit_row_or_file(page, served, smtp):
    canary = f"Canary{uuid.uuid4().hex[:10]} Testpatient"
    page.fill("#patient_name", canary)
    page.click("button[value=preview]")
    assert canary in result_text(page)
    page.select_option("#printer", cupsd.QUEUE)
    page.click("button[value=print]")
    assert "Printed 1 copy" in result_text(page)
    page.fill("#email", f"canary-{uuid.uuid4().hex[:8]}@example.com")
    page.check("#unencrypted_ok")
    page.click("button[value=email]")
    assert "E-mailed" in result_text(page)
    with page.expect_download() as download:
        page.click("button[value=download]")
    assert download.value.suggested_filename == "stem-cell-knee.pdf"
    page.fill("#patient_name", canary + "\u0007")  # refused: a control character
    page.click("button[value=preview]")
    assert "control character" in result_text(page)
    time.sleep(0.5)
    assert (served.folder / "email-ledger.sqlite.key").stat().st_mode & 0o777 == 0o600  # e-mail is on here
    assert list((served.folder / "cache").glob("build-*.json")), "the server kept no cache: none was read below"
    for word in (canary, canary.split()[0]):
        assert not any(word in url or word.replace(" ", "+") in url for url in page.urls)
        assert word not in served.log_text()
        for path in served.folder.rglob("*"):
            if path.is_file():
                assert word.encode() not in path.read_bytes(), path
        assert not any(word in line for line in audit_lines(served))
