"""Links: only http, https, mailto (one address, nothing after it) and tel, in every edition.

A section body holding links of every kind is built as a PDF and as the HTML
edition; each link annotation in the PDF and each `href` in the HTML is read
back and must be one the rules allow, and lint reports every one they do not.
The brand's home link and e-mail address become links too (the HTML edition's
header, the e-mail body): they are refused when the brand is loaded.
"""

from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pikepdf
import pytest
from helpers import DATA, invoke

BASE = Path(__file__).parent / "hostile" / "base"

GOOD = ["https://example.org/study", "http://example.org/a?b=c", "mailto:desk@clinic.example", "tel:+1-555-010-0199",
        "HTTPS://EXAMPLE.ORG/UPPER", "mailto:jos%C3%A9@example.com"]
BAD = ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "mailto:x@y.example?bcc=evil@attacker.example",
       "mailto:x@y.example,evil@attacker.example", "mailto:?to=evil@attacker.example", "data:text/html,<b>x</b>",
       "vbscript:msgbox(1)", "file:///etc/passwd", "tel:javascript:alert(1)", "https://", "mailto:not-an-address",
       "mailto:x%3Fbcc=evil@attacker.example"]


def allowed(url: str) -> bool:
    """The rule, written out independently of the code under test."""
    lower = url.lower()
    if lower.startswith(("http://", "https://")):
        return bool(re.match(r"^https?://[^/?#\s@]+", url, re.I))
    if lower.startswith("mailto:"):
        address = unquote(url[7:])
        return bool(re.fullmatch(r"[^@?#&,;%\s]+@[^@?#&,;%\s]+\.[^@?#&,;%\s]+", address))
    if lower.startswith("tel:"):
        return bool(re.fullmatch(r"\+?[0-9().\- ]+", unquote(url[4:])))
    return False


def test_the_test_rule_sorts_the_samples():
    assert all(allowed(u) for u in GOOD) and not any(allowed(u) for u in BAD)


@pytest.fixture(scope="module")
def linked(tmp_path_factory):
    """The base project with a section of every link, built as PDF and HTML, and linted."""
    folder = tmp_path_factory.mktemp("links") / "proj"
    shutil.copytree(BASE, folder)
    shutil.copy2(DATA / "brands" / "demo" / "logo.png", folder / "logo.png")
    lines = [f"- Link {n}: [link number {n}]({url})" for n, url in enumerate(GOOD + BAD)]
    body = "\n".join(["Every kind of link:", "", *lines])
    (folder / "sections" / "one.yaml").write_text(
        "kind: how_it_works\ntitle: How it works\nbody: |\n" + "".join(f"  {line}\n" for line in body.split("\n")),
        encoding="utf-8")
    pdf, html = folder.parent / "out.pdf", folder.parent / "out.html"
    built = [invoke(["build", str(folder), "-o", str(pdf), "--allow-lint-errors"]),
             invoke(["build", str(folder), "-o", str(html), "--format", "html", "--allow-lint-errors"])]
    for result in built:
        assert result.exit_code == 0, result.stderr
    lint = invoke(["lint", str(folder), "--format", "json", "--no-cache"])
    return pdf, html, json.loads(lint.stdout)


def pdf_links(path: Path) -> list[str]:
    with pikepdf.open(path) as pdf:
        return [str(a.A.URI) for page in pdf.pages for a in page.get("/Annots", [])
                if a.get("/Subtype") == "/Link" and "/A" in a and "/URI" in a.A]


class _Hrefs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.hrefs += [value for name, value in attrs if name in ("href", "src", "action", "formaction")
                       and tag != "img"]


def html_links(path: Path) -> list[str]:
    parser = _Hrefs()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.hrefs


def test_pdf_link_annotations_are_only_the_allowed_links(linked):
    pdf, _, _ = linked
    uris = pdf_links(pdf)
    assert [u for u in uris if not allowed(u)] == []
    for good in GOOD:
        assert any(u.lower() == good.lower() for u in uris), (good, uris)


def test_html_edition_links_are_only_the_allowed_links(linked):
    _, html, _ = linked
    hrefs = html_links(html)
    assert [h for h in hrefs if not allowed(h)] == []
    assert len([h for h in hrefs if h.startswith(("mailto:desk", "tel:", "https://example.org/study"))]) >= 3
    text = html.read_text(encoding="utf-8")
    for n in range(len(GOOD), len(GOOD) + len(BAD)):
        assert f"link number {n}" in text  # dropped to its text, not removed


def test_lint_reports_every_link_the_rules_refuse(linked):
    _, _, findings = linked
    bad = [f for f in findings if f["code"] == "bad-link"]
    # The body starts on one.yaml's line 4; link n is on line 6 + n.
    expected = {6 + n for n in range(len(GOOD), len(GOOD) + len(BAD))}
    assert all(f["path"].endswith("one.yaml") for f in bad), bad
    assert sorted(f["line"] for f in bad) == sorted(expected), [(f["line"], f["message"]) for f in bad]


def test_a_refused_home_link_never_becomes_a_live_link(tmp_path):
    folder = tmp_path / "proj"
    shutil.copytree(BASE, folder)
    shutil.copy2(DATA / "brands" / "demo" / "logo.png", folder / "logo.png")
    brand = folder / "brand.yml"
    brand.write_text(brand.read_text(encoding="utf-8").replace("link: https://clinic.example",
                                                               'link:\n    home: "javascript:alert(document.domain)"'),
                     encoding="utf-8")
    for args in (["build", str(folder), "-o", str(tmp_path / "x.pdf")],
                 ["build", str(folder), "-o", str(tmp_path / "x.html"), "--format", "html"],
                 ["lint", str(folder), "--no-cache"]):
        result = invoke(args)
        assert result.exit_code == 1, result.stderr
        shown = result.stderr + result.stdout
        assert "brand.yml:4: " in shown and "'meta.link.home' must start with https://" in shown, shown
    assert not list(tmp_path.glob("x.*"))
