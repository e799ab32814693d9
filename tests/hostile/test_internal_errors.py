"""Errors of handouts' own (bugs), injected: exit 3 in one line, per-item in a batch, --debug traces.

A real bug cannot be triggered without editing handouts, so these tests
replace one function with one that raises, the way a bug would.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest
from click.testing import CliRunner

import handouts.pipeline.produce
import handouts.deliver.batch
from handouts.cli import cli

HERE = Path(__file__).resolve().parent
DEMO_LOGO = Path(str(resources.files("handouts") / "data" / "brands" / "demo" / "logo.png"))
ROSTER = "id,name\ndr-a,Ana Alvarez\ndr-b,Ben Brown\ndr-c,Cleo Chan\n"


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "proj"
    shutil.copytree(HERE / "base", folder)
    shutil.copy2(DEMO_LOGO, folder / "logo.png")
    (folder / "providers.csv").write_text(ROSTER, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return folder


def _listing(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*")}


def _boom(*args, **kwargs):
    raise RuntimeError("injected bug")


def _boom_for_b(real):
    def render(prepared, *, provider=None, **kwargs):
        if provider is not None and provider.id == "dr-b":
            raise RuntimeError("injected bug for dr-b")
        return real(prepared, provider=provider, **kwargs)
    return render


def test_build_bug_is_exit_3_in_one_line(project, monkeypatch):
    monkeypatch.setattr(handouts.pipeline.produce, "render_handout", _boom)
    before = _listing(project.parent)
    result = CliRunner().invoke(cli, ["build", str(project), "-o", str(project / "out.pdf")])
    assert result.exit_code == 3, result.output
    # Lint warnings about the small project come first, one line each.
    lines = [line for line in result.stderr.splitlines() if line.strip() and not line.startswith("handouts: warning:")]
    assert len(lines) == 1 and "internal error (RuntimeError: injected bug)" in lines[0], result.stderr
    assert "--debug" in lines[0]
    assert "Traceback" not in result.output
    assert _listing(project.parent) == before


def test_build_bug_with_debug_shows_the_traceback(project):
    """In a real process: --debug lets the exception out, so Python prints its traceback."""
    script = ("import handouts.pipeline.produce as b\n"
              "def boom(*a, **k): raise RuntimeError('injected bug')\n"
              "b.render_handout = boom\n"
              "from handouts.cli import main\nmain()\n")
    base = [sys.executable, "-c", script]
    args = ["build", str(project), "-o", str(project / "out.pdf")]
    plain = subprocess.run(base + args, capture_output=True, text=True, cwd=project.parent, timeout=120)
    debug = subprocess.run(base + ["--debug"] + args, capture_output=True, text=True, cwd=project.parent, timeout=120)
    assert plain.returncode == 3 and "Traceback" not in plain.stderr, plain.stderr
    assert debug.returncode != 0
    assert "Traceback (most recent call last)" in debug.stderr and "RuntimeError: injected bug" in debug.stderr
    assert not (project / "out.pdf").exists()


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_batch_bug_is_reported_per_provider_and_the_run_goes_on(project, monkeypatch, jobs):
    monkeypatch.setattr(handouts.deliver.batch, "render_handout", _boom_for_b(handouts.deliver.batch.render_handout))
    out = project / "out"
    result = CliRunner().invoke(cli, ["batch", str(project), "--providers", str(project / "providers.csv"),
                                      "-d", str(out), "-j", jobs])
    assert result.exit_code == 1, result.output
    assert sorted(p.name for p in out.iterdir()) == ["hostile--dr-a.pdf", "hostile--dr-c.pdf", "hostile.manifest.json"]
    manifest = json.loads((out / "hostile.manifest.json").read_text(encoding="utf-8"))
    assert [d["provider"] for d in manifest["documents"]] == ["dr-a", "dr-c"]
    (failed,) = manifest["failed"]
    assert failed["provider"] == "dr-b"
    assert failed["error"].startswith("internal error ") and "RuntimeError: injected bug for dr-b" in failed["error"]
    incident = failed["error"].split()[2].rstrip(":")
    assert len(incident) == 8, failed["error"]  # an id to find in the log
    assert "failed: provider dr-b: internal error" in result.stderr


def test_batch_bug_traceback_only_with_debug(project, monkeypatch):
    """README: a bug is one line on stderr and --debug shows the traceback; a batch should agree."""
    monkeypatch.setattr(handouts.deliver.batch, "render_handout", _boom_for_b(handouts.deliver.batch.render_handout))
    args = ["batch", str(project), "--providers", str(project / "providers.csv"), "-d", str(project / "out"), "-j", "1"]
    plain = CliRunner().invoke(cli, args)
    assert plain.exit_code == 1
    assert "Traceback" not in plain.stderr, (
        "without --debug a batch prints the full traceback of an internal error:\n" + plain.stderr)


def test_batch_bug_with_debug_logs_the_traceback(project, monkeypatch):
    monkeypatch.setattr(handouts.deliver.batch, "render_handout", _boom_for_b(handouts.deliver.batch.render_handout))
    args = ["--debug", "batch", str(project), "--providers", str(project / "providers.csv"),
            "-d", str(project / "out"), "-j", "1"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1
    assert "Traceback" in result.stderr and "RuntimeError: injected bug for dr-b" in result.stderr


def test_environment_cannot_reopen_the_cve(project, monkeypatch):
    """RL_toColorCanUse in the environment is overridden by harden_reportlab before each render."""
    from reportlab import rl_config

    monkeypatch.setattr(rl_config, "toColorCanUse", "rl_safe_eval")
    monkeypatch.setenv("RL_toColorCanUse", "rl_safe_eval")
    result = CliRunner().invoke(cli, ["build", str(project), "-o", str(project / "out.pdf")])
    assert result.exit_code == 0, result.output
    assert rl_config.toColorCanUse is None
    assert not any(p.name == "pwned" for p in project.parent.rglob("*"))
    assert os.path.exists(project / "out.pdf")
