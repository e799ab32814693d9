"""A build's cache: the same PDF bytes with it, without it, cold and warm, and no patient data in it.

Each case builds real handouts three times: with no cache, into an empty
cache folder, and again from that folder in a fresh interpreter (the cold
start the cache is for), and compares the files byte for byte. The warm
process must not have decoded a picture, drawn an SVG, read Babel's data
or imported email-validator: what it read back was used.
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import DEMO_ROSTER, KNEE, assert_clean, invoke

TESTS = Path(__file__).resolve().parent
PICTURES = TESTS / "data" / "pictures"
POSIT = TESTS / "brands" / "posit" / "_brand.yml"
# Modules only the work the cache keeps would import (PIL.Image itself comes with ReportLab).
KEPT_WORK = ("PIL.ImageOps", "PIL.PngImagePlugin", "resvg_py", "babel.dates", "email_validator")

CASES = {
    "bundled-letter": (str(KNEE), []),
    "bundled-posit-large-print-es": (str(KNEE), ["--brand", str(POSIT), "--layout", "large-print",
                                                  "--language", "es"]),
    "pictures-a4-print-ready": (str(PICTURES), ["--layout", "a4", "--print-ready"]),
    "bundled-provider-a4": (str(KNEE), ["--layout", "a4", "--providers", str(DEMO_ROSTER), "--provider",
                                         "dr-nunez"]),
}


def build_in_a_new_process(args: list[str], output: Path, cache: Path | None) -> list[str]:
    """`handouts build` in a fresh interpreter; the modules of KEPT_WORK it imported."""
    code = ("import json, sys; from handouts.cli import main\n"
            "try:\n    main()\nexcept SystemExit as exit:\n    assert not exit.code, exit.code\n"
            f"print(json.dumps([m for m in {KEPT_WORK!r} if m in sys.modules]), file=sys.stderr)")
    argv = ["handouts", "-q", "build", *args, "-o", str(output)] + ([] if cache else ["--no-cache"])
    env = {"HANDOUTS_CACHE_DIR": str(cache)} if cache else {}
    import os

    done = subprocess.run([sys.executable, "-c", f"import sys; sys.argv = {argv!r}\n{code}"], capture_output=True,
                          text=True, env={**os.environ, **env})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stderr.strip().splitlines()[-1])


@pytest.mark.parametrize("case", sorted(CASES))
def test_cold_warm_and_uncached_builds_are_byte_identical(case, tmp_path):
    handout, options = CASES[case]
    cache = tmp_path / "cache"
    plain, cold, warm = (tmp_path / f"{name}.pdf" for name in ("plain", "cold", "warm"))
    build_in_a_new_process([handout, *options], plain, None)
    first = build_in_a_new_process([handout, *options], cold, cache)
    second = build_in_a_new_process([handout, *options], warm, cache)
    assert plain.read_bytes() == cold.read_bytes() == warm.read_bytes()
    assert len(list(cache.glob("build-*.json"))) == 1
    assert "PIL.PngImagePlugin" in first, "the cold build decoded nothing: the case tests no picture"
    assert second == [], f"the warm build did this work again: {second}"


def test_no_cache_keeps_nothing(tmp_path):
    cache = tmp_path / "cache"
    result = invoke(["build", str(KNEE), "--no-cache", "-o", str(tmp_path / "a.pdf")],
                    env={"HANDOUTS_CACHE_DIR": str(cache)})
    assert_clean(result)
    assert not cache.exists()


def test_the_cache_file_is_owner_only(tmp_path):
    cache = tmp_path / "cache"
    assert_clean(invoke(["build", str(KNEE), "-o", str(tmp_path / "a.pdf")], env={"HANDOUTS_CACHE_DIR": str(cache)}))
    (kept,) = cache.glob("build-*.json")
    assert kept.stat().st_mode & 0o777 == 0o600
    assert cache.stat().st_mode & 0o777 == 0o700


@pytest.fixture
def greets_the_patient(bundled_copy) -> Path:
    """The bundled handout with a body that names the patient (content may: `{{ patient.name }}`)."""
    path = bundled_copy / "sections" / "lifestyle.yaml"
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n")
                    + "\n\n  This copy was printed for {{ patient.name | default('you') }}.\n", encoding="utf-8")
    return bundled_copy


def test_a_patients_copy_leaves_no_trace_of_the_patient_in_the_cache(greets_the_patient, tmp_path):
    cache = tmp_path / "cache"
    name = "Zenobia Quillfeather"
    for _ in range(2):  # cold, then warm
        out = tmp_path / "copy.pdf"
        result = invoke(["build", str(greets_the_patient), "--patient-name", name, "-o", str(out)],
                        env={"HANDOUTS_CACHE_DIR": str(cache)})
        assert_clean(result)
    import pypdf

    text = "".join(page.extract_text() for page in pypdf.PdfReader(out).pages)
    assert "printed for Zenobia" in text  # the name did reach the body the cache would have kept
    kept = b"".join(path.read_bytes() for path in cache.iterdir())
    assert kept, "nothing was kept: the test shows nothing"
    for word in ("Zenobia", "Quillfeather"):
        assert word.encode() not in kept


def test_an_edited_picture_entry_is_made_again_not_printed(tmp_path):
    cache = tmp_path / "cache"
    first, second = tmp_path / "first.pdf", tmp_path / "second.pdf"
    build_in_a_new_process([str(PICTURES)], first, cache)
    (kept,) = cache.glob("build-*.json")
    stored = json.loads(kept.read_bytes())
    changed = 0
    for key, (value, mac) in stored["entries"].items():
        data = json.loads(value)
        if isinstance(data, dict) and "image" in data:  # a picture's PDF objects: other pixels, well formed
            pixels = base64.b64decode(data["image"]["stream"])
            data["image"]["stream"] = base64.b64encode(bytes(len(pixels))).decode()
            stored["entries"][key] = [json.dumps(data, separators=(",", ":")), mac]
            changed += 1
    assert changed >= 3
    kept.write_text(json.dumps(stored))
    assert build_in_a_new_process([str(PICTURES)], second, cache), "the edited entries were read back"
    assert first.read_bytes() == second.read_bytes()


def test_a_batch_keeps_its_editions_checks_and_prints_the_same(tmp_path):
    cache = tmp_path / "cache"
    env = {"HANDOUTS_CACHE_DIR": str(cache)}
    runs = {}
    for name, extra in (("plain", ["--no-cache"]), ("cold", []), ("warm", [])):
        out = tmp_path / name
        assert_clean(invoke(["batch", str(KNEE), "--providers", str(DEMO_ROSTER), "--only", "dr-nunez", "--only", "pa-lefevre",
                             "-d", str(out), "-j", "1", *extra], env=env))
        runs[name] = {path.name: path.read_bytes() for path in out.glob("*.pdf")}
        if name == "plain":
            assert not cache.exists()
    assert len(runs["plain"]) == 2 and runs["plain"] == runs["cold"] == runs["warm"]
    assert [path.name.split("-")[0] for path in cache.glob("*.json")] == ["edition"]


def test_the_front_desks_copies_and_editors_drafts_keep_what_files_make(greets_the_patient, tmp_path):
    """`handouts serve` renders through the same cache: a worker's first copy finds what a build kept."""
    from handouts.serve.work import Copy, draft

    manifest = greets_the_patient / "handout.yaml"
    name = "Ottoline Brackenridge"
    desk, editor = tmp_path / "desk-cache", tmp_path / "editor-cache"
    cached = Copy(manifest=manifest, layout="large-print", language="es", patient_name=name, cache=desk).rendered()
    plain = Copy(manifest=manifest, layout="large-print", language="es", patient_name=name).rendered()
    assert cached.data == plain.data
    (file,) = desk.glob("build-*.json")
    kept = file.read_bytes()
    values = [json.loads(value) for value, _mac in json.loads(kept)["entries"].values()]
    assert any(isinstance(v, dict) and "image" in v for v in values), "the desk's copy kept no picture"
    for word in ("Ottoline", "Brackenridge"):
        assert word.encode() not in kept
    draft(manifest, "letter", None, None, editor)
    assert list(editor.glob("build-*.json")), "the editor's draft kept nothing"
