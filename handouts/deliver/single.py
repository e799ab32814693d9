"""One document written to one file: what `handouts build` does.

The handout is rendered in memory (pipeline.produce.render_one), then
written atomically, never over one of its own inputs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import OutputError, Problem, display_path
from ..pipeline.options import Options
from ..pipeline.prepare import Prepared
from ..pipeline.produce import Rendered, render_one
from .files import check_target, write_atomic


@dataclass(frozen=True)
class BuildResult:
    """What a build wrote."""

    path: Path
    pages: int
    size: int
    sha256: str
    handout_id: str = ""
    version: str = ""
    # What was written, in memory: `build --print` prints it from here (deliver.printing.print_handout).
    rendered: Rendered | None = field(default=None, repr=False, compare=False)


def input_files(prepared: Prepared, roster: Path | None = None) -> list[Path]:
    """Every file a build reads: content, lint.yaml, brand, logo, fonts, layout, roster."""
    brand = prepared.brand
    files = [*prepared.handout.source_files(), prepared.handout.path.parent / "lint.yaml",
             brand.path, prepared.layout.path, *prepared.messages.files]
    if brand.logo:
        files += [f.path for f in brand.logo.files()]
    for family in (brand.body_font, brand.heading_font):
        if family:
            files += [p for p in (family.regular, family.bold, family.italic, family.bold_italic) if p]
    if roster:
        files.append(roster)
    return files


def default_output(prepared: Prepared, fmt: str = "pdf") -> str:
    """`<id>.pdf`, or `<id>.<language>.pdf` for a translation, so editions do not overwrite each other."""
    handout = prepared.handout
    return f"{handout.id}.{handout.language}.{fmt}" if handout.translates is not None else f"{handout.id}.{fmt}"


def refuse_overwriting_inputs(target: Path, prepared: Prepared, roster: Path | None = None) -> None:
    """An output path that is one of the inputs would destroy the clinic's content."""
    resolved = target.resolve()
    for path in input_files(prepared, roster):
        if path.exists() and path.resolve() == resolved:
            raise OutputError([Problem(display_path(target), None,
                                       "refusing to overwrite an input file with the output; choose another -o")])


def build_handout(handout: str | Path | None = None, *, options: Options | None = None,
                  output: str | Path | None = None, providers: str | Path | None = None,
                  provider_id: str | None = None, patient_name: str | None = None,
                  today: dt.date | None = None, fmt: str = "pdf", **what) -> BuildResult:
    """Build one handout, a PDF or (`fmt="html"`) the HTML edition, and write it atomically.

    What to build is `options`, or its fields as keywords (brand, layout,
    language, print_ready, allow_outside, allow_lint_errors: see
    pipeline.options). `output` defaults to `<handout id>.pdf` (or `.html`) in the working folder,
    with the language for a translation (`<id>.es.pdf`). Nothing is
    written unless every input is valid, the handout has no lint errors
    (unless `allow_lint_errors`), and the PDF rendered completely.
    """
    if output is not None:
        check_target(Path(output))  # a device or FIFO at -o: refused before any work
    rendered = render_one(options=Options.of(handout, options, **what), providers=providers, provider_id=provider_id,
                          patient_name=patient_name, today=today, fmt=fmt)
    prepared, data = rendered.prepared, rendered.data
    target = Path(output) if output is not None else Path.cwd() / default_output(prepared, fmt)
    refuse_overwriting_inputs(target, prepared, rendered.roster)
    # A copy printed for a patient is theirs: owner-only whatever the umask.
    write_atomic(target, data, private=bool(patient_name))
    return BuildResult(path=target, pages=rendered.pages, size=len(data), sha256=hashlib.sha256(data).hexdigest(),
                       handout_id=prepared.handout.id, version=prepared.handout.version, rendered=rendered)
