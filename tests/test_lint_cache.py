"""Lint's cache: the same findings with it or without it, never a stale one, and no parser when warm.

Each test lints real handout folders with a cache folder of its own and
reads the cache file lint wrote.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import invoke

from handouts import lint_handout
from handouts.load.cache import LintCache

TODAY = "2026-11-20"
MARKETING = Path(__file__).resolve().parent / "lint_cases" / "marketing"
HARD = ("Notwithstanding considerable methodological heterogeneity, contemporaneous investigations "
        "demonstrate inconsistent symptomatic amelioration following intra-articular administration.")


def findings(folder: Path, cache: Path | None) -> list[dict]:
    import datetime as dt

    return [f.as_dict() for f in lint_handout(folder, cache=cache, today=dt.date.fromisoformat(TODAY))]


def append_to_body(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + "\n\n  " + text + "\n", encoding="utf-8")


@pytest.fixture
def mistaken(bundled_copy) -> Path:
    """The bundled handout with claims, a bad link, hard sentences and template mistakes in both editions."""
    append_to_body(bundled_copy / "sections" / "benefits.yaml",
                   f"It will cure your knee. See [our page](javascript:alert(1)). {HARD} {HARD}")
    append_to_body(bundled_copy / "sections" / "cost.yaml",
                   "Call {{ clinic.fax }}, or ask {{ provider.name | default('your doctor') }} on {{ today }}.")
    append_to_body(bundled_copy / "sections" / "lifestyle.yaml", "{% for step in steps %}{{ step }}{% endfor %}")
    append_to_body(bundled_copy / "sections" / "benefits.es.yaml",
                   "Resultados garantizados, sin riesgos. Llame al {{ provider.nombre }} o {{ clinic.name")
    return bundled_copy


def lint_in_a_new_process(folder: Path, cache: Path) -> dict:
    """Lint in a fresh interpreter: its findings, and whether it imported markdown-it, Pillow's imaging, Jinja2."""
    code = ("import json, sys, datetime as dt; from handouts import lint_handout; "
            f"found = lint_handout({str(folder)!r}, cache={str(cache)!r}, today=dt.date(2026, 11, 20)); "
            "print(json.dumps({'findings': [f.as_dict() for f in found], 'parsed': 'markdown_it' in sys.modules, "
            "'decoded': 'PIL.Image' in sys.modules, 'templated': 'jinja2' in sys.modules}))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          cwd=folder.parent)
    return json.loads(done.stdout)


def test_findings_are_the_same_without_a_cache_with_an_empty_one_and_a_warm_one(mistaken, tmp_path):
    cache = tmp_path / "cache"
    plain = findings(mistaken, None)
    assert {f["code"] for f in plain} >= {"claim", "bad-link", "readability", "unknown-variable", "input"}
    assert findings(mistaken, cache) == plain  # empty: everything worked out, then kept
    assert len(list(cache.glob("lint-*.json"))) == 1
    assert findings(mistaken, cache) == plain  # warm: read back


def test_a_warm_cache_lints_without_parsing_filling_or_decoding(mistaken, tmp_path, monkeypatch):
    monkeypatch.chdir(mistaken.parent)  # paths in findings print as the new processes print them
    cache = tmp_path / "cache"
    first = lint_in_a_new_process(mistaken, cache)
    second = lint_in_a_new_process(mistaken, cache)
    assert first["parsed"] is True and first["decoded"] is True and first["templated"] is True
    assert second["parsed"] is False, "every body was parsed again: the cache was not used"
    assert second["decoded"] is False, "the logo and pictures were decoded again"
    assert second["templated"] is False, "template fields were checked or filled again"
    assert second["findings"] == first["findings"]
    assert first["findings"] == findings(mistaken, None)


def test_an_edited_body_is_checked_again(bundled_copy, tmp_path):
    cache = tmp_path / "cache"
    assert findings(bundled_copy, cache) == []
    append_to_body(bundled_copy / "sections" / "lifestyle.yaml", f"This is a miracle. {HARD} {HARD}")
    append_to_body(bundled_copy / "sections" / "cost.es.yaml", "Un milagro.")
    after = findings(bundled_copy, cache)
    assert after == findings(bundled_copy, None)
    found = {(Path(f["path"]).name, f["code"]) for f in after}
    assert {("lifestyle.yaml", "claim"), ("lifestyle.yaml", "readability"), ("cost.es.yaml", "claim")} <= found


@pytest.mark.parametrize("damage", [
    b"not json at all {",
    b"[1, 2, 3]",
    b'{"stamp": "made by other code", "entries": {}}',
    "entries of the wrong shape",
    "\u00ff".encode("latin-1"),
], ids=["garbage", "a-list", "other-code", "wrong-entries", "not-utf-8"])
def test_a_damaged_cache_is_ignored_and_replaced(mistaken, tmp_path, damage):
    cache = tmp_path / "cache"
    expected = findings(mistaken, cache)
    [file] = cache.glob("lint-*.json")
    if damage == "entries of the wrong shape":
        stored = json.loads(file.read_bytes())
        # Every entry readable JSON, none of the shape its reader expects.
        stored["entries"] = {key: json.dumps([["x"]] if i % 2 else {"a": 1}) for i, key in enumerate(stored["entries"])}
        file.write_text(json.dumps(stored), encoding="utf-8")
    else:
        file.write_bytes(damage)
    assert findings(mistaken, cache) == expected
    assert json.loads(file.read_bytes())["entries"]  # written whole again
    assert findings(mistaken, cache) == expected


def test_cache_of_other_code_is_not_read(mistaken, tmp_path):
    cache = tmp_path / "cache"
    findings(mistaken, cache)
    [file] = cache.glob("lint-*.json")
    warm = LintCache.open(cache, mistaken / "handout.yaml")
    assert warm._stored  # read back
    stored = json.loads(file.read_bytes())
    stored["stamp"] = "0" * 64
    file.write_text(json.dumps(stored), encoding="utf-8")
    assert not LintCache.open(cache, mistaken / "handout.yaml")._stored


def test_cache_folder_and_file_are_owner_only(bundled_copy, tmp_path):
    cache = tmp_path / "deep" / "cache"
    findings(bundled_copy, cache)
    [file] = cache.glob("lint-*.json")
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    assert not list(cache.glob(".*"))  # no temporary file left behind


def test_lint_cli_keeps_its_cache_where_told_and_no_cache_keeps_none(bundled_copy, tmp_path, monkeypatch):
    cache = tmp_path / "told"
    monkeypatch.setenv("HANDOUTS_CACHE_DIR", str(cache))
    result = invoke(["lint", str(bundled_copy), "--today", TODAY, "--no-cache"])
    assert result.exit_code == 0, result.output
    assert not cache.exists()
    result = invoke(["lint", str(bundled_copy), "--today", TODAY])
    assert result.exit_code == 0, result.output
    assert len(list(cache.glob("lint-*.json"))) == 1


def test_a_cache_folder_that_cannot_be_written_only_costs_time(bundled_copy, tmp_path):
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the folder would be", encoding="utf-8")
    assert findings(bundled_copy, blocked / "cache") == findings(bundled_copy, None)


def test_two_lints_at_once_share_the_cache(mistaken, tmp_path):
    cache = tmp_path / "cache"
    code = ("import sys, datetime as dt; from handouts import lint_handout; "
            f"lint_handout({str(mistaken)!r}, cache={str(cache)!r}, today=dt.date(2026, 11, 20))")
    runs = [subprocess.Popen([sys.executable, "-c", code], env=dict(os.environ)) for _ in range(3)]
    assert [run.wait(timeout=120) for run in runs] == [0, 0, 0]
    [file] = cache.glob("lint-*.json")
    assert json.loads(file.read_bytes())["entries"]
    assert findings(mistaken, cache) == findings(mistaken, None)


def test_the_marketing_case_reads_the_same_from_the_cache(tmp_path):
    folder = tmp_path / "marketing"
    shutil.copytree(MARKETING, folder)
    cache = tmp_path / "cache"
    first = findings(folder, cache)
    assert sum(f["code"] == "claim" for f in first) >= 13
    assert findings(folder, cache) == first == findings(folder, None)


def test_a_brand_edit_fills_the_fields_again(bundled_copy, tmp_path):
    """Fillings are kept by the values they were filled with: an e-mail taken out of the brand is missed at once."""
    cache = tmp_path / "cache"
    assert findings(bundled_copy, cache) == []
    brand = bundled_copy / "brand.yml"
    brand.write_text("".join(line for line in brand.read_text(encoding="utf-8").splitlines(keepends=True)
                             if not line.strip().startswith(("phone:", "email:"))), encoding="utf-8")
    after = findings(bundled_copy, cache)
    assert after == findings(bundled_copy, None)
    messages = [f["message"] for f in after if Path(f["path"]).name == "when-to-call.yaml"]
    assert any("uses clinic.email" in m for m in messages), messages


def test_a_folder_others_can_write_to_is_not_used(mistaken, tmp_path):
    """A cache someone else could plant (a world-writable folder) is neither read nor written."""
    cache = tmp_path / "shared"
    findings(mistaken, cache)
    [file] = cache.glob("lint-*.json")
    stored = json.loads(file.read_bytes())
    # A planted cache: every body read back as harmless text, which would hide every finding.
    stored["entries"] = {key: json.dumps([]) for key in stored["entries"]}
    file.write_text(json.dumps(stored), encoding="utf-8")
    cache.chmod(0o777)
    before = file.read_bytes()
    assert findings(mistaken, cache) == findings(mistaken, None)
    assert file.read_bytes() == before  # not written either
    cache.chmod(0o700)
    file.chmod(0o666)
    assert findings(mistaken, cache) == findings(mistaken, None)


def test_a_lone_surrogate_in_a_body_is_kept_and_read_back(bundled_copy, tmp_path):
    """YAML's "\\ud800" escape gives text UTF-8 cannot hold; the cache writes it escaped rather than failing."""
    cost = bundled_copy / "sections" / "cost.yaml"
    text = cost.read_text(encoding="utf-8")
    cost.write_text(text[:text.index("body:")] + 'body: "It may cost a lot \\ud800 and plans rarely pay."\n',
                    encoding="utf-8")
    cache = tmp_path / "cache"
    first = findings(bundled_copy, cache)
    assert len(list(cache.glob("lint-*.json"))) == 1
    assert findings(bundled_copy, cache) == first == findings(bundled_copy, None)


def test_with_no_home_lint_keeps_no_cache_rather_than_a_folder_named_tilde(bundled_copy, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("HANDOUTS_CACHE_DIR", "XDG_CACHE_HOME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(os.path, "expanduser", lambda path: path)  # what it returns when no home is known
    result = invoke(["lint", str(bundled_copy), "--today", TODAY])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["knee"]


def _entries_set_to(stored: dict, value) -> None:
    """Every entry's value replaced by `value` (JSON), whatever else the entry carries."""
    for key, entry in stored["entries"].items():
        if isinstance(entry, list):  # [value, keyed hash]: the hash is left as it was
            entry[0] = json.dumps(value)
        else:
            stored["entries"][key] = json.dumps(value)


def test_a_planted_or_edited_entry_in_the_users_own_cache_is_ignored(mistaken, tmp_path):
    """Right owner, right modes: only the keyed hash tells a planted entry from one lint wrote."""
    cache = tmp_path / "cache"
    plain = findings(mistaken, None)
    assert findings(mistaken, cache) == plain
    [file] = cache.glob("lint-*.json")
    stored = json.loads(file.read_bytes())
    _entries_set_to(stored, [])  # every body read back as harmless text: it would hide every finding
    file.write_text(json.dumps(stored), encoding="utf-8")
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700 and stat.S_IMODE(file.stat().st_mode) == 0o600
    assert findings(mistaken, cache) == plain
    assert findings(mistaken, cache) == plain  # and what was written back is right too


def test_the_secret_is_owner_only_and_a_cache_made_elsewhere_is_not_trusted(mistaken, tmp_path):
    mine, elsewhere = tmp_path / "mine", tmp_path / "elsewhere"
    plain = findings(mistaken, None)
    findings(mistaken, mine)
    findings(mistaken, elsewhere)
    secrets = [p for p in mine.iterdir() if not p.name.startswith("lint-")]
    assert len(secrets) == 1 and stat.S_IMODE(secrets[0].stat().st_mode) == 0o600
    assert secrets[0].read_bytes() != next(p for p in elsewhere.iterdir() if p.name == secrets[0].name).read_bytes()
    [theirs] = elsewhere.glob("lint-*.json")
    stored = json.loads(theirs.read_bytes())
    _entries_set_to(stored, [])
    [ours] = mine.glob("lint-*.json")
    ours.write_text(json.dumps(stored), encoding="utf-8")  # copied over, made by another key
    assert findings(mistaken, mine) == plain


def _keyed(folder: Path, stored: dict, key: str, value: str):
    """An entry as lint writes it with the folder's own secret (what someone with the user's rights could forge)."""
    import hashlib
    import hmac

    secrets = [p for p in folder.iterdir() if not p.name.startswith("lint-")]
    if not secrets:  # a cache without keyed hashes
        return value
    message = f"{stored['stamp']}\0{key}\0{value}".encode()
    return [value, hmac.new(secrets[0].read_bytes(), message, hashlib.sha256).hexdigest()]


@pytest.mark.parametrize("value", [[0, 0], [-5, 10], ["a", "b"], [1e300, 2], [3]],
                         ids=["zero-by-zero", "negative", "text", "huge", "one-number"])
def test_a_well_formed_picture_size_that_could_crash_lint_is_refused_on_read(bundled_copy, tmp_path, value):
    """A keyed entry saying a picture is 0x0 pixels (or not a size at all) is worked out again, not believed."""
    cache = tmp_path / "cache"
    plain = findings(bundled_copy, None)
    assert findings(bundled_copy, cache) == plain
    [file] = cache.glob("lint-*.json")
    stored = json.loads(file.read_bytes())
    import hashlib

    pictures = [p for p in (bundled_copy / "images").iterdir()] + [bundled_copy / "logo.png"]
    keys = [hashlib.sha256(b"decoded\0" + p.read_bytes()).hexdigest() for p in pictures]
    keys = [k for k in keys if k in stored["entries"]]
    assert keys, "no picture's size was kept"
    for key in keys:
        stored["entries"][key] = _keyed(cache, stored, key, json.dumps(value))
    file.write_text(json.dumps(stored), encoding="utf-8")
    assert findings(bundled_copy, cache) == plain
    result = invoke(["lint", str(bundled_copy), "--today", TODAY], env={"HANDOUTS_CACHE_DIR": str(cache)})
    assert result.exit_code == 0, result.output
