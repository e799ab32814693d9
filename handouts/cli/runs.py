"""The commands that run over a roster or a patient list: batch, merge-manifests, email."""

from __future__ import annotations

import click

from . import EXIT_INPUT, EXIT_INTERRUPTED, EXIT_TERMINATED, Terminated, cli
from .options import BATCH_FORMATS, OUTPUT, shared_option, shared_options, smtp_options, wait_option, with_progress


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
@shared_option("no_cache")
@wait_option("OUT_DIR")
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
    result = with_progress("Building", lambda progress: build_batch(
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
@smtp_options
@click.option("-j", "--jobs", type=click.IntRange(1, 256), help="Worker processes rendering (default: cores).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="With --status: text or json.")
@shared_option("allow_outside")
@shared_option("allow_lint_errors")
@shared_option("no_cache")
@wait_option("the outbox or uses the ledger")
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
    from ..deliver.email.options import EmailOptions
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
    mail = EmailOptions(outbox=outbox, send=send, ledger=ledger, rate=parse_rate(rate) if rate else None,
                        resend_pending=resend_pending, new_mailing=new_mailing, password_column=password_column,
                        subject=subject, sender=sender or os.environ.get("HANDOUTS_SMTP_FROM"),
                        max_attachment=int(max_attachment_mb * 1024 * 1024))
    result = with_progress("E-mailing", lambda progress: send_handouts(
        options=options, email=mail, patients=patients, providers=providers, settings=settings, jobs=jobs,
        wait=wait, progress=progress))
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
