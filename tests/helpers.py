"""Running the CLI and looking at folders: helpers shared by the test files."""

from __future__ import annotations

import hashlib
import importlib.util
from importlib import resources
from pathlib import Path

from click.testing import CliRunner, Result

from handouts.cli import cli

# Located through importlib.resources, as the package itself must do, so the
# tests also hold for a non-editable install.
DATA = Path(str(resources.files("handouts") / "data"))
KNEE = DATA / "handouts" / "stem-cell-knee"
DEMO_BRAND = DATA / "brands" / "demo" / "brand.yml"
DEMO_ROSTER = DATA / "rosters" / "providers.csv"


def invoke(args: list[str], **kwargs) -> Result:
    """Run the real `handouts` command line in-process."""
    return CliRunner().invoke(cli, args, prog_name="handouts", **kwargs)


def assert_clean(result: Result) -> None:
    """No traceback printed and no exception escaped the CLI."""
    assert "Traceback" not in result.output
    assert "Traceback" not in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"the CLI raised {result.exception!r}\n{result.stderr}")


def snapshot(folder: Path) -> dict[str, str]:
    """Every file and folder below `folder` (hidden ones too), with file digests."""
    listing = {}
    for path in sorted(Path(folder).rglob("*")):
        rel = path.relative_to(folder).as_posix()
        listing[rel] = "<dir>" if path.is_dir() else hashlib.sha256(path.read_bytes()).hexdigest()
    return listing


def load_tool(name: str):
    """A script of tools/ (run as a script, not part of the package) loaded as a module, for its tests."""
    path = Path(__file__).resolve().parent.parent / "tools" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"{name}_tool", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
