"""The library without the CLI: build_handout, prepare + render_handout, loaders.

Library code never prints or exits: problems come back as HandoutError with
located Problem records, which the CLI turns into stderr lines.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io

import pdfcheck
import pypdf
import pytest
import yaml
from helpers import DEMO_BRAND, DEMO_ROSTER, KNEE
from PIL import Image

import handouts
from handouts.errors import HandoutError, NotFoundError, Problem, UsageError
from handouts.layouts import load_layout
from handouts.load.brand import load_brand
from handouts.load.roster import find_provider, load_roster
from handouts.sections import load_handout


def test_build_handout_reports_what_it_wrote(tmp_path):
    result = handouts.build_handout(output=tmp_path / "knee.pdf")
    data = (tmp_path / "knee.pdf").read_bytes()
    assert result.path == tmp_path / "knee.pdf"
    assert result.size == len(data)
    assert result.sha256 == hashlib.sha256(data).hexdigest()
    assert result.pages == len(pypdf.PdfReader(io.BytesIO(data)).pages)


def test_build_handout_default_output_is_the_working_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = handouts.build_handout("stem-cell-knee")
    assert result.path.resolve() == (tmp_path / "stem-cell-knee.pdf").resolve()
    assert [p.name for p in tmp_path.iterdir()] == ["stem-cell-knee.pdf"]


def test_library_errors_are_raised_not_printed(minimal_project, capsys):
    (minimal_project / "sections" / "intro.yaml").write_text(
        "kind: how_it_works\ntitle: 5\nbody: Hello.\n", encoding="utf-8")
    with pytest.raises(HandoutError) as info:
        handouts.build_handout(minimal_project, output=minimal_project / "out.pdf")
    assert not isinstance(info.value, UsageError)  # a problem with the content: exit 1
    [problem] = info.value.problems
    assert isinstance(problem, Problem)
    assert problem.path.endswith("intro.yaml")
    assert problem.line == 2
    assert "'title' must be text" in problem.message
    assert capsys.readouterr() == ("", "")
    assert not (minimal_project / "out.pdf").exists()


def test_unknown_handout_is_a_usage_error():
    with pytest.raises(NotFoundError) as info:
        handouts.prepare("no-such-handout")
    assert isinstance(info.value, UsageError)  # exit 2


def test_prepare_once_render_for_many_readers():
    prepared = handouts.prepare()
    roster = load_roster(DEMO_ROSTER)
    outputs = {}
    for provider in roster[:2]:
        data, pages = handouts.render_handout(prepared, provider=provider, patient_name="Jo Doe",
                                              today=dt.date(2026, 1, 2))
        reader = pypdf.PdfReader(io.BytesIO(data))
        assert pages == len(reader.pages)
        text = pdfcheck.normalise(reader.pages[0].extract_text())
        assert f"Your provider: {provider.name}" in text
        assert "Prepared for: Jo Doe" in text
        outputs[provider.id] = data
    assert len(set(outputs.values())) == 2


def test_render_is_deterministic_for_the_same_reader():
    prepared = handouts.prepare()
    first = handouts.render_handout(prepared, patient_name="Jo Doe", today=dt.date(2026, 1, 2))
    second = handouts.render_handout(prepared, patient_name="Jo Doe", today=dt.date(2026, 1, 2))
    assert first == second


def test_load_handout_matches_the_yaml(bundled):
    handout = load_handout(KNEE / "handout.yaml")
    assert handout.id == bundled.id
    assert [s.title.text for s in handout.sections] == bundled.section_titles
    assert handout.risk_disclosure.title.text == bundled.disclosure_title
    assert handout.version == bundled.version


def test_load_brand_reads_the_demo_brand(bundled):
    raw = yaml.safe_load(DEMO_BRAND.read_text(encoding="utf-8"))
    brand = load_brand(DEMO_BRAND)
    assert brand.name == bundled.clinic
    assert brand.link == raw["meta"]["link"]["home"]
    assert brand.primary == raw["color"]["palette"][raw["color"]["primary"]]
    assert brand.phone == raw["defaults"]["handouts"]["phone"]
    with Image.open(DEMO_BRAND.parent / "logo.png") as logo:
        assert (brand.logo.width_px, brand.logo.height_px) == logo.size


def test_load_roster_csv_keeps_line_numbers():
    roster = load_roster(DEMO_ROSTER)
    rows = DEMO_ROSTER.read_text(encoding="utf-8").splitlines()
    for provider in roster:
        assert rows[provider.line - 1].startswith(provider.id + ",")
    assert find_provider(roster, "dr-nunez", DEMO_ROSTER).name == "María José Núñez"


def test_find_provider_suggests_a_close_id():
    roster = load_roster(DEMO_ROSTER)
    with pytest.raises(HandoutError) as info:
        find_provider(roster, "dr-nunes", DEMO_ROSTER)
    assert 'did you mean "dr-nunez"' in str(info.value)


@pytest.mark.parametrize(("name", "size", "body"), [
    ("letter", (612, 792), 12),
    ("a4", (595.3, 841.9), 12),
    ("large-print", (612, 792), 18),
], ids=["letter", "a4", "large-print"])
def test_builtin_layouts(name, size, body):
    layout = load_layout(name)
    assert (layout.width, layout.height) == pytest.approx(size, abs=0.1)
    assert layout.body_size == body


def test_large_print_floor_beats_a_small_brand_size():
    layout = load_layout("large-print")
    assert layout.body_size_for(9) == 18
    assert layout.body_size_for(24) == 24


def test_reportlab_runs_with_its_c_accelerator():
    # A dependency, not an option: without it ReportLab rounds some word
    # spacings differently, and the same inputs would give other bytes.
    import types

    from reportlab.lib import rl_accel

    assert isinstance(rl_accel.fp_str, types.BuiltinFunctionType)


def test_options_object_and_keywords_build_the_same():
    from handouts import Options

    options = Options(layout="a4", language="es")
    by_object = handouts.render_one(options=options, patient_name="Ana")
    by_keywords = handouts.render_one(layout="a4", language="es", patient_name="Ana")
    assert by_object.data == by_keywords.data
    assert by_object.prepared.layout.name == "a4" and by_object.prepared.handout.language == "es"
    # A keyword beside the object overrides that field only.
    letter = handouts.render_one(options=options, layout="letter", patient_name="Ana")
    assert letter.prepared.layout.name == "letter" and letter.prepared.handout.language == "es"
    with pytest.raises(TypeError):
        handouts.render_one(lay0ut="a4")
