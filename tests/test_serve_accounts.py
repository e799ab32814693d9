"""`handouts serve --users`: staff sign in, sessions, and a limit on wrong passwords.

One server for the module, with one account, driven through Debian's
Chromium. The wrong-password test runs last: it locks sign-in from this
address for the rest of the window, as it should.
"""

from __future__ import annotations

import pytest
import serve_server
from serve_server import chromium  # noqa: F401 - the module's browser

from handouts.serve.auth import add_user

NAME, PASSWORD = "ana", "correct horse battery"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    folder = tmp_path_factory.mktemp("serve-accounts")
    add_user(folder / "staff.txt", NAME, PASSWORD)
    with serve_server.running(folder, "--users", "staff.txt") as server:
        yield server


@pytest.fixture
def page(chromium, served):
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def sign_in(page, served, password: str = PASSWORD, name: str = NAME) -> None:
    page.goto(served.url + "/login")
    page.fill("#user", name)
    page.fill("#password", password)
    with page.expect_navigation():
        page.click("button[type=submit]")


def test_every_page_needs_a_sign_in(page, served):
    for path in ("/desk", "/edit", "/audit", "/edit/panel?handout=stem-cell-knee"):
        page.goto(served.url + path)
        assert page.url == served.url + "/login", path
    posted = page.request.post(served.url + "/desk", form={"handout": "stem-cell-knee", "action": "preview"},
                               max_redirects=0)
    assert posted.status in (303, 403)


def test_a_server_without_email_makes_no_ledger_key(served):
    assert not list(served.folder.rglob("*.key")), "e-mail is off here: the desk's patient-id key is not needed"


def test_signing_in_and_out(page, served):
    sign_in(page, served)
    assert page.url == served.url + "/desk"
    assert "Signed in as ana" in page.inner_text("header")
    cookie = next(c for c in page.context.cookies() if c["name"] == "handouts_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    with page.expect_navigation():
        page.click("text=Sign out")
    assert page.url == served.url + "/login"
    page.goto(served.url + "/desk")
    assert page.url == served.url + "/login"


@pytest.mark.parametrize("width", [320, 1280])
def test_the_sign_in_page_passes_axe(page, served, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(served.url + "/login")
    assert serve_server.axe_violations(page) == []


def test_wrong_passwords_are_rate_limited(page, served):
    for _ in range(5):
        sign_in(page, served, password="not the password")
        assert "do not match" in page.inner_text("#result")
    sign_in(page, served)  # the right one, too late
    assert "Too many wrong passwords" in page.inner_text("#result")
    assert page.url == served.url + "/login"
    page.goto(served.url + "/desk")
    assert page.url == served.url + "/login"
    assert "not the password" not in served.log_text()
