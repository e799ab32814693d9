"""CSV files as spreadsheets write them: `,` `;` or tab, with or without a BOM.

Each test writes the bytes a tool would write (Excel in a European locale
writes `;` and CRLF, "CSV UTF-8" adds a BOM, a tab export from Numbers) and
reads them through the roster loader and the shared `read_table`.
"""

from __future__ import annotations

import pytest
from helpers import DEMO_ROSTER, assert_clean, invoke

from handouts.errors import RosterError
from handouts.load.roster import load_roster
from handouts.load.table import TableError, read_table

ROWS = [("dr-a", "Alice Adams", "MD"), ("dr-b", "Bob Brown", "DO")]


def write(path, delimiter: str, *, bom: bool = False, newline: str = "\n", encoding: str = "utf-8"):
    lines = [delimiter.join(("id", "name", "credentials"))] + [delimiter.join(r) for r in ROWS]
    data = (newline.join(lines) + newline).encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


@pytest.mark.parametrize(("delimiter", "bom", "newline"), [
    (",", False, "\n"), (";", False, "\r\n"), ("\t", False, "\n"), (";", True, "\r\n"), (",", True, "\n"),
], ids=["comma", "semicolon-crlf", "tab", "semicolon-bom", "comma-bom"])
def test_roster_delimiters_and_bom(tmp_path, delimiter, bom, newline):
    roster = write(tmp_path / "roster.csv", delimiter, bom=bom, newline=newline)
    providers = load_roster(roster)
    assert [(p.id, p.name, p.credentials) for p in providers] == ROWS
    assert [p.line for p in providers] == [2, 3]


def test_read_table_reports_its_delimiter_and_lines(tmp_path):
    table = read_table(write(tmp_path / "t.csv", ";", bom=True), what="patients file")
    assert table.delimiter_name == "semicolon"
    assert table.header == ("id", "name", "credentials")
    assert [(r.line, r.values["name"]) for r in table.rows] == [(2, "Alice Adams"), (3, "Bob Brown")]


def test_quoted_value_holding_the_delimiter(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text('id;name;location\ndr-a;Alice Adams;"Suite 4; North Wing"\n', encoding="utf-8")
    assert load_roster(roster)[0].location == "Suite 4; North Wing"


def test_other_encodings_are_refused_with_save_as_utf8(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_bytes("id;name\ndr-a;Jos\u00e9 N\u00fa\u00f1ez\n".encode("cp1252"))
    with pytest.raises(RosterError) as err:
        load_roster(roster)
    (problem,) = err.value.problems
    assert problem.line == 2 and "save the file as UTF-8" in problem.message


def test_every_bad_row_in_one_run_including_wrong_field_counts(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "id;name;credentials\n"
        "dr-a;Alice Adams;MD\n"          # 2 fine
        "dr-b;Bob;DO;extra\n"            # 3 one field too many
        "bad id!;Carl Cole;MD\n"         # 4 bad id
        "dr-c\n"                         # 5 too few
        "dr-a;Dana Diaz;NP\n"            # 6 duplicate
        "dr-e;;MD\n",                    # 7 no name
        encoding="utf-8")
    with pytest.raises(RosterError) as err:
        load_roster(roster)
    found = [(p.line, p.message) for p in err.value.problems]
    assert [line for line, _ in found] == [3, 4, 5, 6, 7]
    assert "row has 4 fields; the header has 3; a value holding a semicolon must be in double quotes" in found[0][1]
    assert "provider id 'bad id!'" in found[1][1]
    assert "row has 1 field; the header has 3" in found[2][1]
    assert "duplicate provider id 'dr-a' (first on line 2)" in found[3][1]
    assert "row is missing 'name'" in found[4][1]


def test_unclosed_quote_is_reported_at_its_row(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text('id,name\ndr-a,"Alice\n', encoding="utf-8")
    table = read_table(path)
    assert [(p.line, "quotes" in p.message) for p in table.problems] == [(2, True)]


def test_empty_file_is_refused(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("\n", encoding="utf-8")
    with pytest.raises(TableError) as err:
        read_table(path, what="roster")
    assert "roster is empty" in str(err.value)


def test_semicolon_roster_builds_from_the_command_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    text = DEMO_ROSTER.read_text(encoding="utf-8")
    assert "," in text.splitlines()[0] and ";" not in text
    roster = tmp_path / "team.csv"
    # What Excel writes in a European locale: semicolons, CRLF, a BOM.
    rows = [line.replace(",", ";") for line in text.splitlines() if line]
    roster.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(rows).encode() + b"\r\n")
    first_id = rows[1].split(";")[0]
    result = invoke(["build", "--providers", str(roster), "--provider", first_id, "-o", "x.pdf"])
    assert_clean(result)
    assert result.exit_code == 0, result.stderr
