"""The accessible HTML edition, built by the real CLI and loaded in a real headless Chromium.

axe-core (npm, tests/js) must report no WCAG 2.1 A or AA violation (nor a
skipped heading level) at 320 and 1024 px, the page must not scroll
sideways at 320 px, and broken copies of the file (a skipped heading level,
the logo's alt text removed) must make axe report them, so the check is
known to bite.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pdfplumber
import pytest
import yaml
from browser import Browser, print_to_pdf
from helpers import KNEE, assert_clean, invoke


class _Outline(HTMLParser):
    """Headings, images, lists, links and external references of an HTML file."""

    def __init__(self):
        super().__init__()
        self.headings: list[tuple[str, str]] = []
        self.images: list[dict] = []
        self.lists = 0
        self.lang = None
        self.external: list[str] = []
        self._heading: list[str] | None = None
        self._level = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        if re.fullmatch(r"h[1-6]", tag):
            self._heading, self._level = [], tag
        if tag == "img":
            self.images.append(attrs)
            if not str(attrs.get("src", "")).startswith("data:"):
                self.external.append(str(attrs.get("src")))
        if tag in ("ul", "ol"):
            self.lists += 1
        if tag in ("script", "iframe") or (tag == "link" and attrs.get("rel") == "stylesheet"):
            self.external.append(tag)

    def handle_endtag(self, tag):
        if tag == self._level and self._heading is not None:
            self.headings.append((tag, " ".join("".join(self._heading).split())))
            self._heading = None

    def handle_data(self, data):
        if self._heading is not None:
            self._heading.append(data)


def outline(path: Path) -> _Outline:
    parser = _Outline()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


@pytest.fixture(scope="module")
def edition(tmp_path_factory) -> Path:
    """`handouts build --format html` of the bundled handout, for a named patient."""
    target = tmp_path_factory.mktemp("html") / "knee.html"
    result = invoke(["build", "--format", "html", "-o", str(target), "--patient-name", "Ana <b>Díaz</b>"])
    assert_clean(result)
    assert result.exit_code == 0, result.output
    return target


@pytest.fixture(scope="module")
def browser():
    with Browser() as running:
        yield running


def test_default_output_name_is_the_handout_id(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke(["build", "--format", "html"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "stem-cell-knee.html").is_file()
    assert not (tmp_path / "stem-cell-knee.pdf").exists()


def test_one_self_contained_file_with_the_handouts_outline(edition, bundled):
    found = outline(edition)
    assert found.lang == bundled.language
    assert found.external == [], "the file must stand alone: no scripts, stylesheets or remote images"
    assert [text for level, text in found.headings if level == "h1"] == [bundled.title]
    # Sections as h2 in order, the risk disclosure a section with its own heading, last.
    assert [text for level, text in found.headings if level == "h2"] == [*bundled.section_titles,
                                                                         bundled.disclosure_title]
    levels = [int(level[1]) for level, _ in found.headings]
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:])), "a heading level is skipped"
    assert found.lists >= 5
    logo, knee, chart = found.images
    # The clinic's name is printed beside the logo: the logo is decoration, as in the PDF.
    assert logo.get("alt") == ""
    # The knee picture in "How the shots work", with its alt text, shrunk to the column by CSS.
    assert knee.get("alt", "").startswith("Drawing of two knees. In the healthy knee, a smooth layer of cartilage")
    assert (knee.get("class"), knee.get("width"), knee.get("height")) == ("picture", "1800", "900")
    # The call chart in "When to call for help".
    assert chart.get("alt", "").startswith("Chart with three rows. Top row, in red:")
    assert (chart.get("class"), chart.get("width"), chart.get("height")) == ("picture", "1800", "900")
    assert all(img["src"].startswith("data:image/png;base64,") for img in found.images)


def test_tables_are_named_by_their_title_with_column_and_row_headers(edition):
    text = edition.read_text(encoding="utf-8")
    assert '<th scope="col" role="columnheader">Choice</th>' in text
    assert '<th scope="row" role="rowheader"><strong>Steroid shot</strong></th>' in text
    # The region and the table are named by the heading before the table, not by its columns.
    title = re.search(r'<h3 id="(table-[^"]+)">Your choices side by side</h3>', text)
    assert title, "the table's title has no id"
    assert f'<div class="table-scroll" role="region" tabindex="0" aria-labelledby="{title.group(1)}">' in text
    assert f'<table role="table" aria-labelledby="{title.group(1)}">' in text


def test_a_box_is_not_a_quotation(edition):
    """A Markdown quote prints as a box: a point the handout makes (a Div in the PDF), not a blockquote."""
    text = edition.read_text(encoding="utf-8")
    assert "<blockquote" not in text
    assert re.search(r'<div class="callout">\s*<h3>The main points</h3>', text)


def test_at_320_px_table_rows_are_labelled_blocks_and_picture_labels_can_be_read(edition, browser):
    """A phone: no cell off-screen (rows stack, each cell after its column's name), and the knee
    picture, whose labels are 1/50 of its width, shown wide enough for them (it scrolls in its region)."""
    cells = ("[...document.querySelectorAll('table th, table td')].filter(c => c.offsetParent)"
             ".map(c => c.getBoundingClientRect().right)")
    label = "getComputedStyle(document.querySelector('.cell-label')).display"
    picture = ("(() => { const i = document.querySelector('img.picture'); "
               "return [i.getBoundingClientRect().width, i.naturalWidth, i.parentElement.clientWidth]; })()")
    browser.open(edition, 320)
    assert max(browser.evaluate(cells)) <= 320
    assert browser.evaluate(label) == "inline"
    assert browser.evaluate("document.querySelector('.table-scroll').scrollWidth"
                            " <= document.querySelector('.table-scroll').clientWidth")
    shown, natural, column = browser.evaluate(picture)
    assert shown >= 0.4 * natural and shown > 2 * column, (shown, natural, column)
    browser.open(edition, 1024)
    assert browser.evaluate(label) == "none"
    shown, natural, column = browser.evaluate(picture)
    assert shown <= column, "wider than 40rem, the picture fits the column"


def test_acknowledgment_says_how_to_sign_and_input_is_escaped(edition):
    text = edition.read_text(encoding="utf-8")
    disclosure = text[text.index('<section class="disclosure"'):]
    assert "How to sign" in disclosure
    assert "in person" in disclosure and "printed copy" in disclosure
    assert "Ana &lt;b&gt;Díaz&lt;/b&gt;" in text and "<b>Díaz" not in text


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self._href, self._text = dict(attrs).get("href", ""), []

    def handle_data(self, data):
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "a" and self._href is not None:
            self.links.append((self._href, "".join(self._text)))
            self._href = None


def test_phone_numbers_and_email_addresses_are_tel_and_mailto_links(edition):
    parser = _Links()
    parser.feed(edition.read_text(encoding="utf-8"))
    # The clinic's number (header), a number in a section's text, the clinic's address.
    assert ("tel:5550100199", "(555) 010-0199") in parser.links
    assert ("tel:18003321088", "1-800-332-1088") in parser.links
    assert ("mailto:frontdesk@maplegrove.example", "frontdesk@maplegrove.example") in parser.links
    assert all(href.startswith(("https://", "http://", "mailto:", "tel:")) for href, _ in parser.links)


def test_printed_the_consent_starts_a_page_and_is_signed_on_one_with_its_lines(edition, tmp_path, bundled):
    disclosure = yaml.safe_load((KNEE / "sections" / "risk-disclosure.yaml").read_text(encoding="utf-8"))
    printed = tmp_path / "printed.pdf"
    print_to_pdf(edition, printed)
    with pdfplumber.open(printed) as pdf:
        texts = [page.extract_text() or "" for page in pdf.pages]
        start = next(index for index, text in enumerate(texts) if bundled.disclosure_title in text)
        # Under the running header (title, version, patient: as written), the disclosure's title comes first.
        for text in texts[start:]:
            assert text.startswith(f"{bundled.title} · Version {bundled.version} · Patient: Ana <b>Díaz</b>"), text
        assert texts[start].splitlines()[1] == bundled.disclosure_title
        # The page the patient signs: the lines the clinic fills in, the
        # acknowledgment and both signatures, with a rule to write on for each.
        signed = next(index for index, text in enumerate(texts) if "Patient signature" in text)
        assert signed >= start
        text = " ".join(texts[signed].split())
        opening = " ".join(disclosure["acknowledgment"].split()[:2])
        for label in [*disclosure["fill_in"], opening, "Provider signature", "Date", "Printed name:"]:
            assert label in text, label
        page = pdf.pages[signed]
        rules = [r for r in page.rects if r["height"] < 2 and r["width"] > 60 and r["top"] > 72]
        # Three fill-in lines, two signature and two date lines, a printed-name line for the provider.
        assert len(rules) >= len(disclosure["fill_in"]) + 5, rules


def test_on_screen_the_lines_to_sign_are_not_shown(edition, browser):
    browser.open(edition, 1024)
    shown = browser.evaluate("[...document.querySelectorAll('.print-only')].map(e => e.offsetParent !== null)")
    assert shown and not any(shown)
    assert browser.evaluate("document.querySelector('.how-to-sign').offsetParent !== null")
def test_the_decision_shows_two_boxes_to_mark_with_the_handouts_words(edition, browser):
    from handouts.fill.catalog import messages
    from helpers import KNEE

    decision = yaml.safe_load((KNEE / "sections" / "risk-disclosure.yaml").read_text(encoding="utf-8"))["decision"]
    text = edition.read_text(encoding="utf-8")
    disclosure = text[text.index('<section class="disclosure"'):]
    assert messages("en")["change_mind"] in disclosure
    browser.open(edition, 1024)
    # Each box a bordered square (it prints: borders are not backgrounds), before its words.
    boxes = browser.evaluate("""[...document.querySelectorAll('ul.choices li')].map(li => {
        const box = li.querySelector('.box'), style = getComputedStyle(box);
        const a = box.getBoundingClientRect(), t = li.getBoundingClientRect();
        return [li.textContent.trim(), Math.round(a.width), Math.round(a.height),
                parseFloat(style.borderTopWidth), style.borderTopStyle, a.right <= t.left + a.width + 1];
    })""")
    assert [b[0] for b in boxes] == [decision[True], decision[False]]
    assert all(b[1] == b[2] >= 16 and b[3] >= 2 and b[4] == "solid" and b[5] for b in boxes), boxes
    for label in decision["fill_in"]:
        assert f"<li>{label}</li>" in disclosure


@pytest.mark.parametrize("width", [320, 1024])
def test_axe_finds_no_wcag_violation_in_chromium(edition, browser, width):
    browser.open(edition, width)
    assert browser.axe_violations() == []
    scroll, viewport = browser.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert viewport == width
    assert scroll <= viewport, f"scrolls sideways at {width} px ({scroll} px wide)"


BREAKAGES = {
    "skipped-heading-level": (lambda html: html.replace("<h3>", "<h4>", 1).replace("</h3>", "</h4>", 1),
                              "heading-order"),
    "logo-alt-removed": (lambda html: re.sub(r'(<img src="data:[^"]*") alt="[^"]*"', r"\1", html, count=1),
                         "image-alt"),
    "low-contrast-text": (lambda html: html.replace("color: #1a1a1a;", "color: #bbbbbb;", 1), "color-contrast"),
}


@pytest.mark.parametrize("name", BREAKAGES)
def test_axe_reports_a_broken_copy(edition, browser, tmp_path, name):
    breaks, rule = BREAKAGES[name]
    html = edition.read_text(encoding="utf-8")
    broken = breaks(html)
    assert broken != html, "the breakage did not apply"
    path = tmp_path / f"{name}.html"
    path.write_text(broken, encoding="utf-8")
    browser.open(path, 1024)
    assert rule in {v["id"] for v in browser.axe_violations()}


def test_a_clinic_overrides_the_template_beside_its_handout(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert invoke(["init", "clinic"]).exit_code == 0
    (tmp_path / "clinic" / "html").mkdir()
    (tmp_path / "clinic" / "html" / "handout.html").write_text(
        '<!DOCTYPE html><html lang="{{ handout.language }}"><title>{{ handout.title }}</title>'
        "<h1>Ours: {{ handout.title }}</h1>{{ '<i>' }}</html>\n", encoding="utf-8")
    result = invoke(["build", "clinic", "--format", "html", "-o", "out.html"])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "out.html").read_text(encoding="utf-8")
    assert "<h1>Ours: Stem-Cell Shots for Knee Arthritis</h1>" in text
    assert "&lt;i&gt;" in text  # autoescape holds in a clinic's template too


def test_unknown_format_is_a_usage_error():
    result = invoke(["build", "--format", "docx"])
    assert result.exit_code == 2


def test_batch_writes_both_editions_per_provider_and_lists_both(tmp_path):
    import hashlib
    import json

    from helpers import DEMO_ROSTER

    out = tmp_path / "out"
    args = ["-q", "batch", "--providers", str(DEMO_ROSTER), "-d", str(out), "-j", "2", "--format", "pdf,html",
            "--only", "dr-nunez", "--only", "dr-odegaard"]
    result = invoke(args)
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "stem-cell-knee.manifest.json").read_text(encoding="utf-8"))
    documents = {d["provider"]: d for d in manifest["documents"]}
    assert sorted(documents) == ["dr-nunez", "dr-odegaard"]
    for pid, entry in documents.items():
        for described, suffix in ((entry, ".pdf"), (entry["html"], ".html")):
            path = out / described["file"]
            assert path.name == f"stem-cell-knee--{pid}{suffix}"
            assert hashlib.sha256(path.read_bytes()).hexdigest() == described["sha256"]
            assert path.stat().st_size == described["bytes"]
        assert entry["pages"] > 1
    assert "Søren Ødegård" in (out / "stem-cell-knee--dr-odegaard.html").read_text(encoding="utf-8")
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["stem-cell-knee.manifest.json"] + [f"stem-cell-knee--{pid}{s}" for pid in documents for s in (".pdf", ".html")])
    # A lost HTML file is rebuilt; the rest is kept.
    (out / "stem-cell-knee--dr-nunez.html").unlink()
    again = invoke(args)
    assert again.exit_code == 0
    assert "built 1, unchanged 1" in again.output
    assert (out / "stem-cell-knee--dr-nunez.html").is_file()


def test_batch_html_only_and_a_bad_format(tmp_path):
    import json

    from helpers import DEMO_ROSTER

    out = tmp_path / "out"
    result = invoke(["-q", "batch", "--providers", str(DEMO_ROSTER), "-d", str(out), "-j", "1",
                     "--format", "html", "--only", "dr-nunez"])
    assert result.exit_code == 0, result.output
    entry = json.loads((out / "stem-cell-knee.manifest.json").read_text(encoding="utf-8"))["documents"][0]
    assert entry["file"] == "stem-cell-knee--dr-nunez.html" and "pages" not in entry
    assert not list(out.glob("*.pdf"))
    bad = invoke(["batch", "--providers", str(DEMO_ROSTER), "-d", str(tmp_path / "x"), "--format", "pdf,docx"])
    assert bad.exit_code == 2
    assert not (tmp_path / "x").exists()


@pytest.fixture(scope="module")
def email_bodies(tmp_path_factory) -> dict[str, Path]:
    """The HTML bodies of a dry-run `email`: one patient sent unencrypted, one with a password."""
    from email import message_from_bytes
    from email.policy import default

    from helpers import DEMO_ROSTER

    from handouts.deliver.email.mailing import send_handouts

    folder = tmp_path_factory.mktemp("email-html")
    patients = folder / "patients.csv"
    patients.write_text("id,name,email,provider,password,unencrypted_ok\n"
                        "p01,Ana Díaz,ana@example.com,dr-nunez,,yes\n"
                        "p02,Bo Lee,bo@example.com,,tulip-42,\n", encoding="utf-8")
    send_handouts(patients=patients, providers=DEMO_ROSTER, send=False, outbox=folder / "outbox", jobs=1)
    bodies = {}
    for eml in sorted((folder / "outbox").glob("*.eml")):
        message = message_from_bytes(eml.read_bytes(), policy=default)
        kind = "plain" if message["To"] == "ana@example.com" else "protected"
        path = folder / f"{kind}.html"
        path.write_text(message.get_body(("html",)).get_content(), encoding="utf-8")
        bodies[kind] = path
    assert sorted(bodies) == ["plain", "protected"]
    return bodies


def test_an_email_body_is_the_html_edition_with_the_letter_first(email_bodies, edition, bundled):
    found = outline(email_bodies["plain"])
    assert found.lang == bundled.language and found.external == []
    assert [text for level, text in found.headings if level == "h1"] == [bundled.title]
    assert [text for level, text in found.headings if level == "h2"] == ["To reach us", *bundled.section_titles,
                                                                         bundled.disclosure_title]
    body = email_bodies["plain"].read_text(encoding="utf-8")
    assert body.index("Dear Ana Díaz,") < body.index(f'<h2 id="section-1">{bundled.section_titles[0]}</h2>')
    assert "also below, to read on screen" in body
    # The edition's page and styles, not a second look to keep in step.
    style = edition.read_text(encoding="utf-8").split("<style>")[1].split("</style>")[0]
    assert style in body


def test_a_protected_attachment_keeps_the_handout_out_of_the_body(email_bodies, bundled):
    found = outline(email_bodies["protected"])
    assert [text for level, text in found.headings if level == "h2"] == ["To reach us"]
    body = email_bodies["protected"].read_text(encoding="utf-8")
    assert "protected with a password" in body
    assert bundled.disclosure_title not in body and "tulip-42" not in body


@pytest.mark.parametrize("kind", ["plain", "protected"])
def test_axe_finds_no_wcag_violation_in_an_email_body(email_bodies, browser, kind):
    browser.open(email_bodies[kind], 320)
    assert browser.axe_violations() == []
    scroll, viewport = browser.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll <= viewport, f"the e-mail body scrolls sideways at 320 px ({scroll} px wide)"


def test_a_broken_clinic_html_template_is_an_input_error_naming_its_line(bundled_copy, tmp_path):
    (bundled_copy / "html").mkdir()
    (bundled_copy / "html" / "content.html").write_text("<p>\n{{ handout.nope.x }}</p>\n", encoding="utf-8")
    result = invoke(["build", str(bundled_copy), "--format", "html", "-o", str(tmp_path / "x.html")])
    assert result.exit_code == 1, result.output
    assert "content.html:2: HTML template error:" in result.output
    assert not (tmp_path / "x.html").exists()
