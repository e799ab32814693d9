"""What the server's worker processes do: each a call of the library's own public functions.

Rendering is CPU work in ReportLab, which keeps process-wide state, so it
runs in worker processes (deliver.workers, as a batch renders) and never in
the process answering the browser: a print for one member of staff never
waits on another's, nor does the page. Each function takes and returns
plain values (they cross a pipe); an input problem comes back as
`Refused` with the library's problems, never as an exception, and an
unexpected error as `Failed`, naming its type only: its message could hold
anything, a patient's name included.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import HandoutError, Problem

log = logging.getLogger("handouts")

# Pages as JPEG at 90 dpi: legible on screen, and encoded in a tenth of PNG's time
# (PNG was most of a refresh's second on the bundled handout's 13 pages).
PREVIEW_DPI = 90
JPEG_QUALITY = 90


@dataclass(frozen=True)
class Copy:
    """One reader's copy, as the front desk asked for it."""

    manifest: Path
    layout: str
    language: str | None = None
    roster: Path | None = None
    provider_id: str | None = None
    patient_name: str | None = field(default=None, repr=False)
    brand: Path | None = None
    # The folder of what builds work out from files (load.cache), as `build` keeps it: a worker's
    # first copy of a handout then neither checks nor decodes what an earlier process did.
    cache: Path | None = None

    def rendered(self):
        """The copy rendered in memory by `pipeline.produce.render_one`, as `build` and `print` render it."""
        from ..pipeline.options import Options
        from ..pipeline.produce import render_one

        what = Options(handout=self.manifest, brand=self.brand, layout=self.layout, language=self.language or None,
                       cache=self.cache)
        return render_one(options=what, providers=self.roster if self.provider_id else None,
                          provider_id=self.provider_id or None, patient_name=self.patient_name or None)


@dataclass(frozen=True)
class Edition:
    """Which edition a copy was made from: what the audit log records."""

    handout_id: str
    version: str
    language: str
    layout: str
    fingerprint: str
    title: str = ""


@dataclass(frozen=True)
class Refused:
    """The library refused: its problems as (path, line, message), none holding a patient's values."""

    problems: tuple[tuple[str, int | None, str], ...]

    @property
    def lines(self) -> list[str]:
        return [str(Problem(*p)) for p in self.problems]


@dataclass(frozen=True)
class Failed:
    """A bug: the exception's type only."""

    kind: str


@dataclass(frozen=True)
class Pages:
    edition: Edition
    images: tuple[bytes, ...]


@dataclass(frozen=True)
class Document:
    edition: Edition
    data: bytes = field(repr=False)


@dataclass(frozen=True)
class Printed:
    edition: Edition
    job_id: str
    printer: str
    copies: int
    duplex: bool
    pages: int


@dataclass(frozen=True)
class Emailed:
    """What the e-mail run did for this one patient: sent, skipped (already sent), or not."""

    edition: Edition | None
    outcome: str  # sent | skipped | refused | failed | pending | stopped
    reason: str = ""
    ledger_row: int | None = None
    ledger: str = ""


def guarded(function, *args):
    """Run one job in a worker: its value, a Refused, or a Failed."""
    try:
        return function(*args)
    except HandoutError as exc:
        return Refused(tuple((p.path, p.line, p.message) for p in exc.problems))
    except Exception as exc:  # noqa: BLE001 - the message might quote input; the type and place are enough
        log.error("internal error in %s: %s", getattr(function, "__name__", "a job"), described(exc))
        return Failed(type(exc).__name__)


def described(exc: BaseException) -> str:
    """An exception as its type and the lines of code it passed through (never its message, which may quote input)."""
    frames = []
    tb = exc.__traceback__
    while tb is not None:
        frames.append(f"{Path(tb.tb_frame.f_code.co_filename).name}:{tb.tb_lineno}")
        tb = tb.tb_next
    return f"{type(exc).__name__} at {' < '.join(reversed(frames[-6:]))}"


def edition_of(prepared) -> Edition:
    from ..deliver.content import content_fingerprint
    from ..pipeline.produce import shared_title

    handout = prepared.handout
    return Edition(handout_id=handout.id, version=handout.version, language=handout.language,
                   layout=prepared.layout.name, fingerprint=content_fingerprint(prepared),
                   title=shared_title(prepared))


def page_images(data: bytes, dpi: int = PREVIEW_DPI) -> tuple[bytes, ...]:
    """Each page of a PDF as a JPEG picture, through PDFium (pypdfium2)."""
    import pypdfium2

    document = pypdfium2.PdfDocument(data)
    try:
        images = []
        for index in range(len(document)):
            page = document[index]
            bitmap = page.render(scale=dpi / 72)
            out = io.BytesIO()
            bitmap.to_pil().convert("RGB").save(out, format="JPEG", quality=JPEG_QUALITY)
            images.append(out.getvalue())
            page.close()
        return tuple(images)
    finally:
        document.close()


# -- the front desk ----------------------------------------------------------

def preview(copy: Copy) -> Pages:
    """The copy's pages as pictures: rendered as `handouts build` renders it, written nowhere."""
    rendered = copy.rendered()
    return Pages(edition_of(rendered.prepared), page_images(rendered.data))


def download(copy: Copy) -> Document:
    """The copy's PDF, as `handouts build` makes it."""
    rendered = copy.rendered()
    return Document(edition_of(rendered.prepared), rendered.data)


def print_copy(copy: Copy, printer: str, copies: int, duplex: bool) -> Printed:
    """The copy sent to CUPS through the library's print path: what `handouts print` does."""
    from ..deliver.printing import print_handout

    rendered = copy.rendered()
    result = print_handout(printer=printer, copies=copies, duplex=duplex, rendered=rendered)
    return Printed(edition_of(rendered.prepared), result.job.job_id, result.job.printer, result.job.copies,
                   result.job.duplex, result.pages)


def email_copy(copy: Copy, row: dict, settings, ledger: Path, outbox: Path) -> Emailed:
    """The copy e-mailed through `handouts email`'s path: its rules, its ledger, its lock on the outbox.

    `row` holds the patients file's columns for this one patient (id, name,
    email, password or unencrypted_ok...). A patient the ledger says was
    already sent this mailing is skipped, never sent twice.
    """
    from ..deliver.email.ledger import open_ledger
    from ..deliver.email.mailing import send_handouts
    from ..deliver.email.options import EmailOptions
    from ..pipeline.options import Options

    what = Options(handout=copy.manifest, brand=copy.brand, layout=copy.layout, cache=copy.cache)
    how = EmailOptions(outbox=outbox, send=True, ledger=ledger)
    result = send_handouts(patients=(row,), options=what, email=how, providers=copy.roster, settings=settings,
                           jobs=1, wait=60.0)
    patient = row["id"]
    mailing = result.mailings.get(patient)
    edition = Edition(mailing.handout_id, mailing.version, mailing.language, mailing.layout,
                      mailing.content) if mailing else None
    row_id = None
    if mailing is not None and ledger.exists():
        with open_ledger(ledger, create=False) as book:
            row_id = book.row_id(patient, mailing)
    for outcome, found in (("sent", result.sent), ("skipped", result.skipped)):
        if patient in found:
            return Emailed(edition, outcome, ledger_row=row_id, ledger=str(ledger))
    for outcome, found in (("refused", result.refused), ("failed", result.failed), ("pending", result.pending)):
        for pid, reason in found:
            if pid == patient:
                return Emailed(edition, outcome, reason, ledger_row=row_id, ledger=str(ledger))
    return Emailed(edition, "stopped", result.stopped or "the run stopped before this message",
                   ledger_row=row_id, ledger=str(ledger))


# -- the editor --------------------------------------------------------------

def findings(manifest: Path, layout: str, brand: Path | None, cache: Path | None) -> tuple[dict, ...]:
    """`handouts lint`'s findings for the handout and its translations."""
    from ..pipeline.lint import lint_handout

    return tuple(f.as_dict() for f in lint_handout(manifest, brand=brand, layout=layout, cache=cache))


def draft(manifest: Path, layout: str, language: str | None, brand: Path | None, cache: Path | None = None) -> Pages:
    """The edition's pages for no reader in particular, lint errors or not: what an editor looks at."""
    from ..load.cache import kept_in
    from ..pipeline.prepare import prepare
    from ..pipeline.produce import render_handout

    with kept_in(cache, manifest):
        prepared = prepare(manifest, brand=brand, layout=layout, language=language or None)
        data, _pages = render_handout(prepared)
    return Pages(edition_of(prepared), page_images(data))


def warm() -> bool:
    """Nothing: starts a worker (and its imports) before the first page needs it."""
    import handouts.pipeline.produce  # noqa: F401

    return True
