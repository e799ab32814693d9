"""Message catalogues: the fixed text around the content, one YAML file per language.

A clinic changes or adds a language with files in `messages/` beside its
handout, never with code; the PDFs written are opened to see the result.
"""

from __future__ import annotations

import datetime as dt
import re

import pdfcheck
from helpers import assert_clean, invoke

from handouts.fill.catalog import KEYS, messages


def test_every_bundled_catalogue_gives_every_key_in_its_own_words():
    english, spanish = messages("en"), messages("es")
    assert set(english) == set(spanish) == set(KEYS)
    same = [k for k in KEYS if english[k] == spanish[k] and "{" not in english[k].strip("{}")]
    assert same == ["email_signoff"]  # only "{clinic}" is the same in both


def test_dates_are_written_in_the_language():
    day = dt.date(2026, 11, 1)
    assert messages("en").date(day) == "November 1, 2026"
    assert messages("es").date(day) == "1 de noviembre de 2026"
    assert messages("es-MX").date(day) == "1 de noviembre de 2026"


def test_a_clinic_catalogue_changes_a_label(minimal_project, tmp_path):
    folder = minimal_project / "messages"
    folder.mkdir()
    (folder / "en.yaml").write_text('printed_name: "Name (print):"\npage: "p. {page}/{pages}"\n', encoding="utf-8")
    out = tmp_path / "out.pdf"
    result = invoke(["build", str(minimal_project), "-o", str(out)])
    assert_clean(result)
    assert result.exit_code == 0, result.output
    texts = pdfcheck.page_texts(out)
    assert "Name (print):" in texts[-1] and "Printed name" not in texts[-1]
    # The total is a form drawn after the label; extractors may put a space before it.
    assert re.search(r"p\. 1/ ?2", texts[0]) and re.search(r"p\. 2/ ?2", texts[1])
    assert "Patient signature" in texts[-1]  # keys it leaves out come from the bundled catalogue


def test_a_bad_catalogue_is_refused_with_file_and_line(minimal_project, tmp_path):
    folder = minimal_project / "messages"
    folder.mkdir()
    (folder / "en.yaml").write_text('date: "Date"\npage: "Page {page} of {total.__class__}"\nsignature: x\n',
                                    encoding="utf-8")
    out = tmp_path / "out.pdf"
    result = invoke(["build", str(minimal_project), "-o", str(out)])
    assert_clean(result)
    assert result.exit_code == 1
    assert "messages/en.yaml:2: 'page': unknown placeholder {total.__class__}" in result.stderr
    assert "messages/en.yaml:3: unknown message key 'signature'" in result.stderr
    assert not out.exists()
