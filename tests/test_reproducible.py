"""Byte-identical rebuilds, and SOURCE_DATE_EPOCH for the dates in the file."""

from __future__ import annotations

import datetime as dt

import pypdf
import pytest
from helpers import invoke
from hypothesis import given, settings
from hypothesis import strategies as st

EPOCH = 1_700_000_000  # 2023-11-14 22:13:20 UTC


def pdf_date(epoch: int) -> str:
    stamp = dt.datetime.fromtimestamp(epoch, dt.timezone.utc)
    return stamp.strftime("D:%Y%m%d%H%M%S+00'00'")


def test_rebuild_to_another_path_is_byte_identical(built, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke(["build", "-o", "elsewhere/copy.pdf"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "elsewhere" / "copy.pdf").read_bytes() == built.pdf.read_bytes()


def test_two_builds_of_a_handout_with_a_provider_are_identical(minimal_project, monkeypatch):
    monkeypatch.chdir(minimal_project)
    (minimal_project / "roster.csv").write_text("id,name,credentials\ndr-a,Alice Adams,MD\n", encoding="utf-8")
    args = ["build", ".", "--providers", "roster.csv", "--provider", "dr-a", "--patient-name", "Jo Doe"]
    assert invoke([*args, "-o", "one.pdf"]).exit_code == 0
    assert invoke([*args, "-o", "two.pdf"]).exit_code == 0
    assert (minimal_project / "one.pdf").read_bytes() == (minimal_project / "two.pdf").read_bytes()


@pytest.fixture
def epoch_builds(minimal_project, monkeypatch):
    """Two builds with SOURCE_DATE_EPOCH set, of a handout that prints {{ today }}."""
    monkeypatch.chdir(minimal_project)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
    (minimal_project / "sections" / "intro.yaml").write_text(
        "kind: how_it_works\ntitle: Case Intro\nbody: |\n  Printed on {{ today }}.\n", encoding="utf-8")
    paths = []
    for name in ("first.pdf", "second.pdf"):
        result = invoke(["build", ".", "-o", name])
        assert result.exit_code == 0, result.output
        paths.append(minimal_project / name)
    return paths


def test_source_date_epoch_builds_are_identical(epoch_builds):
    first, second = epoch_builds
    assert first.read_bytes() == second.read_bytes()


def test_source_date_epoch_sets_creation_date(epoch_builds):
    metadata = pypdf.PdfReader(str(epoch_builds[0])).metadata
    assert metadata["/CreationDate"] == pdf_date(EPOCH)
    assert metadata.creation_date == dt.datetime.fromtimestamp(EPOCH, dt.timezone.utc)


def test_source_date_epoch_sets_today_in_templates(epoch_builds):
    text = pypdf.PdfReader(str(epoch_builds[0])).pages[0].extract_text()
    assert "Printed on 2023-11-14." in text


def test_different_epochs_give_different_dates(minimal_project, monkeypatch):
    monkeypatch.chdir(minimal_project)
    dates = []
    for epoch in (EPOCH, EPOCH + 86_400 * 400):
        monkeypatch.setenv("SOURCE_DATE_EPOCH", str(epoch))
        assert invoke(["build", ".", "-o", f"{epoch}.pdf"]).exit_code == 0
        dates.append(pypdf.PdfReader(str(minimal_project / f"{epoch}.pdf")).metadata["/CreationDate"])
    assert dates == [pdf_date(EPOCH), pdf_date(EPOCH + 86_400 * 400)]


# Renders providers in the given order in one fresh process, as a batch
# worker does, and prints each PDF's hash.
_IN_ORDER = """
import hashlib, sys
from handouts import prepare, render_handout
from handouts.load.roster import Provider
prepared = prepare(layout=sys.argv[1])
for name in sys.argv[2:]:
    data, _ = render_handout(prepared, provider=Provider(id="p", name=name, credentials="MD",
                                                          phone="(555) 010-0101"))
    print(hashlib.sha256(data).hexdigest())
"""

# Names with characters the shared text has and has not, markup-like text,
# and one long enough to wrap and push the cover down.
_NAMES = ["María José Núñez", "Łukasz Żak", "Patrick O'Brien", "X", "Ana <b>Bold</b> & *Sons*",
          "Ægir Þórsson", "Bartholomew Featherstonehaugh-Cholmondeley of Little Snoring and Great Snoring",
          "Zoë Åberg", "{{ 7*7 }}", "Søren Ødegård"]


def _hashes(layout: str, names: list[str]) -> dict[str, str]:
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", _IN_ORDER, layout, *names], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr
    return dict(zip(names, done.stdout.split()))


@pytest.mark.parametrize("layout", ["letter", "a4", "large-print"])
def test_a_providers_pdf_does_not_depend_on_what_the_process_built_before(layout):
    # Each document reuses line breaks and drawings made for earlier ones,
    # and large print splits a long link across pages (which once changed
    # the bytes of the first document a process built). In reverse order
    # every name comes after a different history.
    forward = _hashes(layout, _NAMES)
    backward = _hashes(layout, _NAMES[::-1])
    assert len(forward) == len(_NAMES) and len(set(forward.values())) == len(_NAMES)
    assert forward == backward


def test_reportlabs_settings_in_the_environment_do_not_change_the_bytes(tmp_path):
    # ReportLab reads RL_* variables; the renderer pins what the bytes depend on.
    import os
    import subprocess
    import sys

    import pikepdf

    outputs = []
    for value in ("1", "0"):
        out = tmp_path / f"knee{value}.pdf"
        subprocess.run([sys.executable, "-m", "handouts", "-q", "build", "--no-cache", "-o", str(out)], check=True,
                       env={**os.environ, "RL_useA85": value})
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    with pikepdf.open(tmp_path / "knee1.pdf") as pdf:
        filters = {str(f) for obj in pdf.objects if isinstance(obj, pikepdf.Stream)
                   for f in (obj.get("/Filter") if isinstance(obj.get("/Filter"), pikepdf.Array)
                             else [obj.get("/Filter")]) if f is not None}
    assert filters == {"/FlateDecode"}  # binary streams: no ASCII85 text a quarter larger


# Lines that open, continue or end every kind of block a body can hold.
_LINES = ["", "", "text", "more *em* text", "- item", "* item", "+ item", "1. one", "2) two", "  - nested",
          "  continued", "    code", "> quote", ">", "# Head", "### Sub", "---", "***", "===", "| a | b |",
          "|---|---|", "| 1 | 2 |", "\tTabbed", "   - three", "10. ten", "-", "[ref]: https://x.example",
          "see [ref]", "```", "~~~ py", "_x_", "1.5 ratio", "-1 degrees", "  ", "    - deep"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_LINES), min_size=1, max_size=16))
def test_a_body_parsed_in_shared_pieces_reads_as_the_whole(lines):
    # A batch parses the bodies that name the provider in pieces, each kept
    # for later documents (render.blocks): the pieces must read exactly as
    # the whole body does, whatever blocks meet where they are cut.
    from handouts.render.blocks import body_tokens
    from handouts.load.commonmark import block_parser

    def described(tokens):
        return [(t.type, t.tag, t.nesting, t.level, t.content, t.markup, t.info, t.attrs, t.hidden)
                for t in tokens]

    text = "\n".join(lines) + "\n"
    whole_env: dict = {}
    whole = block_parser().parse(text, whole_env)
    env: dict = {}
    assert described(body_tokens(text, env)) == described(whole)
    assert env.get("references") == whole_env.get("references")
