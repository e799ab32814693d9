"""`handouts build` with no arguments: the bundled stem-cell knee handout.

The PDF is built once per session (the `default_build` fixture, in an empty
folder that is the working directory) and opened here: text, order of the
sections, the risk-disclosure page, footers, metadata, outline and fonts.
The expected titles are read from the bundled YAML files, not copied.
"""

from __future__ import annotations

import datetime as dt

from pathlib import Path

import pdfcheck
import pytest
from helpers import assert_clean

import handouts


def heading(built, title: str) -> pdfcheck.Line:
    """The line that is exactly this section title, set larger than body text."""
    found = [ln for ln in built.lines if ln.text == title and ln.size > built.body_size]
    assert len(found) == 1, f"heading {title!r} found {len(found)} times: {found}"
    return found[0]


# --- the command itself ---------------------------------------------------

def test_build_without_arguments_succeeds_and_prints_the_path(default_build):
    result = default_build.result
    assert_clean(result)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    printed = result.stdout.strip()
    assert printed.endswith("stem-cell-knee.pdf")
    assert Path(printed).resolve() == default_build.pdf.resolve()


def test_build_writes_only_the_pdf_into_the_working_folder(default_build):
    assert default_build.before == {}
    assert list(default_build.after) == ["stem-cell-knee.pdf"], "stray files (a .part?) were left"
    assert default_build.pdf.read_bytes().startswith(b"%PDF-")


# --- content and order ----------------------------------------------------

def test_every_section_title_is_printed(built, bundled):
    text = " ".join(built.texts)
    for title in [*bundled.section_titles, bundled.disclosure_title]:
        assert title in text


def test_sections_print_in_manifest_order(built, bundled):
    positions = [(h.page, h.top) for h in (heading(built, t) for t in bundled.section_titles)]
    assert positions == sorted(positions)


def test_risk_disclosure_comes_after_every_section(built, bundled):
    disclosure = heading(built, bundled.disclosure_title)
    for title in bundled.section_titles:
        assert heading(built, title).page < disclosure.page, f"{title!r} is not before the disclosure page"


def test_risk_disclosure_is_on_the_last_pages(built, bundled):
    disclosure = heading(built, bundled.disclosure_title)
    pages = len(built.reader.pages)
    # The disclosure and its signature block fit in three pages (12 pt on letter's 5.3 in measure).
    assert disclosure.page >= pages - 3
    later_headings = [ln for ln in built.lines if ln.page >= disclosure.page and ln.text in bundled.section_titles]
    assert later_headings == []


def test_risk_disclosure_starts_a_new_page(built, bundled):
    disclosure = heading(built, bundled.disclosure_title)
    assert disclosure.top < disclosure.page_height * 0.25, "the disclosure title is not at the top of its page"
    above = [ln for ln in built.lines if ln.page == disclosure.page and ln.top < disclosure.top]
    # Only the consent's running header (title and version) may sit above it.
    assert [ln.text for ln in above] == [f"{bundled.title} \u00b7 Version 1.0"], \
        f"text printed above the disclosure title: {above}"


def test_signature_lines_are_on_the_last_page(built):
    last = built.texts[-1]
    assert "Patient signature" in last
    assert "Provider signature" in last
    assert "Printed name:" in last


def test_default_handout_has_no_patient_or_provider_line(built):
    assert "Prepared for" not in built.texts[0]
    assert "Your provider" not in built.texts[0]


# --- footers ----------------------------------------------------------------

def test_page_one_says_page_1_of_n(built):
    pages = len(built.reader.pages)
    assert pages >= 3
    assert f"Page 1 of {pages}" in built.texts[0]


def test_every_page_has_the_footer(built, bundled):
    pages = len(built.reader.pages)
    for index, text in enumerate(built.texts):
        assert bundled.clinic in text, f"page {index + 1}"
        assert bundled.id in text, f"page {index + 1}"
        assert f"version {bundled.version}" in text, f"page {index + 1}"
        # The review date written out, as the English catalogue has it.
        written = dt.date.fromisoformat(bundled.reviewed).strftime("%B %-d, %Y")
        assert f"Reviewed {written}" in text, f"page {index + 1}"
        assert f"Page {index + 1} of {pages}" in text, f"page {index + 1}"


def test_footer_sits_at_the_bottom_of_every_page(built, bundled):
    pages = len(built.reader.pages)
    for index in range(pages):
        bottom = [ln.text for ln in built.lines if ln.page == index and ln.top > ln.page_height * 0.85]
        joined = " ".join(bottom)
        assert f"Page {index + 1} of {pages}" in joined, f"page {index + 1}: {bottom}"
        assert f"{bundled.id} version {bundled.version}" in joined, f"page {index + 1}: {bottom}"


def test_footer_names_the_demo_clinic(bundled):
    # The demo brand's clinic, as the issue names it.
    assert bundled.clinic == "Maple Grove Joint Clinic"


# --- metadata ---------------------------------------------------------------

@pytest.mark.parametrize(("key", "expected"), [
    ("/Title", lambda b: b.title),
    ("/Author", lambda b: b.clinic),
    ("/Subject", lambda b: b.subtitle),
    ("/Creator", lambda b: f"handouts {handouts.__version__}"),
], ids=["title", "author", "subject", "creator"])
def test_metadata(built, bundled, key, expected):
    assert built.reader.metadata[key] == expected(bundled)


def test_document_language(built, bundled):
    assert built.reader.trailer["/Root"]["/Lang"] == bundled.language == "en"


# --- outline ----------------------------------------------------------------

def test_outline_lists_every_section_then_the_disclosure(built, bundled):
    assert pdfcheck.outline_titles(built.reader) == [*bundled.section_titles, bundled.disclosure_title]


def test_outline_entries_point_at_their_headings(built, bundled):
    for title, page in pdfcheck.outline_pages(built.reader):
        assert page == heading(built, title).page, f"bookmark {title!r} points at page {page + 1}"


# --- fonts ------------------------------------------------------------------

def test_every_font_is_embedded_truetype(built):
    fonts = pdfcheck.all_fonts(built.reader)
    assert fonts, "no fonts found at all"
    assert any("form" in use.where for use in fonts), "the footer's page-total form was not walked"
    assert pdfcheck.font_problems(built.reader) == []


def test_no_base14_font_name_anywhere_in_the_file(built):
    # Belt and braces: the font dictionaries are not compressed, so a
    # base-14 /BaseFont would show in the raw bytes.
    raw = built.pdf.read_bytes()
    for name in pdfcheck.BASE14:
        assert f"/BaseFont /{name}".encode() not in raw
        assert f"/BaseFont/{name}".encode() not in raw
