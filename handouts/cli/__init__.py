"""The `handouts` command line: a thin layer over the library.

Each command parses its options and calls one library function. Errors are
turned into exit codes in one place, `HandoutsGroup.invoke`:
0 success, 1 a problem with the input (every problem listed on stderr as
`path:line: message`), 2 a usage mistake, 3 a bug in handouts itself.
"""

from __future__ import annotations

import functools
import gc
import logging
import os
import signal
import sys

import click

from ..version import __version__

EXIT_INPUT, EXIT_USAGE, EXIT_BUG = 1, 2, 3
EXIT_INTERRUPTED, EXIT_TERMINATED = 130, 143  # 128 + SIGINT, 128 + SIGTERM, as shells report them


class Terminated(KeyboardInterrupt):
    """SIGTERM (a service stopping, `kill`): handled exactly like Ctrl-C, then exit 143.

    A KeyboardInterrupt so that every `finally` that saves work on Ctrl-C
    (a batch's manifest, a temporary file's removal) runs for it too.
    """


def _terminate(signum, frame) -> None:
    # Once: a second SIGTERM must not interrupt the saving the first one started.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise Terminated()


def _redeliver_interrupt(unraisable) -> None:
    """sys.unraisablehook: an interruption that landed in a finalizer is raised again, a moment later.

    Python cannot raise out of a finalizer or weakref callback (it prints
    "Exception ignored in ..." and goes on), so a Ctrl-C or SIGTERM that
    arrives while the garbage collector runs one was lost, and a batch ran
    to its end (a third of the time in a test). A timer raises the same
    interruption in whatever code runs next; other unraisable errors are
    reported as usual.
    """
    if not isinstance(unraisable.exc_value, KeyboardInterrupt):
        sys.__unraisablehook__(unraisable)
        return
    kind = type(unraisable.exc_value)

    def again(signum, frame) -> None:
        raise kind()

    signal.signal(signal.SIGALRM, again)
    signal.setitimer(signal.ITIMER_REAL, 0.001)


# Where a command writes: checked by the library, which names the path and
# exits 1 (a folder where a file goes is a problem with the input, like any
# other), rather than by click, whose refusal is a usage error (exit 2).
OUTPUT = click.Path()


FORMATS = ("pdf", "html")
# batch --format: one edition or both, each a tuple in that order.
BATCH_FORMATS = {"pdf": ("pdf",), "html": ("html",), "pdf,html": FORMATS, "html,pdf": FORMATS}

# The options several commands share, each declared once: (names, click's
# settings). A command may word its help its own way (`shared_options`).
_SHARED = {
    "brand": (("--brand",), dict(type=click.Path(dir_okay=False), help="brand.yml to print with.")),
    "layout": (("--layout",), dict(metavar="NAME|FILE", help="letter (default), a4, large-print, or a layout file.")),
    "providers": (("--providers",), dict(type=click.Path(dir_okay=False), help="Roster: CSV or YAML list of "
                                         "providers (default: providers.csv beside the handout).")),
    "provider_id": (("--provider", "provider_id"), dict(metavar="ID", help="Provider id from the roster to print "
                                                        "on the handout.")),
    "patient_name": (("--patient-name",), dict(metavar="TEXT", help="Patient's name for the cover and signature "
                                               "page.")),
    "print_ready": (("--print-ready",), dict(is_flag=True, help="Add 3 mm bleed and crop marks for a print shop.")),
    "allow_outside": (("--allow-outside",), dict(is_flag=True, help="Allow content paths that leave the handout's "
                                                 "folder.")),
    "allow_lint_errors": (("--allow-lint-errors",), dict(is_flag=True, help="Build despite lint errors (each is "
                                                         "logged as a warning).")),
    "language": (("--language",), dict(metavar="CODE", help="Print the translation into this language (es, "
                                       "es-MX); without one, the handout's own language prints, with a warning.")),
}
# The shared options that say what to build: a command gets them, with
# HANDOUT, as one frozen pipeline.options.Options named `options`.
_WHAT_TO_BUILD = ("handout", "brand", "layout", "language", "print_ready", "allow_outside", "allow_lint_errors")


def shared_option(name: str, help: str | None = None):  # noqa: A002 - click's word
    """The shared option `name` (_SHARED), its help reworded if `help` is given."""
    decls, settings = _SHARED[name]
    return click.option(*decls, **{**settings, **({"help": help} if help else {})})


def shared_options(*names: str, **helps: str):
    """HANDOUT and the shared options `names`, in that order (help reworded by `helps`).

    The command is called with `options` (what to build) in place of
    HANDOUT and the options of _WHAT_TO_BUILD (those declared here or by
    `shared_option` further down), and the others by name.
    """
    def decorate(command):
        @functools.wraps(command)
        def run(**values):
            from ..pipeline.options import Options

            what = {name: values.pop(name) for name in _WHAT_TO_BUILD if name in values}
            return command(options=Options(**what), **values)

        for name in reversed(names):
            run = shared_option(name, helps.get(name))(run)
        return click.argument("handout", required=False)(run)
    return decorate


class _EchoHandler(logging.Handler):
    """Library log records to stderr through click, as `handouts: warning: ...`.

    Tracebacks of internal errors are shown only with --debug.
    """

    def emit(self, record: logging.LogRecord) -> None:
        ctx = click.get_current_context(silent=True)
        debug = bool(ctx and ctx.find_root().obj and ctx.find_root().obj.get("debug"))
        message = f"handouts: {record.levelname.lower()}: {record.getMessage()}"
        if debug and record.exc_info:
            import traceback

            message += "\n" + "".join(traceback.format_exception(*record.exc_info)).rstrip()
        click.echo(message, err=True)


def _quiet(ctx: click.Context, _param, value: bool) -> None:
    """-q anywhere: before the command (the group's option) or after it (each command's)."""
    if value:
        ctx.find_root().obj["quiet"] = True
        logging.getLogger("handouts").setLevel(logging.ERROR)


class HandoutsGroup(click.Group):
    """Maps the library's errors to exit codes and stderr lines; gives every command `-q`."""

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        # `handouts build x -q` as well as `handouts -q build x`: click
        # accepts a group's option only before the command name.
        cmd.params.append(click.Option(["-q", "--quiet"], is_flag=True, expose_value=False, callback=_quiet,
                                       help="Print only errors."))
        super().add_command(cmd, name)

    def invoke(self, ctx: click.Context):
        from ..errors import HandoutError, UsageError

        try:
            return super().invoke(ctx)
        except HandoutError as exc:
            for problem in exc.problems:
                click.echo(str(problem), err=True)
            if isinstance(exc, UsageError):
                click.echo("Try 'handouts --help' for help.", err=True)
                ctx.exit(EXIT_USAGE)
            ctx.exit(EXIT_INPUT)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except KeyboardInterrupt as exc:
            terminated = isinstance(exc, Terminated)
            click.echo(f"handouts: interrupted{' (SIGTERM)' if terminated else ''}; nothing partial was written",
                       err=True)
            ctx.exit(EXIT_TERMINATED if terminated else EXIT_INTERRUPTED)
        except Exception as exc:  # a bug: say so in one line, trace only on --debug
            if ctx.obj and ctx.obj.get("debug"):
                raise
            click.echo(f"handouts: internal error ({type(exc).__name__}: {exc}); "
                       "this is a bug in handouts: rerun with --debug and report the traceback", err=True)
            ctx.exit(EXIT_BUG)


@click.group(cls=HandoutsGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="handouts")
@click.option("--debug", is_flag=True, help="Show tracebacks for internal errors.")
@click.option("-q", "--quiet", is_flag=True, help="Print only errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool, quiet: bool) -> None:
    """Branded, print-ready PDF patient handouts from YAML content.

    \b
    Start here:
      handouts build                 # the bundled stem-cell knee handout
      handouts init my-clinic        # a copy to make your own
      handouts build my-clinic       # your handout, your brand
    """
    ctx.obj = {"debug": debug, "quiet": quiet}
    log = logging.getLogger("handouts")
    log.handlers[:] = [_EchoHandler()]
    log.setLevel(logging.ERROR if quiet else logging.WARNING)
    log.propagate = False


@cli.command()
@click.option("-o", "--output", type=OUTPUT, help="File to write (default: <handout id>.pdf or .html here).")
@shared_options("brand", "layout", "providers", "provider_id", "patient_name", "print_ready", "allow_outside",
                "allow_lint_errors", "language")
@click.option("--print", "send", is_flag=True, help="Also send the PDF to a CUPS printer (see 'handouts print').")
@click.option("--printer", metavar="NAME", help="With --print: CUPS printer (default: the CUPS default).")
@click.option("--copies", type=click.IntRange(1, 100), help="With --print: number of copies (default 1).")
@click.option("--duplex", is_flag=True, help="With --print: print on both sides (long edge).")
@click.option("--format", "fmt", type=click.Choice(["pdf", "html"]), default="pdf", show_default=True,
              help="pdf: the tagged PDF; html: the accessible HTML edition, one self-contained file.")
def build(options, output, providers, provider_id, patient_name, send, printer, copies, duplex, fmt):
    """Build one handout: a tagged PDF, or with --format html the accessible HTML edition.

    HANDOUT is a manifest file, a folder holding handout.yaml, or the name of
    a bundled handout; without it the bundled stem-cell knee handout is built
    with the demo brand.

    \b
    Examples:
      handouts build
      handouts build my-clinic --layout large-print -o knee-large.pdf
      handouts build my-clinic --provider dr-nunez      # from my-clinic/providers.csv
      handouts build --language es          # the Spanish edition: stem-cell-knee.es.pdf
      handouts build my-clinic --print --printer front-desk
      handouts build my-clinic --format html -o knee.html
    """
    from ..deliver.single import build_handout

    _check_provider_options(providers, provider_id)
    if not send and (printer or copies or duplex):
        raise click.UsageError("--printer, --copies and --duplex need --print")
    if send and fmt != "pdf":
        raise click.UsageError("--print prints the PDF; it cannot be used with --format html")
    if send:
        from ..deliver.printing import check_printer

        check_printer(printer)  # before building: a missing printer fails fast
    result = build_handout(options=options, output=output, providers=providers, provider_id=provider_id,
                           patient_name=patient_name, fmt=fmt)
    click.echo(str(result.path))
    if send:
        from ..deliver.printing import print_handout

        printed = print_handout(rendered=result.rendered, printer=printer, copies=copies or 1, duplex=duplex)
        _report_job(printed.job, printed.pages)


def _check_provider_options(providers, provider_id) -> None:
    if providers and not provider_id:
        raise click.UsageError("--providers needs --provider ID (use 'handouts batch' for every provider)")


def _report_job(job, pages: int) -> None:
    """The job id on stdout (for scripts); what went where on stderr."""
    click.echo(job.job_id)
    if not (click.get_current_context().find_root().obj or {}).get("quiet"):
        copies = f"{job.copies} copies" if job.copies > 1 else "1 copy"
        sides = ", two-sided" if job.duplex else ""
        click.echo(f"handouts: sent {pages} page(s), {copies}{sides}, to printer {job.printer}", err=True)


@cli.command("print")
@shared_options("brand", "layout", "providers", "provider_id", "patient_name", "allow_outside", "allow_lint_errors",
                "language", allow_lint_errors="Print despite lint errors (each is logged as a warning).")
@click.option("--printer", metavar="NAME", help="CUPS printer to use (default: the CUPS default printer).")
@click.option("--copies", type=click.IntRange(1, 100), default=1, show_default=True, help="Number of copies.")
@click.option("--duplex", is_flag=True, help="Print on both sides of the paper (long edge).")
def print_command(options, printer, copies, duplex, providers, provider_id, patient_name):
    """Build a handout and send it to a CUPS printer.

    Checks the printer first, builds the PDF in memory (no file is written)
    and hands it to CUPS with `lp`. Prints the job id on stdout. The job's
    title is the handout's id and version, never the patient's name.
    CUPS_SERVER selects another CUPS server, as for `lp`.

    \b
    Examples:
      handouts print --printer front-desk
      handouts print my-clinic --patient-name "Ana Pérez" --layout large-print --duplex
    """
    from ..deliver.printing import print_handout

    _check_provider_options(providers, provider_id)
    result = print_handout(options=options, printer=printer, copies=copies, duplex=duplex, providers=providers,
                           provider_id=provider_id, patient_name=patient_name)
    _report_job(result.job, result.pages)


@cli.command()
@shared_options("brand", "layout", brand="brand.yml to check with.",
                layout="Layout to check the logo's resolution in (default letter).")
@click.option("--max-grade", type=click.FloatRange(1, 20), default=8.0, show_default=True,
              help="Highest reading grade a section may have.")
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text: one finding a line; json: a list of objects.")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), help="Date to check review dates against (YYYY-MM-DD).")
@shared_option("allow_outside")
@click.option("--images", is_flag=True, help="Also list every picture in the sections with its alt text, "
              "printed size and dpi (severity info).")
@click.option("--no-cache", is_flag=True, help="Work everything out again, and keep nothing for the next run "
              "(the cache is in $HANDOUTS_CACHE_DIR, else $XDG_CACHE_HOME/handouts or ~/.cache/handouts).")
def lint(options, max_grade, strict, fmt, today, images, no_cache):
    """Check a handout: reading level, claims, completeness, review dates, brand, pictures.

    Findings print as `path:line: severity: code: message`, sorted by file and
    line. Exit 1 when there is an error (or any warning with --strict).

    \b
    Examples:
      handouts lint
      handouts lint my-clinic --max-grade 6 --strict
      handouts lint my-clinic --format json > findings.json
      handouts lint my-clinic --images
    """
    import json

    # A lint is short and its inputs are capped: the 70-odd garbage
    # collections its imports and loading would trigger (a twentieth of a
    # cold lint) free next to nothing, so it runs without them.
    collecting = gc.isenabled()
    gc.disable()
    try:
        from ..pipeline.lint import lint_handout

        findings = lint_handout(options.handout, brand=options.brand, layout=options.layout, max_grade=max_grade,
                                today=today.date() if today else None, allow_outside=options.allow_outside,
                                images=images, cache=None if no_cache else _cache_folder())
    finally:
        if collecting:
            gc.enable()
    if fmt == "json":
        click.echo(json.dumps([f.as_dict() for f in findings], indent=2, ensure_ascii=False))
    else:
        for finding in findings:
            click.echo(str(finding))
        errors = sum(f.severity == "error" for f in findings)
        listed = sum(f.severity == "info" for f in findings)
        pictures = f", {listed} picture(s) listed" if images else ""
        click.echo(f"{errors} error(s), {len(findings) - errors - listed} warning(s){pictures}", err=True)
    if any(f.severity == "error" for f in findings) or (strict and any(f.severity != "info" for f in findings)):
        click.get_current_context().exit(EXIT_INPUT)


def _cache_folder() -> str | None:
    """Where lint keeps what it worked out: $HANDOUTS_CACHE_DIR, else the XDG cache folder; None with no home."""
    named = os.environ.get("HANDOUTS_CACHE_DIR")
    if named:
        return named
    base = os.environ.get("XDG_CACHE_HOME")
    if not base:
        home = os.path.expanduser("~")
        if home.startswith("~"):
            return None  # no home to be found: a folder named "~" here would be a surprise
        base = os.path.join(home, ".cache")
    return os.path.join(base, "handouts")


def _wait_option(folder: str):
    """--wait SECONDS, for commands that take an output folder's lock (deliver.lock)."""
    return click.option("--wait", type=click.FloatRange(min=0), metavar="SECONDS",
                        help=f"If another run is writing into {folder}, wait up to SECONDS for it "
                             "(default: refuse at once).")


@cli.command()
@shared_options("providers", "brand", "layout", providers="Roster: CSV or YAML list (default: providers.csv or "
                "providers.yaml beside the handout).")
@click.option("-d", "--out-dir", default="out", show_default=True, type=OUTPUT,
              help="Folder for the PDFs and the handout's manifest.")
@click.option("-j", "--jobs", type=click.IntRange(1, 256), help="Worker processes (default: number of cores).")
@click.option("--only", multiple=True, metavar="ID", help="Build only this provider (repeatable).")
@click.option("--shard", metavar="K/N", help="Build only the K-th of N slices of the roster.")
@shared_option("print_ready")
@shared_option("allow_outside")
@click.option("--format", "fmt", type=click.Choice(list(BATCH_FORMATS), case_sensitive=False), default="pdf",
              show_default=True, metavar="pdf|html|pdf,html", help="Editions per provider: the tagged PDF, the HTML edition, or both.")
@shared_option("allow_lint_errors")
@shared_option("language", "Language for providers whose roster row has no 'language' (default: the handout's own).")
@_wait_option("OUT_DIR")
def batch(options, providers, out_dir, jobs, only, shard, fmt, wait):
    """Build one handout PDF per provider in a roster, in parallel.

    Writes OUT_DIR/<handout id>--<provider id>.pdf (and .html with --format
    pdf,html) for each provider and OUT_DIR/<handout id>.manifest.json
    (hashes, pages, failures, input fingerprint). Unchanged outputs are kept;
    exit 1 if any provider failed. One run at a time writes into a folder: a
    second is refused, or waits with --wait.

    \b
    Examples:
      handouts batch my-clinic -d out                  # my-clinic/providers.csv
      handouts batch my-clinic --providers big.csv --shard 3/8 -d out-3
      handouts batch my-clinic --providers my-clinic/providers.csv --format pdf,html
    """
    from ..deliver.batch import build_batch
    from ..deliver.manifest import Shard

    shard_spec = Shard.parse(shard) if shard else None
    result = _with_progress("Building", lambda progress: build_batch(
        options=options, providers=providers, out_dir=out_dir, jobs=jobs, only=only, shard=shard_spec,
        progress=progress, formats=BATCH_FORMATS[fmt.lower()], wait=wait))
    for failure in result.failed:
        click.echo(f"failed: provider {failure['provider']}: {failure['error']}", err=True)
    summary = (f"built {len(result.built)}, unchanged {len(result.unchanged)}, failed {len(result.failed)}"
               f" -> {result.manifest_path}")
    if not result.built and not result.failed:
        summary += " (nothing changed; no file rewritten)"
    click.echo(summary)
    if result.failed:
        click.get_current_context().exit(EXIT_INPUT)


@cli.command("merge-manifests")
@click.argument("manifests", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("-o", "--output", type=OUTPUT, help="Write here (default: stdout).")
def merge_manifests_command(manifests, output):
    """Merge the manifests of a sharded batch into one.

    \b
    Example:
      handouts merge-manifests out-*/stem-cell-knee.shard-*.manifest.json -o stem-cell-knee.manifest.json
    """
    import json
    from pathlib import Path

    from ..deliver.manifest import merge_manifests
    from ..deliver.files import write_atomic

    merged = json.dumps(merge_manifests([Path(m) for m in manifests]), indent=2, ensure_ascii=False) + "\n"
    if output:
        write_atomic(Path(output), merged.encode())
        click.echo(output)
    else:
        click.echo(merged, nl=False)


@cli.command()
@shared_options()
@click.option("--patients", type=click.Path(dir_okay=False), help="Patients: CSV or YAML (id, name, email, ...).")
@shared_option("providers", "Roster the patients' 'provider' ids refer to (default: providers.csv beside the handout).")
@shared_option("brand")
@shared_option("layout", "Layout for patients without their own (default letter).")
@click.option("--outbox", default="outbox", show_default=True, type=OUTPUT,
              help="Folder for the dry run's .eml files; the ledger sits beside it.")
@click.option("--send", is_flag=True, help="Really send over SMTP (default: a dry run into the outbox).")
@click.option("--ledger", type=OUTPUT,
              help="Ledger file (default: email-ledger.sqlite beside the outbox).")
@click.option("--rate", metavar="N/min", help="Send at most N messages a minute.")
@click.option("--status", is_flag=True, help="Print the ledger's summary and exit.")
@click.option("--resend-pending", is_flag=True, help="Resend messages an earlier run left pending.")
@click.option("--new-mailing", is_flag=True, help="Send an edition that prints differently under the same version "
              "to the patients who got its earlier text, too (without it the run refuses).")
@click.option("--password-column", default="password", show_default=True, metavar="NAME",
              help="Patients column holding each PDF's password.")
@click.option("--subject", metavar="TEMPLATE", help="Subject line (a template; default from email/subject.txt).")
@click.option("--max-attachment-mb", type=click.FloatRange(0.1, 100), default=10.0, show_default=True,
              help="Refuse a patient whose PDF is larger.")
@click.option("--smtp-host", metavar="HOST", help="SMTP server (or HANDOUTS_SMTP_HOST).")
@click.option("--smtp-port", type=click.IntRange(1, 65535), help="SMTP port (or HANDOUTS_SMTP_PORT).")
@click.option("--smtp-user", metavar="USER", help="SMTP user (or HANDOUTS_SMTP_USER).")
@click.option("--from", "sender", metavar="ADDRESS", help="Sender address (or HANDOUTS_SMTP_FROM).")
@click.option("--tls", type=click.Choice(["ssl", "starttls", "none"]),
              help="TLS mode (or HANDOUTS_SMTP_TLS; default starttls).")
@click.option("--ca-file", type=click.Path(dir_okay=False), help="CA certificates to verify the server with.")
@click.option("-j", "--jobs", type=click.IntRange(1, 256), help="Worker processes rendering (default: cores).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="With --status: text or json.")
@shared_option("allow_outside")
@shared_option("allow_lint_errors")
@_wait_option("the outbox or uses the ledger")
def email(options, patients, providers, outbox, send, ledger, rate, status, resend_pending, new_mailing,
          password_column, subject, max_attachment_mb, smtp_host, smtp_port, smtp_user, sender, tls, ca_file, jobs, fmt,
          wait):
    """E-mail each patient their own handout, once; a dry run unless --send.

    Without --send every message is written as an .eml file in the outbox
    and nothing is sent. With --send, messages go over SMTP and the ledger
    records each, so a rerun never sends a patient the same handout twice.
    The password comes only from HANDOUTS_SMTP_PASSWORD (or an OAuth2 token
    from HANDOUTS_SMTP_OAUTH_TOKEN or HANDOUTS_SMTP_OAUTH_COMMAND). One run
    at a time works in an outbox (or a batch folder): a second is refused,
    or waits with --wait.

    \b
    Examples:
      handouts email my-clinic --patients today.csv                # dry run
      handouts email my-clinic --patients today.csv --send --rate 30/min
      handouts email --status --format json
    """
    import json
    import os

    from ..deliver.email.mailing import ledger_status, parse_rate, send_handouts
    from ..deliver.email.settings import smtp_settings

    if status:
        summary = ledger_status(ledger, outbox=outbox)
        click.echo(json.dumps(summary, indent=2) if fmt == "json" else _status_text(summary))
        return
    if not patients:
        raise click.UsageError("--patients FILE is required (or --status)")
    settings = None
    if send:
        settings = smtp_settings(os.environ, host=smtp_host, port=smtp_port, sender=sender, tls=tls, user=smtp_user,
                                 ca_file=ca_file)
    result = _with_progress("E-mailing", lambda progress: send_handouts(
        options=options, patients=patients, providers=providers, outbox=outbox, send=send,
        settings=settings, ledger=ledger, rate=parse_rate(rate) if rate else None, resend_pending=resend_pending,
        new_mailing=new_mailing, password_column=password_column, subject=subject,
        sender=sender or os.environ.get("HANDOUTS_SMTP_FROM"), max_attachment=int(max_attachment_mb * 1024 * 1024),
        jobs=jobs, wait=wait, progress=progress))
    for pid, reason in result.refused:
        click.echo(f"refused: patient {pid}: {reason}", err=True)
    for pid, reason in result.failed:
        click.echo(f"failed: patient {pid}: {reason}", err=True)
    for pid, reason in result.pending:
        click.echo(f"pending: patient {pid}: {reason}", err=True)
    if result.stopped:
        click.echo(f"stopped: {result.stopped}", err=True)
    terminated = isinstance(result.interrupted, Terminated)
    if result.interrupted:
        click.echo(f"stopped: interrupted{' (SIGTERM)' if terminated else ''}; every message sent is recorded in "
                   "the ledger, the rest were not sent: run again to send them", err=True)
    counts = (f"refused {len(result.refused)}, skipped {len(result.skipped)} (already sent), "
              f"pending {len(result.pending)}")
    if result.dry_run:
        click.echo(f"dry run: wrote {len(result.written)} message(s) to {result.outbox}/, sent nothing; {counts}. "
                   "Check them, then add --send to send.")
    else:
        click.echo(f"sent {len(result.sent)}, failed {len(result.failed)}, {counts}; ledger {result.ledger}")
    if result.interrupted:
        click.get_current_context().exit(EXIT_TERMINATED if terminated else EXIT_INTERRUPTED)
    if not result.ok:
        click.get_current_context().exit(EXIT_INPUT)


def _status_text(summary: dict) -> str:
    totals = summary["totals"]
    lines = [f"{summary['ledger']}: sent {totals['sent']}, failed {totals['failed']}, pending {totals['pending']}"]
    for h in summary["handouts"]:
        lines.append(f"  {h['handout']} version {h['version']}, {h['language']}, {h['layout']}: "
                     f"sent {h['sent']}, failed {h['failed']}, pending {h['pending']}")
        if len(h["contents"]) > 1:  # the same version printed differently (--new-mailing)
            ways = "two ways" if len(h["contents"]) == 2 else f"{len(h['contents'])} ways"
            lines.append(f"    printed {ways} under this version: " + "; ".join(
                f"{c['content'][:12]} sent {c['sent']}, failed {c['failed']}, pending {c['pending']}"
                for c in h["contents"]))
        if h["pending_ids"]:
            lines.append(f"    pending: {', '.join(h['pending_ids'])}")
    return "\n".join(lines)


def _with_progress(label: str, run):
    """Run `run(progress)` with a progress bar on a terminal, or none."""
    if sys.stderr.isatty() and not (click.get_current_context().obj or {}).get("quiet"):
        with click.progressbar(length=1, label=label, file=sys.stderr) as bar:
            def progress(done, total):
                bar.length = max(total, 1)
                bar.update(1)
            return run(progress)
    return run(None)


@cli.command()
@click.argument("folder", type=OUTPUT)
def init(folder):
    """Start a clinic's own handout from the bundled one.

    Copies the stem-cell knee handout, the demo brand (brand.yml, logo) and a
    demo roster (providers.csv) into FOLDER, which must be new or empty.

    \b
    Example:
      handouts init my-clinic && handouts build my-clinic
    """
    from ..errors import display_path
    from ..load.project import init_project

    files = init_project(folder)
    click.echo(f"Wrote {len(files)} files to {display_path(folder)}/. Next: edit brand.yml, then "
               f"run 'handouts build {folder}'.")


def main() -> None:
    """Console-script entry point."""
    signal.signal(signal.SIGTERM, _terminate)
    sys.unraisablehook = _redeliver_interrupt
    try:
        cli(prog_name="handouts")
    finally:
        # The process ends next. Left to the last garbage collection, every
        # object would be freed one by one first (a tenth of a second after a
        # lint, as long as the rest of its teardown); frozen, they are left to
        # the operating system. Atexit handlers and the flushing of stdout
        # and stderr still run; files are closed where they are written.
        gc.freeze()
