"""The documentation site in docs/ builds with `mkdocs build --strict`: no broken link, every API name found.

A page linking to a page that is not there, a nav entry without its file,
or an API entry (mkdocstrings) naming something the package no longer has
is an error under --strict, so the docs cannot rot unnoticed.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def build(tmp_path: Path, config: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config),
                           "-d", str(tmp_path / "site")], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_the_docs_build_strictly_with_the_api_from_docstrings(tmp_path):
    done = build(tmp_path, ROOT / "mkdocs.yml")
    assert done.returncode == 0, done.stderr
    api = (tmp_path / "site" / "api" / "index.html").read_text(encoding="utf-8")
    assert "Build one handout, a PDF or" in api, "build_handout's docstring is not on the API page"
    assert "Options" in api and "UsageError" in api


def test_a_broken_link_fails_the_build(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.md").write_text("# x\n\nSee [the missing page](missing.md).\n", encoding="utf-8")
    config = tmp_path / "mkdocs.yml"
    config.write_text(f"site_name: x\ndocs_dir: {docs}\nstrict: true\n", encoding="utf-8")
    done = build(tmp_path, config)
    assert done.returncode != 0 and "missing.md" in done.stderr, done.stderr
