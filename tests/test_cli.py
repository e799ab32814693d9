"""The command line itself: version, help, documentation, `python -m`, packaging."""

from __future__ import annotations

import glob
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from helpers import assert_clean, invoke

import handouts
from handouts.cli import cli

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = sorted(cli.commands)


def test_there_are_commands():
    assert {"build", "init"} <= set(COMMANDS)


def test_version():
    result = invoke(["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"handouts, version {handouts.__version__}"


def test_version_matches_the_package_metadata():
    from importlib.metadata import version

    assert handouts.__version__ == version("handouts")


@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_group_help_lists_every_command(flag):
    result = invoke([flag])
    assert result.exit_code == 0
    assert result.stdout.startswith("Usage: handouts")
    for name in COMMANDS:
        assert re.search(rf"^\s+{name}\s", result.stdout, re.M), f"{name} missing from --help"


@pytest.mark.parametrize("name", COMMANDS)
def test_command_help_has_an_example(name):
    result = invoke([name, "--help"])
    assert_clean(result)
    assert result.exit_code == 0
    assert result.stdout.startswith(f"Usage: handouts {name}")
    assert "Example" in result.stdout
    assert f"handouts {name}" in result.stdout.split("Example", 1)[1]


@pytest.mark.parametrize("name", COMMANDS)
def test_every_option_has_help_text(name):
    command = cli.commands[name]
    for param in command.params:
        if param.param_type_name == "option":
            assert param.help, f"handouts {name} {param.opts[0]} has no help text"


@pytest.mark.parametrize("name", COMMANDS)
def test_readme_documents_every_command(name):
    readme = ROOT / "README.md"
    assert readme.is_file(), "README.md is missing at the repository root"
    assert f"handouts {name}" in readme.read_text(encoding="utf-8")


def test_python_dash_m(tmp_path):
    completed = subprocess.run([sys.executable, "-m", "handouts", "--version"], cwd=tmp_path,
                               capture_output=True, text=True, timeout=60)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == f"handouts, version {handouts.__version__}"
    assert completed.stderr == ""


def test_python_dash_m_help_names_the_program(tmp_path):
    completed = subprocess.run([sys.executable, "-m", "handouts", "--help"], cwd=tmp_path,
                               capture_output=True, text=True, timeout=60)
    assert completed.returncode == 0
    assert completed.stdout.startswith("Usage: handouts")


def test_unknown_command_is_a_usage_error():
    result = invoke(["bulid"])
    assert result.exit_code == 2
    assert "bulid" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("args", [
    ["build", "--providers", "providers.csv"],
    ["build", "--provider", "dr-nunez"],
    ["build", "no-such-handout"],
    ["build", "--layout", "tabloid"],
], ids=["providers-without-provider", "provider-without-providers", "unknown-handout", "unknown-layout"])
def test_usage_errors_only_suggest_commands_that_exist(args, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "providers.csv").write_text("id,name\ndr-nunez,María José Núñez\n", encoding="utf-8")
    result = invoke(args)
    assert_clean(result)
    assert result.exit_code == 2
    suggested = set(re.findall(r"'handouts ([a-z][\w-]*)", result.stderr))
    assert suggested <= set(COMMANDS), f"stderr suggests commands that do not exist: {suggested - set(COMMANDS)}"
    assert [p.name for p in tmp_path.iterdir()] == ["providers.csv"]


def test_quiet_build_prints_nothing_but_the_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke(["-q", "build", "-o", "q.pdf"])
    assert result.exit_code == 0
    assert result.stderr == ""
    assert result.stdout.strip().endswith("q.pdf")


def test_package_data_is_declared_for_every_data_file():
    """A non-editable install carries fonts, layouts and bundled content.

    Every file in the package that is not Python must match a package-data
    pattern in pyproject.toml, or a wheel would leave it behind.
    """
    pyproject = ROOT / "pyproject.toml"
    if not pyproject.is_file():
        pytest.skip("not running from a source checkout")
    package = ROOT / "handouts"
    patterns = tomllib.loads(pyproject.read_text(encoding="utf-8"))["tool"]["setuptools"]["package-data"]["handouts"]
    declared = {Path(p).as_posix() for pattern in patterns for p in glob.glob(pattern, root_dir=package, recursive=True)
                if (package / p).is_file()}
    present = {p.relative_to(package).as_posix() for p in package.rglob("*")
               if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts}
    assert present, "no data files found"
    assert {"fonts/AtkinsonHyperlegible-Regular.ttf", "layouts/letter.yaml",
            "data/handouts/stem-cell-knee/handout.yaml"} <= present
    assert present - declared == set()
