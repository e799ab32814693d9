"""`send_handouts`: each patient their own handout, by e-mail, exactly once.

The run has three steps. Everything is checked first (handout, brand,
layouts, roster, patients file, templates, SMTP settings and the server's
TLS and sign-in) so that a mistake stops the run before any message. Then
worker processes render, encrypt and compose the messages, sharing the
prepared handout as a batch does. The main process writes them to the
outbox (a dry run, the default) or sends them over one SMTP connection,
recording each in the ledger before and after the body goes out.
"""

from __future__ import annotations

import datetime as dt
import gc
import logging
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from ...pipeline.prepare import Prepared
from ...pipeline.produce import render_filled
from ...pipeline.reader import fill_reader
from ...pipeline.editions import Editions
from ...pipeline.options import Options
from ...errors import HandoutError, OutputError, Problem, UsageError, display_path, explain_os_error
from ...layouts import builtin_layouts
from ...load.outbound import MailAddress, UnsafeValue, checked_address
from ...load.patients import Patient, load_patients, patients_source
from ...load.project import resolve_handout
from ...load.roster import Provider, load_roster
from ..files import remove_stale_parts, write_atomic
from ..lock import folder_lock
from ..workers import ahead, collect_less, document_done, run_state, sharing, worker_pool
from .encrypt import encrypt_pdf
from .ledger import Delivery, Mailing, check_ledger, default_ledger, open_ledger
from .options import EmailOptions
from .message import (
    NO_SENDER,
    MessageTemplates,
    build_message,
    check_templates,
    html_body,
    load_templates,
    message_context,
    new_message_id,
    header_problems,
    render_texts,
    sender_address,
    title_problem,
)
from .bodies import SharedStart
from .planning import Job, mailing_of, plan
from .settings import SmtpConfigError, SmtpSettings
from .sending import Sender
from .smtp import Lost, SmtpClient

log = logging.getLogger("handouts")

@dataclass
class EmailResult:
    """What a run did, by patient id. Nothing here holds a name or an address."""

    dry_run: bool
    outbox: Path
    ledger: Path
    sent: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    pending: list[tuple[str, str]] = field(default_factory=list)
    mailings: dict[str, Mailing] = field(default_factory=dict)  # each patient's, by id: the ledger's key
    stopped: str | None = None
    # Ctrl-C or SIGTERM: the message in flight was finished and recorded, the rest not sent.
    interrupted: KeyboardInterrupt | None = None

    @property
    def ok(self) -> bool:
        """No patient failed, was refused or left in doubt, and the run was not stopped."""
        return not (self.failed or self.refused or self.pending or self.stopped or self.interrupted)


def parse_rate(text: str) -> float:
    """'30/min' or '30' as messages per minute; a usage error otherwise."""
    from ...errors import NotFoundError

    number = text.strip().lower().removesuffix("/min").strip()
    try:
        value = float(number)
    except ValueError:
        raise NotFoundError(f"--rate must look like 30/min, found {text!r}") from None
    if not 0 < value <= 100_000:
        raise NotFoundError(f"--rate must be more than 0 messages a minute, found {text!r}")
    return value


def send_handouts(handout: str | Path | None = None, *, patients: str | Path | tuple, options: Options | None = None,
                  email: EmailOptions | None = None, providers: str | Path | None = None,
                  settings: SmtpSettings | None = None, jobs: int | None = None, wait: float | None = None,
                  progress: Callable[[int, int], None] | None = None, **what) -> EmailResult:
    """E-mail each patient of `patients` (a file, or a web form's rows of its columns) their own handout; a dry run unless `send`.

    What to print is `options`, or its fields as keywords (brand, layout,
    allow_outside, allow_lint_errors: see pipeline.options); `layout` is for
    patients without one, each patient gets the edition in their row's
    language. How to send is `email` (deliver.email.options.EmailOptions:
    outbox, send, ledger, rate, resend_pending, new_mailing,
    password_column, subject, sender, max_attachment, retry_delays), or its
    fields as keywords too.

    A dry run writes every message as a complete .eml file in `outbox`
    (owner-only) and sends nothing; `sender` is its From address (default:
    the clinic's e-mail from the brand). With `send`, messages go over SMTP with
    `settings`, and the ledger (default: beside the outbox) makes sure a
    patient gets each mailing once (handout version, language, layout and
    printed content: see deliver.email.planning): rows already `sent` are
    skipped, rows left `pending` by a run that died mid-message are reported
    and resent only with `resend_pending`, and an edition that prints
    differently from what patients got under the same version stops the
    run before anything is sent, unless `new_mailing`. Ctrl-C or SIGTERM
    during a send finishes and records the message in flight, stops, and
    returns the result with `interrupted` set.

    Either way the run holds the outbox folder's lock (deliver.lock) from
    reading the ledger to its last message, so no other e-mail run or batch
    works in that folder meanwhile: when one does, wait up to `wait`
    seconds for it, then raise FolderBusyError naming it.
    """
    email, what = EmailOptions.split(email, what)
    send = email.send
    outbox = Path(email.outbox)
    ledger_path = Path(email.ledger) if email.ledger else default_ledger(outbox)
    options = Options.of(handout, options, **what)
    options = replace(options, layout=options.layout or "letter")
    # The sender is checked before anything else: a From that is no address
    # (`--from frontdesk`) would otherwise be written as `<@frontdesk>`.
    from_address = sender_address(settings.sender if send and settings else email.sender)
    # The handout is found once; every edition and the roster start from its manifest.
    options = replace(options, handout=resolve_handout(options.handout))
    prepared, roster, patient_rows, templates, roster_path, key_of = _load_everything(
        options, patients=patients if isinstance(patients, tuple) else Path(patients), providers=providers,
        password_column=email.password_column, subject=email.subject)
    if send and settings is None:
        raise SmtpConfigError("no SMTP settings: give --smtp-host and --from, or set HANDOUTS_SMTP_HOST and "
                              "HANDOUTS_SMTP_FROM")
    mailings = {key: mailing_of(p) for key, p in prepared.items()}
    jobs_list = [Job(p, key_of[p.id], mailings[key_of[p.id]]) for p in patient_rows]
    result = EmailResult(dry_run=not send, outbox=outbox, ledger=ledger_path, mailings={j.patient.id: j.mailing for j in jobs_list})
    planning = dict(prepared=prepared, resend_pending=email.resend_pending, new_mailing=email.new_mailing,
                    result=result)

    check_ledger(ledger_path)
    _private_folder(outbox)
    with folder_lock(outbox, purpose="email" if send else "email (dry run)", wait=wait):
        # Nothing else writes here now: a hidden .part file was left by a killed run.
        for handout_id in sorted({p.handout.id for p in prepared.values()}):
            remove_stale_parts(outbox, f"{handout_id}--*")
        if not send:
            todo = plan(jobs_list, _read_ledger(ledger_path), **planning)
            origin = from_address or sender_address(next(iter(prepared.values())).brand.email) or NO_SENDER
            for job, outcome in _compose_all(todo, prepared, roster, templates, roster_path, email.max_attachment,
                                             origin, jobs, result, progress):
                name = f"{prepared[job.key].handout.id}--{job.patient.id}.eml"
                write_atomic(outbox / name, outcome, private=True)
                result.written.append(job.patient.id)
            return result

        with open_ledger(ledger_path, wait=wait) as book:
            todo = plan(jobs_list, book.rows(), **planning)
            client = SmtpClient(settings)
            if todo:
                # TLS, certificates and sign-in are checked before any message
                # is rendered, so a bad setting sends nothing.
                try:
                    client.connect()
                except Lost as exc:
                    raise SmtpConfigError(f"{settings.host}:{settings.port}: {exc.reason}; nothing was sent") from None
                except SmtpConfigError as exc:
                    raise SmtpConfigError([Problem(p.path, p.line, f"{p.message}; nothing was sent")
                                           for p in exc.problems]) from None
                if from_address.smtputf8 and not client.offers("smtputf8"):
                    client.close()
                    raise SmtpConfigError(f"{settings.host}:{settings.port} does not offer SMTPUTF8, which the "
                                          "sender's address needs (international characters before the @); "
                                          "nothing was sent")
            sender = Sender(client, book, from_address, email.rate, email.retry_delays, result)
            try:
                for job, outcome in _compose_all(todo, prepared, roster, templates, roster_path, email.max_attachment,
                                                 from_address, jobs, result, progress):
                    if not sender.deliver(job, outcome):
                        break
            except KeyboardInterrupt as exc:  # arrives between messages (deliver holds it during one)
                result.interrupted = exc
            finally:
                client.close()
        return result


def _load_everything(options: Options, *, patients: Path | tuple, providers, password_column: str, subject: str | None):
    """Every input checked, every problem reported at once, before anything is written.

    Returns the prepared editions by key ("layout/language"), the roster,
    the patients, the templates, the roster's path, and each patient's key.
    A patient asking for a language the handout has no translation for gets
    the handout's own, with a warning naming the row.
    """
    problems: list[Problem] = []
    handout, layout = options.handout, options.layout
    editions = {layout: Editions(options=options)}
    base = None
    try:
        base = editions[layout].get(None)
    except HandoutError as exc:
        if isinstance(exc, UsageError):
            raise
        problems.extend(exc.problems)
    roster: dict[str, Provider] = {}
    roster_path = _roster(handout, providers)
    if roster_path is not None:
        try:
            roster = {p.id: p for p in load_roster(roster_path)}
        except HandoutError as exc:
            problems.extend(exc.problems)
    rows: tuple[Patient, ...] = ()
    try:
        rows = load_patients(patients, provider_ids=frozenset(roster) if roster_path else None,
                             layouts=frozenset(builtin_layouts()), password_column=password_column)
    except HandoutError as exc:
        problems.extend(exc.problems)
    templates = None
    if base is not None:
        try:
            templates = load_templates(base.handout.path.parent, subject)
            # A title that cannot be in a subject is reported at its own line, not as the subject's.
            title = title_problem(base)
            problems += [title] if title else []
            for encrypted in () if title else (True, False):
                sample = message_context(base, provider=None, patient_name="Sample Patient", encrypted=encrypted)
                check_templates(templates, sample)
                if templates.html is None:
                    html_body(fill_reader(base, patient_name="Sample Patient"), prepared=base, context=sample)
        except HandoutError as exc:
            problems.extend(exc.problems)
    if problems:
        raise HandoutError(problems)
    prepared: dict[str, Prepared] = {}
    key_of: dict[str, str] = {}
    shown = patients_source(patients)
    for patient in rows:
        chosen = patient.layout or layout
        if chosen not in editions:
            editions[chosen] = Editions(options=replace(options, layout=chosen))
        edition = editions[chosen].get(patient.language, where=f"{shown}:{patient.line} (patient {patient.id})")
        key = f"{chosen}/{edition.handout.language}"
        prepared.setdefault(key, edition)
        key_of[patient.id] = key
    # Each language's title and subject (its catalogue's email_subject) are headers too.
    problems += [p for each in prepared.values() if each is not base for p in header_problems(each, templates)]
    if problems:
        raise HandoutError(problems)
    return prepared, roster, rows, templates, roster_path, key_of


def _roster(manifest: Path, providers) -> Path | None:
    """--providers, else the providers.csv (or .yaml) beside the handout, as build, batch and print use; or none."""
    from ...errors import NotFoundError
    from ...load.project import find_roster

    try:
        return find_roster(manifest, providers, needed_by="email")
    except NotFoundError:
        return None  # then a patient row naming a provider is refused (load_patients)


def _private_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(folder, 0o700)
    except OSError as exc:
        raise OutputError([Problem(display_path(folder), None, explain_os_error(exc, folder))]) from None


def _read_ledger(path: Path) -> list[Delivery]:
    if not os.path.lexists(path):
        return []
    with open_ledger(path, create=False) as book:  # anything but a ledger file there is refused
        return book.rows()


def _compose_all(todo: list[Job], prepared: dict[str, Prepared], roster: dict[str, Provider],
                 templates: MessageTemplates, roster_path: Path | None, max_attachment: int,
                 sender: MailAddress, jobs: int | None, result: EmailResult,
                 progress: Callable[[int, int], None] | None) -> Iterator[tuple[Job, bytes]]:
    """Each job with its complete message, in order; refusals go to `result` instead.

    What every message needs is the run's state (workers.sharing), read by
    `_compose` here or in a worker, as a batch's workers read theirs.
    """
    state = dict(prepared=prepared, roster=roster, templates=templates, roster_path=roster_path,
                 max_attachment=max_attachment, sender=sender, now=dt.datetime.now(dt.timezone.utc),
                 starts={})  # each edition's SharedStart, filled by each process that composes
    workers = max(1, min(jobs or os.cpu_count() or 1, len(todo)))
    # As in a batch: what is alive now (prepared editions, fonts, caches)
    # lives for the run, so the collector leaves it out of its scans, and
    # runs less often while messages are rendered.
    thresholds = gc.get_threshold()
    with sharing(state):
        gc.freeze()
        collect_less()
        pool = worker_pool(workers, collect_less) if workers > 1 else None
        # A few messages per worker ahead of the connection: it never waits on
        # rendering, and memory holds a handful of finished messages, not the run.
        outcomes = ahead(pool, _compose, todo, 4 * workers) if pool else map(_compose, todo)
        try:
            for done, (job, (ok, value)) in enumerate(zip(todo, outcomes), 1):
                if ok:
                    yield job, value
                else:
                    result.refused.append((job.patient.id, value))
                    log.warning("patient %s: refused: %s", job.patient.id, value)
                if progress:
                    progress(done, len(todo))
        finally:
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)
            gc.unfreeze()
            gc.set_threshold(*thresholds)


def _compose(job: Job) -> tuple[bool, bytes | str]:
    """One patient's message: (True, bytes), or (False, a reason that holds no patient data)."""
    document_done()
    s = run_state()
    patient = job.patient
    prepared: Prepared = s["prepared"][job.key]
    provider = s["roster"].get(patient.provider) if patient.provider else None
    try:
        filled = fill_reader(prepared, provider=provider, patient_name=patient.name, roster_path=s["roster_path"])
        data, _pages = render_filled(prepared, filled)
    except HandoutError as exc:
        if any(p.path == "--patient-name" for p in exc.problems):
            return False, "the patient's name holds characters the handout's font cannot print"
        return False, "; ".join(str(p) for p in exc.problems)
    if len(data) > s["max_attachment"]:
        return False, (f"the PDF is {len(data) / 1e6:.1f} MB, over the {s['max_attachment'] / 1e6:.1f} MB "
                       "attachment limit (--max-attachment-mb)")
    if patient.password:
        data = encrypt_pdf(data, patient.password)
    context = message_context(prepared, provider=provider, patient_name=patient.name,
                              encrypted=bool(patient.password))
    subject, text, html = render_texts(s["templates"], context)
    if html is None:
        html = html_body(filled, prepared=prepared, context=context)
    # An encrypted PDF begins like no other.
    start = None if patient.password else s["starts"].setdefault(job.key, SharedStart())
    try:
        message = build_message(sender=s["sender"], sender_name=prepared.brand.name,
                                recipient=checked_address(patient.email), subject=subject, text=text, html=html,
                                attachment=data, attachment_name=f"{prepared.handout.id}.pdf",
                                message_id=new_message_id(s["sender"]), date=s["now"], shared_start=start)
    except UnsafeValue as exc:
        # Checked values cannot get here; a template filling in a roster's
        # value (a provider's name in the subject) can.
        return False, f"a value in the message's headers {exc.reason}"
    return True, message


def ledger_status(ledger: str | Path | None = None, *, outbox: str | Path = "outbox") -> dict:
    """The ledger's counts per state and handout, and the ids left pending."""
    path = Path(ledger) if ledger else default_ledger(Path(outbox))
    with open_ledger(path, create=False) as book:
        return book.summary()
