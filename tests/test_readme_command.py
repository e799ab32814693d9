"""The README's two Quickstart commands, and its test command on a machine that lacks what the tests need.

The second command, `tools/test`, installs what the tests need and runs
them; on a fresh machine `pip install -e ".[test]" && pytest` failed 7
HTML-edition tests (no axe-core: `npm ci` was not part of it). Here it runs
with a PATH holding only basic tools and no apt-get, as on a system it
cannot install on: it names every missing tool with its Debian package and
stops before pytest.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASICS = ("bash", "env", "dirname", "id", "sed", "sort", "tr", "cat")


def quickstart_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    return [block.strip() for block in re.findall(r"```sh\n(.*?)```", section, re.S)]


def test_the_quickstart_has_two_commands_and_ci_runs_the_second():
    commands = quickstart_commands()
    assert commands == ["pip install . && handouts build", "tools/test"]
    assert os.access(ROOT / "tools" / "test", os.X_OK)
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^exec tools/test\b", ci, re.M), ci


def test_without_the_tools_or_a_way_to_install_them_it_names_what_is_missing(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in BASICS:
        found = shutil.which(name)
        assert found, name
        (bin_dir / name).symlink_to(found)
    env = {"PATH": str(bin_dir), "HOME": str(tmp_path), "VIRTUAL_ENV": str(tmp_path / "venv")}
    done = subprocess.run(["bash", str(ROOT / "tools" / "test"), "-x"], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1, done.stderr
    for package, tool in (("poppler-utils", "pdfinfo"), ("qpdf", "qpdf"), ("ghostscript", "gs"),
                          ("chromium", "chromium"), ("nodejs", "node"), ("npm", "npm"), ("cups-client", "lp")):
        assert f"  {package} ({tool})" in done.stderr, done.stderr
    assert "apt-get install " in done.stderr
    assert "--missing-ok" in done.stderr
    # It stopped before installing or testing anything.
    assert done.stdout == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bin"]
