"""The front desk page: one patient's handout previewed, printed, e-mailed or downloaded.

The patient's name (and address, and the password agreed with them) only
ever arrive in a POSTed form, live in memory for the request, and go back
only in that request's answer (marked `Cache-Control: no-store`). They are
never in an address, a log line, the audit log or a file: what is recorded
is who printed or sent which edition where.
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from dataclasses import dataclass

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from . import audit, catalog, work
from .pages import data_uri, read_form, render, signed_in, state

MAX_NAME = 300
LARGE_PRINT = "large-print"


@dataclass(frozen=True)
class Result:
    """The message an action ends with."""

    ok: bool
    text: str
    details: tuple[str, ...] = ()


async def desk_page(request: Request) -> Response:
    signed_in(request)
    query = request.query_params.get("q", "")[:200]
    return await _page(request, query=query, chosen=request.query_params.get("handout"))


async def desk_action(request: Request) -> Response:
    user = signed_in(request)
    serving = state(request)
    form = await read_form(request)
    entries = await serving.entries()
    entry = next((e for e in entries if e.key == form.get("handout")), None)
    if entry is None:
        raise HTTPException(400, "Choose a handout first.")
    action = form.get("action", "preview")
    copy, problem = _copy(serving, entry, form)
    pages: list[str] = []
    if problem:
        result = Result(False, problem)
    elif action == "preview":
        result, pages = await _preview(serving, copy)
    elif action == "download":
        outcome = await serving.run(work.download, copy)
        if isinstance(outcome, work.Document):
            _audit(serving, user, "download", outcome.edition, "ok")
            name = outcome.edition.handout_id + (f".{outcome.edition.language}" if copy.language
                                                  and outcome.edition.language != entry.languages[0] else "")
            return Response(outcome.data, media_type="application/pdf",
                            headers={"Content-Disposition": f'attachment; filename="{name}.pdf"'})
        result = _failure(outcome, "The PDF was not made")
        _audit(serving, user, "download", None, "refused", _said(result), entry=entry)
    elif action == "print":
        result = await _print(serving, user, copy, entry, form)
    elif action == "email":
        result = await _email(serving, user, copy, entry, form)
    else:
        raise HTTPException(400, "Unknown action.")
    return await _page(request, chosen=entry.key, form=form, result=result, pages=pages, status_code=200)


async def _page(request: Request, *, query: str = "", chosen: str | None = None, form: dict | None = None,
                result: Result | None = None, pages: list[str] | None = None, status_code: int = 200) -> Response:
    serving = state(request)
    entries = await serving.entries()
    shown = catalog.matches(entries, query)
    entry = next((e for e in entries if e.key == chosen), None) or (shown[0] if len(shown) == 1 else None)
    printers, default_printer, print_problem = await serving.printers()
    form = form or {}
    return render(request, "desk.html", status_code, title="Front desk", query=query, entries=shown,
                  all_count=len(entries), entry=entry, form=form, result=result, pages=pages or [],
                  languages=[(code, language_name(code)) for code in (entry.languages if entry else ())],
                  printers=printers, printer=form.get("printer") or default_printer or "",
                  print_problem=print_problem, email_problem=serving.options.smtp_missing,
                  large=form.get("large_print") == "yes")


def _copy(serving, entry: catalog.Entry, form: dict) -> tuple[work.Copy | None, str]:
    """The copy the form asks for, or why it cannot be made (never quoting the patient's name)."""
    name = unicodedata.normalize("NFC", " ".join(form.get("patient_name", "").split()))
    if len(name) > MAX_NAME:
        return None, f"The patient's name is longer than {MAX_NAME} characters."
    if any(unicodedata.category(c) in ("Cc", "Cf") for c in name):
        return None, "The patient's name holds a control character; type it again."
    provider = form.get("provider", "")
    if provider and provider not in {p.id for p in entry.providers}:
        return None, "Choose a provider from the list."
    language = form.get("language", "")
    if language and language not in entry.languages:
        return None, "Choose a language from the list."
    layout = LARGE_PRINT if form.get("large_print") == "yes" else serving.options.layout
    return work.Copy(manifest=entry.manifest, layout=layout, language=language or None, roster=entry.roster,
                     provider_id=provider or None, patient_name=name or None, brand=serving.options.brand,
                     cache=serving.options.cache), ""


async def _preview(serving, copy: work.Copy) -> tuple[Result, list[str]]:
    outcome = await serving.run(work.preview, copy)
    if not isinstance(outcome, work.Pages):
        return _failure(outcome, "The preview could not be made"), []
    e = outcome.edition
    text = (f"Preview of {e.title} (version {e.version}, {layout_name(e.layout)}, {language_name(e.language)}): "
            f"{len(outcome.images)} pages{_for(copy)}. Nothing was printed or sent.")
    return Result(True, text), [data_uri(image) for image in outcome.images]


async def _print(serving, user: str, copy: work.Copy, entry: catalog.Entry, form: dict) -> Result:
    printer = form.get("printer", "")
    try:
        copies = int(form.get("copies", "1") or 1)
    except ValueError:
        copies = 0
    if not 1 <= copies <= 100:
        return Result(False, "Copies must be a number from 1 to 100.")
    if not printer:
        _, _, problem = await serving.printers()
        return Result(False, f"Nothing was printed: printing is not available ({problem})." if problem
                      else "Choose a printer.")
    outcome = await serving.run(work.print_copy, copy, printer, copies, form.get("duplex") == "yes")
    if isinstance(outcome, work.Printed):
        e = outcome.edition
        _audit(serving, user, "print", e, "ok", printer=outcome.printer, job=outcome.job_id, copies=outcome.copies)
        sides = ", two-sided" if outcome.duplex else ""
        return Result(True, f"Printed {outcome.copies} {'copy' if outcome.copies == 1 else 'copies'} of {e.title} "
                            f"({layout_name(e.layout)}, {language_name(e.language)}{sides}, {outcome.pages} pages)"
                            f"{_for(copy)} on {outcome.printer}: job {outcome.job_id}.")
    result = _failure(outcome, "Nothing was printed")
    _audit(serving, user, "print", None, "refused", _said(result), entry=entry, printer=printer, copies=copies)
    return result


async def _email(serving, user: str, copy: work.Copy, entry: catalog.Entry, form: dict) -> Result:
    if serving.options.smtp is None:
        return Result(False, f"E-mail is not set up: {serving.options.smtp_missing}")
    address = form.get("email", "").strip()
    if not address:
        return Result(False, "Type the patient's e-mail address.")
    record = form.get("record", "").strip()
    row = {"id": record or patient_key(serving.key, address), "name": copy.patient_name or "", "email": address,
           "provider": copy.provider_id or "", "layout": copy.layout, "language": copy.language or "",
           "password": form.get("password", ""), "unencrypted_ok": "yes" if form.get("unencrypted_ok") == "yes" else "no"}
    options = serving.options
    outcome = await serving.run(work.email_copy, copy, row, options.smtp, options.ledger, options.outbox)
    if not isinstance(outcome, work.Emailed):
        result = _failure(outcome, "Nothing was sent")
        _audit(serving, user, "email", None, "refused", _said(result), entry=entry)
        return result
    e = outcome.edition
    row_text = f" (e-mail ledger row {outcome.ledger_row})" if outcome.ledger_row is not None else ""
    _audit(serving, user, "email", e, outcome.outcome, outcome.reason or None, entry=entry,
           ledger_row=outcome.ledger_row)
    what = f"{e.handout_id} version {e.version} ({layout_name(e.layout)}, {language_name(e.language)})" if e else ""
    protected = "password-protected" if row["password"] else "unencrypted, as the patient accepted"
    if outcome.outcome == "sent":
        return Result(True, f"E-mailed {what}{_for(copy)}, {protected}{row_text}.")
    if outcome.outcome == "skipped":
        return Result(True, f"Not sent again: {what} was already e-mailed to this address{row_text}. "
                            "A new version of the handout is sent as a new mailing.")
    return Result(False, f"Not sent ({outcome.outcome}): {outcome.reason}{row_text}")


def patient_key(key: bytes, address: str) -> str:
    """The ledger's patient id for an address typed at the desk: a keyed hash, never the address.

    The same address gets the same id, so the ledger knows a patient was
    sent a mailing however often the button is pressed; the key (kept
    beside the ledger, owner-only) makes the id unguessable from the address.
    """
    digest = hmac.new(key, address.strip().casefold().encode("utf-8"), hashlib.sha256).hexdigest()
    return f"desk-{digest[:24]}"


def _for(copy: work.Copy) -> str:
    return f" for {copy.patient_name}" if copy.patient_name else ""


def _failure(outcome, doing: str) -> Result:
    if isinstance(outcome, work.Refused):
        return Result(False, f"{doing}:", tuple(message for _path, _line, message in outcome.problems))
    kind = outcome.kind if isinstance(outcome, work.Failed) else type(outcome).__name__
    return Result(False, f"{doing}: an internal error ({kind}). This is a bug in handouts; the server's log "
                         "says where.")


def _audit(serving, user: str, action: str, edition: work.Edition | None, outcome: str, detail: str | None = None,
           *, entry: catalog.Entry | None = None, **where) -> None:
    """One audit row; `detail` is a refusal in the library's words, which never quote a patient's values."""
    serving.audit.append(audit.Entry(
        user=user, action=action, outcome=outcome,
        handout_id=edition.handout_id if edition else (entry.key if entry else None),
        version=edition.version if edition else (entry.version if entry else None),
        fingerprint=edition.fingerprint if edition else None, layout=edition.layout if edition else None,
        language=edition.language if edition else None, detail=detail, **where))


def _said(result: Result) -> str:
    return " ".join((result.text, *result.details))[:1000]


def language_name(code: str) -> str:
    """'Spanish (es)': the language's English name from CLDR, with its code."""
    from babel import Locale, UnknownLocaleError

    try:
        return f"{Locale.parse(code.replace('-', '_')).get_display_name('en')} ({code})"
    except (ValueError, UnknownLocaleError):
        return code


def layout_name(name: str) -> str:
    return {"large-print": "large print", "letter": "letter", "a4": "A4"}.get(name, name)
