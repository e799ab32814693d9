"""A prepared handout rendered for one reader: PDF or HTML bytes, in memory.

`render_handout` and `render_handout_html` fill and render one reader's
copy; `render_one` does the whole of it for one document (load, check,
fill, render) as build and print need. Nothing here writes a file: the
ways out (deliver/) do.
"""

from __future__ import annotations

import datetime as dt
from contextlib import nullcontext
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..errors import ContentError, HandoutError, Problem
from ..fill.filled import FilledHandout
from ..fill.loading import build_date, collect, problem_order
from ..fill.overrides import html_folder
from ..load.cache import MADE_FROM_FILES, keeping_only, kept_in
from ..load.project import find_roster, resolve_handout
from ..load.roster import Provider, find_provider, load_roster
from ..version import __version__
from .options import Options
from .prepare import Prepared, prepare_checked
from .reader import fill, fill_reader


def creator() -> str:
    """The PDF Creator entry: which handouts version made the file."""
    return f"handouts {__version__}"


def render_filled(prepared: Prepared, filled: FilledHandout, *, today: dt.date | None = None) -> tuple[bytes, int]:
    """The PDF of a handout already filled for its reader, and its page count.

    A signed page that would split across pages is refused with lint's
    `consent-too-long` error: nothing is printed split.
    """
    from ..render.keeping import SignedPageTooLong
    from ..render.pdf import render_pdf

    try:
        return render_pdf(filled, brand=prepared.brand, layout=prepared.layout, creator=creator(),
                          print_ready=prepared.print_ready, common=_common(prepared, today or build_date()))
    except SignedPageTooLong as exc:
        from ..lint.consent import consent_too_long, lines_over
        from ..lint.gate import as_refusal

        lines = lines_over(exc.points, prepared.brand, prepared.layout)
        finding = consent_too_long(prepared.handout, {prepared.layout.name: lines}, reader=True)
        raise ContentError([as_refusal(finding)]) from None


def render_handout(prepared: Prepared, *, provider: Provider | None = None,
                   patient_name: str | None = None, today: dt.date | None = None,
                   roster_path: Path | None = None) -> tuple[bytes, int]:
    """One reader's PDF as bytes, and its page count."""
    filled = fill_reader(prepared, provider=provider, patient_name=patient_name, today=today,
                         roster_path=roster_path)
    return render_filled(prepared, filled, today=today)


def render_handout_html(prepared: Prepared, *, provider: Provider | None = None,
                        patient_name: str | None = None, today: dt.date | None = None,
                        roster_path: Path | None = None) -> bytes:
    """One reader's accessible HTML edition, as UTF-8 bytes (see render.html)."""
    from ..render.html import render_html

    filled = fill_reader(prepared, provider=provider, patient_name=patient_name, today=today,
                         roster_path=roster_path)
    return render_html(filled, brand=prepared.brand, override=html_templates(prepared))


def html_templates(prepared: Prepared) -> Path:
    """Where a clinic's own HTML templates go: html/ beside its handout.yaml."""
    return html_folder(prepared.handout.path.parent)


@lru_cache(maxsize=4)
def _common(prepared: Prepared, today: dt.date) -> FilledHandout | None:
    """The handout for no reader in particular: the text every copy shares.

    Filled with empty reader values rather than none, since templates may
    require them; None if it still cannot be filled, and then each copy
    encodes its own text (correct, just not shared).
    """
    blank = Provider(id="", name="", credentials="", phone="", email="", location="")
    try:
        return fill(prepared, provider=blank, patient_name="", today=today)
    except HandoutError:
        return None


def shared_title(prepared: Prepared) -> str:
    """The handout's title filled for no reader in particular.

    What a message's subject names: the same for every patient, so it can
    never carry one patient's details.
    """
    common = _common(prepared, build_date())
    return common.title if common is not None else prepared.handout.title.text


@dataclass(frozen=True)
class Rendered:
    """One handout rendered in memory, not yet written anywhere."""

    data: bytes
    pages: int
    prepared: Prepared
    roster: Path | None


def render_one(handout: str | Path | None = None, *, options: Options | None = None,
               providers: str | Path | None = None, provider_id: str | None = None,
               patient_name: str | None = None, today: dt.date | None = None, fmt: str = "pdf",
               **what) -> Rendered:
    """Load, check and render one handout to bytes (a PDF, or `fmt="html"` the HTML edition), writing nothing.

    What to build is `options` (pipeline.options), or its fields as
    keywords (brand, layout, language, print_ready, allow_outside,
    allow_lint_errors). Every input problem is raised together; a handout
    with lint errors is refused unless `allow_lint_errors`.
    """
    options = Options.of(handout, options, **what)
    manifest = resolve_handout(options.handout)
    with kept_in(options.cache, manifest):
        if provider_id is not None:
            providers = find_roster(manifest, providers, needed_by="--provider")
        problems: list[Problem] = []
        prepared = collect(problems, prepare_checked, manifest, **options.prepare_keywords())
        provider = None
        if providers is not None:
            found: list[Problem] = []
            roster = collect(found, load_roster, Path(providers))
            if roster is not None and provider_id is not None:
                provider = collect(found, find_provider, roster, provider_id, Path(providers))
            problems += sorted(set(found), key=problem_order)
        if problems:
            raise HandoutError(problems)
        assert prepared is not None
        roster_path = Path(providers) if providers else None
        # A patient's copy: nothing filled is kept (it may hold their name), only what files make.
        with keeping_only(MADE_FROM_FILES) if patient_name else nullcontext():
            if fmt == "html":
                data, pages = render_handout_html(prepared, provider=provider, patient_name=patient_name,
                                                  today=today, roster_path=roster_path), 0
            else:
                data, pages = render_handout(prepared, provider=provider, patient_name=patient_name, today=today,
                                             roster_path=roster_path)
    return Rendered(data=data, pages=pages, prepared=prepared, roster=roster_path)

